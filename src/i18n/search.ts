/** The dictionary's search strings, in the shape the browser-side search UI reads from `data-strings`. */
import type { SearchStrings } from '../scripts/search.ts';
import { t } from './ui.ts';

export function searchStrings(): SearchStrings {
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
  };
}
