/**
 * Dates and counts as a reader of each language expects them, at the precision the source gave: "May 2002",
 * "1 July 2002", "май 2002 г.". IANA's dates are Gregorian, so Persian pages keep the Gregorian calendar (Intl
 * would pick the Solar Hijri one) and write its digits in Persian. Port numbers are identifiers a reader types
 * into commands, so they are never formatted: no grouping, Latin digits, in every language.
 */
import type { Locale } from '../i18n/locales.ts';

const TAGS: Record<Locale, string> = { en: 'en-GB', fa: 'fa-u-ca-gregory', bg: 'bg' };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let found = cache.get(key) as T | undefined;
  if (!found) cache.set(key, (found = make()));
  return found;
}

const month = (locale: Locale) =>
  formatter(
    `month ${locale}`,
    () => new Intl.DateTimeFormat(TAGS[locale], { month: 'long', year: 'numeric', timeZone: 'UTC' }),
  );
const day = (locale: Locale) =>
  formatter(
    `day ${locale}`,
    () => new Intl.DateTimeFormat(TAGS[locale], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  );

/** `2002` → "2002", `2002-05` → "May 2002", `2002-07-01` → "1 July 2002". */
export function formatPartialDate(value: string, locale: Locale = 'en'): string {
  const [year, monthNumber, dayNumber] = value.split('-').map(Number);
  // A year alone is a date too: no thousands separator.
  if (monthNumber === undefined) {
    return formatter(`year ${locale}`, () => new Intl.NumberFormat(TAGS[locale], { useGrouping: false })).format(year!);
  }
  const date = new Date(Date.UTC(year!, monthNumber - 1, dayNumber ?? 1));
  return (dayNumber === undefined ? month(locale) : day(locale)).format(date);
}

export function formatDay(date: Date, locale: Locale = 'en'): string {
  return day(locale).format(date);
}

/** A quantity: "1,755" in English, "۱٬۷۵۵" in Persian, "1755" in Bulgarian. */
export function formatCount(value: number, locale: Locale = 'en'): string {
  return formatter(`count ${locale}`, () => new Intl.NumberFormat(TAGS[locale])).format(value);
}

/** Items as a sentence lists them: "contact and modification date", "contact и modification date". */
export function formatList(items: readonly string[], locale: Locale = 'en'): string {
  return new Intl.ListFormat(TAGS[locale], { type: 'conjunction' }).format(items);
}

/** `YYYY-MM-DD` of a Date, in UTC, for `<time datetime>`. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
