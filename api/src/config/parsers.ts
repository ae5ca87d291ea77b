import { z } from 'zod';

/**
 * Parsers of environment strings, each with its default and limits. A default is written the way the
 * variable is (`duration('15m')`), so the declaration reads like the README's Configuration table.
 */

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "900", "15m", "30d" in milliseconds (a bare number means seconds); undefined when malformed. */
function toMs(raw: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  return match ? Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] ?? 1000) : undefined;
}

/** A duration in milliseconds, written "900" (seconds), "250ms", "15m", "30d"; limits in the same notation. */
export const duration = (fallback: string, limits: { min?: string; max?: string } = {}) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const ms = toMs(raw);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 15m or 30d, got "${raw}"` });
        return z.NEVER;
      }
      const { min, max } = limits;
      if ((min !== undefined && ms < toMs(min)!) || (max !== undefined && ms > toMs(max)!)) {
        const message =
          min && max ? `must be between ${min} and ${max}` : min ? `must be at least ${min}` : `must be at most ${max}`;
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return ms;
    });

/** An integer in [min, max]. */
export const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** An integer number of `unitMs` in [min, max], in milliseconds. */
const unitsAsMs = (unitMs: number) => (fallback: number, min: number, max: number) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .default(fallback)
    .transform((n) => n * unitMs);

/** An integer number of seconds in [min, max], in milliseconds (for variables named `*_SECONDS`). */
export const secondsAsMs = unitsAsMs(1000);

/** An integer number of hours in [min, max], in milliseconds (for variables named `*_HOURS`). */
export const hoursAsMs = unitsAsMs(3_600_000);

/** `true`/`false`/`1`/`0`; no default (`.optional()`) when the default depends on another variable. */
export const flag = () => z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const bool = (fallback: boolean) => flag().default(fallback);

/** A URL with one of `protocols` (`'https:'`), trimmed. */
export const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `expected a ${protocols.join(' or ')}// URL`,
    );

/** A comma-separated list of `item`s (each trimmed, empty ones dropped); absent means none. */
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/** A comma-separated list of URLs; absent means none. */
export const urlList = (protocols: string[]) => commaList(url(protocols));

/** A comma-separated list of `host:port` (IPv6 hosts in brackets); absent means none. */
export const hostPortList = () =>
  commaList(
    z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port items, comma-separated')
      .transform((item) => {
        const colon = item.lastIndexOf(':');
        return { host: item.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(item.slice(colon + 1)) };
      })
      .refine(({ port }) => port >= 1 && port <= 65535, 'expected ports 1-65535'),
  );

/** Without the trailing slashes, so `${base}/path` never doubles one. */
export const withoutTrailingSlash = (v: string) => v.replace(/\/+$/, '');

const KNOWN_WEAK_SECRETS = new Set([
  'secret',
  'changeme',
  'change-me',
  'jwt_secret',
  'your-256-bit-secret',
  'password',
]);

/** A key of at least 32 bytes; `rejectKnownDefaults` also refuses the usual placeholder secrets. */
export const secret = ({ rejectKnownDefaults = false } = {}) =>
  z
    .string()
    .refine(
      (v) => Buffer.byteLength(v) >= 32 && !(rejectKnownDefaults && KNOWN_WEAK_SECRETS.has(v.toLowerCase())),
      rejectKnownDefaults
        ? 'must be at least 32 random bytes, not a known default'
        : 'must be at least 32 random bytes',
    );

/** URL-safe base64 without padding that decodes to exactly `bytes` bytes (a VAPID key). */
export const base64urlBytes = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected URL-safe base64 without padding')
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, `expected ${bytes} bytes in URL-safe base64`);
