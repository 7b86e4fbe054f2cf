/**
 * `<site-search>`: the header search field as a combobox with instant results (SiteSearch.astro renders the
 * plain form it upgrades); site.ts loads it when the reader focuses or points at the field, and handles the
 * `/` and Ctrl/⌘+K shortcuts. The search engine follows on focus. Arrows move through the results, Enter opens the chosen one (an exact port number
 * or service name is chosen already), Escape closes the list and leaves the query as it was.
 */
import type { Outcome } from './search/engine.ts';
import type { SearchStrings } from '../lib/search/strings.ts';
import popupCss from './site-search.css?url';
import { clientStrings } from './strings.ts';
import { stylesheet } from './stylesheet.ts';

type Search = typeof import('./search/index.ts');
let loading: Promise<Search> | undefined;

async function fetchSearch(): Promise<Search> {
  const search = await import('./search/index.ts');
  await search.loadPagefind();
  return search;
}

/** The search code, Pagefind itself and the page's search messages, fetched once, in parallel. */
export const loadSearch = (): Promise<Search> =>
  (loading ??= Promise.all([fetchSearch(), clientStrings()])
    .then(([search]) => search)
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

/** The search messages, once loadSearch() has succeeded. */
export const searchStrings = async (): Promise<SearchStrings> => (await clientStrings()).search;

/** How long after the last keystroke a search starts, and after how long "Searching…" is said. */
const DEBOUNCE_MS = 120;
const SLOW_MS = 300;

export class SiteSearch extends HTMLElement {
  #abort = new AbortController();
  #input!: HTMLInputElement;
  #popup!: HTMLElement;
  #list!: HTMLUListElement;
  #notice!: HTMLElement;
  #status!: HTMLElement;
  /** Said before the strings file has arrived: while the index loads, or when it could not. */
  #searching = '';
  #failed = '';
  #active = -1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #slow: ReturnType<typeof setTimeout> | undefined;

  connectedCallback() {
    const input = this.querySelector('input');
    if (!input) return;
    // The list, its notice and the live region exist only for readers who can use them.
    const popup = document.createElement('div');
    popup.className = 'popup';
    popup.hidden = true;
    const list = document.createElement('ul');
    list.id = 'site-search-results';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', this.dataset['results'] ?? '');
    const notice = document.createElement('p');
    notice.className = 'notice';
    notice.hidden = true;
    const status = document.createElement('p');
    status.className = 'sr-only';
    status.setAttribute('role', 'status');
    popup.append(list, notice);
    this.append(popup, status);
    // The list's styles travel with this script, not with every page.
    void stylesheet(popupCss);
    this.#input = input;
    this.#popup = popup;
    this.#list = list;
    this.#notice = notice;
    this.#status = status;
    this.#searching = this.dataset['searching'] ?? '';
    this.#failed = this.dataset['failed'] ?? '';
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-expanded', 'false');

    const { signal } = this.#abort;
    // This module arrives when the reader reaches for the field (site.ts), so the field may hold focus and
    // text already.
    const warm = () => void loadSearch().catch(() => undefined);
    if (document.activeElement === input) warm();
    else input.addEventListener('focus', warm, { signal, once: true });
    if (input.value.trim()) this.#schedule();
    input.addEventListener(
      'input',
      () => {
        this.#schedule();
      },
      { signal },
    );
    input.addEventListener(
      'keydown',
      (event) => {
        this.#onKey(event);
      },
      { signal },
    );
    this.addEventListener(
      'focusout',
      (event) => {
        if (!this.contains(event.relatedTarget as Node | null)) this.#close();
      },
      { signal },
    );
    // A click on a result is a click on its link; keep the field from losing the list before it lands.
    list.addEventListener(
      'mousedown',
      (event) => {
        event.preventDefault();
      },
      { signal },
    );
  }

  disconnectedCallback() {
    this.#abort.abort();
    clearTimeout(this.#timer);
    clearTimeout(this.#slow);
  }

  #schedule() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), DEBOUNCE_MS);
  }

  async #run() {
    const query = this.#input.value;
    if (!query.trim()) {
      this.#close();
      return;
    }
    // On a slow connection the index takes a while; say so rather than show nothing.
    clearTimeout(this.#slow);
    this.#slow = setTimeout(() => {
      if (query === this.#input.value) this.#show([], this.#searching);
    }, SLOW_MS);
    let outcome: Outcome;
    let search: Search;
    let s: SearchStrings;
    try {
      search = await loadSearch();
      s = await searchStrings();
      outcome = await search.search(query);
    } catch {
      clearTimeout(this.#slow);
      if (query === this.#input.value) this.#show([], this.#failed);
      return;
    }
    clearTimeout(this.#slow);
    // A slower, older query must not overwrite the results of what the reader typed since.
    if (query !== this.#input.value) return;
    const options = search.renderOutcome(outcome, s, 'site-search');
    this.#show(options, search.notice(outcome, options.length, s));
    // What the reader asked for by number or by name is chosen, so Enter opens it.
    this.#setActive((outcome.number && outcome.number.kind !== 'not-port') || outcome.named ? 0 : -1);
    this.#status.textContent = search.summary(outcome, options.length, s);
  }

  #show(options: HTMLLIElement[], notice?: string) {
    this.#list.replaceChildren(...options);
    this.#list.hidden = options.length === 0;
    this.#notice.hidden = !notice;
    this.#notice.textContent = notice ?? '';
    this.#popup.hidden = false;
    this.#input.setAttribute('aria-expanded', String(options.length > 0));
  }

  #close() {
    clearTimeout(this.#timer);
    clearTimeout(this.#slow);
    this.#popup.hidden = true;
    this.#input.setAttribute('aria-expanded', 'false');
    this.#setActive(-1);
  }

  #options() {
    return [...this.#list.querySelectorAll<HTMLAnchorElement>('[role="option"]')];
  }

  #setActive(index: number) {
    const options = this.#options();
    this.#active = index;
    options.forEach((option, i) => {
      option.setAttribute('aria-selected', String(i === index));
    });
    const active = options[index];
    if (active) {
      this.#input.setAttribute('aria-activedescendant', active.id);
      active.scrollIntoView({ block: 'nearest' });
    } else {
      this.#input.removeAttribute('aria-activedescendant');
    }
  }

  #onKey(event: KeyboardEvent) {
    const options = this.#options();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (this.#popup.hidden || options.length === 0) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.#setActive((this.#active + step + options.length) % options.length);
    } else if (event.key === 'Enter') {
      const link = options[this.#active];
      if (link && !this.#popup.hidden) {
        event.preventDefault();
        location.assign(link.href);
      }
    } else if (event.key === 'Escape' && !this.#popup.hidden) {
      event.preventDefault();
      this.#close();
    }
  }
}

customElements.define('site-search', SiteSearch);
