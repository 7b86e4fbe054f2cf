/**
 * `<search-page>`: full results with filters on /search/ (SearchPage.astro renders the form). The URL follows
 * the query, so a search can be shared and the back button returns to the previous one. Like the header search,
 * it shows what the lookup and names shards answer first (a number, a service, a program's name), then adds
 * Pagefind's full-text results.
 */
import type { SearchStrings } from '../lib/search/strings.ts';
import { fullSearch, quickSearch, type Filters, type Outcome } from './search/engine.ts';
import { renderOutcome, summary } from './search/view.ts';
import { clientStrings } from './strings.ts';

export class SearchPage extends HTMLElement {
  #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #runs = 0;
  /** The current history entry is a search the reader settled on, not one being typed. */
  #settled = true;

  connectedCallback() {
    const form = this.querySelector('form');
    const input = this.querySelector<HTMLInputElement>('#q');
    if (!form || !input) return;
    this.querySelector('.filters')?.removeAttribute('hidden');
    const { signal } = this.#abort;
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        void this.#run('push');
      },
      { signal },
    );
    input.addEventListener(
      'input',
      () => {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.#run('replace'), 150);
      },
      { signal },
    );
    form.addEventListener(
      'change',
      (event) => {
        if ((event.target as HTMLInputElement).type === 'checkbox') void this.#run('replace');
      },
      { signal },
    );
    window.addEventListener(
      'popstate',
      () => {
        this.#fromUrl();
      },
      { signal },
    );
    this.#fromUrl();
  }

  disconnectedCallback() {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  #facets(): string[] {
    return (this.dataset['facets'] ?? '').split(' ').filter(Boolean);
  }

  /** Puts the URL's query and filters into the form, then searches without adding a history entry. */
  #fromUrl() {
    const params = new URLSearchParams(location.search);
    const input = this.querySelector<HTMLInputElement>('#q')!;
    input.value = params.get('q') ?? '';
    for (const box of this.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
      box.checked = params.getAll(box.name).includes(box.value);
    }
    if (
      params.getAll('protocol').length +
        params.getAll('range').length +
        params.getAll('status').length +
        params.getAll('kind').length >
      0
    ) {
      this.querySelector('details')?.setAttribute('open', '');
    }
    void this.#run(null);
  }

  async #run(history: 'push' | 'replace' | null) {
    const input = this.querySelector<HTMLInputElement>('#q')!;
    const query = input.value;
    const filters: Filters = {};
    const params = new URLSearchParams();
    if (query.trim()) params.set('q', query.trim());
    for (const name of this.#facets()) {
      const values = [...this.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((b) => b.value);
      if (values.length > 0) filters[name] = values;
      values.forEach((v) => {
        params.append(name, v);
      });
    }
    const url = `${location.pathname}${params.size > 0 ? `?${params.toString()}` : ''}`;
    // Typing replaces the entry of the search being typed, never the one the reader settled on before it (the
    // page's query, a sent search, one gone back to): so the back button returns to that.
    if (history !== null && url !== location.pathname + location.search) {
      if (history === 'push' || this.#settled) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
      this.#settled = history === 'push';
    } else if (history !== 'replace') {
      this.#settled = true;
    }

    const list = this.querySelector('ol')!;
    const status = this.querySelector<HTMLElement>('[data-status]')!;
    // A newer search (typing, a filter, the back button) supersedes this one.
    const run = ++this.#runs;
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    const slow = setTimeout(() => {
      if (input.value === query) status.textContent = this.dataset['searching'] ?? '';
    }, 300);
    const show = (outcome: Outcome, strings: SearchStrings) => {
      if (run !== this.#runs) return;
      const items = renderOutcome(outcome, strings);
      list.replaceChildren(...items);
      status.textContent = summary(outcome, items.length, strings);
    };
    try {
      const [strings, first] = await Promise.all([
        clientStrings().then((all) => all.search),
        quickSearch(query, filters),
      ]);
      if (first.number || first.named.length > 0) show(first, strings);
      show(await fullSearch(first, filters), strings);
    } catch {
      if (run === this.#runs) status.textContent = this.dataset['failed'] ?? '';
    } finally {
      clearTimeout(slow);
    }
  }
}
customElements.define('search-page', SearchPage);
