import {
  IsInt,
  IsOptional,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

/** Members must be 18 or older in the current calendar year. */
@ValidatorConstraint({ name: 'adultBirthYear' })
class AdultBirthYear implements ValidatorConstraintInterface {
  validate(year: unknown): boolean {
    return typeof year === 'number' && year <= new Date().getUTCFullYear() - 18;
  }
  defaultMessage(): string {
    return `birthYear must be ${new Date().getUTCFullYear() - 18} or earlier (members are 18+)`;
  }
}

/** An optional year of birth: an integer from 1900 (earlier years are typos) of an adult member. */
export function IsOptionalBirthYear(): PropertyDecorator {
  const rules = [
    IsOptional(),
    IsInt(),
    Min(1900, { message: 'birthYear must be 1900 or later' }),
    Max(9999),
    Validate(AdultBirthYear),
  ];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}
