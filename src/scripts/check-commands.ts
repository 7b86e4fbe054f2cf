/**
 * `<check-commands>`: the operating-system lists of CheckCommands.astro as tabs (the ARIA tabs pattern: arrows,
 * Home and End move between them), the reader's platform chosen first and their own choice remembered across
 * pages (localStorage, no cookie), and a copy button on every command, named "Copy" plus the command so a screen
 * reader says which.
 */
import tabsCss from './check-commands.css?url';
import { platformOs, type OperatingSystem } from '../lib/ports/commands.ts';
import { stylesheet } from './stylesheet.ts';

const STORAGE_KEY = 'dormant-ports:os';

function guessOs(): OperatingSystem {
  // userAgentData is Chromium's; its platform is "Windows", "macOS", "Linux", "Android", "Chrome OS" or "".
  const data = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData;
  return platformOs(data?.platform, navigator.userAgent);
}

function remembered(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be off (private modes); the guess is good enough then.
    return null;
  }
}

export /**
 * Long commands wrap between their words only: each word goes in a span that does not break, since browsers
 * would otherwise break "Select-Object" or "-LocalPort" at the hyphen. The text, and so what Copy copies, stays.
 */
function keepWordsWhole(code: HTMLElement): void {
  const text = code.textContent;
  code.replaceChildren(
    ...text.split(/(\s+)/).map((part) => {
      if (!part || /^\s+$/.test(part)) return part;
      const word = document.createElement('span');
      word.className = 'word';
      word.textContent = part;
      return word;
    }),
  );
}

/**
 * The element a tab shows: CheckCommands.astro sends each system as a heading and a list (`<ul id="commands-…">`,
 * the leanest markup for 6,000 pages); a list cannot be the tab panel, whose items would lose their list, so both
 * go into a `<div>` that takes the list's id. A `<div id="commands-…">` that holds its heading is used as it is.
 */
function panelOf(element: HTMLElement): HTMLElement {
  if (!(element instanceof HTMLUListElement)) return element;
  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = element.id;
  element.removeAttribute('id');
  const heading = element.previousElementSibling;
  element.replaceWith(panel);
  panel.append(...(heading instanceof HTMLHeadingElement ? [heading] : []), element);
  return panel;
}

export class CheckCommands extends HTMLElement {
  #tabs: HTMLButtonElement[] = [];
  #panels: HTMLElement[] = [];
  #announce = document.createElement('p');
  #abort = new AbortController();

  connectedCallback() {
    // The tabs' styles come first, so the sections never show as half-made tabs.
    void stylesheet(tabsCss).then(() => {
      if (this.isConnected && this.#tabs.length === 0) this.#upgrade();
    });
  }

  #upgrade() {
    const { signal } = this.#abort;
    this.#panels = [...this.querySelectorAll<HTMLElement>('[id^="commands-"]')].map(panelOf);
    const list = document.createElement('div');
    list.setAttribute('role', 'tablist');
    list.setAttribute('aria-label', this.dataset['tabs'] ?? '');
    for (const panel of this.#panels) {
      const os = panel.id.replace('commands-', '');
      const heading = panel.querySelector('h3');
      const tab = document.createElement('button');
      tab.type = 'button';
      tab.id = `tab-${os}`;
      tab.dataset['os'] = os;
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel.id);
      tab.textContent = heading?.textContent ?? os;
      list.append(tab);
      this.#tabs.push(tab);
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      panel.tabIndex = 0;
      heading?.classList.add('sr-only');
      panel.querySelectorAll('pre').forEach((pre, i) => {
        const code = pre.querySelector('code') ?? pre;
        code.id = `cmd-${os}-${i}`;
        keepWordsWhole(code);
        const copy = document.createElement('button');
        copy.type = 'button';
        copy.className = 'copy';
        copy.id = `copy-${os}-${i}`;
        copy.textContent = this.dataset['copy'] ?? '';
        copy.setAttribute('aria-labelledby', `${copy.id} ${code.id}`);
        const line = document.createElement('div');
        line.className = 'line';
        pre.replaceWith(line);
        line.append(pre, copy);
      });
    }
    this.prepend(list);
    this.#announce.className = 'sr-only';
    this.#announce.setAttribute('role', 'status');
    this.append(this.#announce);
    this.#select(remembered() ?? guessOs(), false);
    this.addEventListener(
      'click',
      (event) => {
        this.#onClick(event);
      },
      { signal },
    );
    list.addEventListener(
      'keydown',
      (event) => {
        this.#onKey(event);
      },
      { signal },
    );
  }

  disconnectedCallback() {
    this.#abort.abort();
  }

  #select(os: string, remember: boolean, focus = false) {
    const tab = this.#tabs.find((t) => t.dataset['os'] === os) ?? this.#tabs[0];
    if (!tab) return;
    for (const t of this.#tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
    }
    for (const panel of this.#panels) panel.hidden = panel.id !== tab.getAttribute('aria-controls');
    if (focus) tab.focus();
    if (!remember) return;
    try {
      localStorage.setItem(STORAGE_KEY, tab.dataset['os'] ?? '');
    } catch {
      // Not remembering the choice is harmless.
    }
  }

  #onClick(event: Event) {
    const target = event.target as HTMLElement;
    const tab = target.closest<HTMLButtonElement>('[role="tab"]');
    if (tab) {
      this.#select(tab.dataset['os'] ?? '', true);
      return;
    }
    const copy = target.closest<HTMLButtonElement>('.copy');
    if (copy) void this.#copy(copy);
  }

  #onKey(event: KeyboardEvent) {
    const current = this.#tabs.indexOf(event.target as HTMLButtonElement);
    if (current < 0) return;
    const last = this.#tabs.length - 1;
    // In a right-to-left page the arrows point the other way.
    const forward = getComputedStyle(this).direction === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    const back = forward === 'ArrowLeft' ? 'ArrowRight' : 'ArrowLeft';
    const next = { [forward]: current + 1, [back]: current - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = this.#tabs[(next + this.#tabs.length) % this.#tabs.length];
    this.#select(tab?.dataset['os'] ?? '', true, true);
  }

  async #copy(button: HTMLButtonElement) {
    const pre = button.parentElement?.querySelector('pre');
    const text = (pre?.querySelector('code') ?? pre)?.textContent ?? '';
    let message = this.dataset['copied'] ?? '';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      message = this.dataset['failed'] ?? '';
    }
    button.textContent = message;
    this.#announce.textContent = message;
    setTimeout(() => {
      button.textContent = this.dataset['copy'] ?? '';
    }, 2000);
  }
}

customElements.define('check-commands', CheckCommands);
