/** The users module's public entry: other modules import from here only. */
import { SafetyResolver } from './safety.resolver';
import { StandingResolver } from './standing.resolver';
import { UserResolver } from './user.resolver';
import { Block } from './block.entity';
import { User } from './user.entity';

export { createUsersModule, type UsersModule } from './users.module';
export type { ProfileService } from './profile.service';
export type { SafetyService } from './safety.service';
export type { StandingService, Warning } from './standing.service';
export { SanctionKind, sanctionAt, type Sanction } from './standing';
export { UserRole } from './user-role';
export { setUserRole } from './set-user-role';
export type { CredentialsService, UserCredentials } from './credentials.service';
export type { AccountDeletionService } from './account-deletion.service';
export { QuarantineChanged, UserBlocked, UserDeleted, UserDeleting, UserErasing, UserSanctioned } from './users.events';
export { Gender } from './gender';
export { normaliseNickname } from './nickname';
export { AgeRule, IsOptionalBirthYear } from './birth-year';
export { PHONE_VERIFICATION_REQUIRED, phoneRequired, type PhoneNumbers } from './phone';
export { UserObject, toUserObject } from './user.types';
export { type UserFields, userColumns, userFromRow } from './user.row';
export {
  type UserPayload,
  toUserPayload,
  parseUserPayload,
  userFromPayload,
  userObjectFromPayload,
} from './user.payload';

/** The module's tables, for the composition root's entity registry. */
export const usersEntities = [User, Block];

/** The module's resolver classes, for the composition root's schema registry. */
export const usersResolverClasses = [UserResolver, SafetyResolver, StandingResolver];
