/**
 * Characters that render as nothing: white space, controls, format characters (zero-width space and
 * joiners, bidi marks, BOM), combining marks on their own, and the blank letters (Hangul fillers,
 * the blank Braille pattern) used to fake empty names.
 */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** C0 and C1 control characters other than tab and line breaks. */
// eslint-disable-next-line no-control-regex -- finding control characters is this rule's purpose
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/**
 * Characters a name may not contain: every control and format character (bidi overrides that reverse
 * what follows, zero-width characters), except the zero-width (non-)joiners that emoji sequences and
 * some scripts need, and line or paragraph separators.
 */
const NOT_IN_NAME = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** True when the text shows at least one character. */
export const hasVisibleCharacter = (text: string): boolean => text.replace(INVISIBLE, '').length > 0;

/** True when the text holds a control character other than tab, CR and LF. */
export const hasControlCharacter = (text: string): boolean => CONTROL.test(text);

/** True when the text holds a character no display name may contain (see NOT_IN_NAME). */
export const hasCharacterNotInName = (text: string): boolean => NOT_IN_NAME.test(text);
