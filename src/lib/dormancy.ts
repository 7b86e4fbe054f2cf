/**
 * Which registrations are likely dormant, from the registry's own data. A registration is a dormancy
 * candidate when every signal below holds; the page shows each signal so a reader can weigh the verdict.
 * It is a heuristic: it finds registrations nobody has touched or documented, not proof that nobody uses a port.
 */
import { rangeOf } from './ports/range.ts';
import type { RegistryEntry } from './registry.ts';

/** A registration this old that was never updated has had time to show signs of life. */
export const OLD_BEFORE_YEAR = 2011;

export interface Signal {
  id: 'user-range' | 'old' | 'never-modified' | 'no-reference' | 'individual';
  holds: boolean;
}

export interface Verdict {
  candidate: boolean;
  signals: Signal[];
}

/** IANA writes people as `[First_Last]`; organisations and IETF bodies otherwise. */
function isIndividual(assignee: string | undefined): boolean {
  if (!assignee) return false;
  return /^\[[^\]]+\]$/.test(assignee) && !/^\[(IESG|IETF|IANA|IAB|RFC\d+)/i.test(assignee);
}

/** `[RFC1234]` or a named document in IANA's reference column; a bracketed person alone is not a document. */
function hasDocument(reference: string | undefined): boolean {
  return !!reference && /RFC|draft-|http|\[[^\]_]*\d[^\]]*\]/i.test(reference);
}

export function dormancy(entry: RegistryEntry): Verdict {
  const services = entry.services;
  const years = services.map((s) => (s.registered ? Number(s.registered.slice(0, 4)) : undefined));
  const signals: Signal[] = [
    { id: 'user-range', holds: rangeOf(entry.port).range === 'user' },
    { id: 'old', holds: years.every((y) => y !== undefined && y < OLD_BEFORE_YEAR) },
    { id: 'never-modified', holds: services.every((s) => !s.modified) },
    { id: 'no-reference', holds: services.every((s) => !hasDocument(s.reference)) },
    { id: 'individual', holds: services.every((s) => isIndividual(s.assignee)) },
  ];
  return { candidate: signals.every((s) => s.holds), signals };
}
