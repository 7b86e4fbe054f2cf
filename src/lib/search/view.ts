/**
 * Search results as DOM elements and the words around them, for both search UIs. Strings come from the page
 * (`data-strings`, see strings.ts), so this browser code carries no dictionary.
 */
import { format } from '../../i18n/format.ts';
import type { Hit, Outcome } from './engine.ts';
import type { SearchStrings } from './strings.ts';

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

/** Text for a number lookup that found no page, or undefined. */
export function numberNotice(outcome: Outcome, s: SearchStrings): string | undefined {
  const n = outcome.number;
  if (!n || n.kind === 'page') return undefined;
  if (n.kind === 'not-port') return format(s.notPort, { value: n.value });
  if (n.kind === 'gap') return format(s.gap, { port: n.port, label: s.statuses[n.status] });
  return format(s.noPage, {
    port: n.port,
    range: (s.ranges[n.range] ?? n.range).toLowerCase(),
    first: n.first,
    last: n.last,
  });
}

/**
 * One result as a list item: port number and service, title, and the excerpt. In the header combobox it is an
 * option whose link is reached with the arrow keys (`id` set); on the search page, a plain link.
 */
export function renderHit(hit: Hit, options: { id?: string; title?: string } = {}): HTMLLIElement {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = hit.url;
  if (options.id) {
    item.id = options.id;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', 'false');
    link.tabIndex = -1;
  }
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = options.title ?? hit.title;
  link.append(title);
  if (hit.port || hit.service) {
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = [hit.port && `Port ${hit.port}`, hit.service].filter(Boolean).join(' · ');
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
  const id = (suffix: string) => (idPrefix ? { id: `${idPrefix}-${suffix}` } : {});
  if (outcome.number?.kind === 'page') {
    const { hit, port } = outcome.number;
    const registered = hit.registered ? format(s.registered, { date: hit.registered }) : '';
    items.push(renderHit(hit, { ...id('exact'), title: format(s.exact, { port, title: hit.title }) + registered }));
  }
  outcome.hits.forEach((hit, i) => items.push(renderHit(hit, id(String(i)))));
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
