import { describe, expect, it } from '@jest/globals';
import { anyone, parsePreferences, preferencesProblem, toPreferencesInput } from './preferences';

describe('the age range', () => {
  it('accepts no limits, one limit, or 18..120 with the youngest not above the oldest', () => {
    expect(preferencesProblem(anyone())).toBeNull();
    expect(preferencesProblem({ genders: [], minAge: 18, maxAge: null })).toBeNull();
    expect(preferencesProblem({ genders: [], minAge: null, maxAge: 120 })).toBeNull();
    expect(preferencesProblem({ genders: [], minAge: 30, maxAge: 30 })).toBeNull();
  });

  it('names ages outside 18..120 or not whole', () => {
    expect(preferencesProblem({ genders: [], minAge: 17, maxAge: null })).toBe('ageOutOfRange');
    expect(preferencesProblem({ genders: [], minAge: null, maxAge: 121 })).toBe('ageOutOfRange');
    expect(preferencesProblem({ genders: [], minAge: 25.5, maxAge: null })).toBe('ageOutOfRange');
  });

  it('names a youngest age above the oldest', () => {
    expect(preferencesProblem({ genders: [], minAge: 40, maxAge: 30 })).toBe('ageOrder');
  });
});

describe('the request and storage shapes', () => {
  it('sends nothing for anyone, and only the limits that were set', () => {
    expect(toPreferencesInput(anyone())).toBeUndefined();
    expect(toPreferencesInput({ genders: ['FEMALE', 'NONBINARY'], minAge: null, maxAge: 35 })).toEqual({
      genders: ['FEMALE', 'NONBINARY'],
      maxAge: 35,
    });
  });

  it('reads back what it stored and treats anything unexpected as anyone', () => {
    const chosen = { genders: ['MALE' as const], minAge: 20, maxAge: 30 };
    expect(parsePreferences(JSON.stringify(chosen))).toEqual(chosen);
    expect(parsePreferences(null)).toEqual(anyone());
    expect(parsePreferences('{not json')).toEqual(anyone());
    expect(parsePreferences('{"genders":["ROBOT","MALE","MALE"],"minAge":"20"}')).toEqual({
      genders: ['MALE'],
      minAge: null,
      maxAge: null,
    });
  });
});
