/**
 * What is known to run on a port, as opposed to what IANA registered there: the known-uses dataset written for this
 * site (content/uses/*.yaml, one source read per entry), the port lists vendored in content/evidence/ (firewalld,
 * Shorewall, nDPI, Wireshark) and the unofficial uses our articles document. Every use names its source. Plain
 * TypeScript with no Astro imports: the build (src/data/ports.ts), the verdict and the unit tests use it.
 */
import type { ExtractSources, ListName, Listing } from './evidence.ts';
import { portList, type Protocol } from './ports/number.ts';

/** How the use relates to the port. */
export const USE_KINDS = {
  default: 'The software’s own documented default port.',
  unofficial: 'Widely used there by convention, though not the maker’s default or not registered to it.',
  historic: 'Documented, but the software or service is discontinued.',
  malware: 'Malware documented to listen on or connect to the port.',
} as const;
export type UseKind = keyof typeof USE_KINDS;

/** How strong the source is. */
export const USE_EVIDENCE = {
  documented: 'The maker’s own documentation, the protocol’s specification, or a security vendor’s analysis says it.',
  listed: 'A distribution’s firewall definitions or a traffic decoder list the port for it.',
  reported: 'Only a secondary source (news, a port list) or an unsourced write-up says it.',
} as const;
export type UseEvidence = keyof typeof USE_EVIDENCE;

/** Where a use was recorded. */
export type UseOrigin = 'dataset' | 'article' | ListName;

export interface UseSource {
  /** The page's or file's title. */
  title: string;
  publisher: string;
  /** The page that says it, or the upstream copy of the file. */
  url?: string | undefined;
  /** A file of a Debian package, for the lists read from one. */
  file?: string | undefined;
  /** What the source says about the port, in our words. */
  says: string;
  /** The day it was read, YYYY-MM-DD. */
  read?: string | undefined;
  /** The version of the software or document the source describes. */
  version?: string | undefined;
}

export interface KnownUse {
  /** The dataset's id, or `<list>:<key>` for a listed use, or `article:<port>:<n>`. */
  id: string;
  name: string;
  vendor?: string | undefined;
  kind: UseKind;
  evidence: UseEvidence;
  protocols: Protocol[];
  ports: number[];
  aliases: string[];
  note?: string | undefined;
  origin: UseOrigin;
  source: UseSource;
  /** For a use an article documents: that article's page. */
  article?: number | undefined;
}

/**
 * Whether the use shows the port in use today: a current (not historic) use that the maker's documentation, a
 * sourced article, firewalld's service definitions or nDPI's classifier records. Wireshark's decoders and
 * Shorewall's macros also keep protocols long gone (Banyan VINES, SixXS), so on their own they show that the port
 * was used once, not that it still is; malware squats on a port without making its registration alive.
 */
export function isCurrentUse(use: KnownUse): boolean {
  if (use.kind === 'historic' || use.kind === 'malware') return false;
  if (use.evidence === 'documented') return true;
  return use.evidence === 'listed' && (use.origin === 'firewalld' || use.origin === 'ndpi');
}

/**
 * A run of more than this many consecutive ports is a range a program picks from (KDE Connect's 1714–1764, SAP's
 * 3200–3299 by instance number, X11's 6000–6063 by display): its first port is where the program is found by
 * default; any other port of the run is only one it may take. Shorter runs are sets of ports a program uses
 * together (FaceTime's 3478–3497, Steam's 27015–27030).
 */
export const RANGE_RUN = 20;

/** Whether `port` is inside a long run of the use's ports without being its first. */
export function inRangeOnly(use: KnownUse, port: number): boolean {
  const ports = new Set(use.ports);
  if (!ports.has(port) || !ports.has(port - 1)) return false;
  let first = port;
  while (ports.has(first - 1)) first--;
  let last = port;
  while (ports.has(last + 1)) last++;
  return last - first + 1 > RANGE_RUN;
}

/** The names a use goes by, as keys: its name and its aliases. */
export const useKeys = (use: KnownUse) => [use.name, ...use.aliases].map(nameKey);

/**
 * What the uses on one port say, once the maker's documentation has been read over the lists: a listed use that a
 * documented entry names (by its name or an alias) takes that entry's kind, so nDPI's "Ayiya" is SixXS's
 * discontinued AYIYA, not a current use.
 */
export interface UseAssessment {
  use: KnownUse;
  /** Runs there today, by default or by wide convention (isCurrentUse), on this very port. */
  current: boolean;
  /** Current, but this port is only one of a range the program may pick. */
  rangeOnly: boolean;
  /** A documented use of a discontinued product. */
  historic: boolean;
}

export function assessUses(uses: readonly KnownUse[], port: number): UseAssessment[] {
  const documented = new Map<string, KnownUse>();
  for (const use of uses) if (use.evidence === 'documented') for (const key of useKeys(use)) documented.set(key, use);
  return uses.map((use) => {
    const ruling =
      use.evidence === 'documented'
        ? use
        : (useKeys(use)
            .map((key) => documented.get(key))
            .find(Boolean) ?? use);
    const current = isCurrentUse(ruling === use ? use : { ...use, kind: ruling.kind });
    const rangeOnly = current && inRangeOnly(use, port);
    return {
      use,
      current: current && !rangeOnly,
      rangeOnly,
      historic: ruling.kind === 'historic' && ruling.evidence === 'documented',
    };
  });
}

// --- Uses from the vendored port lists ---------------------------------------------------------------------

/**
 * Wireshark dissectors that name an encoding or a transport rather than the software on the port (`tls` on 27017
 * is MongoDB with TLS, not "TLS"), left out of the known uses; they still count as evidence in the verdict.
 */
export const GENERIC_DISSECTORS = new Set([
  'data',
  'dtls',
  'http',
  'http2',
  'json',
  'quic',
  'ssl',
  'tls',
  'websocket',
  'xml',
]);
/** A dissector registered on more ports than this (mrcpv2 on 6075–30200) claims a range, not a default port. */
export const MAX_DISSECTOR_PORTS = 64;

const upstream = (version: string) => version.replace(/^\d+:/, '').replace(/[-~+].*$/, '');

function describe(
  list: ListName,
  key: string,
  name: string,
  ports: number[],
  protocols: Protocol[],
  sources?: ExtractSources,
) {
  // Each number it opens: firewalld's freeipa-ldap opens 80, 88, 123, 389, 443 and 464, not 80 to 464.
  const at = `${protocols.map((p) => p.toUpperCase()).join('/')} ${portList(ports)}`;
  const extract = sources?.[list === 'wireshark' ? 'wireshark' : list];
  const version = extract ? upstream(extract.version) : undefined;
  const read = extract?.generated;
  switch (list) {
    case 'firewalld':
      return {
        name,
        source: {
          title: `firewalld service “${key}”`,
          publisher: 'firewalld',
          url: `https://github.com/firewalld/firewalld/blob/v${version ?? '1.3.3'}/config/services/${key}.xml`,
          file: `/usr/lib/firewalld/services/${key}.xml`,
          says: `firewalld’s ${key} service (“${name}”) opens ${at}.`,
          read,
          version: extract && `firewalld ${version} (Debian ${extract.version})`,
        },
      };
    case 'shorewall':
      return {
        name: key,
        source: {
          title: `Shorewall macro “${key}”`,
          publisher: 'Shorewall',
          file: `/usr/share/shorewall/macro.${key}`,
          says: `Shorewall’s ${key} macro, for ${name}, opens ${at}.`,
          read,
          version: extract && `Shorewall ${version} (Debian ${extract.version})`,
        },
      };
    case 'ndpi':
      return {
        name: key.replace(/_/g, ' '),
        source: {
          title: 'nDPI default protocol ports (ndpi_main.c)',
          publisher: 'ntop',
          url: `https://github.com/ntop/nDPI/blob/${version ?? '4.2'}/src/lib/ndpi_main.c`,
          says: `nDPI’s traffic classifier takes ${at} to be ${key} (category ${name}) by default.`,
          read,
          version: extract && `nDPI ${version} (Debian libndpi ${extract.version})`,
        },
      };
    case 'wireshark':
      return {
        name,
        source: {
          title: `Wireshark display filter reference: ${key}`,
          publisher: 'Wireshark',
          url: `https://www.wireshark.org/docs/dfref/${key[0]}/${key}.html`,
          says: `Wireshark decodes ${at} as ${name} (${key}) by default.`,
          read,
          version: extract && `Wireshark ${version} (Debian tshark ${extract.version})`,
        },
      };
  }
}

/** One use per list entry (a firewalld service, a Shorewall macro, an nDPI protocol, a Wireshark dissector). */
export function listedUses(listings: readonly (Listing & { port: number })[], sources?: ExtractSources): KnownUse[] {
  const grouped = new Map<
    string,
    { list: ListName; key: string; name: string; ports: Set<number>; protocols: Set<Protocol> }
  >();
  for (const { list, key, name, port, protocol } of listings) {
    const id = `${list}:${key}`;
    let group = grouped.get(id);
    if (!group) grouped.set(id, (group = { list, key, name, ports: new Set(), protocols: new Set() }));
    group.ports.add(port);
    group.protocols.add(protocol);
  }
  const uses: KnownUse[] = [];
  for (const [id, { list, key, name, ports, protocols }] of grouped) {
    if (list === 'wireshark' && (GENERIC_DISSECTORS.has(key) || ports.size > MAX_DISSECTOR_PORTS)) continue;
    const sortedPorts = [...ports].sort((a, b) => a - b);
    const sortedProtocols = [...protocols].sort();
    const described = describe(list, key, name, sortedPorts, sortedProtocols, sources);
    uses.push({
      id,
      name: described.name,
      kind: 'default',
      evidence: 'listed',
      protocols: sortedProtocols,
      ports: sortedPorts,
      aliases: [],
      origin: list,
      source: described.source,
    });
  }
  return uses;
}

// --- Uses our articles document ----------------------------------------------------------------------------

interface ArticleUseInput {
  port: number;
  unofficialUses: readonly {
    name: string;
    aliases: readonly string[];
    kind: string;
    protocols: readonly Protocol[];
    ports: readonly number[];
    summary: string;
    evidence: 'sourced' | 'reported';
    references: readonly string[];
  }[];
  references: readonly { id: string; title: string; url: string; publisher: string; accessed?: Date | undefined }[];
}

/**
 * The unofficial uses an article documents, on every port they name, with the article's evidence level: a sourced
 * use is documented by the reference it cites; a reported one stays reported, with the article as its source.
 */
export function articleUses(page: ArticleUseInput): KnownUse[] {
  return page.unofficialUses.map((use, n) => {
    const reference = page.references.find((ref) => ref.id === use.references[0]);
    const sourced = use.evidence === 'sourced' && reference !== undefined;
    return {
      id: `article:${page.port}:${n}`,
      name: use.name,
      kind: use.kind === 'malware' ? 'malware' : 'unofficial',
      evidence: sourced ? 'documented' : 'reported',
      protocols: [...use.protocols],
      ports: [...use.ports],
      aliases: [...use.aliases],
      note: use.summary,
      origin: 'article',
      article: page.port,
      source: sourced
        ? {
            title: reference.title,
            publisher: reference.publisher,
            url: reference.url,
            says: use.summary,
            read: reference.accessed?.toISOString().slice(0, 10),
          }
        : { title: `Port ${page.port}`, publisher: 'Dormant Ports', url: `/ports/${page.port}/`, says: use.summary },
    };
  });
}

// --- Per port ---------------------------------------------------------------------------------------------------

/** Every use, by each port it names. */
export function usesByPort(uses: readonly KnownUse[]): Map<number, KnownUse[]> {
  const byPort = new Map<number, KnownUse[]>();
  for (const use of uses) {
    for (const port of use.ports) {
      let list = byPort.get(port);
      if (!list) byPort.set(port, (list = []));
      list.push(use);
    }
  }
  return byPort;
}

/** Lower case letters and digits only: "Kafka", "kafka" and "KAFKA" are one name, so are "Node-RED" and "nodered". */
export const nameKey = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** Uses of one software or protocol on a port, from however many sources. */
export interface UseGroup {
  name: string;
  vendor?: string | undefined;
  kind: UseKind;
  evidence: UseEvidence;
  protocols: Protocol[];
  /** The other ports the same software uses, for "also on". */
  ports: number[];
  aliases: string[];
  note?: string | undefined;
  current: boolean;
  uses: KnownUse[];
}

const EVIDENCE_RANK: Record<UseEvidence, number> = { documented: 0, listed: 1, reported: 2 };
const ORIGIN_RANK: Record<UseOrigin, number> = {
  article: 0,
  dataset: 1,
  firewalld: 2,
  ndpi: 3,
  shorewall: 4,
  wireshark: 5,
};
const strongest = (a: KnownUse, b: KnownUse) =>
  EVIDENCE_RANK[a.evidence] - EVIDENCE_RANK[b.evidence] || ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin];

/**
 * A port's uses, one group per software or protocol (the same name from several sources is one group, its
 * strongest source first), current uses first, then by evidence: what a reader should see first is what most
 * likely runs there.
 */
export function groupUses(uses: readonly KnownUse[]): UseGroup[] {
  // A list's entry joins the documented use it names, by that use's name or one of its aliases ("Bitcoin" from
  // firewalld joins Bitcoin Core).
  const named = new Map<string, string>();
  for (const use of uses) {
    if (use.evidence !== 'listed')
      for (const key of useKeys(use)) if (!named.has(key)) named.set(key, nameKey(use.name));
  }
  const groups = new Map<string, KnownUse[]>();
  for (const use of uses) {
    const key = use.evidence === 'listed' ? (named.get(nameKey(use.name)) ?? nameKey(use.name)) : nameKey(use.name);
    groups.set(key, [...(groups.get(key) ?? []), use]);
  }
  return [...groups.values()]
    .map((members) => {
      const sorted = [...members].sort(strongest);
      const lead = sorted[0]!;
      return {
        name: lead.name,
        vendor: sorted.find((use) => use.vendor)?.vendor,
        kind: lead.kind,
        evidence: lead.evidence,
        protocols: [...new Set(sorted.flatMap((use) => use.protocols))].sort(),
        ports: [...new Set(sorted.flatMap((use) => use.ports))].sort((a, b) => a - b),
        aliases: [...new Set(sorted.flatMap((use) => use.aliases))],
        note: sorted.find((use) => use.note)?.note,
        // The maker's documentation outranks a list: a product it calls discontinued is not made current again by
        // a firewall definition that was never removed.
        current: (sorted.some((use) => use.evidence === 'documented')
          ? sorted.filter((use) => use.evidence === 'documented')
          : sorted
        ).some(isCurrentUse),
        uses: sorted,
      };
    })
    .sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        EVIDENCE_RANK[a.evidence] - EVIDENCE_RANK[b.evidence] ||
        // Software that several independent sources name on the port is what a reader most likely has there.
        new Set(b.uses.map((use) => use.origin)).size - new Set(a.uses.map((use) => use.origin)).size ||
        ORIGIN_RANK[a.uses[0]!.origin] - ORIGIN_RANK[b.uses[0]!.origin] ||
        a.name.localeCompare(b.name),
    );
}
