/**
 * Names that find a port without the full-text index: IANA's service names and descriptions, article titles, the
 * names and aliases of the known uses (content/uses/, the vendored port lists, the articles) and, with the
 * registry's history, the names a port once had. The build gathers them per port (`getSearchNames()` in
 * src/data/ports.ts), ranks every name's ports here, and writes the result as small shards; the browser's search
 * (src/scripts/search/) and the production server read one shard per query with `resolveName()`. Plain TypeScript
 * without the DOM or Node.
 *
 * ## The shard format: `/names/N.json`
 *
 * A name is matched normalised (`normaliseName`): lower case, letters and digits only, so "MS-SQL-S", "ms sql s"
 * and "mssqls" are one name. The names are spread over NAME_SHARD_COUNT shards, `/names/0.json` to
 * `/names/127.json`, by their first two characters (`nameShardOf`); every shard exists, empty or not, so a lookup
 * never meets a 404. A shard is
 *
 * ```json
 * {
 *   "names": {
 *     "dns": { "ports": [[53, "use", "Domain Name System (DNS)"]], "sure": true },
 *     "smb": { "ports": [[445, "use", "SMB (Server Message Block)"], [139, "use", "SMB (Server Message Block)"]], "sure": true },
 *     "x11": { "ports": [[6000, "service"], [6001, "service"], …], "sure": true }
 *   }
 * }
 * ```
 *
 * - `names`: each normalised name, with the ports it names, strongest first (`rankPorts` says how), at most
 *   `MAX_PORTS_PER_NAME`.
 * - Each port is `[port, via]` or `[port, via, name]`: `via` says what the name is on that port (`NAME_VIA`);
 *   `name` is the known use or former name as written, when that is what matched ("mssql" names the use
 *   "Microsoft SQL Server" on 1433).
 * - `sure`: the data says which port the name means, so its first port is the answer: a search box may open it on
 *   Enter, a server may redirect to it. Absent when the first port is first only by its number.
 */
/**
 * Lower case letters, digits and plus signs only: "MS WBT Server", "ms-wbt-server" and "mswbtserver" are one name;
 * "whois++" (port 63) stays apart from "whois" (43).
 */
export const normaliseName = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}+]+/gu, '');

/** What a name is on a port, strongest first: the order `rankPorts` ranks claims by. */
export const NAME_VIA = {
  /** The name of a current use documented by its maker or its specification ("Grafana" on 3000). */
  use: 'a current, documented known use',
  /** An alias of such a use ("mssql" for Microsoft SQL Server on 1433). */
  alias: 'an alias of a current, documented known use',
  /** IANA's service name ("domain" on 53), or the title of the port's article ("MUST Backplane"). */
  service: 'IANA’s service name or the article’s title',
  /** A name a firewall or traffic-decoder list gives the port ("DNS" in firewalld). */
  listed: 'the name a vendored port list gives the port',
  /** IANA's description of the service ("Domain Name Server"). */
  description: 'IANA’s description',
  /** A historic, malware or only reported use ("W32.Kwbot" on 3521). */
  other: 'a historic, malware or only reported use',
  /** A name IANA once gave the port and no longer does ("ni-ftp" on 47), as strong as `other`. */
  former: 'a name IANA once gave the port',
} as const;
export type NameVia = keyof typeof NAME_VIA;
const TIER: Record<NameVia, number> = { use: 0, alias: 1, service: 2, listed: 3, description: 4, other: 5, former: 5 };

/** A port's search names, as the build gathers them (src/data/ports.ts, `getSearchNames()`). */
export interface PortNames {
  port: number;
  /** The title of the port's article. */
  title?: string | undefined;
  /** IANA's current registrations on the port, each with the numbers its row covers (x11: 6000–6063). */
  registrations: { service?: string | undefined; description?: string | undefined; first: number; last: number }[];
  /** Known uses on the port, current ones first, each with its ports in the order its source gives them. */
  uses: {
    id: string;
    name: string;
    aliases: string[];
    ports: number[];
    /** `current`: documented and running there today; `listed`: a port list's name; `other`: the rest. */
    standing: 'current' | 'listed' | 'other';
    malware?: boolean | undefined;
  }[];
  /** Names IANA gave the port once and no longer does (the registry's history). */
  former: string[];
}

/** One way a name belongs to a port. */
export interface NameClaim {
  key: string;
  /** The name as written, for a use or a former name: what a result says matched. */
  name?: string | undefined;
  via: NameVia;
  /** The source the name comes from (one IANA row, one use): several claims from one source count once. */
  source: string;
  /** The port's place in its source: x11's row lists 6000 first, the SMB use 445 before 139. */
  at: number;
}

/** Words of a malware family's name as vendors write it (CARO: Type.Platform.Family.Variant), not the family. */
const MALWARE_PARTS = new Set(
  'backdoor trojan worm virus w32 w64 win32 win64 msil linux unix osx macos android js vbs html php java trojandownloader trojandropper trojanspy hacktool riskware'.split(
    ' ',
  ),
);

/**
 * The family in a malware name written the vendors' way: "Backdoor.Win32.Mazben.me" → "Mazben", "W32/KWBot-A" →
 * "KWBot", "W32.Kwbot" → "Kwbot". Readers search for the family; the rest names the platform and the variant.
 */
export function malwareFamily(name: string): string | undefined {
  if (!/^[\w-]+(?:[./][\w-]+)+$/.test(name)) return undefined;
  const family = name
    .split(/[./]/)
    .find((part) => !MALWARE_PARTS.has(part.toLowerCase().replace(/-/g, '')) && /\p{L}{3}/u.test(part));
  return family?.replace(/-[A-Z0-9]{1,3}$/i, '');
}

/** Every name of a port, with what it is there. */
export function nameClaims(names: PortNames): NameClaim[] {
  const claims: NameClaim[] = [];
  const add = (text: string | undefined, claim: Omit<NameClaim, 'key'>) => {
    const key = text === undefined ? '' : normaliseName(text);
    // Bare numbers are number queries, and one-letter names would match everything that starts with them.
    if (key.length >= 2 && !/^\d+$/.test(key)) claims.push({ key, ...claim });
  };
  const { port } = names;
  if (names.title) add(names.title, { via: 'service', source: `title:${port}`, at: 0 });
  for (const { service, description, first } of names.registrations) {
    const row = `iana:${service ?? ''}:${description ?? ''}:${first}`;
    add(service, { via: 'service', source: row, at: port - first });
    add(description, { via: 'description', source: row, at: port - first });
  }
  for (const use of names.uses) {
    // A port list gives its numbers in numeric order, which says nothing of which one is the program's.
    const at = use.standing === 'listed' ? 0 : Math.max(0, use.ports.indexOf(port));
    const source = `use:${use.id}`;
    const family = use.malware ? malwareFamily(use.name) : undefined;
    const [own, other] =
      use.standing === 'current'
        ? (['use', 'alias'] as const)
        : use.standing === 'listed'
          ? (['listed', 'listed'] as const)
          : (['other', 'other'] as const);
    add(use.name, { via: own, name: use.name, source, at });
    const whole = normaliseName(use.name);
    const initials = use.name
      .split(/[^\p{L}\p{N}]+/u)
      .map((word) => word[0] ?? '')
      .join('')
      .toLowerCase();
    for (const alias of use.aliases) {
      // An alias the use's name contains, or its initials, names the whole software ("winrm" in "Windows Remote
      // Management (WinRM …)", "SMB" for Server Message Block), so its main port is the use's; another may name
      // one part of it ("corosync" in Proxmox VE's entry, on 5405 and not its main port 8006), so the use's order
      // says nothing of which port it means.
      const key = normaliseName(alias);
      const part = use.ports.length > 1 && !whole.includes(key) && !initials.startsWith(key);
      add(alias, { via: other, name: use.name, source, at: part ? 0 : at });
      if (use.malware) add(malwareFamily(alias), { via: other, name: use.name, source, at });
    }
    if (family) add(family, { via: other, name: use.name, source, at });
  }
  for (const name of names.former) add(name, { via: 'former', name, source: `former:${port}`, at: 0 });
  return claims;
}

/** Ports a name lists at most: enough for a page of results, not x11's 64. */
export const MAX_PORTS_PER_NAME = 12;

/** One port of a name, as a shard stores it. */
export type NamedPort = [port: number, via: NameVia] | [port: number, via: NameVia, name: string];

export interface NameEntry {
  ports: NamedPort[];
  /** The data says which port the name means: the first. */
  sure?: true;
}

/** One `/names/N.json` file. */
export interface NameShard {
  names: Record<string, NameEntry>;
}

/** How strongly a name belongs to one port; `rankPorts` compares these field by field. */
export interface PortStanding {
  port: number;
  /** The strongest kind of claim (NAME_VIA's order). */
  via: NameVia;
  /** How many sources make that claim (two documented uses and IANA call 2592 "netrek"). */
  sources: number;
  /** The port's place in the source that makes the claim, the lowest if several. */
  at: number;
  /** How many of the port's names begin with the name (34962 is "profinet-rt", "PROFINET RT" and more). */
  support: number;
  /** The use or former name that matched, if that is what did. */
  name?: string | undefined;
}

/**
 * The order of a name's ports, and whether the data decides the first: by the kind of claim (a documented use's
 * name, then its alias, then IANA's service name or an article's title, a port list's name, IANA's description,
 * anything else: NAME_VIA's order), then by how many sources make it, then by the port's place in its source (a use's main port
 * first, the first of an IANA range), then by how many of the port's names begin with the name. The number decides only ties, and a first port that
 * only its number puts first is not `sure`.
 */
export function rankPorts(standings: readonly PortStanding[]): { ports: PortStanding[]; sure: boolean } {
  const compare = (a: PortStanding, b: PortStanding) =>
    TIER[a.via] - TIER[b.via] || b.sources - a.sources || a.at - b.at || b.support - a.support;
  const ports = [...standings].sort((a, b) => compare(a, b) || a.port - b.port);
  const [first, second] = ports;
  return { ports, sure: first !== undefined && (second === undefined || compare(first, second) < 0) };
}

/** How many shards the names are spread over: about 1 KB each, compressed, for 12,000 names. */
export const NAME_SHARD_COUNT = 128;

/**
 * The shard a normalised name is in: a hash (32-bit FNV-1a over UTF-16 code units) of its first two characters,
 * modulo NAME_SHARD_COUNT. Every name that begins with the same two characters is in the same shard, so a shard
 * also holds the longer names a query begins ("netrek" → "netrekmetaserver"); one file per first character would
 * put all the names that start with "s" (110 KB) in one.
 */
export function nameShardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < Math.min(2, key.length); i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % NAME_SHARD_COUNT;
}

/** The names index from every port's names, as shards. */
export function buildNameShards(all: readonly PortNames[]): Map<number, NameShard> {
  const claimsByPort = new Map(all.map((names) => [names.port, nameClaims(names)]));
  const byKey = new Map<string, Map<number, NameClaim[]>>();
  for (const [port, claims] of claimsByPort) {
    for (const claim of claims) {
      let ports = byKey.get(claim.key);
      if (!ports) byKey.set(claim.key, (ports = new Map<number, NameClaim[]>()));
      ports.set(port, [...(ports.get(port) ?? []), claim]);
    }
  }
  // Every shard, empty or not, so a lookup never meets a 404.
  const shards = new Map<number, NameShard>(
    Array.from({ length: NAME_SHARD_COUNT }, (_, n): [number, NameShard] => [n, { names: {} }]),
  );
  for (const key of [...byKey.keys()].sort()) {
    const standings = [...byKey.get(key)!].map(([port, claims]): PortStanding => {
      const best = Math.min(...claims.map((claim) => TIER[claim.via]));
      const strongest = claims.filter((claim) => TIER[claim.via] === best);
      const support = claimsByPort.get(port)!.filter((claim) => claim.key.startsWith(key));
      return {
        port,
        via: strongest[0]!.via,
        sources: new Set(strongest.map((claim) => claim.source)).size,
        at: Math.min(...strongest.map((claim) => claim.at)),
        support: new Set(support.map((claim) => claim.source)).size,
        name: strongest.find((claim) => claim.name)?.name,
      };
    });
    const { ports, sure } = rankPorts(standings);
    shards.get(nameShardOf(key))!.names[key] = {
      ports: ports
        .slice(0, MAX_PORTS_PER_NAME)
        .map(({ port, via, name }): NamedPort => (name ? [port, via, name] : [port, via])),
      ...(sure ? { sure: true as const } : {}),
    };
  }
  return shards;
}

// --- Reading a shard (browser and server) -------------------------------------------------------------------

/** What a query asks for by name: its normalised name and shard, and a port number typed with it ("ssh 22"). */
export interface NameQuery {
  key: string;
  shard: number;
  port?: number;
}

/**
 * The name in a query, or undefined when there is none to look up: a bare number is a number query
 * (src/lib/ports/query.ts). A name with a port number before or after it ("ssh 22", "22 ssh") asks for that port
 * under that name.
 */
export function parseNameQuery(query: string): NameQuery | undefined {
  const text = query.trim();
  const numbered = /^(?<a>\d{1,5})\s+(?<name>\D.*)$|^(?<name2>.*\D)\s+(?<b>\d{1,5})$/u.exec(text)?.groups;
  const name = numbered?.['name'] ?? numbered?.['name2'] ?? text;
  const key = normaliseName(name);
  if (key.length < 2 || /^\d+$/.test(key)) return undefined;
  const digits = numbered?.['a'] ?? numbered?.['b'];
  const port = digits === undefined ? undefined : Number(digits);
  return { key, shard: nameShardOf(key), ...(port !== undefined && port <= 65535 ? { port } : {}) };
}

/** A port a name found. */
export interface NameMatch {
  port: number;
  via: NameVia;
  /** The use or former name that matched, when it differs from the port's own names. */
  name?: string | undefined;
  /** The query is the whole name, not the start of a longer one. */
  exact: boolean;
}

export interface NameResolution {
  /** The ports found: the exact name's, then those of longer names that begin with it. */
  matches: NameMatch[];
  /** The port the query names, when the data says which: open it on Enter, redirect to it. */
  answer?: number;
}

/** Names at least this long also find the longer names they begin ("netrek" → "Netrek metaserver"). */
export const MIN_PREFIX = 3;
/** Ports that longer names add, at most. */
export const MAX_PREFIX_PORTS = 6;

/**
 * The ports a query names, from the shard its name is in (`parseNameQuery(query).shard`): the exact name's
 * ports in their ranked order, the answer if the shard is sure of it (or if the query also gives one of the
 * name's ports, as in "ssh 22"), then ports of longer names that begin with the query. Used by the browser's
 * search and by a server that redirects `/search/?q=…` to a port's page.
 */
export function resolveName(query: string | NameQuery, shard: NameShard): NameResolution {
  const parsed = typeof query === 'string' ? parseNameQuery(query) : query;
  if (!parsed) return { matches: [] };
  const { key, port } = parsed;
  const entry = Object.hasOwn(shard.names, key) ? shard.names[key] : undefined;
  const matches: NameMatch[] = (entry?.ports ?? []).map(([p, via, name]) => ({
    port: p,
    via,
    ...(name ? { name } : {}),
    exact: true,
  }));
  const answer = entry?.sure ? matches[0]?.port : undefined;
  if (port !== undefined) {
    // "ssh 22": the number must be one of the name's ports; then it is the answer, whatever the name's first is.
    const named = matches.findIndex((match) => match.port === port);
    if (named < 0) return { matches: [] };
    return { matches: [matches[named]!, ...matches.filter((_, i) => i !== named)], answer: port };
  }
  if (key.length >= MIN_PREFIX) {
    const seen = new Set(matches.map((match) => match.port));
    const longer = Object.keys(shard.names)
      .filter((name) => name !== key && name.startsWith(key))
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    let added = 0;
    for (const name of longer) {
      for (const [p, via, use] of shard.names[name]!.ports) {
        if (added >= MAX_PREFIX_PORTS) break;
        if (seen.has(p)) continue;
        seen.add(p);
        added++;
        matches.push({ port: p, via, ...(use ? { name: use } : {}), exact: false });
      }
    }
  }
  return { matches, ...(answer !== undefined ? { answer } : {}) };
}
