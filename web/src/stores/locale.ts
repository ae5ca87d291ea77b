import { defineStore } from 'pinia';
import { ref } from 'vue';

export const LOCALES = ['ko', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * What this app keeps in localStorage: the language picked with the switch, the matching distance
 * (stores/match.ts) and the notification choice of this device (stores/notifications.ts). Never a
 * token, never a position.
 */
export const LOCALE_KEY = 'randchat.locale';

const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

/** The remembered choice wins; else the first browser language we speak; else Korean. */
export function pickLocale(stored: string | null, browserLanguages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'ko';
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** localStorage, or null where it is disabled (privacy mode): choices then last for the page only. */
export function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy mode): the choice lasts for this page only
  }
}

/** The UI language; main.ts mirrors it into vue-i18n and `<html lang>`. */
export const useLocaleStore = defineStore('locale', () => {
  const storage = browserStorage();
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  const locale = ref<Locale>(pickLocale(storage?.getItem(LOCALE_KEY) ?? null, languages));

  function setLocale(next: Locale) {
    locale.value = next;
    storage?.setItem(LOCALE_KEY, next);
  }

  return { locale, setLocale };
});
