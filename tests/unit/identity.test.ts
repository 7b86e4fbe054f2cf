import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { KeyError, loadKey, networkOf, parseSecret, VisitorKeys } from '../../src/lib/feedback/identity.ts';

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

describe('visitor hashes', () => {
  const keys = new VisitorKeys(randomBytes(32));

  test('differ by day, so two days of votes cannot be linked', () => {
    assert.notEqual(keys.voter('2026-12-01', 'id'), keys.voter('2026-12-02', 'id'));
    assert.equal(keys.voter('2026-12-01', 'id'), keys.voter('2026-12-01', 'id'));
    assert.notEqual(keys.network('2026-12-01', '192.0.2.1'), keys.voter('2026-12-01', '192.0.2.1'));
  });

  test('depend on the key: another key gives other hashes for the same reader', () => {
    const other = new VisitorKeys(randomBytes(32));
    assert.notEqual(keys.network('2026-12-01', '192.0.2.1'), other.network('2026-12-01', '192.0.2.1'));
  });

  test('a signed cookie verifies; a changed one, another key’s, or junk does not', () => {
    const { id, cookie } = keys.issue();
    assert.equal(keys.verify(cookie), id);
    const at = cookie.length - 5;
    assert.equal(
      keys.verify(`${cookie.slice(0, at)}${cookie[at] === 'A' ? 'B' : 'A'}${cookie.slice(at + 1)}`),
      undefined,
    );
    assert.equal(new VisitorKeys(randomBytes(32)).verify(cookie), undefined);
    for (const junk of [undefined, '', 'x', 'a.b', `${id}.`, `${id}.${id}.${id}`])
      assert.equal(keys.verify(junk), undefined);
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
