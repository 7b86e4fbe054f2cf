/**
 * The words both search UIs show, read by the browser code from the element's `data-strings`. Built on the
 * server from the page's dictionary, so a translated page gets translated search messages.
 */
import type { Locale } from '../../i18n/locales.ts';
import type { UIKey } from '../../i18n/ui.ts';
// Types only: dormancy.ts reads the registry's history and CSV, which the browser code here must not carry.
import type { VerdictValue } from '../dormancy.ts';
import type { CommandLabel, OperatingSystem } from '../ports/commands.ts';
import type { PortRange } from '../ports/range.ts';
import type { GapStatus } from '../registry.ts';

/** The strings, with `{name}` placeholders the browser fills in. */
export interface SearchStrings {
  /** The page's language, for dates. */
  locale: Locale;
  /** "Port {port}", the meta line of a result. */
  port: string;
  /** Shown while a slow connection fetches the index. */
  searching: string;
  exact: string;
  one: string;
  many: string;
  none: string;
  noPage: string;
  notPort: string;
  gap: string;
  failed: string;
  registered: string;
  /** A port's dormancy verdict, as the status filter labels it. */
  verdicts: Record<VerdictValue, string>;
  /** "Known use: {name}": the use whose name or alias found the page. */
  known: string;
  /** "Former IANA name: {name}": the name the registry once gave the port. */
  former: string;
  ranges: Record<string, string>;
  /** What IANA says of a number without a service, in words that fit "Port N is … in IANA’s registry". */
  statuses: Record<GapStatus, string>;
}

/** The search strings in the language of `t`. */
export function searchStrings(t: (key: UIKey) => string, locale: Locale = 'en'): SearchStrings {
  return {
    locale,
    port: t('search.port'),
    searching: t('search.searching'),
    exact: t('search.exact'),
    one: t('search.count.one'),
    many: t('search.count.many'),
    none: t('search.none'),
    noPage: t('notFound.port'),
    notPort: t('notFound.notPort'),
    gap: t('search.gap'),
    failed: t('search.failed'),
    registered: t('search.registered'),
    verdicts: {
      'likely-dormant': t('dormancy.verdict.likely-dormant'),
      'in-use': t('dormancy.verdict.in-use'),
      unknown: t('dormancy.verdict.unknown'),
    },
    known: t('search.match.use'),
    former: t('search.match.former'),
    ranges: { system: t('range.system'), user: t('range.user'), dynamic: t('range.dynamic') },
    statuses: {
      unassigned: t('gap.unassigned'),
      reserved: t('gap.reserved'),
      'de-registered': t('gap.de-registered'),
      removed: t('gap.removed'),
      deprecated: t('gap.deprecated'),
    },
  };
}

/**
 * The words of the 404 page's answer for a number without a page (src/scripts/number-answer.ts), with their
 * `{port}`, `{status}`, `{title}` placeholders left for the browser. Built by src/views/NotFoundPage.astro.
 */
export interface NumberStrings {
  locale: Locale;
  /** The document title once the number is known. */
  pageTitle: string;
  notPort: string;
  leadGap: string;
  leadNone: string;
  /** A translated page for a port whose page exists in English only. */
  english: { title: string; lead: string; link: string };
  statusNone: string;
  /** IANA's status as a label ("Unassigned") and inside a sentence ("unassigned"). */
  statuses: Record<GapStatus, string>;
  inline: Record<GapStatus, string>;
  ranges: Record<PortRange, string>;
  /** "Port {port}", for the nearest pages. */
  port: string;
  commands: Record<CommandLabel, string>;
  systems: Record<OperatingSystem, string>;
}
