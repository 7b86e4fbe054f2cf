/**
 * `<number-answer>` on the 404 page: for an address /ports/N/ (or /fa/ports/N/) whose number has no page of its
 * own, it fills the page's template with what is known of N — range, IANA's status and note from the lookup
 * shard, the nearest pages, check commands and the feedback widget — so every number 0–65535 has an answer
 * without a file of its own. Loaded only on that page (site.ts).
 */
// The answer it inserts holds these elements, which must be defined by then.
import './check-commands.ts';
import './feedback-widget.ts';
import { format } from '../i18n/format.ts';
import { localeOfPath, localePrefix } from '../i18n/locales.ts';
import { defaultCheckCommands, type CommandSet } from '../lib/ports/commands.ts';
import { parsePortQuery } from '../lib/ports/query.ts';
import { blockOf, rangeOf } from '../lib/ports/range.ts';
import { lookupShard, type LookupShard } from '../lib/search/lookup.ts';
import type { NumberStrings } from '../lib/search/strings.ts';

/** Replaces `{name}` in every text node and attribute of `root`. */
function fill(root: DocumentFragment, values: Record<string, string | number>): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node instanceof Text) {
      if (node.data.includes('{')) node.data = format(node.data, values);
    } else if (node instanceof Element) {
      for (const attribute of node.attributes) {
        if (attribute.value.includes('{')) attribute.value = format(attribute.value, values);
      }
    }
  }
}

/** The lists CheckCommands.astro renders on the server, built here for a number known only in the browser. */
function panels(sets: CommandSet[], s: NumberStrings, port: number): HTMLElement[] {
  return sets.flatMap((set) => {
    const heading = document.createElement('h3');
    heading.textContent = s.systems[set.os];
    const list = document.createElement('ul');
    list.id = `commands-${set.os}`;
    for (const command of set.commands) {
      const item = document.createElement('li');
      const pre = document.createElement('pre');
      pre.dir = 'ltr';
      pre.textContent = command.command;
      item.append(command.says ? format(s.commands[command.says], { port }) : command.label, pre);
      list.append(item);
    }
    return [heading, list];
  });
}

export class NumberAnswer extends HTMLElement {
  connectedCallback() {
    const match = /^(?:\/[a-z]{2})?\/ports\/([^/]+)\/?$/.exec(location.pathname);
    if (!match?.[1]) return;
    const s = JSON.parse(this.dataset['strings'] ?? '{}') as NumberStrings;
    let value: string;
    try {
      value = decodeURIComponent(match[1]);
    } catch {
      return;
    }
    const query = parsePortQuery(value);
    if (query.kind === 'out-of-range') {
      const message = this.querySelector('[data-message]');
      if (message) message.textContent = format(s.notPort, { value });
      return;
    }
    if (query.kind === 'port') void this.#answer(query.port, s);
  }

  async #answer(port: number, s: NumberStrings) {
    const response = await fetch(`/lookup/${lookupShard(port)}.json`).catch(() => null);
    const shard = response?.ok ? ((await response.json()) as LookupShard) : null;
    const template = this.querySelector('template');
    if (!shard || !template) return;
    const { first, last } = blockOf(port);
    const values = { port, first, last };
    const entry = shard.entries[port];
    const locale = localeOfPath(location.pathname);
    if (entry) {
      // A registry-only port seen from a translated page: its page is in English.
      const message = this.querySelector('[data-message]');
      const heading = this.querySelector('h1');
      if (heading) heading.textContent = format(s.english.title, values);
      if (message) {
        const link = document.createElement('a');
        link.href = entry.localized ? `${localePrefix(locale)}${entry.url}` : entry.url;
        link.hreflang = 'en';
        link.textContent = format(s.english.link, values);
        message.replaceChildren(format(s.english.lead, { ...values, title: entry.title }), ' ', link);
      }
      return;
    }
    const answer = template.content.cloneNode(true) as DocumentFragment;
    fill(answer, values);
    const gap = shard.gaps.find(([from, to]) => port >= from && port <= to);
    const $ = (selector: string) => answer.querySelector<HTMLElement>(selector);
    $('[data-lead]')!.textContent = gap
      ? format(s.leadGap, { ...values, status: s.inline[gap[2]] })
      : format(s.leadNone, values);
    $('dd[data-range]')!.textContent = s.ranges[rangeOf(port).range];
    $('dd[data-status]')!.textContent = gap ? s.statuses[gap[2]] : s.statusNone;
    const note = gap?.[3];
    answer.querySelectorAll<HTMLElement>('[data-note]').forEach((element) => (element.hidden = !note));
    if (note) $('dd[data-note]')!.textContent = note;
    const numbers = Object.keys(shard.entries).map(Number);
    const below = numbers.filter((n) => n < port).at(-1);
    const above = numbers.find((n) => n > port);
    const nearby = [below, above].filter((n) => n !== undefined);
    answer.querySelectorAll<HTMLElement>('[data-nearby]').forEach((element) => (element.hidden = !nearby.length));
    $('dd[data-nearby]')!.append(
      ...nearby.flatMap((n, i) => {
        const found = shard.entries[n]!;
        const link = document.createElement('a');
        link.href = found.localized ? `${localePrefix(locale)}${found.url}` : found.url;
        if (!found.localized && locale !== 'en') link.hreflang = 'en';
        link.textContent = `${format(s.port, { port: n })}: ${found.title}`;
        return i > 0 ? [' · ', link] : [link];
      }),
    );
    $('check-commands')!.append(...panels(defaultCheckCommands(port, []), s, port));
    document.title = format(s.pageTitle, values);
    this.querySelector('[data-fallback]')?.remove();
    // Inserted last, so the check commands and the feedback widget start as the page for this number.
    template.replaceWith(answer);
  }
}
customElements.define('number-answer', NumberAnswer);
