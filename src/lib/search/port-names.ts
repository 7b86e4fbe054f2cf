/**
 * One port's search names (names.ts, `PortNames`) from what its page shows: IANA's rows, the article's title, the
 * known uses, and the names the registry's history keeps. src/data/ports.ts (`getSearchNames()`) calls this for
 * every page; tests call it on the content read without Astro.
 */
import { liveRegistrations, type RegistryRow } from '../registry.ts';
import { assessUses, type KnownUse, type UseAssessment } from '../uses.ts';
import type { PortNames } from './names.ts';

export interface PortNamesInput {
  port: number;
  rows: readonly RegistryRow[];
  title?: string | undefined;
  uses: readonly KnownUse[];
  former?: readonly string[] | undefined;
}

const ORDER = { current: 0, listed: 1, other: 2 } as const;

/**
 * A use counts as `current` where its maker or specification documents it as running there today (a range's
 * other numbers included: VNC's 5901 is still VNC's); a port list's entry is `listed`; a historic, malware or
 * only reported use is `other`.
 */
function standing({ use, current, rangeOnly, historic }: UseAssessment): PortNames['uses'][number]['standing'] {
  if (use.evidence === 'documented' && (current || rangeOnly)) return 'current';
  if (use.evidence === 'listed' && !historic) return 'listed';
  return 'other';
}

export function portNames({ port, rows, title, uses, former = [] }: PortNamesInput): PortNames {
  const assessed = assessUses(uses, port);
  return {
    port,
    ...(title ? { title } : {}),
    registrations: liveRegistrations(rows).map(({ service, description, first, last }) => ({
      service,
      description,
      first,
      last,
    })),
    uses: assessed
      .map((assessment) => ({
        id: assessment.use.id,
        name: assessment.use.name,
        aliases: assessment.use.aliases,
        ports: assessment.use.ports,
        standing: standing(assessment),
        ...(assessment.use.kind === 'malware' ? { malware: true } : {}),
      }))
      .sort((a, b) => ORDER[a.standing] - ORDER[b.standing]),
    former: [...former],
  };
}
