import { createI18n } from 'vue-i18n';
import type { Locale } from '../stores/locale';
import { en } from './en';
import { ko } from './ko';

export type MessageSchema = typeof en;

export function createAppI18n(locale: Locale) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, ko },
  });
}
