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
