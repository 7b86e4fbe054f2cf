/**
 * Links between locales, for pages and components (it imports astro:i18n, so browser code uses locales.ts
 * instead). English has no prefix; Persian and Bulgarian mirror the site under /fa/ and /bg/, except that a port
 * without an article has only its English page (see docs in CONTRIBUTING.md, "Translations").
 */
import { getRelativeLocaleUrl } from 'astro:i18n';
import { DEFAULT_LOCALE, type Locale } from './locales.ts';

/**
 * `/ports/3515/` as the page of `locale`: `/fa/ports/3515/`. Paths keep the site's trailing slash; a fragment
 * (`/ports/#ranges`) stays at the end.
 */
export function localeHref(locale: Locale, path: string): string {
  const [pathname = '', fragment] = path.split('#');
  const href = getRelativeLocaleUrl(locale, pathname.replace(/^\//, ''));
  const slashed = pathname.endsWith('/') && !href.endsWith('/') ? `${href}/` : href;
  return fragment === undefined ? slashed : `${slashed}#${fragment}`;
}

/** A link to a page, and the language of the page it opens when that differs from the reader's. */
export interface LocalizedLink {
  href: string;
  hreflang?: Locale;
}

/**
 * The page for port `port` seen from a page in `locale`. Articles exist in every locale. A registry-only port has
 * its English page, so a translated page links there and says so with hreflang. A number with no page at all
 * links inside the reader's locale, where the 404 page answers for it (src/views/NotFoundPage.astro).
 */
export function portLink(locale: Locale, port: number, page: 'article' | 'registry' | undefined): LocalizedLink {
  const path = `/ports/${port}/`;
  if (page === 'registry' && locale !== DEFAULT_LOCALE) return { href: path, hreflang: DEFAULT_LOCALE };
  return { href: localeHref(locale, path) };
}
