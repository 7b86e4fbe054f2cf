/**
 * `<site-search>`: the header search field as a combobox with instant results (SiteSearch.astro renders the
 * plain form it upgrades); site.ts loads it when the reader focuses or points at the field, and handles the
 * `/` and Ctrl/⌘+K shortcuts. A query runs in two steps (search/engine.ts): what the small lookup and names
 * shards answer is shown as soon as they arrive, then Pagefind's full-text results are added. Arrows move through
 * the results, Enter opens the chosen one (a port number, or a name the data ties to one port, is chosen
 * already), and Enter before any list has arrived still opens the port a number or such a name asks for; Escape
 * closes the list and leaves the query as it was.
 */
import { toLocale } from '../i18n/locales.ts';
import type { SearchStrings } from '../lib/search/strings.ts';
import { fullSearch, loadPagefind, quickSearch, type Outcome } from './search/engine.ts';
import { answerHref, notice, renderOutcome, summary } from './search/view.ts';
import popupCss from './site-search.css?url';
import { clientStrings } from './strings.ts';

/** The search messages in the page's language. */
export const searchStrings = async (): Promise<SearchStrings> => (await clientStrings()).search;

/** How long after the last keystroke a search starts, and after how long "Searching…" is said. */
const DEBOUNCE_MS = 120;
const SLOW_MS = 300;
/**
 * How long after the field gains focus, empty, Pagefind starts loading anyway: long enough that a reader who
 * types at once gets the small shards first on a slow connection, short enough to be ready for full text.
 */
const WARM_MS = 400;

export class SiteSearch extends HTMLElement {
  #abort = new AbortController();
  #form!: HTMLFormElement;
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
  #warm: ReturnType<typeof setTimeout> | undefined;
  /** The first step of the query in the field, shared by the list and an early Enter. */
  #quick: { query: string; outcome: Promise<Outcome> } | undefined;
  /** The query whose results the list shows. */
  #shown: string | undefined;

  connectedCallback() {
    const form = this.querySelector('form');
    const input = this.querySelector('input');
    if (!form || !input) return;
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
    // The list's styles travel with this script, not with every page; their helper comes after the code that
    // searches, so on HTTP/1.1's six connections it does not hold back the first answer.
    const styles = import('./stylesheet.ts');
    void styles.then((module) => module.stylesheet(popupCss));
    this.#form = form;
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
    // text already. The strings come at once; Pagefind, the heavy part, after the first query's shards or once
    // the reader has paused.
    void clientStrings().catch(() => undefined);
    const warm = () => {
      clearTimeout(this.#warm);
      this.#warm = setTimeout(() => {
        if (!this.#input.value.trim()) void loadPagefind().catch(() => undefined);
      }, WARM_MS);
    };
    if (document.activeElement === input) warm();
    else input.addEventListener('focus', warm, { signal, once: true });
    // Typed while this code was on its way: the reader has stopped, so search at once.
    if (input.value.trim()) void this.#run();
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
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        void this.#submit();
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
    clearTimeout(this.#warm);
  }

  /**
   * Runs the first step at once on every change (the shards are a few KB, fetched once per page, so a number or a
   * name answers as fast as it can be read), and the full-text step once the reader stops typing.
   */
  #schedule() {
    // A failure is reported by the full run.
    this.#first(this.#input.value).catch(() => undefined);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), DEBOUNCE_MS);
  }

  /** The first step for `query`, started once and shared by the list and an early Enter. */
  #quickFor(query: string): Promise<Outcome> {
    if (this.#quick?.query !== query) {
      const outcome = quickSearch(query);
      this.#quick = { query, outcome };
      // A failed step is tried again by the next run, not remembered.
      outcome.catch(() => {
        if (this.#quick?.outcome === outcome) this.#quick = undefined;
      });
    }
    return this.#quick.outcome;
  }

  /** Shows what the shards answer for `query` while it is still the query; says whether there was anything. */
  async #first(query: string): Promise<boolean> {
    if (!query.trim()) return false;
    this.#searchingSoon(query);
    const [s, first] = await Promise.all([searchStrings(), this.#quickFor(query)]);
    // A slower, older query must not overwrite the results of what the reader typed since.
    if (query !== this.#input.value) return false;
    if (this.#shown === query) return true;
    if (!first.number && first.named.length === 0) return false;
    this.#render(first, s);
    return true;
  }

  /** On a slow connection the shards or the index take a while; say so rather than show nothing. */
  #searchingSoon(query: string) {
    clearTimeout(this.#slow);
    this.#slow = setTimeout(() => {
      if (query === this.#input.value && this.#shown !== query) this.#show([], this.#searching);
    }, SLOW_MS);
  }

  async #run() {
    const query = this.#input.value;
    if (!query.trim()) {
      this.#close();
      return;
    }
    const current = () => query === this.#input.value;
    let shown = false;
    // Busy until the full-text results are in (or could not be loaded).
    this.#list.setAttribute('aria-busy', 'true');
    try {
      shown = await this.#first(query);
      if (!current()) return;
      const [s, outcome] = await Promise.all([
        searchStrings(),
        this.#quickFor(query).then((first) => fullSearch(first)),
      ]);
      clearTimeout(this.#slow);
      if (current()) this.#render(outcome, s);
    } catch {
      clearTimeout(this.#slow);
      // Full text failed after the shards answered: keep their answer, and say the rest could not be loaded.
      if (current()) this.#show(shown ? [...this.#list.children] : [], this.#failed);
    } finally {
      if (current()) this.#list.removeAttribute('aria-busy');
    }
  }

  #render(outcome: Outcome, s: SearchStrings) {
    // An option the reader moved to with the arrows stays chosen as more results for the same query arrive.
    const chosen = this.#shown === outcome.query ? this.#options()[this.#active]?.href : undefined;
    const options = renderOutcome(outcome, s, 'site-search');
    this.#show(options, notice(outcome, options.length, s));
    this.#shown = outcome.query;
    // The shards' answer shown before the full-text step has started (it waits for the debounce) is still a list
    // in progress; #run says when it is complete.
    if (outcome.partial) this.#list.setAttribute('aria-busy', 'true');
    // What the reader asked for by number or by a name the data ties to one port is chosen, so Enter opens it.
    const kept = chosen ? this.#options().findIndex((option) => option.href === chosen) : -1;
    this.#setActive(kept >= 0 ? kept : outcome.answered ? 0 : -1);
    this.#status.textContent = summary(outcome, options.length, s);
  }

  /**
   * The form was sent (Enter with no option chosen, or the button): a port number, or a name the data ties to
   * one port, opens that port's page at once, even before any list has arrived; anything else goes to the
   * search page.
   */
  async #submit() {
    const query = this.#input.value;
    let href: string | undefined;
    try {
      if (query.trim()) href = answerHref(await this.#quickFor(query), toLocale(document.documentElement.lang));
    } catch {
      // The shards could not be read: the search page will say so.
    }
    if (query !== this.#input.value) return;
    if (href) location.assign(href);
    else this.#form.submit();
  }

  #show(options: Element[], notice?: string) {
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
    this.#shown = undefined;
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
      // A chosen option opens; otherwise the form is sent, and #submit decides where to.
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
