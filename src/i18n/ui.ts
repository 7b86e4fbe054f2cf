/**
 * Every string the interface shows, one dictionary per locale (en.ts, fa.ts, bg.ts). Content (articles, IANA
 * facts) is not here; the words around it are. `translator(locale)` gives a `t()` typed by key, so a misspelt key
 * fails `astro check`; `checkDictionaries()` runs at the start of every build and fails it on a missing, extra or
 * mismatched translation, naming the locale and the key.
 */
import { bg } from './bg.ts';
import { en } from './en.ts';
import { fa } from './fa.ts';
import { format } from './format.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from './locales.ts';

export type UIKey = keyof typeof en;
export type Dictionary = Record<UIKey, string>;
export type Translate = (key: UIKey, values?: Record<string, string | number>) => string;

export const dictionaries: Record<Locale, Dictionary> = { en, fa, bg };

const translators = new Map<Locale, Translate>();

/** `t()` for a locale; anything that is not one of ours (Astro.currentLocale is undefined on some routes) is English. */
export function translator(locale: string | undefined): Translate {
  const key = isLocale(locale) ? locale : DEFAULT_LOCALE;
  let t = translators.get(key);
  if (!t) {
    const dictionary = dictionaries[key];
    t = (name, values = {}) => format(dictionary[name], values);
    translators.set(key, t);
  }
  return t;
}

/** English, for code that never runs in a localized page (build tools, the CLI). */
export const t = translator(DEFAULT_LOCALE);

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Every problem with the translations, as "locale: key: what is wrong" lines; empty when all is well. */
export function dictionaryProblems(
  all: Readonly<Record<string, Readonly<Record<string, unknown>>>> = dictionaries,
): string[] {
  const problems: string[] = [];
  const keys = Object.keys(en) as UIKey[];
  for (const [locale, dictionary] of Object.entries(all)) {
    if (locale === DEFAULT_LOCALE) continue;
    for (const key of keys) {
      const value = dictionary[key];
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`${locale}: ${key}: missing translation`);
        continue;
      }
      const want = placeholders(en[key]).join(',');
      const got = placeholders(value).join(',');
      if (want !== got) problems.push(`${locale}: ${key}: placeholders {${got}} differ from English {${want}}`);
    }
    for (const key of Object.keys(dictionary)) {
      if (!(key in en)) problems.push(`${locale}: ${key}: not a key of the English dictionary`);
    }
  }
  return problems;
}
