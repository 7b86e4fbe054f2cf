/** The schema of a port number, built on the bounds in ./number.ts; for content and the feedback API alike. */
import { z } from 'zod';
import { MAX_PORT, MIN_PORT } from './number.ts';

/**
 * For content and for the feedback API alike. It never coerces: `"3515"`, `true`
 * and `3515.5` are refused, each with a message that says what a port number is.
 */
export const portNumber = z
  .number({ error: `expected a port number, a whole number from ${MIN_PORT} to ${MAX_PORT}` })
  .int({ error: 'expected a whole port number' })
  .min(MIN_PORT, { error: `a port number is ${MIN_PORT} or more` })
  .max(MAX_PORT, { error: `a port number is at most ${MAX_PORT}` });
