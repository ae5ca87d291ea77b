import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { BadUserInputError, ForbiddenError, RateLimitedError, UnauthenticatedError } from '../../infra/graphql/errors';
import type { RateLimiter, RateLimitResult } from '../../infra/ratelimit/rate-limiter.port';
import { normaliseNickname, sanctionAt, type AgeRule, type CredentialsService, type UserCredentials } from '../users';
import type { LogInInput, SignUpInput } from './auth.inputs';
import type { PasswordHasher } from './password';
import type { Session, SessionService } from './sessions.service';

export interface AuthLimiters {
  /** Login attempts per normalised email (reset by a successful login). */
  loginAccount: RateLimiter;
  /** Login attempts per client IP. */
  loginIp: RateLimiter;
  /** Sign-ups per client IP. */
  signUpIp: RateLimiter;
}

/** Sign-up verification and the account lock, provided by the account lifecycle (AccountService). */
export interface AccountHooks {
  /** Whether signUp needs a code from requestEmailCode. */
  requireEmailVerification: boolean;
  /** Spends an attempt on the sign-up code; returns the id to redeem in the sign-up transaction. */
  verifySignUpCode(em: Em, email: string, code: string): Promise<string>;
  redeemSignUpCode(tx: Em, codeId: string): Promise<void>;
  /** Counts a wrong password; locks the account (and mails an unlock code) at the threshold. */
  recordFailedLogin(em: Em, user: UserCredentials): Promise<void>;
}

export interface AuthServiceDeps {
  hasher: PasswordHasher;
  account: AccountHooks;
  sessions: SessionService;
  credentials: CredentialsService;
  /** The age rule: sign-up refuses minors. */
  ages: Pick<AgeRule, 'check'>;
  limiters: AuthLimiters;
  /** The clock suspensions are judged by (tests move it). */
  clock: Clock;
}

const INVALID_CREDENTIALS = 'Invalid email or password';

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Signing up and logging in: each starts a login session. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async signUp(em: Em, input: SignUpInput, ip: string): Promise<Session> {
    this.assertAllowed(await this.deps.limiters.signUpIp.consume(ip), 'Too many sign-ups from this network');
    const nickname = normaliseNickname(input.nickname);
    this.deps.ages.check(input.birthYear);
    const email = normaliseEmail(input.email);
    const { account } = this.deps;
    let codeId: string | null = null;
    if (account.requireEmailVerification) {
      if (!input.emailCode)
        throw new BadUserInputError('emailCode is required: request one with requestEmailCode', 'emailCode');
      codeId = await account.verifySignUpCode(em, email, input.emailCode);
    }
    const passwordHash = await this.deps.hasher.hash(input.password);
    const user = await em.transactional(async (tx) => {
      if (codeId) await account.redeemSignUpCode(tx, codeId);
      return this.deps.credentials.create(tx, {
        email,
        passwordHash,
        nickname,
        gender: input.gender ?? undefined,
        birthYear: input.birthYear ?? undefined,
      });
    });
    return this.deps.sessions.createSession(user);
  }

  async logIn(em: Em, input: LogInInput, ip: string): Promise<Session> {
    const email = normaliseEmail(input.email);
    const [byIp, byAccount] = await Promise.all([
      this.deps.limiters.loginIp.consume(ip),
      this.deps.limiters.loginAccount.consume(email),
    ]);
    this.assertAllowed(byIp, 'Too many login attempts from this network');
    this.assertAllowed(byAccount, 'Too many login attempts for this account');

    const user = await this.deps.credentials.byEmail(em, email);
    const ok = await this.deps.hasher.verify(input.password, user?.passwordHash ?? null);
    if (user?.lockedAt) {
      throw new ForbiddenError(
        'This account is locked after too many failed logins: unlock it with the code we emailed (unlockAccount)',
        {
          reason: 'ACCOUNT_LOCKED',
        },
      );
    }
    if (!user || !ok) {
      if (user) await this.deps.account.recordFailedLogin(em, user);
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }

    const sanction = sanctionAt(user, new Date(this.deps.clock()));
    if (sanction) {
      throw new ForbiddenError(
        sanction.until
          ? `This account is suspended by a moderator until ${sanction.until.toISOString()}`
          : 'This account is banned by a moderator',
        { reason: sanction.kind, until: sanction.until?.toISOString() ?? null, note: sanction.note },
      );
    }

    await this.deps.limiters.loginAccount.reset(email);
    if (this.deps.hasher.needsRehash(user.passwordHash!)) {
      await this.deps.credentials.setPasswordHash(em, user.id, await this.deps.hasher.hash(input.password));
    }
    if (user.failedLogins > 0) await this.deps.credentials.clearFailedLogins(em, user.id);
    return this.deps.sessions.createSession(user);
  }

  private assertAllowed(result: RateLimitResult, message: string): void {
    if (!result.allowed) throw new RateLimitedError(`${message}; try again later`, result.retryAfterMs);
  }
}
