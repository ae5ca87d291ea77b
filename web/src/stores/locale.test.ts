import { describe, expect, it } from '@jest/globals';
import { createPinia, setActivePinia } from 'pinia';
import { en } from '../i18n/en';
import { ko } from '../i18n/ko';
import { LOCALE_KEY, pickLocale, useLocaleStore } from './locale';

describe('choosing the language', () => {
  it('prefers the remembered choice, then the browser languages, then Korean', () => {
    expect(pickLocale('en', ['ko-KR'])).toBe('en');
    expect(pickLocale(null, ['en-US', 'ko'])).toBe('en');
    expect(pickLocale(null, ['de-DE', 'ko-KR'])).toBe('ko');
    expect(pickLocale('fr', ['fr-FR'])).toBe('ko');
  });

  it('remembers the switch in localStorage under its one key', () => {
    const saved = new Map<string, string>();
    const g = globalThis as { localStorage?: unknown };
    g.localStorage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => saved.set(k, v),
    };
    try {
      setActivePinia(createPinia());
      const store = useLocaleStore();
      store.setLocale('en');
      expect([...saved]).toEqual([[LOCALE_KEY, 'en']]);
      setActivePinia(createPinia());
      expect(useLocaleStore().locale).toBe('en');
    } finally {
      delete g.localStorage;
    }
  });
});

describe('messages', () => {
  const keys = (o: object, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
    );

  it('Korean and English have the same keys and no empty text', () => {
    expect(keys(ko).sort()).toEqual(keys(en).sort());
    for (const key of keys(ko))
      expect(key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], ko)).not.toBe('');
  });
});
