/**
 * Whether a port looks dormant, from evidence, with every reason and where it comes from. Three answers:
 *
 * - `in-use`: something says people use the port — an article that found its users, Debian's curated
 *   /etc/services, or internet scans that often find it open;
 * - `likely-dormant`: nothing says so, and the registration itself looks abandoned — in the registered range,
 *   registered long ago, never modified, no specification, nothing noticed on it by Wireshark or by scans;
 * - `unknown`: everything else. Scans cannot see services that live inside networks, a Wireshark dissector
 *   shows traffic existed once but not that it still does, and a documented or recently maintained
 *   registration may well be alive, so "unknown" is the honest answer for most ports.
 *
 * The method is explained to readers on /about/dormancy/; tests/unit/dormancy.test.ts measures it against the
 * labelled ports in content/evidence/evaluation.csv.
 */
import type { PortEvidence } from './evidence.ts';
import { changesHref, type PortHistory } from './history/changes.ts';
import { assigneeKind, citesDocument, ianaItems, ianaRegistryUrl } from './iana.ts';
import { rangeOf } from './ports/range.ts';
import type { RegistryRow } from './registry.ts';

export const VERDICTS = ['likely-dormant', 'in-use', 'unknown'] as const;
export type VerdictValue = (typeof VERDICTS)[number];

export type Signal =
  | 'article'
  | 'unofficial-use'
  | 'netbase'
  | 'nmap'
  | 'wireshark'
  | 'range'
  | 'registered'
  | 'modified'
  | 'reference'
  | 'assignee'
  | 'unauthorized-use'
  | 'status'
  | 'history';

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
}

/** What an article says about the port (its frontmatter), as far as the verdict needs it. */
export interface ArticleFacts {
  url: string;
  status: 'dormant' | 'squatted' | 'active';
  uses: { name: string; evidence: 'sourced' | 'reported'; url?: string | undefined }[];
}

export const SOURCES = {
  nmap: 'https://nmap.org/book/nmap-services.html',
  wireshark: 'https://www.wireshark.org/docs/man-pages/tshark.html',
  netbase: 'https://salsa.debian.org/md/netbase',
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
 * records registration dates only from 2002, so "old" means 2002–2004. The line is drawn there, not later,
 * because several services that are everywhere inside networks but invisible to internet scans squat on
 * registrations from 2005–2007 (Logstash on 5044, CouchDB on 5984, WinRM on 5986, Kubernetes on 6443): later
 * registrations are left "unknown" rather than risk calling them dormant. See content/evidence/README.md.
 */
export const OLD_BEFORE_YEAR = 2005;

const list = (items: Iterable<string>) => [...new Set(items)].join(', ');

/** An unofficial use that an article about another port documents on this one (Netrek's 3520, told on 3521). */
export interface Mention {
  name: string;
  /** The port of the article that documents it. */
  article: number;
  /** That article's page. */
  url: string;
}

export function dormancy(
  port: number,
  rows: readonly RegistryRow[],
  evidence: PortEvidence,
  article?: ArticleFacts,
  mentions: readonly Mention[] = [],
  history?: Pick<PortHistory, 'removed' | 'former'>,
): Verdict {
  const reasons: Reason[] = [];
  // A number whose service IANA withdrew (src/lib/history/): its page comes from the registry's history.
  const removed = history?.removed;
  const add = (signal: Signal, value: string, source: string, points: VerdictValue) =>
    reasons.push({ signal, value, source, points });
  const iana = ianaRegistryUrl(port);

  if (article) {
    const sourced = article.uses.filter((use) => use.evidence === 'sourced');
    for (const use of sourced) add('unofficial-use', use.name, use.url ?? article.url, 'in-use');
    const verdict: VerdictValue = article.status === 'dormant' && sourced.length === 0 ? 'likely-dormant' : 'in-use';
    add('article', article.status, article.url, verdict);
  }

  for (const mention of mentions) add('unofficial-use', mention.name, mention.url, 'in-use');

  // Evidence of use from outside the registry.
  for (const [protocol, names] of Object.entries(evidence.netbase)) {
    add('netbase', `${list(names)}/${protocol}`, SOURCES.netbase, 'in-use');
  }
  for (const [protocol, observed] of Object.entries(evidence.nmap)) {
    const limits = NMAP[protocol as keyof typeof NMAP];
    const points =
      observed.frequency >= limits.often ? 'in-use' : observed.frequency >= limits.noise ? 'unknown' : 'likely-dormant';
    add('nmap', `${protocol} ${observed.text}`, SOURCES.nmap, points);
  }
  // The Nmap extract holds only numbers with a page when it was made (content/evidence/README.md); for a number
  // that has one only through its history, no figure means "not extracted", not "never seen open".
  if (Object.keys(evidence.nmap).length === 0 && !removed) add('nmap', 'none', SOURCES.nmap, 'likely-dormant');
  for (const [protocol, dissectors] of Object.entries(evidence.wireshark)) {
    add('wireshark', `${list(dissectors)}/${protocol}`, SOURCES.wireshark, 'unknown');
  }
  if (Object.keys(evidence.wireshark).length === 0) add('wireshark', 'none', SOURCES.wireshark, 'likely-dormant');

  // What the registry itself says, read across every row of the port.
  const range = rangeOf(port).range;
  add(
    'range',
    range,
    'https://www.rfc-editor.org/rfc/rfc6335#section-6',
    range === 'user' ? 'likely-dormant' : 'unknown',
  );
  const live = rows.filter((row) => row.status === 'assigned');
  const all = live.length > 0 ? live : rows;
  if (live.length === 0) add('status', list(rows.map((row) => row.status)), iana, 'likely-dormant');
  const dates = all.map((row) => row.registered);
  if (dates.some((date) => date === undefined)) {
    // Unknown is kept as unknown: a missing date is not a date after 2011.
    add('registered', 'not recorded', iana, 'unknown');
  } else {
    const newest = dates.sort().at(-1)!;
    add('registered', newest, iana, Number(newest.slice(0, 4)) < OLD_BEFORE_YEAR ? 'likely-dormant' : 'unknown');
  }
  const modified = rows.flatMap((row) => (row.modified ? [row.modified] : [])).sort();
  add('modified', modified.at(-1) ?? 'never', iana, modified.length === 0 ? 'likely-dormant' : 'unknown');
  const references = all.flatMap((row) => (row.reference ? ianaItems(row.reference) : []));
  const documented = all.some((row) => citesDocument(row.reference));
  add('reference', references.length > 0 ? list(references) : 'none', iana, documented ? 'unknown' : 'likely-dormant');
  const kinds = all.flatMap((row) => (row.assignee ? [assigneeKind(row.assignee)] : []));
  add(
    'assignee',
    kinds.length > 0 ? list(kinds) : 'not recorded',
    iana,
    kinds.includes('ietf')
      ? 'unknown'
      : kinds.length > 0 && kinds.every((k) => k === 'person')
        ? 'likely-dormant'
        : 'unknown',
  );
  const unauthorized = rows.flatMap((row) => (row.unauthorizedUse ? [row.unauthorizedUse] : []));
  if (unauthorized.length > 0) add('unauthorized-use', list(unauthorized), iana, 'unknown');
  if (history?.removed && live.length === 0) {
    // Known from the record of versions, the month's change page says when; from IANA's note alone, the entry.
    const source = history.removed.since === undefined ? iana : changesHref(history.removed.date, port);
    add('history', list(history.former.map((f) => f.service)), source, 'likely-dormant');
  }

  return { verdict: decide(reasons, article !== undefined), reasons };
}

function decide(reasons: readonly Reason[], hasArticle: boolean): VerdictValue {
  if (hasArticle) return reasons.find((r) => r.signal === 'article')!.points;
  if (reasons.some((r) => r.points === 'in-use')) return 'in-use';
  // A withdrawn assignment is IANA's own word that the service went unused; the registry's other signs (range,
  // dates, reference) describe a registration that no longer exists. Only evidence of use outweighs it.
  if (reasons.some((r) => r.signal === 'history')) return 'likely-dormant';
  // Dormant only when every sign agrees. Whether a person or a company holds a registration says little (both
  // abandon them); an IETF assignment does count, as a standards-track protocol.
  const decisive = reasons.filter((r) => r.signal !== 'assignee' || r.value.includes('ietf'));
  return decisive.every((r) => r.points === 'likely-dormant') ? 'likely-dormant' : 'unknown';
}

/** The sourced unofficial uses articles document on ports other than their own, by port. */
export function mentionsByPort(
  pages: readonly {
    port: number;
    unofficialUses: readonly { name: string; evidence: 'sourced' | 'reported'; ports: readonly number[] }[];
  }[],
): Map<number, Mention[]> {
  const byPort = new Map<number, Mention[]>();
  for (const page of pages) {
    for (const use of page.unofficialUses) {
      if (use.evidence !== 'sourced') continue;
      for (const port of use.ports) {
        if (port === page.port) continue;
        byPort.set(port, [
          ...(byPort.get(port) ?? []),
          { name: use.name, article: page.port, url: `/ports/${page.port}/` },
        ]);
      }
    }
  }
  return byPort;
}

/** An article's frontmatter as the verdict reads it: its status, and its unofficial uses with their sources. */
export function articleFacts(page: {
  port: number;
  status: ArticleFacts['status'];
  unofficialUses: readonly { name: string; evidence: 'sourced' | 'reported'; references: readonly string[] }[];
  references: readonly { id: string; url: string }[];
}): ArticleFacts {
  return {
    url: `/ports/${page.port}/`,
    status: page.status,
    uses: page.unofficialUses.map((use) => ({
      name: use.name,
      evidence: use.evidence,
      url: page.references.find((ref) => ref.id === use.references[0])?.url,
    })),
  };
}
