/**
 * `/changes/feed.xml`: an Atom feed (RFC 4287) of the registry's changes, one entry per month with changes,
 * newest first, each linking its page and listing its changes. In English: one feed serves every locale, and
 * every page's head announces it (src/layouts/Base.astro).
 */
import type { APIRoute } from 'astro';
import { getChangeMonths } from '../../data/history.ts';
import { t } from '../../i18n/ui.ts';
import { formatPartialDate } from '../../lib/dates.ts';
import { changesHref, type Change } from '../../lib/history/changes.ts';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** One change as a line of the entry's HTML (escaped again when it goes into the XML); the month's page has more. */
function line(change: Change): string {
  const what = t(`changes.item.${change.kind}`, { service: change.service, former: change.former ?? '' });
  return `<li>Port ${change.port}: ${escape(what)} (${change.protocols.join(', ').toUpperCase()})</li>`;
}

const changeCount = (count: number) => t(count === 1 ? 'changes.count.one' : 'changes.count.many', { count });

export const GET: APIRoute = ({ site }) => {
  const absolute = (path: string) => new URL(path, site).href;
  const months = getChangeMonths();
  const stamp = (date: string) => `${date}T00:00:00Z`;
  const entries = months.map((month) => {
    const url = absolute(changesHref(month.month));
    const updated = stamp(month.steps.at(-1)!.date);
    const title = t('changes.month.title', { month: formatPartialDate(month.month) });
    const html =
      `<p>${escape(t('changes.feed.entry', { count: changeCount(month.changes.length), month: formatPartialDate(month.month) }))}</p>` +
      `<ul>${month.changes.map(line).join('')}</ul>`;
    return [
      '<entry>',
      `<id>${escape(url)}</id>`,
      `<title>${escape(title)}</title>`,
      `<updated>${updated}</updated>`,
      `<link rel="alternate" type="text/html" href="${escape(url)}"/>`,
      `<content type="html">${escape(html)}</content>`,
      '</entry>',
    ].join('\n');
  });
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    `<id>${escape(absolute('/changes/'))}</id>`,
    `<title>${escape(t('changes.feed.title'))}</title>`,
    `<subtitle>${escape(t('changes.feed.subtitle'))}</subtitle>`,
    `<updated>${stamp(months[0]?.steps.at(-1)?.date ?? '1970-01-01')}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${escape(absolute('/changes/feed.xml'))}"/>`,
    `<link rel="alternate" type="text/html" href="${escape(absolute('/changes/'))}"/>`,
    `<author><name>${escape(t('site.name'))}</name><uri>${escape(absolute('/'))}</uri></author>`,
    `<rights>${escape(t('changes.feed.rights'))}</rights>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
  return new Response(xml, { headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' } });
};
