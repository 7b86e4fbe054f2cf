/** The three ranges of port numbers, RFC 6335 §6. */
import { isPort, MAX_PORT } from './number.ts';

export type PortRange = 'system' | 'user' | 'dynamic';

export interface RangeInfo {
  range: PortRange;
  first: number;
  last: number;
}

/** System (well-known) 0–1023, user (registered) 1024–49151, dynamic (private) 49152–65535. */
export const RANGES: readonly RangeInfo[] = [
  { range: 'system', first: 0, last: 1023 },
  { range: 'user', first: 1024, last: 49151 },
  { range: 'dynamic', first: 49152, last: MAX_PORT },
];

export function rangeOf(port: number): RangeInfo {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  // The ranges cover 0–65535 without gaps, so a valid port always finds one.
  return RANGES.find((r) => port >= r.first && port <= r.last)!;
}

/** The site lists ports in blocks of 1,000: /ports/range/3000-3999/ (and its JSON, /ports/range/3000-3999.json). */
export const BLOCK_SIZE = 1000;

export interface PortBlock {
  first: number;
  last: number;
  /** `3000-3999`, the block's name in its URLs. */
  slug: string;
}

export function blockOf(port: number): PortBlock {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  const first = Math.floor(port / BLOCK_SIZE) * BLOCK_SIZE;
  const last = Math.min(first + BLOCK_SIZE - 1, MAX_PORT);
  return { first, last, slug: `${first}-${last}` };
}
