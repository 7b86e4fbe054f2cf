import { localeOfPath, localePrefix } from '../i18n/locales.ts';
import { isPort } from '../lib/ports/number.ts';

export class PortLookup extends HTMLElement {
  #abort = new AbortController();

  connectedCallback() {
    const form = this.querySelector('form');
    const input = this.querySelector('input');
    const hint = this.querySelector<HTMLElement>('.hint');
    if (!form || !input || !hint) return;
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        const value = input.value.trim();
        const port = Number(value);
        if (!/^\d{1,5}$/.test(value) || !isPort(port)) {
          input.setAttribute('aria-invalid', 'true');
          hint.textContent = hint.dataset['invalid'] ?? '';
          input.focus();
          return;
        }
        location.assign(`${localePrefix(localeOfPath(location.pathname))}/ports/${port}/`);
      },
      { signal: this.#abort.signal },
    );
  }

  disconnectedCallback() {
    this.#abort.abort();
  }
}
customElements.define('port-lookup', PortLookup);
