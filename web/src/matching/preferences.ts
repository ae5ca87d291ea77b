import type { Gender, MatchPreferencesInput } from '../gql/graphql';

export const MIN_AGE = 18;
export const MAX_AGE = 120;

/** Whom the person wants to meet, as the match screen edits it: no genders and no ages means anyone. */
export interface MatchPreferences {
  genders: Gender[];
  minAge: number | null;
  maxAge: number | null;
}

/** What is wrong with an age range, named for its message (`match.prefs.problem.*`), or null. */
export type PreferencesProblem = 'ageOutOfRange' | 'ageOrder' | null;

export const anyone = (): MatchPreferences => ({ genders: [], minAge: null, maxAge: null });

const inRange = (age: number | null) => age === null || (Number.isInteger(age) && age >= MIN_AGE && age <= MAX_AGE);

/** The API's rules, checked before sending: whole ages 18..120, and the youngest not above the oldest. */
export function preferencesProblem(p: MatchPreferences): PreferencesProblem {
  if (!inRange(p.minAge) || !inRange(p.maxAge)) return 'ageOutOfRange';
  if (p.minAge !== null && p.maxAge !== null && p.minAge > p.maxAge) return 'ageOrder';
  return null;
}

/** The request's `preferences`: absent when the person accepts anyone. */
export function toPreferencesInput(p: MatchPreferences): MatchPreferencesInput | undefined {
  const input: MatchPreferencesInput = {};
  if (p.genders.length > 0) input.genders = [...p.genders];
  if (p.minAge !== null) input.minAge = p.minAge;
  if (p.maxAge !== null) input.maxAge = p.maxAge;
  return Object.keys(input).length > 0 ? input : undefined;
}

const GENDER_VALUES: readonly string[] = ['FEMALE', 'MALE', 'NONBINARY'];

/** Preferences read back from storage; anything unexpected in it counts as "anyone". */
export function parsePreferences(text: string | null | undefined): MatchPreferences {
  try {
    const raw = JSON.parse(text ?? 'null') as Partial<Record<keyof MatchPreferences, unknown>> | null;
    if (!raw || typeof raw !== 'object') return anyone();
    const age = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
    const genders = Array.isArray(raw.genders) ? raw.genders.filter((g) => GENDER_VALUES.includes(g as string)) : [];
    return { genders: [...new Set(genders)] as Gender[], minAge: age(raw.minAge), maxAge: age(raw.maxAge) };
  } catch {
    return anyone();
  }
}
