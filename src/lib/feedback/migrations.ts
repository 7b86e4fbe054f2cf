/**
 * The feedback schema, as one ordered list of versions for both backends. A store records the versions it has
 * applied in `schema_migrations` and applies the rest in order, each in its own transaction. Most statements
 * are the same SQL for SQLite and PostgreSQL; where a dialect differs, the version gives both.
 */

export interface Migration {
  version: number;
  description: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

const both = (...statements: string[]) => ({ sqlite: statements, postgres: statements });

/**
 * PostgreSQL records a batch of votes in one call, so a batch costs one round trip and one commit however many
 * votes it holds (issue 26, finding 3: one transaction per vote made two instances a quarter as fast as SQLite).
 * Each vote goes through the same steps as castBallot() in cast.ts, in the batch's order: count the network's
 * minute, replace the reader's earlier vote, or check the caps of the network and its wider IPv6 blocks and
 * insert. Every lock is taken first, smallest id first, so that two batches that share a page and network
 * block, or a network's minute, wait for each other and never in a circle. `batch` is a JSON array of votes
 * (postgres.ts builds it); the result is one row per vote: its index, what happened, and the limit or the
 * seconds to wait when it was refused.
 */
const CAST_VOTES = `CREATE OR REPLACE FUNCTION cast_votes(batch jsonb, prune_before bigint)
  RETURNS TABLE (i integer, kind text, detail bigint)
  LANGUAGE plpgsql AS $fn$
DECLARE
  lock_id bigint;
  v record;
  n_hits bigint;
  counted bigint;
  inserted boolean;
BEGIN
  FOR lock_id IN
    SELECT DISTINCT id::bigint FROM jsonb_array_elements(batch) AS e, jsonb_array_elements_text(e -> 'locks') AS id
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(lock_id);
  END LOOP;

  FOR v IN
    SELECT * FROM jsonb_to_recordset(batch) AS x(
      n integer, port integer, voter text, day text, network text, network56 text, network48 text,
      rate_key text, minute bigint, retry integer, locale text, rating text, comment text, keep_comment boolean,
      reasons text, at text, per_network bigint, per_56 bigint, per_48 bigint, per_minute bigint)
    ORDER BY x.n
  LOOP
    i := v.n;
    detail := NULL;
    INSERT INTO rate_limits AS r (key, minute, hits) VALUES (v.rate_key, v.minute, 1)
      ON CONFLICT (key, minute) DO UPDATE SET hits = r.hits + 1
      RETURNING r.hits INTO n_hits;
    IF n_hits > v.per_minute THEN
      kind := 'rate-limit';
      detail := v.retry;
      RETURN NEXT;
      CONTINUE;
    END IF;

    UPDATE votes AS o SET rating = v.rating,
        comment = CASE WHEN v.keep_comment THEN o.comment ELSE v.comment END,
        comment_rating = CASE WHEN v.keep_comment THEN o.comment_rating WHEN v.comment IS NULL THEN NULL
          ELSE v.rating END,
        commented_at = CASE WHEN v.keep_comment THEN o.commented_at WHEN v.comment IS NULL THEN NULL ELSE v.at END,
        reasons = COALESCE(v.reasons, o.reasons), locale = v.locale, updated_at = v.at
      WHERE o.port = v.port AND o.voter = v.voter AND o.day = v.day;
    IF FOUND THEN
      kind := 'replaced';
      RETURN NEXT;
      CONTINUE;
    END IF;

    SELECT COUNT(*) INTO counted FROM (SELECT 1 FROM votes AS o
      WHERE o.port = v.port AND o.day = v.day AND o.network = v.network LIMIT v.per_network) AS capped;
    IF counted >= v.per_network THEN
      kind := 'network-limit';
      detail := v.per_network;
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF v.network56 IS NOT NULL THEN
      SELECT COUNT(*) INTO counted FROM (SELECT 1 FROM votes AS o
        WHERE o.port = v.port AND o.day = v.day AND o.network56 = v.network56 LIMIT v.per_56) AS capped;
      IF counted >= v.per_56 THEN
        kind := 'network-limit';
        detail := v.per_56;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF v.network48 IS NOT NULL THEN
      SELECT COUNT(*) INTO counted FROM (SELECT 1 FROM votes AS o
        WHERE o.port = v.port AND o.day = v.day AND o.network48 = v.network48 LIMIT v.per_48) AS capped;
      IF counted >= v.per_48 THEN
        kind := 'network-limit';
        detail := v.per_48;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;

    -- The same reader's vote from another network, in a batch of another instance at the same moment, is the
    -- one conflict the locks do not rule out: it is a replacement like any other.
    INSERT INTO votes AS o (port, voter, day, network, network56, network48, locale, rating, comment, reasons,
        created_at, updated_at, comment_rating, commented_at)
      VALUES (v.port, v.voter, v.day, v.network, v.network56, v.network48, v.locale, v.rating, v.comment,
        COALESCE(v.reasons, '[]'), v.at, v.at, CASE WHEN v.comment IS NULL THEN NULL ELSE v.rating END,
        CASE WHEN v.comment IS NULL THEN NULL ELSE v.at END)
      ON CONFLICT (port, voter, day) DO UPDATE SET rating = v.rating,
        comment = CASE WHEN v.keep_comment THEN o.comment ELSE v.comment END,
        comment_rating = CASE WHEN v.keep_comment THEN o.comment_rating WHEN v.comment IS NULL THEN NULL
          ELSE v.rating END,
        commented_at = CASE WHEN v.keep_comment THEN o.commented_at WHEN v.comment IS NULL THEN NULL ELSE v.at END,
        reasons = COALESCE(v.reasons, o.reasons), locale = v.locale, updated_at = v.at
      RETURNING (o.xmax = 0) INTO inserted;
    kind := CASE WHEN inserted THEN 'stored' ELSE 'replaced' END;
    RETURN NEXT;
  END LOOP;

  IF prune_before IS NOT NULL THEN
    DELETE FROM rate_limits WHERE minute < prune_before;
  END IF;
END
$fn$`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'votes, and the salts the first visitor hash used',
    ...both(
      `CREATE TABLE votes (
         port INTEGER NOT NULL,
         visitor TEXT NOT NULL,
         day TEXT NOT NULL,
         rating TEXT NOT NULL CHECK (rating IN ('not-helpful', 'somewhat', 'helpful')),
         comment TEXT,
         reasons TEXT NOT NULL DEFAULT '[]',
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL,
         PRIMARY KEY (port, visitor, day)
       )`,
      `CREATE TABLE salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL)`,
    ),
  },
  {
    version: 2,
    description: 'index for recent votes per page',
    ...both(`CREATE INDEX votes_by_port_time ON votes (port, updated_at)`),
  },
  {
    version: 3,
    description:
      'keyed visitor hashes (no salts in the database), the network a vote came from, its locale, rate limits',
    ...both(
      // The salts made the old hashes reversible from a copy of the database; with secure_delete on, dropping
      // them overwrites their pages too.
      `DROP TABLE salts`,
      `ALTER TABLE votes RENAME COLUMN visitor TO voter`,
      `ALTER TABLE votes ADD COLUMN network TEXT`,
      `ALTER TABLE votes ADD COLUMN locale TEXT NOT NULL DEFAULT 'en'`,
      `CREATE INDEX votes_by_network ON votes (port, day, network)`,
      // Covers the report's GROUP BY, so counting reads the index and never the rows.
      `CREATE INDEX votes_by_port_locale ON votes (port, locale, rating, updated_at)`,
      `CREATE TABLE rate_limits (
         key TEXT NOT NULL,
         minute BIGINT NOT NULL,
         hits INTEGER NOT NULL,
         PRIMARY KEY (key, minute)
       )`,
    ),
  },
  {
    version: 4,
    description: 'the votes with a comment in an index of their own, for the report; the index it replaces goes',
    ...both(
      // The report's recent comments read only this (a vote in ten or so has a comment), not every vote's entry.
      `CREATE INDEX votes_with_comment ON votes (port, updated_at) WHERE comment IS NOT NULL`,
      // Version 2's index served only that query, and every vote paid for keeping it up to date.
      `DROP INDEX votes_by_port_time`,
    ),
  },
  {
    version: 5,
    description: 'each day its own random visitor key, wrapped with the server key, deleted once the day is over',
    sqlite: [`CREATE TABLE day_keys (day TEXT PRIMARY KEY, wrapped TEXT NOT NULL)`],
    // Unlogged: never written to PostgreSQL's write-ahead log, so not in its archives, replicas or base backups.
    // A crash empties it; the day then gets a new key, and its readers count as new readers.
    postgres: [`CREATE UNLOGGED TABLE day_keys (day TEXT PRIMARY KEY, wrapped TEXT NOT NULL)`],
  },
  {
    version: 6,
    description: 'the wider IPv6 blocks a vote came from (/56, /48), each with a cap of its own',
    ...both(
      `ALTER TABLE votes ADD COLUMN network56 TEXT`,
      `ALTER TABLE votes ADD COLUMN network48 TEXT`,
      // Only IPv6 votes have them.
      `CREATE INDEX votes_by_network56 ON votes (port, day, network56) WHERE network56 IS NOT NULL`,
      `CREATE INDEX votes_by_network48 ON votes (port, day, network48) WHERE network48 IS NOT NULL`,
    ),
  },
  {
    version: 7,
    description: 'a comment keeps the answer and the time it was written with, whatever the reader answers later',
    ...both(
      `ALTER TABLE votes ADD COLUMN comment_rating TEXT`,
      `ALTER TABLE votes ADD COLUMN commented_at TEXT`,
      // Earlier comments: the vote's own answer and time are the best there is.
      `UPDATE votes SET comment_rating = rating, commented_at = updated_at WHERE comment IS NOT NULL`,
      // The report's newest comments, by when they were written.
      `CREATE INDEX votes_by_comment ON votes (port, commented_at) WHERE comment IS NOT NULL`,
      `DROP INDEX votes_with_comment`,
    ),
  },
  {
    version: 8,
    description: 'PostgreSQL: a batch of votes recorded by one call, in one transaction (postgres.ts)',
    sqlite: [],
    postgres: [CAST_VOTES],
  },
];
