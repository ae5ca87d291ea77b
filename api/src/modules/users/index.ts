/** The users module's public entry: other modules import from here only. */
import { SafetyResolver } from './safety.resolver';
import { UserResolver } from './user.resolver';
import { Block } from './block.entity';
import { Report } from './report.entity';
import { User } from './user.entity';

export { createUsersModule, type UsersModule } from './users.module';
export type { ProfileService } from './profile.service';
export type { SafetyService } from './safety.service';
export type { CredentialsService, UserCredentials } from './credentials.service';
export type { AccountDeletionService } from './account-deletion.service';
export { UserBlocked, UserDeleted, UserDeleting, UserErasing } from './users.events';
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
export const usersEntities = [User, Block, Report];

/** The module's resolver classes, for the composition root's schema registry. */
export const usersResolverClasses = [UserResolver, SafetyResolver];
