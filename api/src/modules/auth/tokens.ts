import { createHash, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Claims of an access token; `sid` is the refresh-token family (login session) it belongs to. */
export interface AccessClaims {
  sub: string;
  sid: string;
  exp: number;
}

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlMs: number;
  /** Tokens whose verification is remembered (the least recently verified go first). @default 10_000 */
  maxRemembered?: number;
}

const ACCESS_TYP = 'access';
/** Clock skew tolerated between instances, in seconds. */
const CLOCK_TOLERANCE_S = 5;

/** Signs and verifies access JWTs: HS256 only, iss/aud/exp always checked, typ must be "access". */
export class AccessTokens {
  /**
   * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to read it as a
   * PEM key (createPublicKey / createPrivateKey) and only falls back to a secret key after that
   * throws, on every sign and verify: an exception per request, 10 % of a `me` request's CPU.
   */
  private readonly key: KeyObject;
  /**
   * Tokens already verified, by their exact text: a client sends the same token with every request
   * until it refreshes, and jsonwebtoken's verify costs 30-50 µs. Only the expiry changes with time;
   * it is checked again on every use.
   */
  private readonly verified = new Map<string, AccessClaims>();

  constructor(private readonly options: AccessTokenOptions) {
    this.key = createSecretKey(Buffer.from(options.secret));
  }

  sign(userId: string, sessionId: string, now = Date.now()): { token: string; expiresAt: Date } {
    const exp = Math.floor((now + this.options.ttlMs) / 1000);
    const token = jwt.sign({ typ: ACCESS_TYP, sid: sessionId, exp, iat: Math.floor(now / 1000) }, this.key, {
      algorithm: 'HS256',
      issuer: this.options.issuer,
      audience: this.options.audience,
      subject: userId,
      jwtid: randomUUID(),
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Returns the claims, or null for anything that is not a valid, unexpired access token of ours. */
  verify(token: string, now = Date.now()): AccessClaims | null {
    const seconds = Math.floor(now / 1000);
    const known = this.verified.get(token);
    if (known) {
      // jsonwebtoken's own rule: expired once the clock reaches exp + tolerance.
      if (seconds < known.exp + CLOCK_TOLERANCE_S) return known;
      this.verified.delete(token);
      return null;
    }
    const claims = this.check(token, seconds);
    if (claims) {
      this.verified.set(token, claims);
      if (this.verified.size > (this.options.maxRemembered ?? 10_000)) {
        this.verified.delete(this.verified.keys().next().value!);
      }
    }
    return claims;
  }

  private check(token: string, seconds: number): AccessClaims | null {
    try {
      const claims = jwt.verify(token, this.key, {
        clockTimestamp: seconds,
        algorithms: ['HS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      if (typeof claims !== 'object' || claims.typ !== ACCESS_TYP) return null;
      const { sub, sid, exp, iat } = claims as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number' || typeof iat !== 'number')
        return null;
      // A token living longer than we ever issue was not minted by this configuration.
      if (exp - iat > this.options.ttlMs / 1000 + CLOCK_TOLERANCE_S) return null;
      return { sub, sid, exp };
    } catch {
      return null;
    }
  }
}

/**
 * Refresh tokens are opaque: `<familyId>.<256 random bits>`. Only their SHA-256 is stored. They are
 * not JWTs, so one can never pass as an access token.
 */
export const refreshTokens = {
  issue(familyId: string): { token: string; hash: string } {
    const token = `${familyId}.${randomBytes(32).toString('base64url')}`;
    return { token, hash: refreshTokens.hash(token) };
  },
  hash(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  },
  /** The family a presented token claims to belong to, or null when it is malformed. */
  familyOf(token: string): string | null {
    const match = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(token);
    return match ? match[1]! : null;
  },
};
