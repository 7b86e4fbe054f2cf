/**
 * What a feedback vote may contain. The same schema checks JSON bodies and form posts (whose fields arrive as
 * strings), so both paths refuse the same things with the same words.
 */
import { z } from 'zod';
import { portNumber } from '../ports/number.ts';

export const RATINGS = ['not-helpful', 'somewhat', 'helpful'] as const;
export type Rating = (typeof RATINGS)[number];

export const REASONS = ['out-of-date', 'command-failed', 'wrong-attribution', 'other'] as const;
export type Reason = (typeof REASONS)[number];

export const MAX_COMMENT = 1000;
/** Bodies are refused above this size before they are parsed. */
export const MAX_BODY_BYTES = 4096;

// C0 and C1 controls other than tab and line breaks, which a comment may contain.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export const voteSchema = z.strictObject({
  /** The port page voted on. */
  port: portNumber,
  rating: z.enum(RATINGS, { error: `rating must be one of ${RATINGS.join(', ')}` }),
  comment: z
    .string({ error: 'comment must be text' })
    .trim()
    .max(MAX_COMMENT, { error: `comment must be at most ${MAX_COMMENT} characters` })
    .refine((text) => !CONTROL.test(text), { error: 'comment must not contain control characters' })
    .optional(),
  reasons: z
    .preprocess(
      (value) => (typeof value === 'string' ? [value] : value),
      z.array(z.enum(REASONS, { error: `reasons must be among ${REASONS.join(', ')}` })).max(REASONS.length),
    )
    .optional(),
  /** A random id the browser keeps, so a reader's later votes on the same day update the first one. */
  voter: z
    .string()
    .regex(/^[\w+/=-]{8,64}$/, { error: 'voter must be a short random id' })
    .optional(),
  /** Honeypot: hidden from people, filled in by form-filling bots. */
  website: z.string().max(200).optional(),
});

export type Vote = z.infer<typeof voteSchema>;

/** The first problem, in words a client developer can act on: `rating: rating must be one of …`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid vote';
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  const path = issue.path.join('.');
  return path && !issue.message.startsWith(path.split('.')[0] ?? '') ? `${path}: ${issue.message}` : issue.message;
}
