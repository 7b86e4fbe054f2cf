/**
 * How one vote is recorded: inside the transaction, count the minute's votes from the network, then replace the
 * reader's earlier vote or, for a new reader, check the caps of its network and of its wider IPv6 blocks and
 * insert. SQLite runs these statements (sqlite.ts); PostgreSQL runs the same steps inside one function call per
 * batch (`cast_votes` in migrations.ts), and the store suite holds both to the same outcomes. The SQL is written
 * with `$n` parameters; the day-key statements are shared by both.
 */
import { StoreUnavailableError, type Ballot, type CastOutcome, type Limits } from './store.ts';

export const SQL = {
  rate: `INSERT INTO rate_limits (key, minute, hits) VALUES ($1, $2, 1)
    ON CONFLICT (key, minute) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits`,
  // Counting stops at each cap: past it the exact number does not matter. An IPv4 vote has no wider blocks: NULL
  // matches nothing, so their counts are 0.
  check: `SELECT (SELECT 1 FROM votes WHERE port = $1 AND voter = $2 AND day = $3) AS found,
    (SELECT COUNT(*) FROM (SELECT 1 FROM votes WHERE port = $1 AND day = $3 AND network = $4 LIMIT $5) capped) AS n,
    (SELECT COUNT(*) FROM (SELECT 1 FROM votes WHERE port = $1 AND day = $3 AND network56 = $6 LIMIT $7) c56) AS n56,
    (SELECT COUNT(*) FROM (SELECT 1 FROM votes WHERE port = $1 AND day = $3 AND network48 = $8 LIMIT $9) c48) AS n48`,
  // A comment keeps the answer it was written under ($1) and its time ($6): a later answer without a comment
  // ($2 = 1) changes the vote, not what the comment was said about.
  update: `UPDATE votes SET rating = $1,
      comment = CASE WHEN $2 = 1 THEN comment ELSE $3 END,
      comment_rating = CASE WHEN $2 = 1 THEN comment_rating WHEN CAST($3 AS TEXT) IS NULL THEN NULL ELSE $1 END,
      commented_at = CASE WHEN $2 = 1 THEN commented_at WHEN CAST($3 AS TEXT) IS NULL THEN NULL ELSE $6 END,
      reasons = COALESCE($4, reasons), locale = $5, updated_at = $6
    WHERE port = $7 AND voter = $8 AND day = $9`,
  insert: `INSERT INTO votes (port, voter, day, network, locale, rating, comment, reasons, created_at, updated_at,
      network56, network48, comment_rating, commented_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
      CASE WHEN CAST($7 AS TEXT) IS NULL THEN NULL ELSE $6 END, CASE WHEN CAST($7 AS TEXT) IS NULL THEN NULL ELSE $9 END)`,
  prune: `DELETE FROM rate_limits WHERE minute < $1`,
  /**
   * The day's wrapped key is stored (`$2`) when it has none, unless a later day has one already: a day that is
   * over never gets a key again. Then the keys of earlier days are deleted, and the day's is read back.
   */
  dayKeyInsert: `INSERT INTO day_keys (day, wrapped) SELECT $1, $2
    WHERE NOT EXISTS (SELECT 1 FROM day_keys WHERE day > $1) ON CONFLICT (day) DO NOTHING`,
  dayKeyForget: `DELETE FROM day_keys WHERE day < $1`,
  dayKeySelect: `SELECT wrapped FROM day_keys WHERE day = $1`,
} as const;

/** Stores, forgets and reads back day keys as SQL.dayKey* says, in a transaction the caller opened. */
export async function dayKey(run: Run, day: string, candidate: string): Promise<{ wrapped: string; forgot: boolean }> {
  await run(SQL.dayKeyInsert, [day, candidate]);
  const forgot = (await run(`${SQL.dayKeyForget} RETURNING day`, [day])).length > 0;
  const wrapped = (await run(SQL.dayKeySelect, [day]))[0]?.['wrapped'];
  if (typeof wrapped !== 'string') {
    throw new StoreUnavailableError(`${day} is over: its visitor key is gone, so votes dated that day are refused`);
  }
  return { wrapped, forgot };
}

export type Run = (sql: string, args: readonly (string | number | null)[]) => Promise<Record<string, unknown>[]>;

/** Records `ballot` with the statements `run` executes, inside a transaction the caller opened. */
export async function castBallot(run: Run, ballot: Ballot, limits: Limits): Promise<CastOutcome> {
  const at = ballot.at.toISOString();
  const day = at.slice(0, 10);
  const minute = Math.floor(ballot.at.getTime() / 60_000);
  const caps = blockLimits(limits);
  const blocks = [ballot.network56 ?? null, caps.per56, ballot.network48 ?? null, caps.per48];
  const hits = (await run(SQL.rate, [ballot.rateKey, minute]))[0]?.['hits'];
  if (Number(hits) > limits.perMinute) {
    return { kind: 'rate-limit', retryAfter: 60 - ballot.at.getUTCSeconds() };
  }
  const check = (
    await run(SQL.check, [ballot.port, ballot.voter, day, ballot.network, limits.perNetwork, ...blocks])
  )[0];
  const reasons = ballot.reasons === undefined ? null : JSON.stringify(ballot.reasons);
  if (check?.['found'] != null) {
    await run(SQL.update, [
      ballot.rating,
      ballot.comment === undefined ? 1 : 0,
      ballot.comment || null,
      reasons,
      ballot.locale,
      at,
      ballot.port,
      ballot.voter,
      day,
    ]);
    return { kind: 'replaced' };
  }
  for (const [count, limit] of [
    [check?.['n'], limits.perNetwork],
    [check?.['n56'], caps.per56],
    [check?.['n48'], caps.per48],
  ] as const) {
    if (Number(count ?? 0) >= limit) return { kind: 'network-limit', limit };
  }
  await run(SQL.insert, [
    ballot.port,
    ballot.voter,
    day,
    ballot.network,
    ballot.locale,
    ballot.rating,
    ballot.comment || null,
    reasons ?? '[]',
    at,
    at,
    ballot.network56 ?? null,
    ballot.network48 ?? null,
  ]);
  return { kind: 'stored' };
}

/** The caps of a vote's wider IPv6 blocks, from the limits or by default from the per-network cap. */
export function blockLimits(limits: Limits): { per56: number; per48: number } {
  return { per56: limits.perNetwork56 ?? 2 * limits.perNetwork, per48: limits.perNetwork48 ?? 4 * limits.perNetwork };
}
