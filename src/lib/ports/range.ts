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

/** The site groups ports in blocks of 1,000: /ports/range/3000-3999/ (and its JSON, /ports/range/3000-3999.json). */
export const BLOCK_SIZE = 1000;
/**
 * A block's rows are listed a hundred numbers a page, /ports/range/3100-3199/: a thousand rows are 26–30 KB
 * compressed, three times a page's first-load budget; a hundred fit in it.
 */
export const LIST_SIZE = 100;

export interface PortBlock {
  first: number;
  last: number;
  /** `3000-3999`, the block's name in its URLs. */
  slug: string;
}

function span(port: number, size: number): PortBlock {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  const first = Math.floor(port / size) * size;
  const last = Math.min(first + size - 1, MAX_PORT);
  return { first, last, slug: `${first}-${last}` };
}

/** The block of 1,000 a port is in: its JSON file and its overview page. */
export const blockOf = (port: number): PortBlock => span(port, BLOCK_SIZE);

/** The page of a hundred numbers a port is listed on. */
export const listOf = (port: number): PortBlock => span(port, LIST_SIZE);
