/** The page's client strings (src/i18n/client.ts), fetched once per page and shared by every element. */
import { clientStringsPath, type ClientStrings } from '../i18n/client.ts';
import { toLocale } from '../i18n/locales.ts';

let pending: Promise<ClientStrings> | undefined;

export function clientStrings(): Promise<ClientStrings> {
  pending ??= fetch(clientStringsPath(toLocale(document.documentElement.lang)))
    .then((response) => {
      if (!response.ok) throw new Error(`strings: HTTP ${response.status}`);
      return response.json() as Promise<ClientStrings>;
    })
    .catch((error: unknown) => {
      // The next caller tries again, rather than every later message staying empty.
      pending = undefined;
      throw error;
    });
  return pending;
}
