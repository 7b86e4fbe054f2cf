/**
 * The listeners of a pasted socket list joined with what the site knows of each port (the lookup shards,
 * src/lib/search/lookup.ts): one row per port and protocol, with the reasons it deserves a look, flagged rows
 * first. Plain data; src/scripts/listener-table.ts draws it.
 */
import { rangeOf, type PortRange } from '../ports/range.ts';
import { lookupShard, type LookupEntry, type LookupGap, type LookupShard } from '../search/lookup.ts';
import type { Scope } from './address.ts';
import type { Listener, Protocol } from './parse.ts';

/**
 * Why a listener deserves a look:
 * - `dormant`: its port's verdict is "likely dormant", so nothing legitimate is known to listen there;
 * - `squatted`: others are known to use the port and its own software is not (unofficial uses, no default one);
 * - `malware`: malware has been reported on the port;
 * - `unregistered`: it is open on every interface, on a number registered to nothing.
 */
export const FLAGS = ['malware', 'dormant', 'squatted', 'unregistered'] as const;
export type Flag = (typeof FLAGS)[number];

export type KnownUse = NonNullable<LookupEntry['uses']>[number];

export interface Row {
  port: number;
  protocol: Protocol;
  /** Who can reach it: every interface if any of its sockets is on all of them, else a specific address, else loopback. */
  scope: Scope;
  /** The addresses as printed, each once. */
  addresses: string[];
  /** The programs and process ids holding it, each pair once. */
  processes: { name?: string; pid?: number }[];
  /** What the site knows of the port, if it has a page. */
  entry?: Omit<LookupEntry, 'port'>;
  /** IANA's unassigned or reserved block holding the number, if any. */
  gap?: LookupGap;
  range: PortRange;
  flags: Flag[];
}

export interface Report {
  rows: Row[];
  /** Rows with at least one flag. */
  flagged: number;
  tcp: number;
  udp: number;
}

/** The lookup shards a set of listeners needs, each once. */
export function shardsFor(listeners: readonly Listener[]): number[] {
  return [...new Set(listeners.map((listener) => lookupShard(listener.port)))].sort((a, b) => a - b);
}

const SCOPE_ORDER: Record<Scope, number> = { all: 0, specific: 1, loopback: 2 };

/** Flags for a port given what its page says and who can reach it. */
export function flagsFor(entry: Omit<LookupEntry, 'port'> | undefined, scope: Scope): Flag[] {
  if (!entry) return scope === 'all' ? ['unregistered'] : [];
  const uses = entry.uses ?? [];
  const flags: Flag[] = [];
  if (uses.some((use) => use.kind === 'malware')) flags.push('malware');
  if (entry.verdict === 'likely-dormant') flags.push('dormant');
  else if (uses.some((use) => use.kind === 'unofficial') && !uses.some((use) => use.kind === 'default')) {
    flags.push('squatted');
  }
  return flags;
}

/**
 * One row per port and protocol, flagged rows first, then by port and protocol. A port missing from its shard
 * has no page; `shards` lacking a shard altogether (it failed to load) leaves the rows unflagged but there.
 */
export function buildReport(listeners: readonly Listener[], shards: ReadonlyMap<number, LookupShard>): Report {
  const groups = new Map<string, Listener[]>();
  for (const listener of listeners) {
    const key = `${listener.protocol} ${listener.port}`;
    groups.set(key, [...(groups.get(key) ?? []), listener]);
  }
  const rows: Row[] = [...groups.values()].map((group) => {
    const { port, protocol } = group[0]!;
    const scope = group.map((l) => l.scope).sort((a, b) => SCOPE_ORDER[a] - SCOPE_ORDER[b])[0]!;
    const processes = new Map<string, { name?: string; pid?: number }>();
    for (const { process, pid } of group) {
      if (process === undefined && pid === undefined) continue;
      processes.set(`${process ?? ''} ${pid ?? ''}`, {
        ...(process !== undefined ? { name: process } : {}),
        ...(pid !== undefined ? { pid } : {}),
      });
    }
    const shard = shards.get(lookupShard(port));
    const entry = shard?.entries[port];
    const gap = shard?.gaps.find(([first, last]) => port >= first && port <= last);
    return {
      port,
      protocol,
      scope,
      addresses: [...new Set(group.map((l) => l.address))],
      processes: [...processes.values()],
      ...(entry ? { entry } : {}),
      ...(gap ? { gap } : {}),
      range: rangeOf(port).range,
      flags: shard ? flagsFor(entry, scope) : [],
    };
  });
  rows.sort(
    (a, b) =>
      Number(b.flags.length > 0) - Number(a.flags.length > 0) ||
      a.port - b.port ||
      a.protocol.localeCompare(b.protocol),
  );
  return {
    rows,
    flagged: rows.filter((row) => row.flags.length > 0).length,
    tcp: rows.filter((row) => row.protocol === 'tcp').length,
    udp: rows.filter((row) => row.protocol === 'udp').length,
  };
}
