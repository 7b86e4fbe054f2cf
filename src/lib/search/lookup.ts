/**
 * Exact port-number lookups without the full-text index: `/lookup/N.json` holds ports N×100 to N×100+99 — one
 * entry per port that has a page, and the blocks IANA lists without a service — a few KB per number typed.
 * The shapes here are shared by the build (src/pages/lookup/[shard].json.ts) and the browser (engine.ts).
 */
import type { VerdictValue } from '../dormancy.ts';
import { MAX_PORT } from '../ports/number.ts';
import type { GapStatus } from '../registry.ts';

export const LOOKUP_SHARD_SIZE = 100;
export const lookupShard = (port: number) => Math.floor(port / LOOKUP_SHARD_SIZE);

export interface LookupEntry {
  port: number;
  title: string;
  service: string;
  url: string;
  /** IANA registration date, YYYY-MM(-DD). */
  registered?: string;
  /** The page exists in every locale (articles); else only in English. */
  localized?: true;
  /** The page's dormancy verdict. */
  verdict: VerdictValue;
  /** What is known to run on the port: its default software, unofficial, historic and malware uses. */
  uses?: { name: string; kind: 'default' | 'unofficial' | 'historic' | 'malware' }[];
}

/** Numbers IANA lists without a service, e.g. [3522, 3529, 'unassigned'], with IANA's note on them if any. */
export type LookupGap = [first: number, last: number, status: GapStatus, note?: string];

/** One `/lookup/N.json` file. */
export interface LookupShard {
  entries: Record<string, Omit<LookupEntry, 'port'>>;
  gaps: LookupGap[];
}

/**
 * Every shard from 0 to the one holding port 65535, by shard number, empty ones too: a lookup must never meet a
 * 404. A gap that spans shards is cut at their edges.
 */
export function buildShards(entries: readonly LookupEntry[], gaps: readonly LookupGap[]): Map<number, LookupShard> {
  const shards = new Map<number, LookupShard>();
  for (let n = 0; n <= lookupShard(MAX_PORT); n++) shards.set(n, { entries: {}, gaps: [] });
  const shard = (n: number) => shards.get(n)!;
  for (const { port, ...entry } of entries) shard(lookupShard(port)).entries[port] = entry;
  for (const [first, last, ...rest] of gaps) {
    for (let n = lookupShard(first); n <= lookupShard(last); n++) {
      shard(n).gaps.push([
        Math.max(first, n * LOOKUP_SHARD_SIZE),
        Math.min(last, (n + 1) * LOOKUP_SHARD_SIZE - 1),
        ...rest,
      ]);
    }
  }
  return shards;
}
