import { createHash, randomBytes } from 'node:crypto';
import { isEmail } from 'class-validator';
import type { Clock } from '../../infra/clock';
import type { Em, Orm } from '../../infra/db/orm';
import { BadUserInputError, NotFoundError, RateLimitedError } from '../../infra/graphql/errors';
import type { MailQueue } from '../../infra/mail/mail-queue';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { AccountDeletionService, CredentialsService, UserCredentials } from '../users';
import { accountMails } from './account.mails';
import type { AccountHooks } from './auth.service';
import { EmailCodePurpose, type EmailCodes } from './email-codes';
import type { PasswordHasher } from './password';
import { PasswordReset } from './password-reset.entity';
import type { Session, SessionService } from './sessions.service';
import { SessionEndReason } from './session-end-reason';

export interface AccountServiceDeps {
  orm: Orm;
  sessions: SessionService;
  credentials: CredentialsService;
  deletion: Pick<AccountDeletionService, 'erase'>;
  hasher: PasswordHasher;
  codes: EmailCodes;
  mail: MailQueue;
  limiters: {
    /** Mails of one kind per address: one per resend interval. */
    mailResend: RateLimiter;
    /** Mails per address per hour. */
    mailHourly: RateLimiter;
    /** Mail requests per client IP per hour. */
    mailIp: RateLimiter;
    /** Password checks per account (changePassword shares logIn's budget). */
    loginAccount: RateLimiter;
  };
  publicUrl: string;
  requireEmailVerification: boolean;
  codeTtlMs: number;
  resetTtlMs: number;
  lockThreshold: number;
  /** The clock reset links expire by. */
  clock: Clock;
}

const INVALID_RESET = 'This reset link is invalid, already used or expired; request a new one';
const minutes = (ms: number) => Math.round(ms / 60_000);
const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

function emailArg(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !isEmail(email))
    throw new BadUserInputError('email must be a valid email address', 'email');
  return email;
}

/**
 * The account lifecycle around a login: proving an address at sign-up, password reset and change,
 * and the lock after repeated failed logins. Mails go through the transactional mail queue, so
 * each one exists exactly when its code or token was committed. Answers to "send me a mail"
 * requests never depend on whether the address has an account.
 */
export class AccountService implements AccountHooks {
  constructor(private readonly deps: AccountServiceDeps) {}

  get requireEmailVerification(): boolean {
    return this.deps.requireEmailVerification;
  }

  /** Mails a sign-up code, or, to a registered address, a note that it already has an account. */
  async requestEmailCode(rawEmail: string, ip: string): Promise<void> {
    const email = emailArg(rawEmail);
    await this.throttleMail('sign-up', email, ip);
    const em = this.deps.orm.em.fork();
    await em.transactional(async (tx) => {
      if (await this.deps.credentials.emailTaken(tx, email)) {
        this.deps.mail.enqueue(tx, accountMails.alreadyRegistered(email, `${this.deps.publicUrl}/forgot-password`));
        return;
      }
      const code = await this.deps.codes.issue(tx, EmailCodePurpose.SIGN_UP, email);
      this.deps.mail.enqueue(tx, accountMails.signUpCode(email, code, minutes(this.deps.codeTtlMs)));
    });
    void this.deps.mail.kick();
  }

  verifySignUpCode(em: Em, email: string, code: string): Promise<string> {
    return this.deps.codes.verify(em, EmailCodePurpose.SIGN_UP, email, code);
  }

  redeemSignUpCode(tx: Em, codeId: string): Promise<void> {
    return this.deps.codes.redeem(tx, codeId);
  }

  /** Mails a single-use reset link to a registered address; does nothing visible otherwise. */
  async requestPasswordReset(rawEmail: string, ip: string): Promise<void> {
    const email = emailArg(rawEmail);
    await this.throttleMail('reset', email, ip);
    const em = this.deps.orm.em.fork();
    const token = randomBytes(32).toString('base64url');
    const sent = await em.transactional(async (tx) => {
      const userId = await this.deps.credentials.idByEmail(tx, email);
      if (!userId) return false;
      tx.persist(new PasswordReset(userId, sha256(token), new Date(this.deps.clock() + this.deps.resetTtlMs)));
      const link = `${this.deps.publicUrl}/reset-password?token=${token}`;
      this.deps.mail.enqueue(tx, accountMails.passwordReset(email, link, token, minutes(this.deps.resetTtlMs)));
      return true;
    });
    if (sent) void this.deps.mail.kick();
  }

  /**
   * Sets a new password with a mailed token (single use, checked and spent by one conditional
   * UPDATE), unlocks the account, and ends every session of the account on every instance.
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const passwordHash = await this.deps.hasher.hash(newPassword);
    const userId = await em.transactional(async (tx) => {
      const tokenHash = sha256(token);
      const now = new Date(this.deps.clock());
      const spent = await tx.nativeUpdate(
        PasswordReset,
        { tokenHash, usedAt: null, expiresAt: { $gt: now } },
        { usedAt: now },
      );
      if (spent === 0) throw new BadUserInputError(INVALID_RESET, 'token');
      const reset = await tx.findOneOrFail(PasswordReset, { tokenHash });
      await this.deps.credentials.setPasswordHash(tx, reset.user.id, passwordHash, { unlock: true });
      await tx.nativeDelete(PasswordReset, { user: reset.user.id, usedAt: null });
      return reset.user.id;
    });
    await this.deps.sessions.endAllSessions(userId, SessionEndReason.PASSWORD_RESET);
  }

  /**
   * Changes the password after checking the current one (sharing logIn's per-account budget), ends
   * every session of the account, the caller's included, and starts a new one for the caller.
   */
  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<Session> {
    const em = this.deps.orm.em.fork();
    const user = await this.deps.credentials.byId(em, userId);
    if (!user) throw new NotFoundError('Your account no longer exists');
    const budget = await this.deps.limiters.loginAccount.consume(user.email!);
    if (!budget.allowed) throw new RateLimitedError('Too many password attempts; try again later', budget.retryAfterMs);
    if (!(await this.deps.hasher.verify(currentPassword, user.passwordHash))) {
      throw new BadUserInputError('currentPassword is not your current password', 'currentPassword');
    }
    await this.deps.limiters.loginAccount.reset(user.email!);
    const passwordHash = await this.deps.hasher.hash(newPassword);
    await em.transactional(async (tx) => {
      await this.deps.credentials.setPasswordHash(tx, userId, passwordHash);
      this.deps.mail.enqueue(tx, accountMails.passwordChanged(user.email!));
    });
    void this.deps.mail.kick();
    await this.deps.sessions.endAllSessions(userId, SessionEndReason.PASSWORD_CHANGED);
    return this.deps.sessions.createSession(user);
  }

  /** Counts a wrong password; the call that reaches the threshold locks the account and mails a code. */
  async recordFailedLogin(em: Em, user: UserCredentials): Promise<void> {
    if (await this.deps.credentials.recordFailedLogin(em, user.id, this.deps.lockThreshold))
      await this.mailUnlockCode(user.email!);
  }

  /** Mails a new unlock code when the address belongs to a locked account; nothing visible otherwise. */
  async requestUnlockCode(rawEmail: string, ip: string): Promise<void> {
    const email = emailArg(rawEmail);
    await this.throttleMail('unlock', email, ip);
    if (await this.deps.credentials.isLocked(this.deps.orm.em.fork(), email)) await this.mailUnlockCode(email);
  }

  /** Unlocks with a mailed code and resets the failure counter and the login throttle. */
  async unlockAccount(rawEmail: string, code: string): Promise<void> {
    const email = emailArg(rawEmail);
    const em = this.deps.orm.em.fork();
    const codeId = await this.deps.codes.verify(em, EmailCodePurpose.UNLOCK, email, code);
    await em.transactional(async (tx) => {
      await this.deps.codes.redeem(tx, codeId);
      await this.deps.credentials.unlock(tx, email);
    });
    await this.deps.limiters.loginAccount.reset(email);
  }

  /** Deletes the caller's account for good, after checking their password (see AccountDeletionService). */
  async deleteAccount(userId: string, password: string): Promise<void> {
    const user = await this.deps.credentials.byId(this.deps.orm.em.fork(), userId);
    if (!user) throw new NotFoundError('Your account no longer exists');
    if (!(await this.deps.hasher.verify(password, user.passwordHash)))
      throw new BadUserInputError('password is not your password', 'password');
    await this.deps.deletion.erase(userId);
  }

  private async mailUnlockCode(email: string): Promise<void> {
    await this.deps.orm.em.fork().transactional(async (tx) => {
      const code = await this.deps.codes.issue(tx, EmailCodePurpose.UNLOCK, email);
      this.deps.mail.enqueue(tx, accountMails.accountLocked(email, code, minutes(this.deps.codeTtlMs)));
    });
    void this.deps.mail.kick();
  }

  /** The same budget for every address, registered or not: answers never tell them apart. */
  private async throttleMail(kind: 'sign-up' | 'reset' | 'unlock', email: string, ip: string): Promise<void> {
    const { mailResend, mailHourly, mailIp } = this.deps.limiters;
    for (const [limiter, key, what] of [
      [mailIp, ip, 'Too many mail requests from this network'],
      [mailResend, `${kind}:${email}`, 'A mail was just sent to this address; wait a moment before asking again'],
      [mailHourly, email, 'Too many mails to this address; try again later'],
    ] as const) {
      const result = await limiter.consume(key);
      if (!result.allowed) throw new RateLimitedError(what, result.retryAfterMs);
    }
  }
}
