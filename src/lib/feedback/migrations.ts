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
];
