/**
 * `<feedback-widget>`: FeedbackWidget.astro's form, posting JSON instead of reloading the page. A face is one
 * vote; the comment and reasons go with the face chosen; a vote is remembered for the page (in this browser
 * only) and can be changed. While a vote is being saved the buttons wait and say so; a failure says why.
 */
import type { FeedbackStrings } from '../i18n/client.ts';
import { format } from '../i18n/format.ts';
import { clientStrings } from './strings.ts';

const voteKey = (port: string) => `dormant-ports:vote:${port}`;

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export class FeedbackWidget extends HTMLElement {
  #abort = new AbortController();
  #rating: string | null = null;
  #strings: Partial<FeedbackStrings> = {};

  connectedCallback() {
    const form = this.querySelector('form');
    const textarea = this.querySelector('textarea');
    const count = this.querySelector<HTMLElement>('.count');
    if (!form || !textarea || !count) return;
    const port = this.dataset['port'] ?? '';
    const send = this.querySelector<HTMLButtonElement>('.send');
    if (!send) return;
    const { signal } = this.#abort;
    this.querySelector('[data-nojs-hint]')?.remove();
    send.hidden = false;
    // The replies are words this page does not carry; fetch them as soon as the reader comes near the widget.
    const strings = async () => {
      this.#strings = (await clientStrings().catch(() => undefined))?.feedback ?? this.#strings;
      return this.#strings;
    };
    for (const type of ['pointerenter', 'focusin', 'touchstart']) {
      this.addEventListener(type, () => void strings(), { signal, once: true, passive: true });
    }

    const store = storage();
    const fromRedirect = new URLSearchParams(location.search).get('voted');
    if (fromRedirect) store?.setItem(voteKey(port), fromRedirect);
    this.#mark(fromRedirect ?? store?.getItem(voteKey(port)) ?? null);

    // Counts in the page's own digits, as the server wrote them (formatCount in src/lib/dates.ts).
    const digits = new Intl.NumberFormat(document.documentElement.lang || undefined);
    const updateCount = () => {
      count.textContent = format(this.dataset['count'] ?? '', {
        count: digits.format(textarea.value.length),
        max: digits.format(Number(this.dataset['max'])),
      });
    };
    textarea.addEventListener('input', updateCount, { signal });
    updateCount();

    const post = async (rating: string, withComment: boolean) => {
      const data = new FormData(form);
      const body: Record<string, unknown> = { port: Number(port), rating, locale: data.get('locale') };
      const website = data.get('website');
      if (typeof website === 'string' && website) body['website'] = website;
      if (withComment) {
        body['comment'] = textarea.value;
        body['reasons'] = rating === 'helpful' ? [] : data.getAll('reasons');
      }
      this.#busy(true);
      const s = await strings();
      this.#say(s.saving ?? '');
      try {
        // The server knows a reader again by its cookie; an API on another origin needs it sent explicitly.
        const crossOrigin = new URL(form.action).origin !== location.origin;
        const response = await fetch(form.action, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: crossOrigin ? 'include' : 'same-origin',
          body: JSON.stringify(body),
        });
        if (response.status === 429) {
          this.#say(s.limited ?? '', true);
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        store?.setItem(voteKey(port), rating);
        this.#mark(rating);
        if (withComment) {
          textarea.value = '';
          updateCount();
          form.querySelectorAll<HTMLInputElement>('[name="reasons"]').forEach((box) => (box.checked = false));
          this.querySelector('details')?.removeAttribute('open');
        }
        this.#say((withComment ? s.sent : s.thanks) ?? '');
      } catch {
        // Also when the words themselves could not be fetched: this one is in the page.
        this.#say(s.failed ?? this.dataset['failed'] ?? '', true);
      } finally {
        this.#busy(false);
      }
    };

    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        const rating = (event.submitter as HTMLButtonElement | null)?.value;
        if (rating) void post(rating, false);
      },
      { signal },
    );
    send.addEventListener(
      'click',
      () => {
        if (this.#rating) void post(this.#rating, true);
        else
          void strings().then((s) => {
            this.#say(s.first ?? '', true);
          });
      },
      { signal },
    );
  }

  disconnectedCallback() {
    this.#abort.abort();
  }

  /** Marks the chosen face; reasons are asked only of a reader the page did not fully help. */
  #mark(rating: string | null) {
    this.#rating = rating;
    for (const button of this.querySelectorAll<HTMLButtonElement>('.faces button')) {
      button.setAttribute('aria-pressed', String(button.value === rating));
    }
    const reasons = this.querySelector<HTMLElement>('.reasons');
    if (reasons) reasons.hidden = rating === 'helpful';
  }

  #say(message: string, failed = false) {
    const line = this.querySelector<HTMLElement>('[data-message]');
    if (line) line.textContent = message;
    this.toggleAttribute('data-failed', failed);
  }

  #busy(busy: boolean) {
    this.toggleAttribute('aria-busy', busy);
    for (const button of this.querySelectorAll('button')) button.disabled = busy;
  }
}

customElements.define('feedback-widget', FeedbackWidget);
