/**
 * `<search-page>`: full results with filters on /search/ (SearchPage.astro renders the form). The URL follows
 * the query, so a search can be shared and the back button returns to the previous one.
 */
import type { Filters } from './search/engine.ts';
import { loadSearch, searchStrings } from './site-search.ts';

export class SearchPage extends HTMLElement {
  #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;

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
    if (history === 'push' && url !== location.pathname + location.search) window.history.pushState(null, '', url);
    if (history === 'replace') window.history.replaceState(null, '', url);

    const list = this.querySelector('ol')!;
    const status = this.querySelector<HTMLElement>('[data-status]')!;
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    const slow = setTimeout(() => {
      if (input.value === query) status.textContent = this.dataset['searching'] ?? '';
    }, 300);
    try {
      const search = await loadSearch();
      const strings = await searchStrings();
      const outcome = await search.search(query, filters);
      if (input.value !== query) return;
      const items = search.renderOutcome(outcome, strings);
      list.replaceChildren(...items);
      status.textContent = search.summary(outcome, items.length, strings);
    } catch {
      status.textContent = this.dataset['failed'] ?? '';
    } finally {
      clearTimeout(slow);
    }
  }
}
customElements.define('search-page', SearchPage);
