/**
 * What a reader without JavaScript sees when their vote is refused. The widget's form posts straight to the API,
 * so the browser shows whatever comes back, and a line of JSON leaves the reader on a page of code (issue 24,
 * finding 7). A form post that asks for HTML gets instead a small page in the language of the page it was sent
 * from (the vote's `locale`), saying what happened, with a link back to that page.
 *
 * The messages the widget shows with JavaScript come from the site's dictionaries (src/i18n/, plain TypeScript
 * without Astro), so both say the same; the few only this page needs are here.
 */
import Negotiator from 'negotiator';
import { DEFAULT_LOCALE, DIRECTIONS, isLocale, localePrefix, type Locale } from '../../i18n/locales.ts';
import { formatCount } from '../dates.ts';
import { isPort } from '../ports/number.ts';

/** Why the vote was not counted. */
export type Refusal =
  | { kind: 'network-limit' }
  | { kind: 'rate-limit'; seconds: number }
  | { kind: 'unavailable' }
  | { kind: 'unreadable'; reason: string };

const STRINGS = {
  en: {
    title: 'Your answer was not counted',
    rate: 'Too many answers came from your network in the last minute. Please try again in {seconds} seconds.',
    unreadable: 'The answer could not be read. Please go back to the page and choose an answer again.',
    back: 'Back to port {port}',
    home: 'Back to the home page',
  },
  fa: {
    title: 'پاسخ شما شمرده نشد',
    rate: 'در یک دقیقهٔ گذشته پاسخ‌های زیادی از شبکهٔ شما رسید. لطفاً {seconds} ثانیهٔ دیگر دوباره تلاش کنید.',
    unreadable: 'پاسخ شما خوانده نشد. لطفاً به صفحه برگردید و دوباره پاسخی انتخاب کنید.',
    back: 'بازگشت به درگاه {port}',
    home: 'بازگشت به صفحهٔ اصلی',
  },
  bg: {
    title: 'Отговорът ви не беше отчетен',
    rate: 'През последната минута от вашата мрежа дойдоха твърде много отговори. Моля, опитайте отново след {seconds} секунди.',
    unreadable: 'Отговорът ви не можа да бъде прочетен. Моля, върнете се на страницата и изберете отговор отново.',
    back: 'Обратно към порт {port}',
    home: 'Обратно към началната страница',
  },
} satisfies Record<Locale, Record<string, string>>;

/** Whether a request is a browser's form submission that wants a page back rather than JSON. */
export function wantsPage(request: Request, mediaType: string): boolean {
  if (mediaType !== 'application/x-www-form-urlencoded') return false;
  const accept = request.headers.get('accept') ?? '';
  // A browser navigating asks for text/html first; a script that sends a form asks for JSON or for anything.
  return new Negotiator({ headers: { accept } }).mediaType(['application/json', 'text/html']) === 'text/html';
}

/** The locale and port a form names, as far as they can be read from a body that may be refused. */
export function formHints(body: string): { locale: Locale; port: number | undefined } {
  const form = new URLSearchParams(body);
  const locale = form.get('locale');
  const port = form.get('port') ?? '';
  return {
    locale: isLocale(locale) ? locale : DEFAULT_LOCALE,
    port: /^\d{1,5}$/.test(port) && isPort(Number(port)) ? Number(port) : undefined,
  };
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');

/**
 * The page for `refusal`, with `status` and `headers` as the JSON answer would have them. `back` is the page
 * the form was on when the browser says so (its Referer, on one of the site's origins), else the port's page.
 */
export async function refusalPage(
  refusal: Refusal,
  {
    locale,
    port,
    back,
    origin = '',
  }: { locale: Locale; port: number | undefined; back?: string | undefined; origin?: string },
  status: number,
  headers: Record<string, string>,
): Promise<Response> {
  const { translator } = await import('../../i18n/ui.ts');
  const t = translator(locale);
  const text = STRINGS[locale];
  const message =
    refusal.kind === 'network-limit'
      ? t('feedback.limited')
      : refusal.kind === 'unavailable'
        ? t('feedback.failed')
        : refusal.kind === 'rate-limit'
          ? fill(text.rate, { seconds: formatCount(refusal.seconds, locale) })
          : text.unreadable;
  const href =
    back ??
    (port === undefined
      ? `${origin}${localePrefix(locale)}/`
      : `${origin}${localePrefix(locale)}/ports/${port}/#feedback`);
  // Port numbers stay in Latin digits in every language (CONTRIBUTING.md, "What is translated").
  const link = port === undefined ? text.home : fill(text.back, { port: String(port) });
  const detail =
    refusal.kind === 'unreadable' ? `\n<p lang="en" dir="ltr"><small>${escape(refusal.reason)}</small></p>` : '';
  const html = `<!DOCTYPE html>
<html lang="${locale}" dir="${DIRECTIONS[locale]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<title>${escape(text.title)} – ${escape(t('site.name'))}</title>
</head>
<body>
<main>
<h1>${escape(text.title)}</h1>
<p>${escape(message)}</p>${detail}
<p><a href="${escape(href)}">${escape(link)}</a></p>
</main>
</body>
</html>
`;
  return new Response(html, {
    status,
    headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': locale },
  });
}
