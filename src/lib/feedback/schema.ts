/**
 * What a feedback vote may contain. JSON bodies are checked as they are: no field is coerced, so `"3515"`, `true`
 * or `[3515]` is not a port. Form posts arrive as text and are turned into the same shape first (see
 * `fromForm`), so both paths refuse the same things with the same words.
 */
import { z } from 'zod';
import { LOCALES } from '../../i18n/locales.ts';
import { portNumber } from '../ports/schema.ts';
import { RATINGS, REASONS } from './ratings.ts';

export { RATINGS, REASONS, type Rating, type Reason } from './ratings.ts';

export const MAX_COMMENT = 1000;
/** Bodies are refused above this size before they are parsed. */
export const MAX_BODY_BYTES = 4096;

// C0 and C1 controls other than tab and line breaks, which a comment may contain.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// Embedding, override and isolate controls can make a comment read differently from what it holds (the
// "Trojan Source" trick); a reader's comment has no use for them.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// What is left once spaces and invisible formatting characters (zero-width spaces and joiners, soft hyphens,
// word joiners, byte-order marks) are taken away must be something a person can read.
const INVISIBLE = /[\s\p{Cf}\p{Zs}\u115F\u1160\u3164\uFFA0]/gu;

const comment = z
  .string({ error: 'comment must be text' })
  .refine((text) => text.isWellFormed(), { error: 'comment must be valid Unicode text' })
  .transform((text) => text.normalize('NFC').trim())
  .refine((text) => text.length <= MAX_COMMENT, { error: `comment must be at most ${MAX_COMMENT} characters` })
  .refine((text) => !CONTROL.test(text), { error: 'comment must not contain control characters' })
  .refine((text) => !BIDI_CONTROL.test(text), {
    error: 'comment must not contain bidirectional override or isolate characters',
  })
  .refine((text) => text === '' || text.replace(INVISIBLE, '') !== '', {
    error: 'comment must contain visible text',
  });

export const voteSchema = z.strictObject({
  /** The port page voted on; every number 0–65535 has one. */
  port: portNumber,
  rating: z.enum(RATINGS, { error: `rating must be one of ${RATINGS.join(', ')}` }),
  comment: comment.optional(),
  reasons: z
    .array(z.enum(REASONS, { error: `reasons must be among ${REASONS.join(', ')}` }), {
      error: 'reasons must be a list',
    })
    .refine((list) => new Set(list).size === list.length, { error: 'reasons must not list a reason twice' })
    .optional(),
  /** The language of the page the vote was cast on. */
  locale: z.enum(LOCALES, { error: `locale must be one of ${LOCALES.join(', ')}` }).optional(),
  /** Honeypot: hidden from people, filled in by form-filling bots. */
  website: z.string().max(200).optional(),
});

export type Vote = z.infer<typeof voteSchema>;

/**
 * A form post as the object the schema checks. Keys are kept in a prototype-less object, so a field named
 * `__proto__` is an unknown field like any other rather than a way to change the object. `reasons` may repeat;
 * any other field given twice is refused. The port becomes a number only when it is written as plain digits.
 */
export function fromForm(form: URLSearchParams): { data: Record<string, unknown> } | { error: string } {
  const data = Object.create(null) as Record<string, unknown>;
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    if (key === 'reasons') {
      data[key] = values;
      continue;
    }
    if (values.length > 1) return { error: `${key}: the field is given more than once` };
    const value = values[0]!;
    // An empty textarea or honeypot posts "", which means "nothing".
    if ((key === 'comment' || key === 'website') && value === '') continue;
    data[key] = key === 'port' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  }
  return { data };
}

/**
 * The first problem, in words a client developer can act on: `rating: rating must be one of …`. `data` is what
 * was checked, so a field left out can be told apart from one with a wrong value.
 */
export function describeIssue(error: z.ZodError, data?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid vote';
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  const path = issue.path.join('.');
  const field = issue.path[0];
  const given = typeof data === 'object' && data !== null && typeof field === 'string' && Object.hasOwn(data, field);
  if (issue.code === 'invalid_type' && issue.path.length === 1 && !given) return `${path}: the field is missing`;
  return path && !issue.message.startsWith(path.split('.')[0] ?? '') ? `${path}: ${issue.message}` : issue.message;
}
