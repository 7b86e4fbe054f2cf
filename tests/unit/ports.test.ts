import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z as astroZ } from 'astro/zod';
import { z } from 'zod';
import { ianaName } from '../../src/lib/iana.ts';
import { checkCommands, defaultCheckCommands, PID_PLACEHOLDER, type CommandSet } from '../../src/lib/ports/commands.ts';
import { portNumber } from '../../src/lib/ports/schema.ts';
import { parsePortQuery } from '../../src/lib/ports/query.ts';
import { blockOf, listOf, rangeOf } from '../../src/lib/ports/range.ts';

const commandsFor = (sets: CommandSet[], os: CommandSet['os']) =>
  sets.find((set) => set.os === os)?.commands.map((c) => c.command) ?? [];

describe('rangeOf', () => {
  test('puts the edges of each RFC 6335 range in that range', () => {
    assert.equal(rangeOf(0).range, 'system');
    assert.equal(rangeOf(1023).range, 'system');
    assert.equal(rangeOf(1024).range, 'user');
    assert.equal(rangeOf(3515).range, 'user');
    assert.equal(rangeOf(49151).range, 'user');
    assert.equal(rangeOf(49152).range, 'dynamic');
    assert.equal(rangeOf(65535).range, 'dynamic');
  });

  test('refuses numbers that are not ports', () => {
    for (const bad of [-1, 65536, 70000, 3.5, Number.NaN]) {
      assert.throws(() => rangeOf(bad), RangeError, String(bad));
    }
  });
});

describe('blockOf and listOf', () => {
  test('put a port in its block of 1,000 and its page of a hundred, the last ones ending at 65535', () => {
    assert.deepEqual(blockOf(3515), { first: 3000, last: 3999, slug: '3000-3999' });
    assert.deepEqual(listOf(3515), { first: 3500, last: 3599, slug: '3500-3599' });
    assert.deepEqual(listOf(0), { first: 0, last: 99, slug: '0-99' });
    assert.deepEqual(listOf(3599), listOf(3500));
    assert.deepEqual(blockOf(65535), { first: 65000, last: 65535, slug: '65000-65535' });
    assert.deepEqual(listOf(65535), { first: 65500, last: 65535, slug: '65500-65535' });
  });

  test('refuse numbers that are not ports', () => {
    for (const bad of [-1, 65536, 1.5, NaN]) {
      assert.throws(() => blockOf(bad), RangeError);
      assert.throws(() => listOf(bad), RangeError);
    }
  });
});

describe('portNumber', () => {
  test('takes whole numbers from 0 to 65535 and nothing else, without coercing', () => {
    for (const good of [0, 3515, 65535]) assert.equal(portNumber.parse(good), good);
    for (const bad of [-1, 65536, 3.5, '3515', '0x0DBB', '1e3', true, null, [3515], Number.NaN]) {
      assert.equal(portNumber.safeParse(bad).success, false, String(bad));
    }
  });

  test('is built with the same zod instance as Astro’s content layer, so schemas can be mixed', () => {
    // src/lib takes zod itself (it must not import Astro); src/schema.ts takes astro/zod. Both only work
    // together while npm dedupes them into one package.
    assert.equal(z.ZodType, astroZ.ZodType);
    assert.ok(portNumber instanceof astroZ.ZodType);
  });
});

describe('parsePortQuery', () => {
  test('reads a port number in the forms people paste', () => {
    assert.deepEqual(parsePortQuery('3515'), { kind: 'port', port: 3515 });
    assert.deepEqual(parsePortQuery('  port 3515 '), { kind: 'port', port: 3515 });
    assert.deepEqual(parsePortQuery('3515/tcp'), { kind: 'port', port: 3515, protocol: 'tcp' });
    assert.deepEqual(parsePortQuery('tcp/3515'), { kind: 'port', port: 3515, protocol: 'tcp' });
    assert.deepEqual(parsePortQuery(':3521'), { kind: 'port', port: 3521 });
    assert.deepEqual(parsePortQuery('udp 3521'), { kind: 'port', port: 3521, protocol: 'udp' });
    assert.deepEqual(parsePortQuery('TCP:3521'), { kind: 'port', port: 3521, protocol: 'tcp' });
  });

  test('tells a number outside 0–65535 apart from text', () => {
    assert.deepEqual(parsePortQuery('70000'), { kind: 'out-of-range', value: '70000' });
    assert.deepEqual(parsePortQuery('mc3ss'), { kind: 'text' });
    assert.deepEqual(parsePortQuery('3515 backplane'), { kind: 'text' });
    assert.deepEqual(parsePortQuery(''), { kind: 'text' });
  });
});

describe('defaultCheckCommands', () => {
  test('gives every operating system a command naming the port and one going from process id to program', () => {
    const sets = defaultCheckCommands(3515, ['tcp', 'udp']);
    assert.deepEqual(
      sets.map((s) => s.os),
      ['linux', 'macos', 'windows', 'powershell'],
    );
    for (const set of sets) {
      assert.ok(
        set.commands.some((c) => c.command.includes('3515')),
        `${set.os} names the port`,
      );
      assert.ok(
        set.commands.some((c) => c.command.includes(PID_PLACEHOLDER)),
        `${set.os} follows the process id`,
      );
    }
  });

  test('asks only about the protocols the port is registered for', () => {
    const tcpOnly = defaultCheckCommands(3521, ['tcp']);
    assert.deepEqual(commandsFor(tcpOnly, 'linux')[0], "sudo ss -tlnp 'sport = :3521'");
    assert.ok(commandsFor(tcpOnly, 'macos').every((c) => !c.includes('-iUDP')));
    assert.ok(commandsFor(tcpOnly, 'powershell').every((c) => !c.includes('Get-NetUDPEndpoint')));

    const both = defaultCheckCommands(3521, ['tcp', 'udp']);
    assert.equal(commandsFor(both, 'linux')[0], "sudo ss -tulnp 'sport = :3521'");
    assert.ok(commandsFor(both, 'macos').some((c) => c === 'sudo lsof -nP -iUDP:3521'));
  });

  test('checks both TCP and UDP for a port registered for neither', () => {
    assert.equal(commandsFor(defaultCheckCommands(9, ['sctp']), 'linux')[0], "sudo ss -tulnp 'sport = :9'");
  });

  test('refuses a number that is not a port', () => {
    assert.throws(() => defaultCheckCommands(70000, ['tcp']), RangeError);
  });
});

describe('checkCommands', () => {
  const extra = { label: 'The netrek metaserver answers', command: 'nc metaserver.netrek.org 3521' };

  test('appends a page’s own commands to the generated ones', () => {
    const sets = checkCommands(3521, ['tcp'], { linux: { replace: false, commands: [extra] } });
    const linux = commandsFor(sets, 'linux');
    assert.equal(linux.at(-1), extra.command);
    assert.equal(linux.length, commandsFor(defaultCheckCommands(3521, ['tcp']), 'linux').length + 1);
  });

  test('replaces the generated commands when the page says so, leaving other systems alone', () => {
    const sets = checkCommands(3521, ['tcp'], { windows: { replace: true, commands: [extra] } });
    assert.deepEqual(commandsFor(sets, 'windows'), [extra.command]);
    assert.deepEqual(commandsFor(sets, 'macos'), commandsFor(defaultCheckCommands(3521, ['tcp']), 'macos'));
  });
});

test('ianaName turns IANA’s bracketed names into plain ones', () => {
  assert.equal(ianaName('[Rick_Stefanik]'), 'Rick Stefanik');
  assert.equal(ianaName('Telequip Labs'), 'Telequip Labs');
});

describe('the Windows netstat filter', () => {
  // What `netstat -ano` prints: protocol, local address, remote address, state (TCP only), process id.
  const lines = [
    '  TCP    0.0.0.0:3515           0.0.0.0:0              LISTENING       1111',
    '  TCP    [::]:3515              [::]:0                 LISTENING       1111',
    '  UDP    0.0.0.0:3515           *:*                                    2222',
    '  TCP    0.0.0.0:35150          0.0.0.0:0              LISTENING       3333',
    '  TCP    192.168.1.5:49823      203.0.113.9:3515       ESTABLISHED     4444',
    '  TCP    192.168.1.5:13515      203.0.113.9:443        ESTABLISHED     5555',
    '  TCP    0.0.0.0:49152          0.0.0.0:0              LISTENING       6666',
    '  TCP    0.0.0.0:49152          10.0.0.2:49152         ESTABLISHED     7777',
  ];
  /** findstr /R /C:"…": the quoted pattern as a regular expression (its syntax is a subset of JavaScript's). */
  const matching = (command: string) => {
    const pattern = new RegExp(/\/C:"(.*)"$/.exec(command)![1]!);
    return lines.filter((line) => pattern.test(line)).map((line) => line.trim().split(/\s+/).at(-1));
  };
  const windows = (port: number) => commandsFor(defaultCheckCommands(port, ['tcp', 'udp']), 'windows')[0]!;

  test('matches only the local port of a 4-digit port, not 35150 or a remote 3515', () => {
    assert.deepEqual(matching(windows(3515)), ['1111', '1111', '2222']);
  });

  test('matches only the local port of a 5-digit port, listening or connected', () => {
    assert.deepEqual(matching(windows(49152)), ['6666', '7777']);
  });
});
