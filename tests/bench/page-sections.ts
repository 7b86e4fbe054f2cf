/**
 * Bytes per section of a built page, so the next addition knows its room (issue 26, item 4). The HTML is cut into
 * top-level sections: in <head>, the JSON-LD, inline styles and scripts apart from the rest; in <body>, every
 * landmark-like element (header, nav, each <section>, form, aside, footer, inline script …) below the containers
 * <main> and <article>, with what lies loose between them grouped per container. Each section is given
 *
 * - its raw bytes (as written in dist/; the sections add up to the page), and
 * - its Brotli cost: how many bytes the page's Brotli-11 copy (what the server sends) loses without it. Brotli
 *   shares context across the page, so these do not add up to the compressed page; each is what that section
 *   costs on the wire as things stand.
 *
 * A small tokenizer rather than a DOM: a browser's serialisation would not give the bytes as written.
 */
import { brotliCompressSync, constants } from 'node:zlib';

interface Node {
  tag: string;
  attrs: Record<string, string>;
  /** Offsets in the source: the start of the start tag, the end of the end tag (or of the start tag if void). */
  start: number;
  end: number;
  children: Node[];
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
/** Elements whose children are listed instead of the element itself (see isContainer). */
const CONTAINERS = new Set(['html', 'body', 'main', 'article']);
/** Elements that are a section of their own; anything else is grouped with its loose neighbours. */
const SECTIONS = new Set(['header', 'footer', 'nav', 'section', 'form', 'aside', 'script', 'style', 'details']);

const TAG =
  /<!--[\s\S]*?-->|<!doctype[^>]*>|<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/gi;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** The element tree of `html`, with source offsets; tolerant of missing end tags. */
export function parse(html: string): Node {
  const root: Node = { tag: '#document', attrs: {}, start: 0, end: html.length, children: [] };
  const stack = [root];
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    const [whole, closing, name, attrText, selfClosing] = m;
    if (!name) continue; // a comment or the doctype
    const tag = name.toLowerCase();
    if (closing) {
      const at = stack.findLastIndex((n) => n.tag === tag);
      if (at <= 0) continue;
      while (stack.length > at) stack.pop()!.end = m.index + whole.length;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(ATTR)) attrs[a[1]!.toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    const node: Node = { tag, attrs, start: m.index, end: m.index + whole.length, children: [] };
    stack.at(-1)!.children.push(node);
    if (VOID.has(tag) || selfClosing) continue;
    if (RAW_TEXT.has(tag)) {
      const close = html.toLowerCase().indexOf(`</${tag}`, TAG.lastIndex);
      const after = close < 0 ? html.length : html.indexOf('>', close) + 1;
      node.end = after;
      TAG.lastIndex = after;
      continue;
    }
    stack.push(node);
  }
  return root;
}

/** Listed by its children: <html>, <body>, <main>, <article>, and a <div> that holds headings or sections. */
function isContainer(node: Node): boolean {
  if (CONTAINERS.has(node.tag)) return true;
  return node.tag === 'div' && node.children.some((c) => c.tag === 'h2' || SECTIONS.has(c.tag));
}

/** A name for a section: its tag and what labels it (aria-labelledby, id, class, aria-label, a form's action). */
function label(node: Node): string {
  const a = node.attrs;
  if (node.tag === 'script') {
    if (a['src']) return 'script (external)';
    return a['type'] === 'application/ld+json' ? 'script: JSON-LD' : 'script (inline)';
  }
  if (node.tag === 'style') return 'style (inline)';
  const name = a['aria-labelledby'] ?? a['id'] ?? a['class']?.split(' ')[0] ?? a['aria-label'] ?? a['action'];
  return name ? `${node.tag} ${name}` : node.tag;
}

/** The text of a heading, for naming the loose content below it. */
function headingText(html: string, node: Node): string {
  const text = html
    .slice(node.start, node.end)
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 32 ? `${text.slice(0, 31)}…` : text;
}

export interface Section {
  section: string;
  /** Start and end offsets in the HTML (string indices); a section may hold several ranges. */
  ranges: [number, number][];
}

/** The page cut into named sections covering every character, in order of first appearance. */
export function sections(html: string): Section[] {
  const tree = parse(html);
  const found = new Map<string, Section>();
  let covered = 0;
  const add = (name: string, end: number) => {
    if (end <= covered) return;
    const section = found.get(name) ?? { section: name, ranges: [] };
    found.set(name, section);
    const last = section.ranges.at(-1);
    if (last?.[1] === covered) last[1] = end;
    else section.ranges.push([covered, end]);
    covered = end;
  };
  const walk = (node: Node, container: string) => {
    // Loose content is named after its container and the <h2> above it, if any.
    let heading = '';
    const loose = () => (container === 'head' ? 'head: meta, title, links' : `${container}${heading}`);
    for (const child of node.children) {
      // What lies before the child (the container's own tags, text, whitespace) belongs to the container.
      add(loose(), child.start);
      if (child.tag === 'h2') heading = `: ${headingText(html, child)}`;
      if (child.tag === 'head') {
        walk(child, 'head');
      } else if (isContainer(child)) {
        walk(child, child.tag === 'html' ? 'document' : child.tag === 'body' ? 'body' : label(child));
      } else if (container === 'head') {
        add(
          RAW_TEXT.has(child.tag) && child.tag !== 'title' && !child.attrs['src'] ? `head: ${label(child)}` : loose(),
          child.end,
        );
      } else if (SECTIONS.has(child.tag) || child.tag.includes('-')) {
        // A bare <header> or <nav> is named after its container (the article's header, not the site's).
        const name = label(child);
        add(name === child.tag ? `${container} › ${name}` : name, child.end);
      } else {
        add(loose(), child.end);
      }
    }
    add(loose(), node.end);
  };
  walk(tree, 'document');
  return [...found.values()];
}

/** The server's compression of a page (src/server/static.ts): Brotli 11 with the size as a hint. */
export function brotli(text: string): number {
  const raw = Buffer.from(text);
  return brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
}

export interface SectionRow {
  section: string;
  'raw B': number;
  'raw %': number;
  /** Bytes the compressed page loses without this section. */
  'br B': number;
  'br %': number;
}

/** Raw bytes and Brotli cost of each section of `html`; sections under 1 % of the raw page are summed into one. */
export function sectionTable(html: string): { rows: SectionRow[]; raw: number; br: number } {
  const bytes = Buffer.from(html);
  const raw = bytes.length;
  const br = brotli(html);
  const rows: SectionRow[] = [];
  const small: { section: string; ranges: [number, number][]; size: number }[] = [];
  const cost = (ranges: [number, number][]) => {
    let kept = '';
    let from = 0;
    for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
      kept += bytes.subarray(from, a).toString();
      from = b;
    }
    return br - brotli(kept + bytes.subarray(from).toString());
  };
  const row = (section: string, ranges: [number, number][], size: number): SectionRow => {
    const saved = cost(ranges);
    return {
      section,
      'raw B': size,
      'raw %': Number(((100 * size) / raw).toFixed(1)),
      'br B': saved,
      'br %': Number(((100 * saved) / br).toFixed(1)),
    };
  };
  // Offsets from the tokenizer are string indices; the table counts bytes.
  const byteRanges = (ranges: [number, number][]): [number, number][] =>
    ranges.map(([a, b]) => [Buffer.byteLength(html.slice(0, a)), Buffer.byteLength(html.slice(0, b))]);
  for (const s of sections(html)) {
    const ranges = byteRanges(s.ranges);
    const size = ranges.reduce((sum, [a, b]) => sum + b - a, 0);
    if (size < raw / 100) small.push({ section: s.section, ranges, size });
    else rows.push(row(s.section, ranges, size));
  }
  if (small.length > 0) {
    const names = small.map((s) => s.section).join(', ');
    rows.push(
      row(
        `${small.length} under 1 % (${names.length > 60 ? `${names.slice(0, 59)}…` : names})`,
        small.flatMap((s) => s.ranges),
        small.reduce((sum, s) => sum + s.size, 0),
      ),
    );
  }
  return { rows, raw, br };
}
