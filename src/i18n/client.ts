/**
 * The words the browser code shows after a reader acts (search messages, the feedback widget's replies), one
 * JSON file per locale at /i18n/<locale>.json (src/pages/i18n/[locale].json.ts). Fetched once, when first
 * needed, instead of riding along in the HTML of all 6,000 pages.
 */
import type { Locale } from './locales.ts';
import type { Translate } from './ui.ts';
import { searchStrings, type SearchStrings } from '../lib/search/strings.ts';

export interface FeedbackStrings {
  failed: string;
  limited: string;
  saving: string;
  sent: string;
  thanks: string;
  first: string;
}

export interface ClientStrings {
  search: SearchStrings;
  feedback: FeedbackStrings;
}

export const clientStringsPath = (locale: Locale) => `/i18n/${locale}.json`;

/**
 * The words of the /check/ results (src/lib/listeners/strings.ts, checkStrings) have a file of their own,
 * /i18n/check/<locale>.json: they would double the size of the one every page's search and feedback fetch.
 */
export const checkStringsPath = (locale: Locale) => `/i18n/check/${locale}.json`;

export function clientStrings(t: Translate, locale: Locale): ClientStrings {
  return {
    search: searchStrings(t, locale),
    feedback: {
      failed: t('feedback.failed'),
      limited: t('feedback.limited'),
      saving: t('feedback.saving'),
      sent: t('feedback.sent'),
      thanks: t('feedback.thanks'),
      first: t('feedback.first'),
    },
  };
}
