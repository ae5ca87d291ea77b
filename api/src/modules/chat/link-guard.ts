import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import { registerEnumType } from 'type-graphql';

/** What the link guard hid in a message. */
export enum MaskedKind {
  LINK = 'LINK',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
}

registerEnumType(MaskedKind, {
  name: 'MaskedKind',
  description: "What the link guard hid in one of a sender's first messages of a room (LINK_GUARD_MESSAGES)",
  valuesConfig: {
    LINK: { description: 'A web address, with or without http(s)://' },
    EMAIL: { description: 'An email address' },
    PHONE: { description: 'A phone number (Korean or international)' },
  },
});

/** What replaces each hidden part of the text. */
export const MASK = '•••';

/**
 * Top-level domains a bare address (no scheme, no www.) must end in to count as a link. A list
 * rather than any letters: "ok.so", "node.js" or "hello.world" are typos and words, not links,
 * while the domains that spam uses (t.me, bit.ly, naver.me, x.kr) are here.
 */
const TLDS = [
  ...'com net org kr co io me ly gg xyz info biz app dev site shop online link top club live store tv cc'.split(' '),
  ...'jp cn ru us uk de vn ph sg hk tw la kz gl im fm ai pw ws asia mobi pro'.split(' '),
];

const TRAILING_PUNCTUATION = /[.,!?;:)\]}'"”’」』]+$/u;

interface Span {
  start: number;
  end: number;
  kind: MaskedKind;
}

/** Spans of `pattern` in `text`, with trailing punctuation left outside for links. */
function spansOf(text: string, pattern: RegExp, kind: MaskedKind): Span[] {
  return [...text.matchAll(pattern)].map((m) => {
    const found = kind === MaskedKind.LINK ? m[0].replace(TRAILING_PUNCTUATION, '') : m[0];
    return { start: m.index, end: m.index + found.length, kind };
  });
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const WITH_SCHEME = /\b(?:https?|ftp):\/\/[^\s<>"']+/giu;
const WWW = /\bwww\.[^\s<>"']+/giu;
/** host.tld with an optional port or path: not inside a word, a number or an address. */
const BARE = new RegExp(
  String.raw`(?<![\p{L}\p{N}@._/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${TLDS.join('|')})(?![\p{L}\p{N}_-])(?:[/:?#][^\s<>"']*)?`,
  'giu',
);
/**
 * The start a national (no +) number must have: a 0 (Korean numbers are dialled with a trunk 0:
 * 010-..., 02-..., 031-...) or a 4-digit service prefix with a separator (1588-1234). This keeps
 * decimals ("3.14159265" reads as 031-4159265), prices and counts out.
 */
const NATIONAL_START = /^(?:\(?0\d|1[5-9]\d\d[-. ])/;

/** Fewer digits than the shortest phone number (7): nothing to look for (the finder is the slow part). */
const hasEnoughDigits = (text: string) => (text.match(/\d/g)?.length ?? 0) >= 7;

function phoneSpans(text: string, defaultCountry: string): Span[] {
  if (!hasEnoughDigits(text)) return [];
  return findPhoneNumbersInText(text, { defaultCountry: defaultCountry as CountryCode })
    .filter((m) => m.number.isValid())
    .filter((m) => text.startsWith('+', m.startsAt) || NATIONAL_START.test(text.slice(m.startsAt, m.endsAt)))
    .map((m) => ({ start: m.startsAt, end: m.endsAt, kind: MaskedKind.PHONE }));
}

export interface MaskResult {
  /** The text with every link, email address and phone number replaced by MASK. */
  body: string;
  /** What was hidden, each kind once, in MaskedKind order; empty when nothing was. */
  kinds: MaskedKind[];
}

/**
 * Hides links (with or without a scheme: `http://…`, `www.x.kr`, `example.com/x`), email addresses
 * and phone numbers (Korean formats such as 010-1234-5678, 01012345678, +82 10 1234 5678,
 * 02-123-4567, and international numbers written with +country code), each replaced by MASK.
 * Times (12:30), prices (10,000원), dates, short numbers and words with a dot ("ok.so") stay.
 * Deterministic: the same text always gives the same result (a retried send is recognised by it).
 */
export function maskContacts(text: string, defaultCountry = 'KR'): MaskResult {
  // Every address has a dot: text without one is only searched for phone numbers.
  const addresses = text.includes('.')
    ? [
        ...spansOf(text, EMAIL, MaskedKind.EMAIL),
        ...spansOf(text, WITH_SCHEME, MaskedKind.LINK),
        ...spansOf(text, WWW, MaskedKind.LINK),
        ...spansOf(text, BARE, MaskedKind.LINK),
      ]
    : [];
  const spans = [...addresses, ...phoneSpans(text, defaultCountry)].sort((a, b) => a.start - b.start || b.end - a.end);
  let body = '';
  let at = 0;
  const kinds = new Set<MaskedKind>();
  for (const span of spans) {
    if (span.start < at) {
      // Overlaps a span already hidden (an email's domain, a URL's digits): extend it if longer.
      if (span.end > at) at = span.end;
      continue;
    }
    body += text.slice(at, span.start) + MASK;
    at = span.end;
    kinds.add(span.kind);
  }
  body += text.slice(at);
  return { body, kinds: Object.values(MaskedKind).filter((k) => kinds.has(k)) };
}

/** The `messages.masked` column: the kinds comma-separated, null when nothing was hidden. */
export const maskedColumn = (kinds: readonly MaskedKind[] | undefined): string | null =>
  kinds?.length ? kinds.join(',') : null;

/** The kinds in a `messages.masked` value. */
export const maskedFromColumn = (value: unknown): MaskedKind[] =>
  typeof value === 'string' && value ? (value.split(',') as MaskedKind[]) : [];
