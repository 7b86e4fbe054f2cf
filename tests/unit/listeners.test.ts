/**
 * The socket-list parser behind /check/ (src/lib/listeners/), on the samples in tests/fixtures/listeners/: real
 * Linux output captured on a machine with known listeners, and the Windows, PowerShell and macOS formats as their
 * documentation shows them (the folder's README says where each comes from), broken pastes included.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addressScope, portNumber, splitEndpoint } from '../../src/lib/listeners/address.ts';
import { parseListeners, type Listener, type Parsed } from '../../src/lib/listeners/parse.ts';
import { buildReport, flagsFor, shardsFor } from '../../src/lib/listeners/report.ts';
import { listenerCommands } from '../../src/lib/ports/commands.ts';
import type { LookupShard } from '../../src/lib/search/lookup.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/listeners');
const sample = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const parse = (path: string) => parseListeners(sample(path));

/** `tcp 3515 *` for each listener, in the order read. */
const brief = (parsed: Parsed) => parsed.listeners.map((l) => `${l.protocol} ${l.port} ${l.address}`);
const find = (parsed: Parsed, protocol: string, port: number) =>
  parsed.listeners.filter((l) => l.protocol === protocol && l.port === port);
const one = (parsed: Parsed, protocol: string, port: number): Listener => {
  const found = find(parsed, protocol, port);
  assert.equal(found.length, 1, `one ${protocol} ${port}`);
  return found[0]!;
};

/** The listeners started on the Linux machine (tests/fixtures/listeners/collect-linux.sh), as port/protocol. */
const LINUX_TCP = [22, 3306, 3515, 3520, 3546, 4444, 5000, 5432, 6379, 8000, 8443, 35150, 49160];
const LINUX_UDP = [69, 323, 546, 3521, 5353, 60000];
const ports = (parsed: Parsed, protocol: string) =>
  [...new Set(parsed.listeners.filter((l) => l.protocol === protocol).map((l) => l.port))].sort((a, b) => a - b);

describe('addresses', () => {
  test('the port is split off at the last colon, or the last dot for macOS, with IPv6 brackets removed', () => {
    assert.deepEqual(splitEndpoint('0.0.0.0:22', ':'), { address: '0.0.0.0', port: '22' });
    assert.deepEqual(splitEndpoint('[::]:135', ':'), { address: '::', port: '135' });
    assert.deepEqual(splitEndpoint(':::3515', ':'), { address: '::', port: '3515' });
    assert.deepEqual(splitEndpoint('[fe80::1]%eth0:8443', ':'), { address: 'fe80::1%eth0', port: '8443' });
    assert.deepEqual(splitEndpoint('[fe80::6d49:7bf0:ecb9:a74d%17]:1900', ':'), {
      address: 'fe80::6d49:7bf0:ecb9:a74d%17',
      port: '1900',
    });
    assert.deepEqual(splitEndpoint('*.3515', '.'), { address: '*', port: '3515' });
    assert.deepEqual(splitEndpoint('127.0.0.1.631', '.'), { address: '127.0.0.1', port: '631' });
    assert.equal(splitEndpoint('3515', ':'), null);
  });

  test('a port is a whole number from 0 to 65535 as printed, nothing else', () => {
    assert.equal(portNumber('3515'), 3515);
    assert.equal(portNumber('35150'), 35150);
    assert.equal(portNumber('65535'), 65535);
    for (const bad of ['65536', '99999', '035150', '*', 'ssh', '3515 ', '', '-1']) assert.equal(portNumber(bad), null);
  });

  test('wildcards are every interface, loopback addresses this machine only, the rest a specific address', () => {
    for (const all of ['*', '0.0.0.0', '::', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0'])
      assert.equal(addressScope(all), 'all');
    for (const local of ['127.0.0.1', '127.0.0.53%lo', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost']) {
      assert.equal(addressScope(local), 'loopback', local);
    }
    // A wildcard tied to the loopback interface reaches nothing else.
    assert.equal(addressScope('0.0.0.0%lo'), 'loopback');
    for (const specific of [
      '192.0.2.10',
      'fd00::10',
      'fe80::1%eth0',
      'fe80::aede:48ff:',
      '2001:db8:1234:5678:9abc:def0:123...',
    ]) {
      assert.equal(addressScope(specific), 'specific', specific);
    }
  });
});

describe('Linux, captured from real listeners', () => {
  test('ss -tulpn: every TCP and UDP listener, with its address scope and process', () => {
    const parsed = parse('linux/ss-tulpn.txt');
    assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP);
    assert.deepEqual(ports(parsed, 'udp'), LINUX_UDP);
    assert.deepEqual(parsed.unread, []);
    assert.deepEqual(one(parsed, 'tcp', 3515), {
      protocol: 'tcp',
      port: 3515,
      address: '*',
      scope: 'all',
      process: 'node',
      pid: 29398,
      format: 'ss',
      line: 20,
    });
    assert.equal(one(parsed, 'tcp', 35150).scope, 'loopback');
    assert.equal(one(parsed, 'tcp', 8443).address, 'fe80::ff:fe00:10%eth0');
    assert.equal(one(parsed, 'tcp', 3306).scope, 'specific');
    assert.equal(one(parsed, 'udp', 3521).process, 'nc');
    // Two processes on one port (SO_REUSEPORT) are both kept.
    assert.deepEqual(
      find(parsed, 'tcp', 5000)
        .map((l) => l.pid)
        .sort(),
      [29404, 29405],
    );
  });

  test('ss -tlnp, without the Netid column: the state tells the protocol', () => {
    const parsed = parse('linux/ss-tlnp.txt');
    assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP);
    assert.deepEqual(ports(parsed, 'udp'), []);
    assert.equal(one(parsed, 'tcp', 22).process, 'node');
  });

  test('ss without -p, or without root: the same listeners, without processes', () => {
    for (const file of ['linux/ss-tuln.txt', 'linux/ss-tulpn-unprivileged.txt']) {
      const parsed = parse(file);
      assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP, file);
      assert.deepEqual(ports(parsed, 'udp'), LINUX_UDP, file);
      assert.ok(
        parsed.listeners.every((l) => l.process === undefined && l.pid === undefined),
        file,
      );
    }
  });

  test('netstat -tulpn (net-tools): PID/Program, tcp6 and udp6 without brackets', () => {
    const parsed = parse('linux/netstat-tulpn.txt');
    assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP);
    assert.deepEqual(ports(parsed, 'udp'), LINUX_UDP);
    assert.deepEqual(
      { ...one(parsed, 'tcp', 3515), line: 0 },
      {
        protocol: 'tcp',
        port: 3515,
        address: '::',
        scope: 'all',
        process: 'node',
        pid: 29398,
        format: 'netstat',
        line: 0,
      },
    );
    assert.equal(one(parsed, 'tcp', 6379).scope, 'loopback');
    // net-tools drops the zone and brackets: fe80::ff:fe00:10:8443 is still port 8443.
    assert.equal(one(parsed, 'tcp', 8443).address, 'fe80::ff:fe00:10');
    assert.equal(one(parsed, 'tcp', 4444).process, 'nc');
  });

  test('netstat -tulpn without root: its notice is skipped and no process is invented', () => {
    const parsed = parse('linux/netstat-tulpn-unprivileged.txt');
    assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP);
    assert.equal(parsed.skipped.header, 3);
    assert.ok(parsed.listeners.every((l) => l.pid === undefined));
  });

  test('lsof -nP -i: LISTEN rows and UDP sockets; established connections are skipped', () => {
    const parsed = parse('linux/lsof-i.txt');
    assert.deepEqual(ports(parsed, 'tcp'), LINUX_TCP);
    assert.deepEqual(ports(parsed, 'udp'), LINUX_UDP);
    assert.equal(parsed.skipped.connection, 4);
    assert.equal(one(parsed, 'tcp', 6379).address, '::1');
    assert.equal(one(parsed, 'tcp', 8000).process, 'python3');
    assert.deepEqual(
      brief(parse('linux/lsof-tcp-listen.txt')),
      brief(parsed).filter((l) => l.startsWith('tcp')),
    );
    assert.deepEqual(
      brief(parse('linux/lsof-udp.txt')),
      brief(parsed).filter((l) => l.startsWith('udp')),
    );
  });

  test('output with service names instead of numbers: those lines are shown as not read, with the reason', () => {
    for (const file of ['linux/ss-tul-names.txt', 'linux/netstat-tul-names.txt', 'linux/lsof-i-names.txt']) {
      const parsed = parse(file);
      assert.equal(parsed.unread.length, 7, file);
      assert.ok(
        parsed.unread.every((u) => u.why === 'name'),
        file,
      );
      assert.ok(!find(parsed, 'tcp', 22).length, file);
      assert.equal(one(parsed, 'tcp', 3515).scope, 'all', file);
    }
    assert.ok(parse('linux/netstat-tul-names.txt').unread.some((u) => u.text.includes('fe80::ff::dhcpv6-client')));
  });
});

describe('Windows netstat', () => {
  const parsed = parse('windows/netstat-ano.txt');

  test('-ano: TCP and UDP listeners on IPv4 and IPv6, with process ids; connections skipped', () => {
    assert.deepEqual(ports(parsed, 'tcp'), [135, 139, 445, 3515, 5040, 35150, 49664]);
    assert.deepEqual(ports(parsed, 'udp'), [137, 500, 1900, 5353]);
    assert.equal(parsed.skipped.connection, 5);
    assert.deepEqual(parsed.unread, []);
    assert.deepEqual(
      find(parsed, 'tcp', 135).map((l) => [l.address, l.scope, l.pid]),
      [
        ['0.0.0.0', 'all', 1028],
        ['::', 'all', 1028],
      ],
    );
    assert.equal(one(parsed, 'tcp', 3515).pid, 6120);
    assert.deepEqual(
      find(parsed, 'udp', 1900).map((l) => [l.address, l.scope]),
      [
        ['127.0.0.1', 'loopback'],
        ['::1', 'loopback'],
        ['fe80::6d49:7bf0:ecb9:a74d%17', 'specific'],
      ],
    );
  });

  test('CRLF line ends leave nothing behind in addresses or process ids', () => {
    assert.ok(sample('windows/netstat-ano.txt').includes('\r\n'));
    assert.ok(parsed.listeners.every((l) => !/\r/.test(l.address) && Number.isInteger(l.pid)));
  });

  test('-b: the program in brackets after a row names its process; lines after a connection are skipped', () => {
    const b = parse('windows/netstat-anob.txt');
    assert.equal(one(b, 'tcp', 135).process, 'svchost.exe');
    assert.equal(one(b, 'tcp', 3515).process, 'updater.exe');
    assert.equal(one(b, 'tcp', 445).process, undefined);
    assert.equal(one(b, 'udp', 5353).process, 'svchost.exe');
    assert.deepEqual(b.unread, []);
  });

  test('in another language: listeners are found by their foreign port 0, whatever the state is called', () => {
    const de = parse('windows/netstat-ano-de.txt');
    assert.deepEqual(ports(de, 'tcp'), [135, 3515, 8000]);
    assert.deepEqual(ports(de, 'udp'), [5353]);
    assert.equal(de.skipped.connection, 2);
    // The translated title is not recognised, and is shown as such rather than dropped.
    assert.deepEqual(
      de.unread.map((u) => u.text),
      ['Aktive Verbindungen'],
    );
  });
});

describe('PowerShell', () => {
  test('Get-NetTCPConnection: only Listen rows, with an empty AppliedSetting; Bound and Established skipped', () => {
    const parsed = parse('powershell/get-nettcpconnection.txt');
    assert.deepEqual(ports(parsed, 'tcp'), [135, 139, 445, 3515, 35150, 49664]);
    assert.deepEqual(ports(parsed, 'udp'), []);
    assert.deepEqual(
      { connection: parsed.skipped.connection, other: parsed.skipped.other },
      { connection: 2, other: 1 },
    );
    assert.deepEqual(parsed.unread, []);
    assert.deepEqual(
      find(parsed, 'tcp', 35150).map((l) => [l.address, l.scope, l.pid, l.format]),
      [
        ['::1', 'loopback', 7412, 'powershell'],
        ['127.0.0.1', 'loopback', 7412, 'powershell'],
      ],
    );
  });

  test('Get-NetUDPEndpoint: a table without a protocol column is UDP', () => {
    const parsed = parse('powershell/get-netudpendpoint.txt');
    assert.deepEqual(ports(parsed, 'udp'), [137, 500, 1900, 3521, 5353]);
    assert.deepEqual(ports(parsed, 'tcp'), []);
  });

  test('the commands /check/ gives, pasted together: a TCP table, then a UDP one', () => {
    const parsed = parse('powershell/select-object.txt');
    assert.deepEqual(ports(parsed, 'tcp'), [135, 139, 3515, 35150, 49664]);
    assert.deepEqual(ports(parsed, 'udp'), [3521, 5353, 61946]);
    assert.equal(one(parsed, 'udp', 3521).pid, 7040);
    assert.deepEqual(parsed.unread, []);
  });

  test('a console too narrow for the table wraps a column title; the rows are still read', () => {
    const parsed = parse('powershell/narrow-console.txt');
    assert.deepEqual(
      parsed.listeners.map((l) => [l.port, l.pid]),
      [
        [3515, 6120],
        [27017, 14056],
      ],
    );
    assert.deepEqual(parsed.unread, []);
  });
});

describe('macOS', () => {
  test('netstat -an: *.3515, host.port and truncated IPv6; Unix sockets and unbound ones are skipped', () => {
    const parsed = parse('macos/netstat-an.txt');
    assert.deepEqual(ports(parsed, 'tcp'), [22, 631, 3515, 35150, 49159]);
    assert.deepEqual(ports(parsed, 'udp'), [123, 5353]);
    assert.deepEqual(
      { ...one(parsed, 'tcp', 3515), line: 0 },
      { protocol: 'tcp', port: 3515, address: '*', scope: 'all', format: 'macos', line: 0 },
    );
    assert.equal(one(parsed, 'tcp', 49159).scope, 'specific');
    assert.deepEqual(
      find(parsed, 'udp', 123).map((l) => l.scope),
      ['specific', 'loopback', 'specific'],
    );
    assert.equal(parsed.skipped.connection, 4);
    assert.equal(parsed.skipped.other, 5);
    assert.deepEqual(parsed.unread, []);
  });

  test('netstat -anv: the pid column, for TCP and for UDP rows that lack a state; process:pid on newer systems', () => {
    const parsed = parse('macos/netstat-anv.txt');
    assert.equal(one(parsed, 'tcp', 3515).pid, 6120);
    assert.deepEqual(
      find(parsed, 'tcp', 631).map((l) => l.pid),
      [26008, 26008],
    );
    assert.equal(one(parsed, 'udp', 5353).pid, 704);
    assert.deepEqual([one(parsed, 'udp', 41641).process, one(parsed, 'udp', 41641).pid], ['io.tailscale.ipn', 592]);
    assert.equal(one(parsed, 'udp', 3521).process, 'netrekd');
  });

  test('lsof: shortened and escaped command names, IPv4 and IPv6 rows, connected UDP skipped', () => {
    const tcp = parse('macos/lsof-tcp-listen.txt');
    assert.deepEqual(ports(tcp, 'tcp'), [22, 631, 3515, 7000, 35150, 49152]);
    assert.equal(one(tcp, 'tcp', 35150).process, 'Google');
    assert.equal(one(tcp, 'tcp', 7000).process, 'ControlCe');
    const udp = parse('macos/lsof-udp.txt');
    assert.deepEqual(ports(udp, 'udp'), [123, 137, 3521, 5353]);
    assert.equal(udp.skipped.connection, 1);
    assert.equal(one(udp, 'udp', 123).address, 'fe80::1%lo0');
  });
});

describe('broken pastes', () => {
  test('prompts, a password prompt, duplicates, an impossible port and a cut line, with CRLF', () => {
    const parsed = parse('broken/messy-paste.txt');
    assert.deepEqual(ports(parsed, 'tcp'), [22, 3515, 8443, 35150]);
    assert.deepEqual(ports(parsed, 'udp'), [3521]);
    // Pasted twice, read twice: the table merges them.
    assert.equal(find(parsed, 'tcp', 3515).length, 2);
    assert.deepEqual(
      parsed.unread.map((u) => [u.line, u.text]),
      [
        [2, '[sudo] password for alice:'],
        [10, 'tcp   LISTEN 0      511                    0.0.0.0:99999      0.0.0.0:*'],
        [11, 'tcp   LISTEN 0      511'],
        [12, 'this line is not part of any output'],
      ],
    );
    assert.equal(parsed.skipped.header, 5);
  });

  test('lines cut short are not read, and never guessed', () => {
    const parsed = parse('broken/truncated.txt');
    assert.deepEqual(brief(parsed), ['tcp 3546 0.0.0.0', 'tcp 3515 ::', 'tcp 3515 *', 'tcp 135 0.0.0.0']);
    assert.equal(parsed.unread.length, 4);
  });

  test('text that is no socket list at all is shown line by line as not read', () => {
    const parsed = parse('broken/not-a-socket-list.txt');
    assert.deepEqual(parsed.listeners, []);
    assert.equal(parsed.unread.length, 9);
  });

  test('empty text, and text of blank lines, hold nothing', () => {
    assert.deepEqual(parseListeners(''), {
      listeners: [],
      skipped: { blank: 0, header: 0, connection: 0, other: 0 },
      unread: [],
    });
    assert.equal(parseListeners('\r\n  \n\t\n').skipped.blank, 3);
  });

  test('every line of every sample is accounted for: read, skipped for a reason, or shown as not read', () => {
    for (const dir of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of readdirSync(join(FIXTURES, dir.name))) {
        const text = sample(join(dir.name, file));
        const parsed = parseListeners(text);
        const lines = text.split(/\r\n|\r|\n/).length - (/(\r\n|\r|\n)$/.test(text) ? 1 : 0);
        const read = new Set(parsed.listeners.map((l) => l.line)).size;
        const skipped = Object.values(parsed.skipped).reduce((a, b) => a + b, 0);
        assert.equal(read + skipped + parsed.unread.length, lines, `${dir.name}/${file}`);
      }
    }
  });
});

describe('the report', () => {
  const shard = (entries: LookupShard['entries'], gaps: LookupShard['gaps'] = []): LookupShard => ({ entries, gaps });
  const shards = new Map<number, LookupShard>([
    [
      0,
      shard({
        22: { title: 'ssh: The Secure Shell (SSH) Protocol', service: 'ssh', url: '/ports/22/', verdict: 'in-use' },
      }),
    ],
    [
      35,
      shard(
        {
          3515: {
            title: 'MUST Backplane',
            service: 'must-backplane',
            url: '/ports/3515/',
            localized: true,
            verdict: 'likely-dormant',
            uses: [{ name: 'Backdoor.Win32.Mazben', kind: 'malware' }],
          },
          3520: {
            title: 'galileolog: Netvion Galileo Log Port',
            service: 'galileolog',
            url: '/ports/3520/',
            verdict: 'in-use',
            uses: [{ name: 'Netrek metaserver', kind: 'unofficial' }],
          },
        },
        [[3546, 3549, 'unassigned']],
      ),
    ],
    [351, shard({}, [])],
    [491, shard({})],
  ]);
  const report = buildReport(parse('linux/ss-tulpn.txt').listeners, shards);
  const row = (protocol: string, port: number) => report.rows.find((r) => r.protocol === protocol && r.port === port)!;

  test('one row per port and protocol, with every process and address', () => {
    assert.equal(report.rows.length, LINUX_TCP.length + LINUX_UDP.length);
    assert.deepEqual(row('tcp', 5000).processes, [
      { name: 'python3', pid: 29405 },
      { name: 'python3', pid: 29404 },
    ]);
    assert.deepEqual(report.tcp, LINUX_TCP.length);
    assert.deepEqual(report.udp, LINUX_UDP.length);
  });

  test('IPv4 and IPv6 sockets of one port make one row, open to all if either is', () => {
    const merged = buildReport(parse('windows/netstat-ano.txt').listeners, new Map());
    const rpc = merged.rows.find((r) => r.port === 135)!;
    assert.deepEqual([rpc.scope, rpc.addresses], ['all', ['0.0.0.0', '::']]);
    const loop = merged.rows.find((r) => r.port === 35150)!;
    assert.deepEqual([loop.scope, loop.addresses], ['loopback', ['127.0.0.1', '::1']]);
    assert.equal(merged.rows.filter((r) => r.port === 5353 && r.protocol === 'udp').length, 1);
  });

  test('3515 is flagged as likely dormant with malware reported; 22 is not flagged; 35150 is not 3515', () => {
    assert.deepEqual(row('tcp', 3515).flags, ['malware', 'dormant']);
    assert.deepEqual(row('tcp', 22).flags, []);
    assert.equal(row('tcp', 22).entry?.service, 'ssh');
    assert.equal(row('tcp', 35150).entry, undefined);
    // Loopback only, so not open to others: nothing to flag on an unregistered number.
    assert.deepEqual(row('tcp', 35150).flags, []);
    assert.deepEqual(
      shardsFor(parse('linux/ss-tulpn.txt').listeners).filter((n) => n === 35 || n === 351),
      [35, 351],
    );
  });

  test('a port others squat on, and an unregistered number open to all, are flagged', () => {
    assert.deepEqual(row('tcp', 3520).flags, ['squatted']);
    assert.deepEqual(row('tcp', 3546).flags, ['unregistered']);
    assert.deepEqual(row('tcp', 3546).gap, [3546, 3549, 'unassigned']);
    assert.deepEqual(row('tcp', 49160).flags, ['unregistered']);
    assert.equal(row('tcp', 49160).range, 'dynamic');
  });

  test('without its shard a port is shown but not judged', () => {
    assert.equal(row('udp', 5353).entry, undefined);
    assert.deepEqual(row('udp', 5353).flags, []);
  });

  test('flagged rows come first, then by port, TCP before UDP', () => {
    const order = report.rows.map((r) => `${r.flags.length > 0 ? '!' : ''}${r.protocol} ${r.port}`);
    // 69 and 3521 are not in the test's shards, so they count as registered to nothing.
    assert.deepEqual(order.slice(0, 6), ['!udp 69', '!tcp 3515', '!tcp 3520', '!udp 3521', '!tcp 3546', '!tcp 49160']);
    assert.equal(report.flagged, 6);
    const rest = report.rows.slice(6).map((r) => r.port);
    assert.deepEqual(
      rest,
      [...rest].sort((a, b) => a - b),
    );
  });

  test('a default use means the port is used as registered: not squatted', () => {
    const entry = { title: 'redis', service: 'redis', url: '/ports/6379/', verdict: 'in-use' as const };
    assert.deepEqual(
      flagsFor(
        {
          ...entry,
          uses: [
            { name: 'Redis', kind: 'default' },
            { name: 'x', kind: 'unofficial' },
          ],
        },
        'all',
      ),
      [],
    );
    assert.deepEqual(flagsFor({ ...entry, uses: [{ name: 'x', kind: 'historic' }] }, 'all'), []);
    assert.deepEqual(flagsFor(undefined, 'specific'), []);
  });
});

describe('the machine-wide commands', () => {
  test('one set per system, each command in a format the parser reads', () => {
    const sets = listenerCommands();
    assert.deepEqual(
      sets.map((set) => set.os),
      ['linux', 'macos', 'windows', 'powershell'],
    );
    const all = sets.flatMap((set) => set.commands.map((c) => c.command));
    for (const expected of [
      'sudo ss -tulpn',
      'netstat -ano',
      'sudo lsof -nP -iTCP -sTCP:LISTEN',
      'sudo lsof -nP -iUDP',
      'netstat -an',
    ]) {
      assert.ok(all.includes(expected), expected);
    }
    // PowerShell prints four properties or fewer as a table, five or more as a list the parser does not read.
    for (const command of sets.find((set) => set.os === 'powershell')!.commands) {
      const properties = /Select-Object (.*)$/.exec(command.command)![1]!.split(',');
      assert.ok(properties.length <= 4, command.command);
    }
  });
});
