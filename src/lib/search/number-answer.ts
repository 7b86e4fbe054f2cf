/**
 * What the site says of a port number without a page of its own, from its lookup shard: one answer, turned into
 * DOM by the 404 page's script (src/scripts/number-answer.ts) on a static host and into HTML by the production
 * server (src/server/number-page.ts), which answers /ports/N/ with it at once (issue 24, finding 4).
 */
import { format } from '../../i18n/format.ts';
import { localePrefix, type Locale } from '../../i18n/locales.ts';
import { defaultCheckCommands, type CommandSet } from '../ports/commands.ts';
import { listOf, rangeOf } from '../ports/range.ts';
import type { LookupShard } from './lookup.ts';
import type { NumberStrings } from './strings.ts';

/** A link to a page, marked when it leads out of the reader's language into English. */
export interface AnswerLink {
  href: string;
  text: string;
  english: boolean;
}

export type NumberAnswer =
  /** The number has a page, in English only, and the reader is in another language: say so and link it. */
  | { kind: 'english'; title: string; lead: string; link: AnswerLink }
  | {
      kind: 'answer';
      /** The document's title. */
      title: string;
      /** The template's placeholders: `{port}`, `{first}`, `{last}` (its block). */
      values: { port: number; first: number; last: number };
      lead: string;
      range: string;
      status: string;
      note?: string;
      /** The nearest pages below and above, within the shard. */
      nearby: AnswerLink[];
      commands: CommandSet[];
    };

export function numberAnswer(port: number, shard: LookupShard, s: NumberStrings, locale: Locale): NumberAnswer {
  const { first, last } = listOf(port);
  const values = { port, first, last };
  const href = (entry: { url: string; localized?: true }) =>
    entry.localized ? `${localePrefix(locale)}${entry.url}` : entry.url;
  const entry = shard.entries[port];
  if (entry) {
    return {
      kind: 'english',
      title: format(s.english.title, values),
      lead: format(s.english.lead, { ...values, title: entry.title }),
      link: { href: href(entry), text: format(s.english.link, values), english: true },
    };
  }
  const gap = shard.gaps.find(([from, to]) => port >= from && port <= to);
  const numbers = Object.keys(shard.entries).map(Number);
  const below = numbers.filter((n) => n < port).at(-1);
  const above = numbers.find((n) => n > port);
  const nearby = [below, above].flatMap((n) => {
    const found = n === undefined ? undefined : shard.entries[n];
    if (n === undefined || !found) return [];
    const text = `${format(s.port, { port: n })}: ${found.title}`;
    return [{ href: href(found), text, english: !found.localized && locale !== 'en' }];
  });
  const note = gap?.[3];
  return {
    kind: 'answer',
    title: format(s.pageTitle, values),
    values,
    lead: gap ? format(s.leadGap, { ...values, status: s.inline[gap[2]] }) : format(s.leadNone, values),
    range: s.ranges[rangeOf(port).range],
    status: gap ? s.statuses[gap[2]] : s.statusNone,
    ...(note ? { note } : {}),
    nearby,
    commands: defaultCheckCommands(port, []),
  };
}

/** A command's label in the page's language. */
export const commandLabel = (command: CommandSet['commands'][number], s: NumberStrings, port: number): string =>
  command.says ? format(s.commands[command.says], { port }) : command.label;
