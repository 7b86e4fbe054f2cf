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
