/**
 * The systemd unit in deploy/: systemd itself accepts it, and every setting it (or its example environment
 * file) gives is one the server reads and accepts. A name the server does not read would be silently ignored in
 * production, which is the mistake this catches. The nginx site config runs for real in
 * tests/http/instances.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { readConfig } from '../../src/server/config.ts';

const DEPLOY = resolve(import.meta.dirname, '../../deploy/systemd');
const UNIT = join(DEPLOY, 'dormant-ports-api.service');
const unit = readFileSync(UNIT, 'utf8');

/** The `[Service]` directives of a unit, in order, as [name, value]. */
function directives(text: string): [string, string][] {
  const found: [string, string][] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header) section = header[1]!;
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match && section === 'Service') found.push([match[1]!, match[2]!]);
  }
  return found;
}

/** `Environment=` values: space-separated assignments, each optionally in double quotes, as systemd reads them. */
function assignments(value: string): [string, string][] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((token) => {
    const text = token[1] ?? token[2]!;
    const at = text.indexOf('=');
    return [text.slice(0, at), text.slice(at + 1)];
  });
}

/** The names readConfig() looks up, found by handing it an environment that records every read. */
function namesTheServerReads(): Set<string> {
  const read = new Set<string>();
  const empty: Record<string, string | undefined> = {};
  readConfig(
    new Proxy(empty, {
      get(_target, name) {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    }),
  );
  return read;
}

const service = directives(unit);
const environment = service.filter(([name]) => name === 'Environment').flatMap(([, value]) => assignments(value));
/** `NAME=value` lines of the example environment file, commented out or not. */
const exampleFile = readFileSync(join(DEPLOY, 'env.example'), 'utf8')
  .split('\n')
  .map((line) => /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
  .filter((match) => match !== null)
  .map((match): [string, string] => [match[1]!, match[2]!]);

describe('the systemd unit', () => {
  test('sets only settings the server reads, and the server accepts their values', () => {
    const known = namesTheServerReads();
    for (const [name] of [...environment, ...exampleFile]) assert.ok(known.has(name), `${name} is not a setting`);
    const config = readConfig(Object.fromEntries(environment));
    assert.equal(config.store.url, 'file:/var/lib/dormant-ports/feedback.db');
    assert.equal(config.keyFile, '/var/lib/dormant-ports/feedback.key');
    assert.equal(config.trustProxy('127.0.0.1', 0), true);
    assert.equal(config.trustProxy('203.0.113.9', 0), false);
    // The example file's values are valid too, with and without the unit's.
    readConfig(Object.fromEntries([...environment, ...exampleFile.filter(([, value]) => value !== '')]));
  });

  test('keeps the store and the key in its state directory, as a user of its own, restarted on failure', () => {
    const get = (name: string) => service.filter(([key]) => key === name).map(([, value]) => value);
    assert.deepEqual(get('StateDirectory'), ['dormant-ports']);
    for (const [name, value] of environment) {
      if (name === 'FEEDBACK_DB_URL' || name === 'FEEDBACK_KEY_FILE') {
        assert.match(value, /^(file:)?\/var\/lib\/dormant-ports\//, name);
      }
    }
    assert.ok(get('DynamicUser').includes('yes') || get('User').length > 0, 'a dedicated user');
    assert.deepEqual(get('Restart'), ['on-failure']);
    // Compressed copies go where the service may write, the app folder being read-only to it.
    assert.deepEqual(get('CacheDirectory'), ['dormant-ports']);
    assert.equal(readConfig(Object.fromEntries(environment)).cacheDir, '/var/cache/dormant-ports');
    for (const [name, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['PrivateTmp', 'yes'],
    ]) {
      assert.deepEqual(get(name!), [value], name);
    }
  });

  test('leaves restarts to systemd: workers leave with the supervisor, and the main PID’s death restarts all', () => {
    const get = (name: string) => service.filter(([key]) => key === name).map(([, value]) => value);
    assert.equal(readConfig(Object.fromEntries(environment)).supervisor, 'systemd');
    // mixed: SIGTERM to the supervisor alone (it drains its workers), SIGKILL to whatever is left.
    assert.deepEqual(get('KillMode'), ['mixed']);
    assert.deepEqual(get('Type'), ['simple']);
    assert.ok(get('RestartPreventExitStatus').includes('2'), 'a refused setting is not retried');
    // Without the unit the server restarts itself (tests/http/processes.test.ts).
    assert.equal(readConfig({}).supervisor, 'self');
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  test(
    'passes systemd-analyze verify',
    { skip: analyze ? false : 'systemd-analyze not found (apt-get install systemd)' },
    () => {
      // The node the tests run on stands in for /usr/bin/node, which verify requires to exist.
      const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-unit-'));
      try {
        const copy = join(dir, 'dormant-ports-api.service');
        writeFileSync(copy, unit.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
        const result = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
        // verify exits 0 over directives it does not know and only warns; any output is a problem.
        assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
        assert.equal(result.status, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
