/**
 * A dormancy reason (src/lib/dormancy.ts) as a sentence in the reader's language: the verdict section lists them,
 * and a page's lead and meta description quote the one that decided the verdict.
 */
import { formatPartialDate } from '../lib/dates.ts';
import type { Reason } from '../lib/dormancy.ts';
import type { Locale } from './locales.ts';
import { translator, type UIKey } from './ui.ts';

const percentages = new Map<Locale, Intl.NumberFormat>();

/** A date IANA gives as a day reads "on 28 April 2014", a month "in April 2014". */
const precision = (value: string) => (value.length > 7 ? 'day' : 'month');

export function reasonText(reason: Reason, locale: Locale): string {
  const t = translator(locale);
  const { signal, value, points } = reason;
  switch (signal) {
    case 'nmap': {
      if (value === 'none') return t('dormancy.reason.nmap.none');
      const [protocol = '', figure = '0'] = value.split(' ');
      // Nmap gives a share of hosts (0.000076); readers read a percentage ("0.0076 %").
      let percentage = percentages.get(locale);
      if (!percentage) {
        percentage = new Intl.NumberFormat(locale, { style: 'percent', maximumSignificantDigits: 3 });
        percentages.set(locale, percentage);
      }
      // Below the noise line a figure is a handful of sightings on TCP and a scanning artefact on UDP.
      const key = points === 'likely-dormant' ? `likely-dormant.${protocol === 'tcp' ? 'tcp' : 'udp'}` : points;
      return t(`dormancy.reason.nmap.${key}` as UIKey, {
        percent: percentage.format(Number(figure)),
        protocol: protocol.toUpperCase(),
      });
    }
    case 'wireshark':
      return value === 'none' ? t('dormancy.reason.wireshark.none') : t('dormancy.reason.wireshark', { value });
    case 'range':
      return value === 'user'
        ? t('dormancy.reason.range.user')
        : t('dormancy.reason.range.other', { range: t(`range.${value as 'system' | 'dynamic'}`).toLowerCase() });
    case 'registered':
      if (value.startsWith('by ')) {
        return t('dormancy.reason.registered.history', { value: formatPartialDate(value.slice(3), locale) });
      }
      return value === 'not recorded'
        ? t('dormancy.reason.registered.none')
        : t(`dormancy.reason.registered.${points === 'likely-dormant' ? 'old' : 'recent'}.${precision(value)}`, {
            value: formatPartialDate(value, locale),
          });
    case 'modified':
      return value === 'never'
        ? t('dormancy.reason.modified.never')
        : t(`dormancy.reason.modified.${precision(value)}`, { value: formatPartialDate(value, locale) });
    case 'reference':
      return value === 'none'
        ? t('dormancy.reason.reference.none')
        : t(points === 'unknown' ? 'dormancy.reason.reference.document' : 'dormancy.reason.reference.other', { value });
    case 'assignee':
      return t('dormancy.reason.assignee.ietf');
    case 'status':
      return value === 'none' ? t('dormancy.reason.status.none') : t('dormancy.reason.status', { value });
    case 'neighbour': {
      const [port = '', ...use] = value.split(' ');
      return t('dormancy.reason.neighbour', { port, value: use.join(' ') });
    }
    case 'history':
      return value === 'unchanged'
        ? t('dormancy.reason.history.unchanged')
        : t('dormancy.reason.history', { value: formatPartialDate(value, locale) });
    case 'article':
      return t(`dormancy.reason.article.${value as 'dormant' | 'squatted' | 'active'}`);
    default:
      return t(`dormancy.reason.${signal}`, { value });
  }
}
