/** Reading a port number out of what a reader types into a search field. */
import { isPort, type Protocol } from './number.ts';

export type PortQuery =
  { kind: 'port'; port: number; protocol?: Protocol } | { kind: 'out-of-range'; value: string } | { kind: 'text' };

/**
 * Recognises a query that names one port number in the forms people paste from tools and docs:
 * `3515`, `port 3515`, `3515/tcp`, `tcp/3515`, `:3521`, `udp 3521`, `TCP:3521`.
 */
const PORT_QUERY =
  /^(?:port\s*)?(?:(?<p1>tcp|udp|sctp|dccp)\s*[/:\s]\s*)?(?:port\s*)?:?(?<n>\d{1,9})(?:\s*[/\s]\s*(?<p2>tcp|udp|sctp|dccp))?$/i;

export function parsePortQuery(input: string): PortQuery {
  const match = PORT_QUERY.exec(input.trim());
  const digits = match?.groups?.['n'];
  if (!match || digits === undefined) return { kind: 'text' };
  const port = Number(digits);
  if (!isPort(port)) return { kind: 'out-of-range', value: digits };
  const protocol = (match.groups?.['p1'] ?? match.groups?.['p2'])?.toLowerCase() as Protocol | undefined;
  return protocol ? { kind: 'port', port, protocol } : { kind: 'port', port };
}
