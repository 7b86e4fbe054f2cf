/**
 * The languages the site's chrome is offered in. Plain constants, so the Astro config, the feedback API and the
 * browser code can all share them without pulling in a dictionary.
 */
export const LOCALES = ['en', 'fa', 'bg'] as const;
export type Locale = (typeof LOCALES)[number];

/** English is served without a prefix (`/ports/3515/`); the others under theirs (`/fa/ports/3515/`). */
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Each language's name in itself, for the language switcher. Not translated: a reader looks for their own. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fa: 'فارسی', bg: 'Български' };

/** Writing direction of each locale's chrome. */
export const DIRECTIONS: Record<Locale, 'ltr' | 'rtl'> = { en: 'ltr', fa: 'rtl', bg: 'ltr' };

/** OpenGraph's `og:locale` (language_TERRITORY). */
export const OG_LOCALES: Record<Locale, string> = { en: 'en_GB', fa: 'fa_IR', bg: 'bg_BG' };

/**
 * The URL path prefix of a locale: '' for English, '/fa' for Persian. For browser code, which cannot use
 * astro:i18n; pages build their links with Astro's helpers (src/i18n/urls.ts), which agree with this.
 */
export const localePrefix = (locale: Locale): string => (locale === DEFAULT_LOCALE ? '' : `/${locale}`);

/** The locale a path is in: `/fa/ports/3515/` → 'fa', `/ports/3515/` → 'en'. */
export function localeOfPath(pathname: string): Locale {
  const first = pathname.split('/')[1];
  return isLocale(first) && first !== DEFAULT_LOCALE ? first : DEFAULT_LOCALE;
}

/** A path without its locale prefix: `/fa/ports/3515/` → `/ports/3515/`. */
export function unlocalizedPath(pathname: string): string {
  const locale = localeOfPath(pathname);
  return locale === DEFAULT_LOCALE ? pathname : pathname.slice(locale.length + 1) || '/';
}

/** A page's locale from Astro.currentLocale, which is undefined on routes outside i18n routing (English). */
export const toLocale = (value: string | undefined): Locale => (isLocale(value) ? value : DEFAULT_LOCALE);

/** The locales served under a prefix. */
export const TRANSLATED = LOCALES.filter((locale) => locale !== DEFAULT_LOCALE);

export interface LanguageAttributes {
  lang?: Locale;
  dir?: 'ltr' | 'rtl';
}

/**
 * For content written in English (an article, IANA's names, sources' titles) inside a page in `locale`: `lang`
 * so a screen reader switches voice, `dir` so its punctuation stays where English puts it on a right-to-left
 * page. Nothing on an English page.
 */
export const englishIn = (locale: Locale): LanguageAttributes =>
  locale === DEFAULT_LOCALE ? {} : { lang: DEFAULT_LOCALE, dir: 'ltr' };

/** For the page's own words placed inside English content (the chrome of a section an article places). */
export const chromeIn = (locale: Locale): LanguageAttributes =>
  locale === DEFAULT_LOCALE ? {} : { lang: locale, dir: DIRECTIONS[locale] };
