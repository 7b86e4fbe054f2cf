/**
 * Tests that need a program this machine may lack (PostgreSQL, nginx, openssl) skip with a message that names
 * the package to install — but only outside CI. With `CI` set, a missing program fails the run instead, so CI
 * can never pass by quietly skipping the tests it exists to run.
 *
 *   describe('…', { skip: requires(postgresUnavailable(), nginxUnavailable()) }, () => { … });
 */

export function inCi(): boolean {
  const value = process.env['CI'] ?? '';
  return value !== '' && !/^(0|false)$/i.test(value);
}

/** `false` when every reason is undefined (nothing missing), else the skip message; in CI, throws instead. */
export function requires(...reasons: (string | undefined)[]): string | false {
  const missing = reasons.filter((reason): reason is string => Boolean(reason));
  if (missing.length === 0) return false;
  const message = missing.join('; ');
  if (inCi()) throw new Error(`CI is set, so these tests must run, but ${message}`);
  return message;
}
