/**
 * `<number-answer>` on the 404 page: for an address /ports/N/ (or /fa/ports/N/) whose number has no page of its
 * own, it fills the page's template with what is known of N — range, IANA's status and note from the lookup
 * shard, the nearest pages, check commands and the feedback widget — so every number 0–65535 has an answer
 * without a file of its own. Loaded only on that page (site.ts). What it says is src/lib/search/number-answer.ts;
 * the production server sends the same answer in the page itself (data-answered), and then this does nothing.
 */
// The answer it inserts holds these elements, which must be defined by then.
import './check-commands.ts';
import './feedback-widget.ts';
import { format } from '../i18n/format.ts';
import { localeOfPath } from '../i18n/locales.ts';
import type { CommandSet } from '../lib/ports/commands.ts';
import { parsePortQuery } from '../lib/ports/query.ts';
import { lookupShard, type LookupShard } from '../lib/search/lookup.ts';
import { numberAnswer, type AnswerLink } from '../lib/search/number-answer.ts';
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

function link({ href, text, english }: AnswerLink): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  if (english) a.hreflang = 'en';
  a.textContent = text;
  return a;
}

export class NumberAnswer extends HTMLElement {
  connectedCallback() {
    // The production server sent the answer already (src/server/number-page.ts).
    if (this.hasAttribute('data-answered')) return;
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
    const answer = numberAnswer(port, shard, s, localeOfPath(location.pathname));
    if (answer.kind === 'english') {
      // A registry-only port seen from a translated page: its page is in English.
      const heading = this.querySelector('h1');
      if (heading) heading.textContent = answer.title;
      this.querySelector('[data-message]')?.replaceChildren(answer.lead, ' ', link(answer.link));
      return;
    }
    const page = template.content.cloneNode(true) as DocumentFragment;
    fill(page, answer.values);
    const $ = (selector: string) => page.querySelector<HTMLElement>(selector);
    $('[data-lead]')!.textContent = answer.lead;
    $('dd[data-range]')!.textContent = answer.range;
    $('dd[data-status]')!.textContent = answer.status;
    page.querySelectorAll<HTMLElement>('[data-note]').forEach((element) => (element.hidden = !answer.note));
    if (answer.note) $('dd[data-note]')!.textContent = answer.note;
    page.querySelectorAll<HTMLElement>('[data-nearby]').forEach((element) => (element.hidden = !answer.nearby.length));
    $('dd[data-nearby]')!.append(...answer.nearby.flatMap((near, i) => (i > 0 ? [' · ', link(near)] : [link(near)])));
    $('check-commands')!.append(...panels(answer.commands, s, port));
    document.title = answer.title;
    this.querySelector('[data-fallback]')?.remove();
    // Inserted last, so the check commands and the feedback widget start as the page for this number.
    template.replaceWith(page);
  }
}
customElements.define('number-answer', NumberAnswer);
