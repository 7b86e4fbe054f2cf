/**
 * Search results as DOM elements and the words around them, for both search UIs. Strings come from the page
 * (`data-strings`, see src/lib/search/strings.ts), so this browser code carries no dictionary.
 */
import { format } from '../../i18n/format.ts';
import { DEFAULT_LOCALE, englishIn, localePrefix, type Locale } from '../../i18n/locales.ts';
import { formatPartialDate } from '../../lib/dates.ts';
import type { SearchStrings } from '../../lib/search/strings.ts';
import type { Hit, Outcome } from './engine.ts';

/** Appends Pagefind's excerpt to `parent` as text and `<mark>` elements; never as HTML. */
export function appendExcerpt(parent: HTMLElement, excerpt: string): void {
  excerpt.split(/(<mark>.*?<\/mark>)/).forEach((part) => {
    const marked = /^<mark>(.*)<\/mark>$/.exec(part);
    const text = decodeEntities(marked ? marked[1]! : part);
    if (!text) return;
    if (marked) {
      const mark = document.createElement('mark');
      mark.textContent = text;
      parent.append(mark);
    } else {
      parent.append(text);
    }
  });
}

function decodeEntities(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39|#x27);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name] ?? '',
  );
}

/**
 * An excerpt without the page title it often starts with ("3521: Telequip Labs MC3SS. Registered in 2002…" under
 * the title "Port 3521: Telequip Labs MC3SS"): the reader has just read it.
 */
export function withoutTitle(excerpt: string, title: string): string {
  const stop = excerpt.indexOf('. ');
  if (stop < 0) return excerpt;
  const lead = decodeEntities(excerpt.slice(0, stop).replace(/<\/?mark>/g, '')).trim();
  return lead && title.includes(lead) ? excerpt.slice(stop + 2) : excerpt;
}

/** Text for a number that is not a port, or undefined. */
export function numberNotice(outcome: Outcome, s: SearchStrings): string | undefined {
  const n = outcome.number;
  return n?.kind === 'not-port' ? format(s.notPort, { value: n.value }) : undefined;
}

/** Where a hit leads a reader in `locale`: their language's page where it exists, else the English one. */
export const hitHref = (hit: Hit, locale: Locale): string =>
  hit.localized ? `${localePrefix(locale)}${hit.url}` : hit.url;

/**
 * The result for a number without a page: its answer at /ports/N/ (the 404 page's, in every locale), titled with
 * what IANA says of it.
 */
function numberHit(outcome: Outcome, s: SearchStrings): Hit | undefined {
  const n = outcome.number;
  if (!n || n.kind === 'page' || n.kind === 'not-port') return undefined;
  const title =
    n.kind === 'gap'
      ? format(s.gap, { port: n.port, label: s.statuses[n.status] })
      : format(s.noPage, {
          port: n.port,
          range: (s.ranges[n.range] ?? n.range).toLowerCase(),
          first: n.first,
          last: n.last,
        });
  return {
    url: `/ports/${n.port}/`,
    title,
    localized: true,
    ...(n.kind === 'gap' && n.note ? { excerpt: n.note } : {}),
  };
}

/**
 * Where Enter takes a reader whose query asks for one page (`outcome.answered`): the number's page or its
 * answer at /ports/N/, or the page the name means, in the reader's language where it exists.
 */
export function answerHref(outcome: Outcome, locale: Locale): string | undefined {
  if (!outcome.answered) return undefined;
  const n = outcome.number;
  if (n?.kind === 'page') return hitHref(n.hit, locale);
  if (n && n.kind !== 'not-port') return `${localePrefix(locale)}/ports/${n.port}/`;
  const named = outcome.named[0];
  return named && hitHref(named, locale);
}

/**
 * One result: its title; a line with its verdict, IANA's service name unless the title has it, and the name
 * that found it when that is not the page's own ("Known use: Microsoft SQL Server"); then Pagefind's excerpt
 * without the title again. In the header combobox the link itself is the option (`<li role="none"><a
 * role="option">`), so the listbox holds no interactive element inside another and a result can still be opened
 * in a new tab; on the search page it is a plain list of links. On a translated page the English parts (titles,
 * IANA's names, excerpts) are marked as English.
 */
export function renderHit(
  hit: Hit,
  s: SearchStrings,
  options: {
    id?: string | undefined;
    /** The title in the page's words around the page's own (English) title: "Port 3515 — {title}". */
    frame?: string | undefined;
  } = {},
): HTMLLIElement {
  const item = document.createElement('li');
  const link = document.createElement('a');
  // The reader stays in their language where the page exists in it; else the English page, marked as such.
  link.href = hitHref(hit, s.locale);
  if (!hit.localized && s.locale !== DEFAULT_LOCALE) link.hreflang = DEFAULT_LOCALE;
  link.className = 'hit';
  if (options.id) {
    item.setAttribute('role', 'none');
    link.id = options.id;
    link.setAttribute('role', 'option');
    link.setAttribute('aria-selected', 'false');
    link.tabIndex = -1;
  }
  const english = (element: HTMLElement) => {
    const { lang, dir } = englishIn(s.locale);
    if (lang) element.lang = lang;
    if (dir) element.dir = dir;
    return element;
  };
  const span = (className: string, text?: string) => {
    const element = document.createElement('span');
    element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };
  // Titles of pages are English (IANA's names, articles' titles); a number's answer is in the page's language.
  const title = span('title');
  if (options.frame) {
    const [before = '', after = ''] = options.frame.split('{title}');
    title.append(before, english(span('name', hit.title)), after);
  } else {
    title.textContent = hit.title;
    if (hit.port) english(title);
  }
  link.append(title);
  const titleText = title.textContent;
  const meta = span('meta');
  const parts: (string | HTMLElement)[] = [];
  if (hit.verdict) parts.push(s.verdicts[hit.verdict]);
  if (hit.service && !titleText.includes(hit.service)) parts.push(english(span('service', hit.service)));
  if (hit.matched) {
    const [before, after = ''] = (hit.matched.former ? s.former : s.known).split('{name}');
    const matched = span('matched');
    matched.append(before ?? '', english(span('name', hit.matched.name)), after);
    parts.push(matched);
  }
  parts.forEach((part, i) => {
    if (i > 0) meta.append(' · ');
    meta.append(part);
  });
  if (parts.length > 0) link.append(meta);
  const excerpt = hit.excerpt && withoutTitle(hit.excerpt, titleText);
  if (excerpt) {
    const element = span('excerpt');
    appendExcerpt(element, excerpt);
    // IANA's notes and the pages' text are English.
    link.append(english(element));
  }
  item.append(link);
  return item;
}

/** The title of a page found by its number or a name, "Port 3389 — {title}", and when it was registered. */
function exactTitle(hit: Hit, s: SearchStrings, dated: boolean): string {
  const registered =
    dated && hit.registered ? format(s.registered, { date: formatPartialDate(hit.registered, s.locale) }) : '';
  // format() leaves {title} for renderHit, which marks the page's own title as English.
  return format(s.exact, { port: hit.port ?? '' }) + registered;
}

/** The result items for an outcome: the number's answer or the pages named, then full-text results. */
export function renderOutcome(outcome: Outcome, s: SearchStrings, idPrefix?: string): HTMLLIElement[] {
  const items: HTMLLIElement[] = [];
  const id = (suffix: string) => (idPrefix ? `${idPrefix}-${suffix}` : undefined);
  if (outcome.number?.kind === 'page') {
    const { hit } = outcome.number;
    items.push(renderHit(hit, s, { id: id('exact'), frame: exactTitle(hit, s, true) }));
  }
  const gap = numberHit(outcome, s);
  if (gap) items.push(renderHit(gap, s, { id: id('exact') }));
  outcome.named.forEach((hit, i) =>
    items.push(renderHit(hit, s, { id: id(`name-${i}`), frame: exactTitle(hit, s, false) })),
  );
  outcome.hits.forEach((hit, i) => items.push(renderHit(hit, s, { id: id(String(i)) })));
  return items;
}

/** What to say besides the results: about the number, or that nothing matched. */
export function notice(outcome: Outcome, count: number, s: SearchStrings): string | undefined {
  if (outcome.partial && count === 0) return s.searching;
  return numberNotice(outcome, s) ?? (count === 0 ? format(s.none, { query: outcome.query.trim() }) : undefined);
}

/** The live-region text: how many results, and any notice. */
export function summary(outcome: Outcome, count: number, s: SearchStrings): string {
  return [count === 1 ? s.one : format(s.many, { count }), notice(outcome, count, s)].filter(Boolean).join('. ');
}
