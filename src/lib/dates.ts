/** Dates as a reader expects them, at the precision the source gave: "May 2002", "1 July 2002". */

const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** `2002` → "2002", `2002-05` → "May 2002", `2002-07-01` → "1 July 2002". */
export function formatPartialDate(value: string): string {
  const [year, month, day] = value.split('-').map(Number);
  if (month === undefined) return String(year);
  const date = new Date(Date.UTC(year!, month - 1, day ?? 1));
  return (day === undefined ? MONTH : DAY).format(date);
}

export function formatDay(date: Date): string {
  return DAY.format(date);
}

/** `YYYY-MM-DD` of a Date, in UTC, for `<time datetime>`. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
