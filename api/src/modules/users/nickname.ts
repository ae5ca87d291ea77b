import { BadUserInputError } from '../../infra/graphql/errors';
import { hasCharacterNotInName, hasVisibleCharacter } from '../../infra/text';

export const NICKNAME_MIN_LENGTH = 2;
export const NICKNAME_MAX_LENGTH = 20;

/**
 * A display name as given at sign-up or in a profile change, trimmed; refused (BAD_USER_INPUT on
 * `nickname`) outside 2 to 20 characters, without a visible character, or with a control or format
 * character (a bell, a bidi override that reverses the text after it, a zero-width space).
 */
export function normaliseNickname(raw: string): string {
  const nickname = raw.trim();
  if (nickname.length < NICKNAME_MIN_LENGTH || nickname.length > NICKNAME_MAX_LENGTH) {
    throw new BadUserInputError(
      `nickname must be ${NICKNAME_MIN_LENGTH} to ${NICKNAME_MAX_LENGTH} characters long`,
      'nickname',
    );
  }
  if (hasCharacterNotInName(nickname)) {
    throw new BadUserInputError('nickname may not contain control or invisible formatting characters', 'nickname');
  }
  if (!hasVisibleCharacter(nickname))
    throw new BadUserInputError('nickname must contain visible characters', 'nickname');
  return nickname;
}
