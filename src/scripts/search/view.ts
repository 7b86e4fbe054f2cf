/**
 * Search results as DOM elements and the words around them, for both search UIs. Strings come from the page
 * (`data-strings`, see strings.ts), so this browser code carries no dictionary.
 */
import { format } from '../../i18n/format.ts';
import { DEFAULT_LOCALE, localePrefix } from '../../i18n/locales.ts';
import { formatPartialDate } from '../../lib/dates.ts';
import type { Hit, Outcome } from './engine.ts';
import type { SearchStrings } from '../../lib/search/strings.ts';

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

/** Text for a number that is not a port, or undefined. */
export function numberNotice(outcome: Outcome, s: SearchStrings): string | undefined {
  const n = outcome.number;
  return n?.kind === 'not-port' ? format(s.notPort, { value: n.value }) : undefined;
}

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
 * One result: title, then port and service, then the excerpt. In the header combobox the link itself is the
 * option (`<li role="none"><a role="option">`), so the listbox holds no interactive element inside another and
 * a result can still be opened in a new tab; on the search page it is a plain list of links.
 */
export function renderHit(
  hit: Hit,
  s: SearchStrings,
  options: { id?: string | undefined; title?: string | undefined } = {},
): HTMLLIElement {
  const item = document.createElement('li');
  const link = document.createElement('a');
  // The reader stays in their language where the page exists in it; else the English page, marked as such.
  link.href = hit.localized ? `${localePrefix(s.locale)}${hit.url}` : hit.url;
  if (!hit.localized && s.locale !== DEFAULT_LOCALE) link.hreflang = DEFAULT_LOCALE;
  link.className = 'hit';
  if (options.id) {
    item.setAttribute('role', 'none');
    link.id = options.id;
    link.setAttribute('role', 'option');
    link.setAttribute('aria-selected', 'false');
    link.tabIndex = -1;
  }
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = options.title ?? hit.title;
  link.append(title);
  if (hit.port || hit.service) {
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = [hit.port && format(s.port, { port: hit.port }), hit.service].filter(Boolean).join(' · ');
    link.append(meta);
  }
  if (hit.excerpt) {
    const excerpt = document.createElement('span');
    excerpt.className = 'excerpt';
    appendExcerpt(excerpt, hit.excerpt);
    link.append(excerpt);
  }
  item.append(link);
  return item;
}

/** The result items for an outcome, the exact number match first. */
export function renderOutcome(outcome: Outcome, s: SearchStrings, idPrefix?: string): HTMLLIElement[] {
  const items: HTMLLIElement[] = [];
  const id = (suffix: string) => (idPrefix ? `${idPrefix}-${suffix}` : undefined);
  if (outcome.number?.kind === 'page') {
    const { hit, port } = outcome.number;
    const registered = hit.registered
      ? format(s.registered, { date: formatPartialDate(hit.registered, s.locale) })
      : '';
    items.push(renderHit(hit, s, { id: id('exact'), title: format(s.exact, { port, title: hit.title }) + registered }));
  }
  const answer = numberHit(outcome, s);
  if (answer) items.push(renderHit(answer, s, { id: id('exact') }));
  outcome.hits.forEach((hit, i) => items.push(renderHit(hit, s, { id: id(String(i)) })));
  return items;
}

/** What to say besides the results: about the number, or that nothing matched. */
export function notice(outcome: Outcome, count: number, s: SearchStrings): string | undefined {
  return numberNotice(outcome, s) ?? (count === 0 ? format(s.none, { query: outcome.query.trim() }) : undefined);
}

/** The live-region text: how many results, and any notice. */
export function summary(outcome: Outcome, count: number, s: SearchStrings): string {
  return [count === 1 ? s.one : format(s.many, { count }), notice(outcome, count, s)].filter(Boolean).join('. ');
}
