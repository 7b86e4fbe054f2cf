/**
 * What a port number is: a whole number from 0 to 65535 (RFC 6335), and the transport protocols IANA registers
 * ports for. Every check of a port number in the project is built on `MAX_PORT` here.
 */
import { z } from 'zod';

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

/**
 * The schema of a port number, for content and for the feedback API alike. It never coerces: `"3515"`, `true`
 * and `3515.5` are refused, each with a message that says what a port number is.
 */
export const portNumber = z
  .number({ error: `expected a port number, a whole number from ${MIN_PORT} to ${MAX_PORT}` })
  .int({ error: 'expected a whole port number' })
  .min(MIN_PORT, { error: `a port number is ${MIN_PORT} or more` })
  .max(MAX_PORT, { error: `a port number is at most ${MAX_PORT}` });
