/** The auth module's public entry: other modules and the composition root import from here only. */
import { AccountResolver } from './account.resolver';
import { AuthResolver } from './auth.resolver';
import { EmailCode } from './email-code.entity';
import { EndedLoginSession, LoginSession, RotatedRefreshToken } from './login-session.entity';
import { PasswordReset } from './password-reset.entity';

export { createAuthModule, type AuthModule, type AuthConfig } from './auth.module';
export { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './auth.events';
export { SANCTION_REASONS, SessionEndReason } from './session-end-reason';

/** The module's tables, for the composition root's entity registry. */
export const authEntities = [EmailCode, PasswordReset, LoginSession, RotatedRefreshToken, EndedLoginSession];

/** The module's resolver classes, for the composition root's schema registry. */
export const authResolverClasses = [AuthResolver, AccountResolver];
