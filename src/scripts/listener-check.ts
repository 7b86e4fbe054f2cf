/**
 * `<listener-check>` on /check/: reads the socket list pasted or typed into its box and shows its listeners as a
 * table. The code that reads and draws (listener-table.ts) is fetched with the reader's first paste or keystroke,
 * not with the page; it fetches only this site's strings and lookup shards. The text itself goes nowhere: no
 * request carries it, nothing stores it, the address never holds it.
 */
export class ListenerCheck extends HTMLElement {
  #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Each reading gets a number, so a slow one never overwrites the table of a newer text. */
  #reading = 0;

  connectedCallback() {
    const box = this.querySelector('textarea');
    if (!box) return;
    box.addEventListener(
      'input',
      (event) => {
        clearTimeout(this.#timer);
        // A paste is read at once; typing, once the reader pauses.
        const wait = event.inputType === 'insertFromPaste' ? 0 : 250;
        this.#timer = setTimeout(() => void this.#read(box.value), wait);
      },
      { signal: this.#abort.signal },
    );
    // Text the browser put back (going back to the page) is read as if pasted.
    if (box.value) void this.#read(box.value);
  }

  disconnectedCallback() {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  async #read(text: string) {
    const reading = ++this.#reading;
    const status = this.querySelector('[data-status]');
    try {
      // Not destructured: Vite wraps `const { x } = await import()` in a shape lean-dynamic-imports.ts leaves alone.
      const table = await import('./listener-table.ts');
      await table.render(this, text, () => reading === this.#reading);
    } catch {
      if (status && reading === this.#reading) status.textContent = this.dataset['failed'] ?? '';
    }
  }
}
customElements.define('listener-check', ListenerCheck);
