/**
 * The answers a vote can give, as plain constants: the report and the store need them without the vote schema
 * (schema.ts), which brings in zod.
 */
export const RATINGS = ['not-helpful', 'somewhat', 'helpful'] as const;
export type Rating = (typeof RATINGS)[number];

export const REASONS = ['out-of-date', 'command-failed', 'wrong-attribution', 'other'] as const;
export type Reason = (typeof REASONS)[number];
