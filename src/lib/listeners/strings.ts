/**
 * The words of the /check/ results (src/scripts/listener-table.ts), built at build time from each locale's
 * dictionary into /i18n/check/<locale>.json (src/i18n/client.ts, checkStringsPath), which the page fetches once
 * the reader pastes.
 */
import type { Locale } from '../../i18n/locales.ts';
import type { UIKey } from '../../i18n/ui.ts';
import type { VerdictValue } from '../dormancy.ts';
import type { GapStatus } from '../registry.ts';
import type { Scope } from './address.ts';
import type { Flag, KnownUse } from './report.ts';

/** The strings, with `{name}` placeholders the browser fills in. */
export interface CheckStrings {
  /** The page's language, for counts. */
  locale: Locale;
  caption: string;
  columns: Record<'port' | 'look' | 'protocol' | 'address' | 'process' | 'iana' | 'uses' | 'verdict', string>;
  ports: { one: string; many: string };
  flagged: { none: string; one: string; many: string };
  unread: { one: string; many: string; title: string; intro: string; name: string; line: string };
  summary: string;
  none: string;
  loading: string;
  failed: string;
  scopes: Record<Scope, string>;
  pid: string;
  flags: Record<Flag | 'dynamic' | 'no', string>;
  kinds: Record<KnownUse['kind'], string>;
  verdicts: Record<VerdictValue, string>;
  statuses: Record<GapStatus, string>;
  ianaNone: string;
  protocols: Record<'tcp' | 'udp', string>;
  skipped: string;
}

export function checkStrings(t: (key: UIKey) => string, locale: Locale = 'en'): CheckStrings {
  return {
    locale,
    caption: t('check.caption'),
    columns: {
      port: t('check.column.port'),
      look: t('check.column.look'),
      protocol: t('check.column.protocol'),
      address: t('check.column.address'),
      process: t('check.column.process'),
      iana: t('check.column.iana'),
      uses: t('check.column.uses'),
      verdict: t('check.column.verdict'),
    },
    ports: { one: t('check.ports.one'), many: t('check.ports.many') },
    flagged: { none: t('check.flagged.none'), one: t('check.flagged.one'), many: t('check.flagged.many') },
    unread: {
      one: t('check.unread.one'),
      many: t('check.unread.many'),
      title: t('check.unread.title'),
      intro: t('check.unread.intro'),
      name: t('check.unread.name'),
      line: t('check.line'),
    },
    summary: t('check.summary'),
    none: t('check.none'),
    loading: t('check.loading'),
    failed: t('check.failed'),
    scopes: { all: t('check.scope.all'), loopback: t('check.scope.loopback'), specific: t('check.scope.specific') },
    pid: t('check.pid'),
    flags: {
      malware: t('check.flag.malware'),
      dormant: t('check.flag.dormant'),
      squatted: t('check.flag.squatted'),
      unregistered: t('check.flag.unregistered'),
      dynamic: t('check.flag.dynamic'),
      no: t('check.flag.no'),
    },
    kinds: {
      default: t('check.kind.default'),
      unofficial: t('check.kind.unofficial'),
      historic: t('check.kind.historic'),
      malware: t('check.kind.malware'),
    },
    verdicts: {
      'likely-dormant': t('dormancy.verdict.likely-dormant'),
      'in-use': t('dormancy.verdict.in-use'),
      unknown: t('dormancy.verdict.unknown'),
    },
    statuses: {
      unassigned: t('registry.status.unassigned'),
      reserved: t('registry.status.reserved'),
      'de-registered': t('registry.status.de-registered'),
      removed: t('registry.status.removed'),
      deprecated: t('registry.status.deprecated'),
    },
    ianaNone: t('check.iana.none'),
    protocols: { tcp: t('protocol.tcp'), udp: t('protocol.udp') },
    skipped: t('check.skipped'),
  };
}
