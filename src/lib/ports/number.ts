/**
 * What a port number is: a whole number from 0 to 65535 (RFC 6335), and the transport protocols IANA registers
 * ports for. Every check of a port number in the project is built on `MAX_PORT` here. Browser code imports this
 * module, so it stays free of zod; the schema is in ./schema.ts.
 */
export const MIN_PORT = 0;
export const MAX_PORT = 65535;

export const PROTOCOLS = ['tcp', 'udp', 'sctp', 'dccp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT;
}

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}

/** Port numbers as a reader writes them: runs of consecutive numbers as ranges ("80, 443, 6000–6063"). */
export function portList(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i]!;
    while (sorted[i + 1] === sorted[i]! + 1) i++;
    const last = sorted[i]!;
    parts.push(first === last ? String(first) : last === first + 1 ? `${first}, ${last}` : `${first}–${last}`);
  }
  return parts.join(', ');
}
