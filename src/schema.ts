/**
 * The one schema for port pages (`content/ports/N.mdx`). Every field says what it means; error messages are
 * written for the person editing the frontmatter. `src/content.config.ts` wires it to the collection, and the
 * unit tests parse it directly, so nothing here may import from `astro:*`.
 */
import { z } from 'astro/zod';
import { OPERATING_SYSTEMS } from './lib/ports/commands.ts';
import { PROTOCOLS } from './lib/ports/number.ts';
import { portNumber } from './lib/ports/schema.ts';
import { USE_KINDS as KNOWN_USE_KINDS, type UseEvidence } from './lib/uses.ts';

/** Closed set of verdicts a page can give. Documented for authors in README.md ("Adding a port page"). */
export const STATUSES = {
  dormant: 'No known program uses the port: neither the registered service nor anyone else.',
  squatted: 'The registered service is gone or never shipped, but other programs or malware use the port.',
  active: 'The registered service is still in use.',
} as const;
export type Status = keyof typeof STATUSES;

export const USE_KINDS = ['malware', 'game', 'software', 'other'] as const;
export const EVIDENCE = {
  sourced: 'A cited source says it, and it was read.',
  reported: 'Claimed in port write-ups, but no primary source has been found yet.',
} as const;

const ISO_DATE = /^(?<y>\d{4})(?:-(?<m>\d{2})(?:-(?<d>\d{2}))?)?$/;

function validPartialDate(value: string): boolean {
  const groups = ISO_DATE.exec(value)?.groups;
  if (!groups) return false;
  const month = groups['m'] === undefined ? 1 : Number(groups['m']);
  const day = groups['d'] === undefined ? 1 : Number(groups['d']);
  const date = new Date(Date.UTC(Number(groups['y']), month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A date as precise as the source is: `2002`, `2002-05` or `2002-05-14`. YAML turns a bare full date into a
 * Date object, so that is folded back into its ISO form first.
 */
const partialDate = (precision: 'year' | 'month') =>
  z.preprocess(
    (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
    z.string().refine((value) => validPartialDate(value) && (precision === 'year' || value.length >= 7), {
      message:
        precision === 'year'
          ? 'expected a date written YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2002-07-01)'
          : 'expected a date written YYYY-MM or YYYY-MM-DD, as IANA gives it (e.g. 2002-05)',
    }),
  );

/** A full calendar day. YAML gives a Date for `2026-11-22`; anything else (e.g. "May 2002") is refused. */
const day = z.preprocess(
  (value) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value) : value),
  z.date({ error: 'expected a day written YYYY-MM-DD (e.g. 2026-11-22)' }),
);

const protocol = z.enum(PROTOCOLS, { error: `expected one of ${PROTOCOLS.join(', ')}` });

const protocols = z
  .array(protocol)
  .min(1, { error: 'list at least one protocol' })
  .refine((list) => new Set(list).size === list.length, { error: 'a protocol is listed twice' });

const text = z.string().trim().min(1, { error: 'must not be empty' });

/** The registration exactly as IANA's registry gives it; people and documents keep IANA's `[Bracket_Form]`. */
export const ianaSchema = z.strictObject({
  /** IANA service name, e.g. `must-backplane`. */
  service: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, { error: 'expected an IANA service name such as must-backplane' }),
  /** IANA's description, e.g. "MUST Backplane". */
  description: text,
  /** Transport protocols the registration covers. */
  protocols,
  /** Assignee as IANA writes it, e.g. `[Rick_Stefanik]`. */
  assignee: text.optional(),
  /** Contact as IANA writes it. */
  contact: text.optional(),
  /** Registration date, YYYY-MM or YYYY-MM-DD. */
  registered: partialDate('month').optional(),
  /** Last modification date, if IANA records one. */
  modified: partialDate('month').optional(),
  /** IANA's reference column, e.g. `[RFC6335]`. */
  reference: text.optional(),
  /** IANA's "Unauthorized Use Reported" note. */
  unauthorizedUse: text.optional(),
});

/** Something other than the registered service seen on the port. */
export const unofficialUseSchema = z.strictObject({
  /** The program, game or malware family, e.g. "Netrek metaserver". */
  name: text,
  /** Other names it goes by (vendor detection names, spellings). */
  aliases: z.array(text).default([]),
  kind: z.enum(USE_KINDS, { error: `expected one of ${USE_KINDS.join(', ')}` }),
  /** Protocols it uses on the port. */
  protocols,
  /** Every port number involved, this one included, e.g. [3520, 3521, 3522]. */
  ports: z.array(portNumber).min(1, { error: 'list at least one port' }),
  /** When it was seen, in words or years, e.g. "2002" or "1990s to today". */
  period: text,
  /** One or two sentences in our own words. */
  summary: text,
  /** `sourced` needs at least one reference; `reported` is shown as not yet sourced. */
  evidence: z.enum(Object.keys(EVIDENCE) as [keyof typeof EVIDENCE], { error: 'expected sourced or reported' }),
  /** Ids from `references`. */
  references: z.array(text).default([]),
});

const COMMAND = z.strictObject({ label: text, command: text });

/** Per-system additions to the generated check commands, or replacements with `replace: true`. */
export const checkCommandsSchema = z.partialRecord(
  z.enum(OPERATING_SYSTEMS, { error: `expected one of ${OPERATING_SYSTEMS.join(', ')}` }),
  z.strictObject({ replace: z.boolean().default(false), commands: z.array(COMMAND).min(1) }),
);

export const referenceSchema = z.strictObject({
  /** Short id cited by uses and by `<Ref id="…" />` in the body, e.g. `nmap-services`. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a short id of lowercase letters, digits and dashes' }),
  title: text,
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  publisher: text,
  /** Publication date, as precise as the source gives it; omit if unknown. */
  date: partialDate('year').optional(),
  /** The day we last read it; leave it out rather than guess. */
  accessed: day.optional(),
});

export const portSchema = z
  .strictObject({
    /** The port number; must equal the file name (`3515.mdx` → 3515). */
    port: portNumber,
    /** The registered service as readers know it, e.g. "MUST Backplane". */
    title: text,
    /** One or two sentences, used in lists, the meta description and search results. */
    summary: text.max(300, { error: 'keep the summary to 300 characters or fewer' }),
    status: z.enum(Object.keys(STATUSES) as [Status], {
      error: `expected one of ${Object.keys(STATUSES).join(', ')}`,
    }),
    /** Day the page was last checked against its sources. */
    reviewed: day,
    /** The registration as IANA gives it; must match the registry snapshot. Omit it to take the snapshot's. */
    iana: ianaSchema.optional(),
    unofficialUses: z.array(unofficialUseSchema).default([]),
    checkCommands: checkCommandsSchema.default({}),
    references: z.array(referenceSchema).default([]),
  })
  .superRefine((page, ctx) => {
    const ids = new Set<string>();
    page.references.forEach((ref, i) => {
      if (ids.has(ref.id))
        ctx.addIssue({ code: 'custom', path: ['references', i, 'id'], message: `duplicate reference id "${ref.id}"` });
      ids.add(ref.id);
    });
    page.unofficialUses.forEach((use, i) => {
      use.references.forEach((id, j) => {
        if (!ids.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['unofficialUses', i, 'references', j],
            message: `no reference with id "${id}" in this page's references`,
          });
        }
      });
      if (use.evidence === 'sourced' && use.references.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['unofficialUses', i, 'evidence'],
          message: `"${use.name}" is marked sourced but cites no reference; cite one or mark it reported`,
        });
      }
    });
    // A badge states its status as fact; "squatted" needs a use that a cited source confirms.
    if (page.status === 'squatted' && !page.unofficialUses.some((use) => use.evidence === 'sourced')) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message:
          'status is squatted, but no unofficial use is sourced; use dormant and keep the uses marked reported until a source confirms one',
      });
    }
  });

export type PortFrontmatter = z.infer<typeof portSchema>;
export type PortPage = PortFrontmatter;
export type IanaRegistration = z.infer<typeof ianaSchema>;
export type UnofficialUse = z.infer<typeof unofficialUseSchema>;
export type Reference = z.infer<typeof referenceSchema>;

/** A page under /about/ (`content/about/*.mdx`): how the site works, for readers who want to trust or reuse it. */
export const aboutSchema = z.strictObject({
  title: text,
  /** One sentence for the meta description and the /about/ index. */
  description: text.max(200, { error: 'keep the description to 200 characters or fewer' }),
  /** Position in the /about/ index and the footer. */
  order: z.number().int(),
});

/** Evidence levels a dataset entry may claim; `listed` is kept for the port lists in content/evidence/. */
const DATASET_EVIDENCE = ['documented', 'reported'] as const satisfies readonly UseEvidence[];
/** A range in the dataset covers at most this many numbers: wider ones are dynamic ranges, not a default port. */
const MAX_USE_RANGE = 100;

/**
 * `3000`, or a range written `"34962-34964"`, as the numbers it covers, in the order written: the port the software
 * is known by comes first (Syncthing's 22000 before 21027), and search takes it as the answer to the name.
 */
const portsOrRanges = z
  .array(
    z.union([
      portNumber,
      z
        .string()
        .regex(/^\d{1,5}-\d{1,5}$/, { error: 'expected a port number, or a range written "34962-34964"' })
        .transform((range, ctx) => {
          const [first, last] = range.split('-').map(Number) as [number, number];
          if (first > last || last > 65535 || last - first + 1 > MAX_USE_RANGE) {
            ctx.addIssue({
              code: 'custom',
              message: `"${range}" is not a range of at most ${MAX_USE_RANGE} port numbers, low to high, up to 65535`,
            });
            return z.NEVER;
          }
          return Array.from({ length: last - first + 1 }, (_, i) => first + i);
        }),
    ]),
  )
  .min(1, { error: 'list at least one port' })
  .transform((items) => [...new Set(items.flat())]);

/** One entry of the known-uses dataset (`content/uses/*.yaml`): what runs on a port, and the page that says so. */
export const knownUseSchema = z.strictObject({
  /** Unique across the dataset: lowercase letters, digits and dashes. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected an id of lowercase letters, digits and dashes' }),
  /** The software or protocol as its users name it, e.g. "Grafana". */
  name: text,
  /** Who makes or maintains it: a company, a project or a standards body. */
  vendor: text,
  /** The port numbers it uses by default, its main one first, e.g. [3000] or ["34962-34964"]. */
  ports: portsOrRanges,
  protocols,
  kind: z.enum(Object.keys(KNOWN_USE_KINDS) as [keyof typeof KNOWN_USE_KINDS], {
    error: `expected one of ${Object.keys(KNOWN_USE_KINDS).join(', ')}`,
  }),
  evidence: z.enum(DATASET_EVIDENCE, { error: `expected one of ${DATASET_EVIDENCE.join(', ')}` }),
  /** Other names or abbreviations readers type for it. */
  aliases: z.array(text).default([]),
  /** Which part of the software listens there, in our words. */
  note: text.max(160, { error: 'keep the note to 160 characters or fewer' }).optional(),
  source: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    title: text,
    publisher: text,
    /** What the page says about the port, in our own words. */
    says: text.max(240, { error: 'keep "says" to 240 characters or fewer' }),
    /** The day the page was read. */
    read: day,
    /** The version of the software or document the page covers. */
    version: text.optional(),
  }),
});
export type KnownUseEntry = z.infer<typeof knownUseSchema>;
