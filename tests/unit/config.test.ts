/** Start-up settings that would quietly break a deployment are refused at start-up, naming the variable. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, readConfig } from '../../src/server/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a PostgreSQL store', () => {
  const url = 'postgres://dormant_ports:secret@db.internal:5432/dormant_ports';

  test('without FEEDBACK_SECRET or an existing key file is refused, as each instance would make its own key', () => {
    assert.throws(
      () => readConfig({ FEEDBACK_DB_URL: url, FEEDBACK_KEY_FILE: join(dir, 'missing.key') }),
      (error: unknown) => error instanceof ConfigError && /FEEDBACK_SECRET must be set/.test(error.message),
    );
  });

  test('takes FEEDBACK_SECRET, or a key file the instances share', () => {
    assert.equal(readConfig({ FEEDBACK_DB_URL: url, FEEDBACK_SECRET: 'ab'.repeat(32) }).store.url, url);
    const shared = join(dir, 'shared.key');
    writeFileSync(shared, `${'cd'.repeat(32)}\n`, { mode: 0o600 });
    assert.equal(readConfig({ FEEDBACK_DB_URL: url, FEEDBACK_KEY_FILE: shared }).keyFile, shared);
  });

  test('does not take the default key file in place of a shared secret: an earlier SQLite run may have made it', () => {
    const cwd = process.cwd();
    const project = mkdtempSync(join(dir, 'project-'));
    mkdirSync(join(project, 'data'));
    writeFileSync(join(project, 'data/feedback.key'), `${'ef'.repeat(32)}\n`, { mode: 0o600 });
    process.chdir(project);
    try {
      assert.throws(
        () => readConfig({ FEEDBACK_DB_URL: url }),
        (error: unknown) => error instanceof ConfigError && /FEEDBACK_SECRET must be set/.test(error.message),
      );
    } finally {
      process.chdir(cwd);
    }
  });

  test('a SQLite store still makes its key file on first start', () => {
    assert.doesNotThrow(() => readConfig({ FEEDBACK_KEY_FILE: join(dir, 'later.key') }));
  });
});

describe('timeouts that contradict each other', () => {
  // A client keeps an idle connection as long as the server's Keep-Alive header says, then sends on it; closed
  // earlier by the idle timeout, the request fails ("other side closed"): the audit's crawl lost 2,000-19,000 of
  // 23,000 links so, with SERVE_KEEP_ALIVE_TIMEOUT_MS 60000 against the 30 s idle timeout.
  test('a keep-alive as long as the idle timeout or longer is refused', () => {
    for (const keepAlive of ['30000', '60000']) {
      assert.throws(
        () => readConfig({ FEEDBACK_KEY_FILE: join(dir, 'timeouts.key'), SERVE_KEEP_ALIVE_TIMEOUT_MS: keepAlive }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /SERVE_KEEP_ALIVE_TIMEOUT_MS must be shorter than SERVE_IDLE_TIMEOUT_MS/.test(error.message),
      );
    }
  });

  test('a keep-alive shorter than the idle timeout is taken', () => {
    const env = { FEEDBACK_KEY_FILE: join(dir, 'timeouts.key'), SERVE_KEEP_ALIVE_TIMEOUT_MS: '60000' };
    assert.equal(readConfig({ ...env, SERVE_IDLE_TIMEOUT_MS: '120000' }).timeouts.keepAlive, 60_000);
  });
});

describe('settings a worker would only find wrong when it opens the store', () => {
  for (const [name, env, message] of [
    ['a FEEDBACK_SECRET too short to be a key', { FEEDBACK_SECRET: 'abc' }, /FEEDBACK_SECRET must hold at least 32/],
    [
      'a store URL of a kind there is no backend for',
      { FEEDBACK_DB_URL: 'libsql://db.example' },
      /unsupported store libsql/,
    ],
  ] as const) {
    test(`${name} stops the supervisor before it starts a worker`, () => {
      assert.throws(
        () => readConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
