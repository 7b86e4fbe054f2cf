/**
 * The words both search UIs show, read by the browser code from the element's `data-strings`. Built on the
 * server from the page's dictionary, so a translated page gets translated search messages.
 */
import type { UIKey } from '../../i18n/ui.ts';
import type { GapStatus } from '../registry.ts';

/** The strings, with `{name}` placeholders the browser fills in. */
export interface SearchStrings {
  exact: string;
  one: string;
  many: string;
  none: string;
  noPage: string;
  notPort: string;
  gap: string;
  failed: string;
  registered: string;
  ranges: Record<string, string>;
  /** What IANA says of a number without a service, in words that fit "Port N is … in IANA’s registry". */
  statuses: Record<GapStatus, string>;
}

/** The search strings in the language of `t`. */
export function searchStrings(t: (key: UIKey) => string): SearchStrings {
  return {
    exact: t('search.exact'),
    one: t('search.count.one'),
    many: t('search.count.many'),
    none: t('search.none'),
    noPage: t('notFound.port'),
    notPort: t('notFound.notPort'),
    gap: t('search.gap'),
    failed: t('search.failed'),
    registered: t('search.registered'),
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
