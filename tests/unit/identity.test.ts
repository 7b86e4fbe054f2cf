import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  defaultKeyFile,
  blocksOf,
  KeyError,
  keyPlacementProblem,
  loadKey,
  networkOf,
  parseSecret,
  unwrapDayKey,
  VisitorKeys,
  wrappingKey,
} from '../../src/lib/feedback/identity.ts';
import { sqlitePath } from '../../src/lib/feedback/store.ts';
import { readConfig } from '../../src/server/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-identity-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the visitor key', () => {
  test('is created once with mode 0600 and read back by every later start', () => {
    const file = join(dir, 'sub', 'feedback.key');
    const first = loadKey({ file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadKey({ file }), first);
    assert.equal(first.length, 32);
  });

  test('comes from FEEDBACK_SECRET when it is set, and refuses a short one', () => {
    const hex = randomBytes(32).toString('hex');
    assert.deepEqual(loadKey({ secret: hex, file: join(dir, 'unused') }), Buffer.from(hex, 'hex'));
    assert.deepEqual(parseSecret(randomBytes(40).toString('base64')).length, 40);
    assert.throws(() => parseSecret('short'), KeyError);
  });

  test('tightens a key file others can read, and names a broken one', () => {
    const file = join(dir, 'loose.key');
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    loadKey({ file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(join(dir, 'bad.key'), 'not a key');
    assert.throws(() => loadKey({ file: join(dir, 'bad.key') }), /bad\.key: the key file must hold at least 32/);
    assert.ok(readFileSync(file, 'utf8').length > 0);
  });
});

/** A day-key store in memory, as the real ones behave: the first key offered for a day is the day's key. */
function memoryStore() {
  const keys = new Map<string, string>();
  return {
    keys,
    dayKey(day: string, candidate: string) {
      if (![...keys.keys()].some((other) => other > day) && !keys.has(day)) keys.set(day, candidate);
      for (const other of [...keys.keys()]) if (other < day) keys.delete(other);
      const wrapped = keys.get(day);
      return wrapped ? Promise.resolve(wrapped) : Promise.reject(new Error(`${day} is over`));
    },
  };
}

describe('visitor hashes', () => {
  const store = memoryStore();
  const visitors = new VisitorKeys(randomBytes(32), store);

  test('differ by day, so two days of votes cannot be linked', async () => {
    const [first, second] = [await visitors.forDay('2026-12-01'), await visitors.forDay('2026-12-02')];
    assert.notEqual(first.voter('id'), second.voter('id'));
    assert.equal(second.voter('id'), (await visitors.forDay('2026-12-02')).voter('id'));
    assert.notEqual(second.network('192.0.2.1'), second.voter('192.0.2.1'));
  });

  test('each day’s key is random and kept only wrapped, so neither the server key nor the store alone gives it', async () => {
    const key = randomBytes(32);
    const one = memoryStore();
    const [a, b] = [new VisitorKeys(key, one), new VisitorKeys(key, one)];
    // Two processes with the same server key agree on the day's key through the store…
    assert.equal(
      (await a.forDay('2026-12-03')).network('192.0.2.1'),
      (await b.forDay('2026-12-03')).network('192.0.2.1'),
    );
    // …but a store of their own gives another key for the same day: nothing is derived from the server key.
    const other = new VisitorKeys(key, memoryStore());
    assert.notEqual(
      (await other.forDay('2026-12-03')).network('192.0.2.1'),
      (await a.forDay('2026-12-03')).network('192.0.2.1'),
    );
    // The store holds the key wrapped: opened with the server's key, never equal to it in the clear.
    const wrapped = one.keys.get('2026-12-03')!;
    const dayKey = unwrapDayKey(wrappingKey(key), '2026-12-03', wrapped);
    assert.equal(dayKey.length, 32);
    assert.ok(!Buffer.from(wrapped, 'base64url').includes(dayKey));
    assert.throws(() => unwrapDayKey(wrappingKey(randomBytes(32)), '2026-12-03', wrapped));
    assert.throws(
      () => unwrapDayKey(wrappingKey(key), '2026-12-04', wrapped),
      'a key wrapped for one day is no other’s',
    );
  });

  test('a day’s key leaves the store once a later day has one, and that day gets no key again', async () => {
    const one = memoryStore();
    const keys = new VisitorKeys(randomBytes(32), one);
    await keys.forDay('2026-12-05');
    await keys.forDay('2026-12-06');
    assert.deepEqual([...one.keys.keys()], ['2026-12-06']);
    await assert.rejects(new VisitorKeys(randomBytes(32), one).forDay('2026-12-05'), /is over/);
    keys.close();
  });

  test('a signed cookie verifies; a changed one, another key’s or day’s, or junk does not', async () => {
    const keys = await visitors.forDay('2026-12-02');
    const { id, cookie } = keys.issue();
    assert.equal(keys.verify(cookie), id);
    const at = cookie.length - 5;
    assert.equal(
      keys.verify(`${cookie.slice(0, at)}${cookie[at] === 'A' ? 'B' : 'A'}${cookie.slice(at + 1)}`),
      undefined,
    );
    assert.equal(
      (await new VisitorKeys(randomBytes(32), memoryStore()).forDay('2026-12-01')).verify(cookie),
      undefined,
    );
    for (const junk of [undefined, '', 'x', 'a.b', `${id}.`, `${id}.${id}.${id}`])
      assert.equal(keys.verify(junk), undefined);
  });
});

describe('where the server key is kept', () => {
  test('by default outside the folder of the default store, so a copy of that folder does not take it', () => {
    const config = readConfig({ HOME: dir, XDG_STATE_HOME: '' });
    assert.notEqual(dirname(config.keyFile), dirname(sqlitePath(config.store.url)));
    assert.equal(config.keyFile, join(dir, '.local/state/dormant-ports/feedback.key'));
    assert.equal(defaultKeyFile({ XDG_STATE_HOME: '/state' }), '/state/dormant-ports/feedback.key');
    // Under systemd, the credential the unit hands the service.
    assert.equal(defaultKeyFile({ CREDENTIALS_DIRECTORY: '/run/credentials/x' }), '/run/credentials/x/feedback.key');
    assert.equal(keyPlacementProblem(config.keyFile, config.store.url), undefined);
  });

  test('beside a SQLite store is named as a problem', () => {
    assert.match(keyPlacementProblem('/var/lib/x/feedback.key', 'file:/var/lib/x/feedback.db') ?? '', /store's folder/);
    assert.equal(keyPlacementProblem('/etc/x/feedback.key', 'file:/var/lib/x/feedback.db'), undefined);
    assert.equal(keyPlacementProblem('/var/lib/x/feedback.key', 'postgres://db/x'), undefined);
  });
});

describe('blocksOf', () => {
  test('gives an IPv6 address its /64, /56 and /48, and an IPv4 address itself alone', () => {
    assert.deepEqual(blocksOf('2001:db8:1:2ab:aaaa::1'), {
      network: '2001:db8:1:2ab::/64',
      network56: '2001:db8:1:200::/56',
      network48: '2001:db8:1::/48',
    });
    assert.equal(blocksOf('2001:db8:1:2ff::1').network56, blocksOf('2001:db8:1:200::9').network56);
    assert.notEqual(blocksOf('2001:db8:1:300::1').network56, blocksOf('2001:db8:1:200::9').network56);
    assert.deepEqual(blocksOf('192.0.2.1'), { network: '192.0.2.1' });
    assert.deepEqual(blocksOf('::ffff:192.0.2.1'), { network: '192.0.2.1' });
  });
});

describe('networkOf', () => {
  test('keeps IPv4 addresses, unwraps IPv4-mapped IPv6, and takes the /64 of IPv6', () => {
    assert.equal(networkOf('192.0.2.1'), '192.0.2.1');
    assert.equal(networkOf('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:1:2::ffff'));
    assert.notEqual(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:1:3::1'));
    assert.equal(networkOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(networkOf('junk'), 'other:junk');
  });
});
