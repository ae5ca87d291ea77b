import type { Filter } from './match-queue.port';

const POOL = /^[a-z0-9]*$/;
const GENDER = /^[A-Z_]+$/;

function checkAge(what: string, age: number | undefined): string {
  if (age === undefined) return '';
  if (!Number.isFinite(age)) throw new RangeError(`expected ${what} to be a finite number, got ${age}`);
  return String(age);
}

function checkGender(gender: string): string {
  if (!GENDER.test(gender)) throw new RangeError(`expected a gender token of [A-Z_], got ${JSON.stringify(gender)}`);
  return gender;
}

/**
 * A filter as the Redis queue stores it (in the user's hash and in their GEO member, match-queue.lua.ts
 * §7): 'pool:gender:age:genders:minAge:maxAge', absent parts empty, genders comma-separated; the
 * default filter (default pool, nothing stated) is ''. Its alphabet leaves out '|' and ':' inside a
 * part, so the member's fields stay separable. RangeError for a pool, gender or age it cannot carry.
 */
export function encodeFilter(filter: Filter | undefined): string {
  const { pool = '', traits = {}, preferences = {} } = filter ?? {};
  if (!POOL.test(pool)) throw new RangeError(`expected a pool of [a-z0-9], got ${JSON.stringify(pool)}`);
  const parts = [
    pool,
    traits.gender === undefined ? '' : checkGender(traits.gender),
    checkAge('age', traits.age),
    (preferences.genders ?? []).map(checkGender).join(','),
    checkAge('minAge', preferences.minAge),
    checkAge('maxAge', preferences.maxAge),
  ];
  return parts.every((part) => part === '') ? '' : parts.join(':');
}
