/**
 * What `<listener-check>` shows for a pasted text: a status line with the counts (announced, as a live region),
 * the table of listeners with those that deserve a look first, and the lines it could not read. Reads the text
 * with src/lib/listeners/ and fetches the lookup shards its ports need, each once per page; loaded only when the
 * reader pastes or types (listener-check.ts).
 */
import { checkStringsPath } from '../i18n/client.ts';
import { format } from '../i18n/format.ts';
import { DEFAULT_LOCALE, localePrefix, toLocale } from '../i18n/locales.ts';
import { formatCount } from '../lib/dates.ts';
import { parseListeners, type Parsed } from '../lib/listeners/parse.ts';
import { buildReport, shardsFor, type Report, type Row } from '../lib/listeners/report.ts';
import type { CheckStrings } from '../lib/listeners/strings.ts';
import type { LookupShard } from '../lib/search/lookup.ts';

let words: Promise<CheckStrings> | undefined;

/** The page's words for the results, fetched once; a failure is forgotten, so the next reading tries again. */
function checkStrings(): Promise<CheckStrings> {
  words ??= fetch(checkStringsPath(toLocale(document.documentElement.lang)))
    .then((response) => {
      if (!response.ok) throw new Error(`strings: HTTP ${response.status}`);
      return response.json() as Promise<CheckStrings>;
    })
    .catch((error: unknown) => {
      words = undefined;
      throw error;
    });
  return words;
}

const shards = new Map<number, Promise<LookupShard | null>>();

/** `/lookup/N.json`, fetched once; a failure is forgotten, so the next reading tries again. */
function shard(n: number): Promise<LookupShard | null> {
  let pending = shards.get(n);
  if (!pending) {
    pending = fetch(`/lookup/${n}.json`)
      .then((response) => (response.ok ? (response.json() as Promise<LookupShard>) : null))
      .catch(() => null);
    shards.set(n, pending);
    void pending.then((found) => {
      if (!found) shards.delete(n);
    });
  }
  return pending;
}

type Child = Node | string;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** English content (IANA's names, program names) inside a translated page says so, for voices and punctuation. */
const english = (s: CheckStrings): Record<string, string> =>
  s.locale === DEFAULT_LOCALE ? {} : { lang: DEFAULT_LOCALE, dir: 'ltr' };

/** A port's page in the reader's language where it exists; a number without a page gets the 404 page's answer. */
function portLink(row: Row, s: CheckStrings): HTMLAnchorElement {
  const prefix = localePrefix(s.locale);
  const entry = row.entry;
  const translated = !entry || entry.localized;
  const link = h('a', { href: translated ? `${prefix}/ports/${row.port}/` : entry.url }, String(row.port));
  if (!translated && s.locale !== DEFAULT_LOCALE) link.hreflang = DEFAULT_LOCALE;
  return link;
}

function lookCell(row: Row, s: CheckStrings): HTMLTableCellElement {
  if (row.flags.length === 0) return h('td', { class: 'look' }, s.flags.no);
  const reasons = row.flags.map((flag) =>
    h('li', {}, flag === 'unregistered' && row.range === 'dynamic' ? s.flags.dynamic : s.flags[flag]),
  );
  return h('td', { class: 'look wide' }, h('ul', {}, ...reasons));
}

function addressCell(row: Row, s: CheckStrings): HTMLTableCellElement {
  return h('td', {}, s.scopes[row.scope], h('span', { class: 'addresses', dir: 'ltr' }, row.addresses.join(' ')));
}

function processCell(row: Row, s: CheckStrings): HTMLTableCellElement {
  if (row.processes.length === 0) return h('td', {}, '—');
  const processes = row.processes.map(({ name, pid }) =>
    h(
      'span',
      { class: 'process' },
      ...(name ? [h('span', english(s), name)] : []),
      ...(pid !== undefined ? [h('span', { class: 'pid' }, format(s.pid, { pid }))] : []),
    ),
  );
  return h('td', {}, ...processes);
}

function ianaCell(row: Row, s: CheckStrings): HTMLTableCellElement {
  if (row.entry) {
    const { title, service } = row.entry;
    const extra = service && !title.startsWith(service) ? [' ', h('code', {}, service)] : [];
    return h('td', { class: 'wide' }, h('span', english(s), title), ...extra);
  }
  return h('td', {}, row.gap ? s.statuses[row.gap[2]] : s.ianaNone);
}

function usesCell(row: Row, s: CheckStrings): HTMLTableCellElement {
  const uses = row.entry?.uses ?? [];
  if (uses.length === 0) return h('td', {}, '—');
  return h(
    'td',
    { class: 'wide' },
    h('ul', {}, ...uses.map((use) => h('li', {}, h('span', english(s), use.name), ` (${s.kinds[use.kind]})`))),
  );
}

function table(report: Report, s: CheckStrings): HTMLTableElement {
  const columns = ['port', 'look', 'protocol', 'address', 'process', 'iana', 'uses', 'verdict'] as const;
  const head = h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, s.columns[column])));
  const rows = report.rows.map((row) =>
    h(
      'tr',
      row.flags.length > 0 ? { 'data-flagged': row.flags.join(' ') } : {},
      h('th', { scope: 'row' }, portLink(row, s)),
      lookCell(row, s),
      h('td', { class: 'protocol' }, s.protocols[row.protocol]),
      addressCell(row, s),
      processCell(row, s),
      ianaCell(row, s),
      usesCell(row, s),
      h('td', {}, row.entry ? s.verdicts[row.entry.verdict] : '—'),
    ),
  );
  return h(
    'table',
    { class: 'stack listeners' },
    h('caption', {}, s.caption),
    h('thead', {}, head),
    h('tbody', {}, ...rows),
  );
}

function unread(parsed: Parsed, s: CheckStrings): HTMLElement {
  const count = (n: number) => formatCount(n, s.locale);
  const items = parsed.unread.map(({ line, text, why }) =>
    h(
      'li',
      {},
      `${format(s.unread.line, { line: count(line) })}: `,
      h('code', { dir: 'ltr' }, text),
      ...(why === 'name' ? [h('br'), s.unread.name] : []),
    ),
  );
  return h(
    'section',
    { class: 'unread', 'aria-labelledby': 'unread-title' },
    h('h3', { id: 'unread-title' }, s.unread.title),
    h('p', {}, s.unread.intro),
    h('ul', {}, ...items),
  );
}

/** The status line: how many ports, of which protocol, how many deserve a look, and how many lines were not read. */
function summary(report: Report, parsed: Parsed, s: CheckStrings): string {
  const count = (n: number) => formatCount(n, s.locale);
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : format(many, { count: count(n) }));
  const notRead = parsed.unread.length > 0 ? plural(parsed.unread.length, s.unread.one, s.unread.many) : '';
  if (report.rows.length === 0) return [s.none, notRead].filter(Boolean).join(' ');
  const flagged = report.flagged === 0 ? s.flagged.none : plural(report.flagged, s.flagged.one, s.flagged.many);
  const ports = plural(report.rows.length, s.ports.one, s.ports.many);
  const line = format(s.summary, { ports, tcp: count(report.tcp), udp: count(report.udp), flagged });
  return [line, notRead].filter(Boolean).join(' ');
}

/**
 * Reads `text` and shows what it holds inside `host` (its `[data-status]` and `[data-results]`), unless
 * `current()` says a newer text has come in meanwhile.
 */
export async function render(host: HTMLElement, text: string, current: () => boolean): Promise<void> {
  const status = host.querySelector<HTMLElement>('[data-status]');
  const results = host.querySelector<HTMLElement>('[data-results]');
  if (!status || !results) return;
  if (!text.trim()) {
    status.textContent = '';
    results.replaceChildren();
    return;
  }
  const parsed = parseListeners(text);
  const s = await checkStrings();
  const slow = setTimeout(() => {
    if (current()) status.textContent = s.loading;
  }, 300);
  const found = await Promise.all(shardsFor(parsed.listeners).map(async (n) => [n, await shard(n)] as const));
  clearTimeout(slow);
  if (!current()) return;
  const loaded = new Map(found.flatMap(([n, data]) => (data ? [[n, data] as const] : [])));
  const report = buildReport(parsed.listeners, loaded);
  const failed = loaded.size < found.length;
  const { header, connection, other } = parsed.skipped;
  const count = (n: number) => formatCount(n, s.locale);
  results.replaceChildren(
    ...(failed ? [h('p', { class: 'failed' }, s.failed)] : []),
    ...(report.rows.length > 0 ? [table(report, s)] : []),
    ...(parsed.unread.length > 0 ? [unread(parsed, s)] : []),
    ...(header + connection + other > 0
      ? [
          h(
            'p',
            { class: 'skipped' },
            format(s.skipped, { header: count(header), connection: count(connection), other: count(other) }),
          ),
        ]
      : []),
  );
  status.textContent = summary(report, parsed, s);
}
