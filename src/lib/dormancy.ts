/**
 * Whether a port looks dormant, from evidence, with every reason and where it comes from. Three answers:
 *
 * - `in-use`: something says people run something there today — a current known use (the maker's documentation,
 *   a sourced article, firewalld's service definitions, nDPI's classifier), Debian's curated /etc/services,
 *   internet scans that often find it open, or IANA's own note of widespread use;
 * - `likely-dormant`: nothing says so, and the registration itself looks abandoned — in the registered range,
 *   registered long ago, never modified, no specification, nothing noticed on it by any list or scan;
 * - `unknown`: everything else. Scans cannot see services that live inside networks, a Wireshark dissector
 *   shows traffic existed once but not that it still does, and a documented or recently maintained
 *   registration may well be alive, so "unknown" is the honest answer for many ports.
 *
 * The method is explained to readers on /about/dormancy/; tests/unit/dormancy.test.ts measures it against the
 * labelled ports in content/evidence/evaluation.csv.
 */
import type { PortEvidence } from './evidence.ts';
import { changesHref, type PortHistory } from './history/changes.ts';
import { assigneeKind, citesDocument, ianaItems, ianaRegistryUrl } from './iana.ts';
import { rangeOf } from './ports/range.ts';
import type { RegistryRow } from './registry.ts';
import { assessUses, groupUses, nameKey, type KnownUse } from './uses.ts';

export const VERDICTS = ['likely-dormant', 'in-use', 'unknown'] as const;
export type VerdictValue = (typeof VERDICTS)[number];

export type Signal =
  | 'article'
  | 'known-use'
  | 'historic-use'
  | 'range-use'
  | 'reported-use'
  | 'iana-note'
  | 'neighbour'
  | 'netbase'
  | 'nmap'
  | 'wireshark'
  | 'listed'
  | 'range'
  | 'registered'
  | 'modified'
  | 'reference'
  | 'assignee'
  | 'unauthorized-use'
  | 'status'
  | 'history'
  | 'withdrawn';

export interface Reason {
  signal: Signal;
  /** What the source says, e.g. `tcp 0.000076` or `2002-05`. */
  value: string;
  /** Where it says it: a URL, or a path on this site. */
  source: string;
  /** Which answer this reason points to; `unknown` means it rules out "likely dormant" without showing use. */
  points: VerdictValue;
}

export interface Verdict {
  verdict: VerdictValue;
  reasons: Reason[];
  /** The reason that settled the verdict, for a page's lead and search results; undefined for "unknown" by default. */
  decisive?: Reason | undefined;
}

/** What an article says about its own port (its frontmatter), as far as the verdict needs it. */
export interface ArticleFacts {
  url: string;
  status: 'dormant' | 'squatted' | 'active';
}

/**
 * Where the figures behind each signal are described, with their files, versions and dates (the about page reads
 * content/evidence/sources.json). A reason links here rather than to a tool's manual.
 */
export const SOURCES = {
  nmap: '/about/data/#nmap',
  wireshark: '/about/data/#wireshark',
  netbase: '/about/data/#netbase',
  lists: '/about/data/#lists',
} as const;

/**
 * Open-frequencies from Nmap's table (the share of scanned hosts on which the port answered). On TCP one
 * observation shows as 0.000076 and a few as 0.0002; UDP values below 0.001 cluster on a few artefacts of UDP
 * scanning (content/evidence/README.md). Below NOISE a figure says nothing; from OFTEN on, scans find the port
 * open often enough that people clearly run something there.
 */
export const NMAP = {
  tcp: { noise: 0.0001, often: 0.001 },
  udp: { noise: 0.001, often: 0.01 },
  sctp: { noise: 0.001, often: 0.01 },
} as const;

/**
 * A registration made before this year and never touched has had two decades to show signs of life. IANA
 * records registration dates only from 2002 (with a handful of older ones), so "old" means 2002–2004. The line
 * is drawn there, not later, because several services that are everywhere inside networks but invisible to
 * internet scans squat on registrations from 2005–2007 (Logstash on 5044, CouchDB on 5984, WinRM on 5986,
 * Kubernetes on 6443): later registrations are left "unknown" unless other evidence decides.
 */
export const OLD_BEFORE_YEAR = Number(process.env['DP_OLD'] ?? 2005);
const oldEnough = (date: string): VerdictValue =>
  Number(date.slice(0, 4)) < OLD_BEFORE_YEAR ? 'likely-dormant' : 'unknown';
/** The change pages, where the registry's history is told month by month. */
const HISTORY_SOURCE = '/changes/';

/** IANA's own words that a port is widely used by something it never assigned it to (3000, 5000, 8080, …). */
const WIDESPREAD = /\bunassigned but widespread use\b/i;

const list = (items: Iterable<string>) => [...new Set(items)].join(', ');

/** What the verdict knows about a port beyond IANA's rows and the evidence extracts. */
export interface PortSignals {
  /** The port's own article. */
  article?: ArticleFacts | undefined;
  /** Every known use on the port (src/lib/uses.ts), articles' uses on other ports included. */
  uses?: readonly KnownUse[];
  /** Neighbouring ports held by the same assignee whose registered service is documented in current use. */
  neighbours?: readonly { port: number; use: string }[];
  /** What the registry's history (src/lib/history/changes.ts) says of the port. */
  history?: PortHistory | undefined;
}

const useSource = (use: KnownUse) =>
  use.origin === 'article' && use.article !== undefined && use.evidence === 'documented'
    ? `/ports/${use.article}/`
    : (use.source.url ?? SOURCES.lists);

export function dormancy(
  port: number,
  rows: readonly RegistryRow[],
  evidence: PortEvidence,
  { article, uses = [], neighbours = [], history }: PortSignals = {},
): Verdict {
  const reasons: Reason[] = [];
  // A number whose service IANA withdrew (src/lib/history/): its page comes from the registry's history.
  const removed = history?.removed;
  // The latest change to the port's entry in the record of versions, if any.
  const lastChange = history?.lastChange?.date;
  const add = (signal: Signal, value: string, source: string, points: VerdictValue) =>
    reasons.push({ signal, value, source, points });
  const iana = ianaRegistryUrl(port);

  if (article) add('article', article.status, article.url, article.status === 'dormant' ? 'likely-dormant' : 'in-use');

  // What runs there, strongest first: a current use decides; a discontinued one is a sign the port was let go.
  // Ordered as the page lists them (groupUses): what most sources name there comes first.
  const order = new Map(groupUses(uses).map((group, i) => [nameKey(group.name), i]));
  const rank = (use: KnownUse) => order.get(nameKey(use.name)) ?? order.size;
  const assessed = assessUses(uses, port).sort((a, b) => rank(a.use) - rank(b.use));
  const seen = new Set<string>();
  const once = (use: KnownUse) => {
    const key = nameKey(use.name);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const { use } of assessed.filter((a) => a.current))
    if (once(use)) add('known-use', use.name, useSource(use), 'in-use');
  for (const { use } of assessed.filter((a) => a.rangeOnly))
    if (once(use)) add('range-use', use.name, useSource(use), 'unknown');
  for (const { use } of assessed.filter((a) => a.historic))
    if (once(use)) add('historic-use', use.name, useSource(use), 'likely-dormant');
  // A use only a secondary source reports is too thin to show use, but enough to keep "dormant" off the port.
  for (const { use } of assessed.filter(
    (a) => !a.current && !a.historic && a.use.evidence === 'reported' && a.use.kind !== 'malware',
  )) {
    if (once(use)) add('reported-use', use.name, useSource(use), 'unknown');
  }
  // A product documented as discontinued explains old sightings: old scans and lists then show past use, not present.
  const past = assessed.some((a) => a.historic) && !assessed.some((a) => a.current);
  for (const row of rows) {
    if (row.notes && WIDESPREAD.test(row.notes) && !reasons.some((r) => r.signal === 'iana-note')) {
      add('iana-note', row.service ?? row.description ?? String(port), iana, 'in-use');
    }
  }
  for (const neighbour of neighbours)
    add('neighbour', `${neighbour.port} ${neighbour.use}`, `/ports/${neighbour.port}/`, 'unknown');

  // Evidence of use from outside the registry.
  for (const [protocol, names] of Object.entries(evidence.netbase)) {
    add('netbase', `${list(names)}/${protocol}`, SOURCES.netbase, past ? 'unknown' : 'in-use');
  }
  for (const [protocol, observed] of Object.entries(evidence.nmap)) {
    const limits = NMAP[protocol as keyof typeof NMAP];
    const points =
      observed.frequency >= limits.often
        ? past
          ? 'unknown'
          : 'in-use'
        : observed.frequency >= limits.noise
          ? 'unknown'
          : 'likely-dormant';
    add('nmap', `${protocol} ${observed.text}`, SOURCES.nmap, points);
  }
  // The Nmap extract holds only numbers with a page when it was made (content/evidence/README.md); for a number
  // that has one only through its history, no figure means "not extracted", not "never seen open".
  if (Object.keys(evidence.nmap).length === 0 && !removed) add('nmap', 'none', SOURCES.nmap, 'likely-dormant');
  for (const [protocol, dissectors] of Object.entries(evidence.wireshark)) {
    add('wireshark', `${list(dissectors)}/${protocol}`, SOURCES.wireshark, 'unknown');
  }
  if (Object.keys(evidence.wireshark).length === 0) add('wireshark', 'none', SOURCES.wireshark, 'likely-dormant');
  // Uses only an old list records (a Shorewall macro, a Wireshark decoder): once seen, maybe not now.
  const onlyListed = assessed
    .filter(
      (a) => !a.current && !a.rangeOnly && !a.historic && a.use.evidence === 'listed' && !seen.has(nameKey(a.use.name)),
    )
    .map((a) => a.use);
  if (onlyListed.length > 0 && !onlyListed.every((use) => use.origin === 'wireshark')) {
    add(
      'listed',
      list(onlyListed.filter((use) => use.origin !== 'wireshark').map((use) => use.name)),
      SOURCES.lists,
      'unknown',
    );
  }

  // What the registry itself says, read across every row of the port.
  const range = rangeOf(port).range;
  add(
    'range',
    range,
    'https://www.rfc-editor.org/rfc/rfc6335#section-6',
    range === 'user' ? 'likely-dormant' : 'unknown',
  );
  if (removed && !rows.some((row) => row.status === 'assigned')) {
    // Known from the record of versions, the month's change page says when; from IANA's note alone, the entry.
    const source = removed.since === undefined ? iana : changesHref(removed.date, port);
    add('withdrawn', list(history.former.map((f) => f.service)), source, 'likely-dormant');
  }
  if (rows.length === 0) {
    // A number IANA never assigned has no registration to judge; only what runs there can speak for it.
    if (!removed) add('status', 'none', iana, 'unknown');
    return decide(reasons);
  }
  const live = rows.filter((row) => row.status === 'assigned');
  const all = live.length > 0 ? live : rows;
  if (live.length === 0)
    add('status', rows.length > 0 ? list(rows.map((row) => row.status)) : 'none', iana, 'likely-dormant');
  // The rows of a withdrawn service record its removal: their dates are the removal's, not a registration's.
  if (!(removed && live.length === 0)) {
    const dates = all.map((row) => row.registered);
    if (dates.some((date) => date === undefined)) {
      if (history?.inFirstVersion) {
        // IANA gives no date, but the rows were already in the oldest copy: at least that old (a lower bound).
        // Ten years on the registry without a change, and no sign of use anywhere, is as telling as an old date.
        add(
          'registered',
          `by ${history.firstSeen.slice(0, 7)}`,
          HISTORY_SOURCE,
          lastChange ? 'unknown' : 'likely-dormant',
        );
      } else {
        // Unknown is kept as unknown: a missing date is not a date after 2011.
        add('registered', 'not recorded', iana, 'unknown');
      }
    } else {
      const newest = dates.sort().at(-1)!;
      add('registered', newest, iana, oldEnough(newest));
    }
    const modified = rows.flatMap((row) => (row.modified ? [row.modified] : [])).sort();
    add('modified', modified.at(-1) ?? 'never', iana, modified.length === 0 ? 'likely-dormant' : 'unknown');
    if (lastChange && !removed) {
      // An entry someone still edits (a new contact, a new description) has someone who cares about it.
      add('history', lastChange.slice(0, 7), changesHref(lastChange, port), 'unknown');
    } else if (history?.inFirstVersion) {
      add('history', 'unchanged', HISTORY_SOURCE, 'likely-dormant');
    }
  }
  const references = all.flatMap((row) => (row.reference ? ianaItems(row.reference) : []));
  const documented = all.some((row) => citesDocument(row.reference));
  add('reference', references.length > 0 ? list(references) : 'none', iana, documented ? 'unknown' : 'likely-dormant');
  const kinds = all.flatMap((row) => (row.assignee ? [assigneeKind(row.assignee)] : []));
  // Whether a person or a company holds a registration says little (both abandon them); an IETF assignment
  // does count, as a standards-track protocol.
  if (kinds.includes('ietf')) add('assignee', 'ietf', iana, 'unknown');
  const unauthorized = rows.flatMap((row) => (row.unauthorizedUse ? [row.unauthorizedUse] : []));
  // IANA recording that someone uses the port without an assignment is a sign of use, if not of whose.
  if (unauthorized.length > 0) add('unauthorized-use', list(unauthorized), iana, 'unknown');
  return decide(reasons);
}

/** The verdict and the reason that settled it: the first sign of use, else the absence of every sign, else none. */
function decide(reasons: Reason[]): Verdict {
  const use = reasons.find((r) => r.points === 'in-use');
  if (use) return { verdict: 'in-use', reasons, decisive: use };
  const article = reasons.find((r) => r.signal === 'article');
  if (article) return { verdict: article.points, reasons, decisive: article };
  // A withdrawn assignment is IANA's own word that the service went unused; the registry's other signs (range,
  // dates, reference) describe a registration that no longer exists. Only evidence of use outweighs it.
  const withdrawn = reasons.find((r) => r.signal === 'withdrawn');
  if (withdrawn) return { verdict: 'likely-dormant', reasons, decisive: withdrawn };
  if (reasons.every((r) => r.points === 'likely-dormant')) {
    // The strongest sign of abandonment: a discontinued product, else IANA's own removal, else the registration's age.
    const decisive =
      reasons.find((r) => r.signal === 'historic-use') ??
      reasons.find((r) => r.signal === 'status') ??
      reasons.find((r) => r.signal === 'registered');
    return { verdict: 'likely-dormant', reasons, decisive };
  }
  return { verdict: 'unknown', reasons, decisive: reasons.find((r) => r.points === 'unknown') };
}

/** An article's frontmatter as the verdict reads it. */
export function articleFacts(page: { port: number; status: ArticleFacts['status'] }): ArticleFacts {
  return { url: `/ports/${page.port}/`, status: page.status };
}
