import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { BadUserInputError } from '../../infra/graphql/errors';

/**
 * A phone number as given (010-1234-5678, 01012345678, +82 10 1234 5678, ...) in E.164
 * (+821012345678); numbers without +country code are read in `defaultCountry` (PHONE_DEFAULT_COUNTRY,
 * KR). Refused (BAD_USER_INPUT on `phone`) unless it is a valid number that can receive SMS (a
 * mobile number, or one that may be mobile).
 */
export function normalisePhone(raw: string, defaultCountry: string): string {
  const number = parsePhoneNumberFromString(raw.trim(), defaultCountry as CountryCode);
  if (!number?.isValid()) {
    throw new BadUserInputError(`phone must be a valid phone number (e.g. 010-1234-5678 or +82 10 1234 5678)`, 'phone');
  }
  const type = number.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    throw new BadUserInputError('phone must be a mobile number: the code comes by SMS', 'phone');
  }
  return number.number;
}
