import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Clock } from '../../infra/clock';
import { BadUserInputError } from '../../infra/graphql/errors';

/** An optional year of birth: an integer from 1900 (earlier years are typos); the age rule is AgeRule's. */
export function IsOptionalBirthYear(): PropertyDecorator {
  const rules = [IsOptional(), IsInt(), Min(1900, { message: 'birthYear must be 1900 or later' }), Max(9999)];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}

/**
 * Who is an adult (ADULT_AGE, 19 by default: the Korean rule of the Juvenile Protection Act):
 * everyone from January 1 of the year they turn `adultAge`, whatever their birthday. With birth
 * year Y a member is an adult from January 1 of Y + adultAge. The year is the UTC calendar year
 * (January 1 starts at 09:00 in Korea: nobody is let in early).
 */
export class AgeRule {
  constructor(private readonly options: { adultAge: number; clock: Clock }) {}

  get adultAge(): number {
    return this.options.adultAge;
  }

  /** The latest birth year of an adult today. */
  latestAdultBirthYear(): number {
    return new Date(this.options.clock()).getUTCFullYear() - this.options.adultAge;
  }

  /** Refuses (BAD_USER_INPUT on `birthYear`) the birth year of a minor; an absent year passes. */
  check(birthYear: number | null | undefined): void {
    if (birthYear === null || birthYear === undefined) return;
    const latest = this.latestAdultBirthYear();
    if (birthYear > latest) {
      const age = this.options.adultAge;
      throw new BadUserInputError(
        `birthYear must be ${latest} or earlier: members must be adults, which is from January 1 of the year ` +
          `they turn ${age} (born in ${birthYear}: from January 1, ${birthYear + age})`,
        'birthYear',
      );
    }
  }
}
