/**
 * The check commands run for real (issue 24, finding 5): a listener and a client that connects out to it, on this
 * machine, then the Linux commands a port page prints for that port — and lsof with the options the macOS tab
 * gives, which Linux's lsof reads the same way. A machine beaconing out to port N must show up under a command
 * that says so, not only its listeners.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultCheckCommands, type CommandLabel, type OperatingSystem } from '../../src/lib/ports/commands.ts';
import { requires } from '../support/requires.ts';

const run = promisify(execFile);

async function missing(program: string, pkg: string): Promise<string | undefined> {
  try {
    await run('sh', ['-c', `command -v ${program}`]);
    return undefined;
  } catch {
    return `${program} is not installed (Debian package ${pkg})`;
  }
}

/**
 * Runs a generated command through the shell, as a reader pastes it. The tests own every socket they look at, so
 * they need no root: `sudo` goes (it may not even be installed on a CI machine that runs as root).
 */
async function output(command: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', command.replace(/^sudo /, '')]);
  return stdout;
}

describe(
  'the check commands find a real listener and a real connection out to the port',
  { skip: requires(await missing('ss', 'iproute2'), await missing('lsof', 'lsof')) },
  () => {
    let server: Server;
    let client: Socket;
    let udp: UdpSocket;
    let port = 0;

    before(async () => {
      server = createServer();
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as { port: number }).port;
      // The machine's own program connecting out to the port: over TCP, and a connected UDP socket.
      client = connect(port, '127.0.0.1');
      await new Promise<void>((done) => client.once('connect', done));
      udp = createSocket('udp4');
      await new Promise<void>((done) => {
        udp.bind(0, '127.0.0.1', done);
      });
      await new Promise<void>((done) => {
        udp.connect(port, '127.0.0.1', done);
      });
    });

    after(() => {
      client.destroy();
      udp.close();
      server.close();
    });

    const command = (os: OperatingSystem, says: CommandLabel) => {
      const found = defaultCheckCommands(port, ['tcp', 'udp'])
        .find((set) => set.os === os)
        ?.commands.find((c) => c.says === says);
      assert.ok(found, `${os} has a "${says}" command`);
      return found.command;
    };
    const local = (socket: Socket | UdpSocket) => `127.0.0.1:${String((socket.address() as AddressInfo).port)}`;
    const far = () => `127.0.0.1:${String(port)}`;

    test('Linux, listening: the listener, and not the connection out', async () => {
      const text = await output(command('linux', 'listening'));
      assert.match(text, new RegExp(`LISTEN .* ${far()} `));
      assert.doesNotMatch(text, new RegExp(local(client)));
    });

    test('Linux, connections out: the TCP and UDP connections to the port, with their local ends', async () => {
      const text = await output(command('linux', 'out'));
      for (const socket of [client, udp]) {
        assert.match(text, new RegExp(`ESTAB .* ${local(socket)} +${far()} `), `${local(socket)} → ${far()}`);
      }
      assert.doesNotMatch(text, /LISTEN/);
    });

    test('Linux, lsof: the port at either end, the listener and the connections out', async () => {
      const text = await output(command('linux', 'either'));
      assert.match(text, new RegExp(`TCP ${far()} \\(LISTEN\\)`));
      assert.match(text, new RegExp(`TCP ${local(client)}->${far()} \\(ESTABLISHED\\)`));
      assert.match(text, new RegExp(`UDP ${local(udp)}->${far()}`));
    });

    test('macOS, lsof -iTCP and -iUDP (as Linux’s lsof reads them): the port at either end', async () => {
      const tcp = await output(command('macos', 'tcpEither'));
      assert.match(tcp, new RegExp(`TCP ${far()} \\(LISTEN\\)`));
      assert.match(tcp, new RegExp(`TCP ${local(client)}->${far()} \\(ESTABLISHED\\)`));
      assert.doesNotMatch(tcp, /UDP/);
      const udpText = await output(command('macos', 'udpEither'));
      assert.match(udpText, new RegExp(`UDP ${local(udp)}->${far()}`));
      assert.doesNotMatch(udpText, /TCP/);
    });
  },
);

describe('the Windows and PowerShell commands for connections out', () => {
  // What `netstat -ano` prints: protocol, local address, foreign address, state (TCP only), process id.
  const lines = [
    '  TCP    0.0.0.0:3515           0.0.0.0:0              LISTENING       1111',
    '  UDP    0.0.0.0:3515           *:*                                    2222',
    '  TCP    192.168.1.5:49823      203.0.113.9:3515       ESTABLISHED     4444',
    '  TCP    [fe80::1%4]:49824      [2001:db8::9]:3515     SYN_SENT        4545',
    '  TCP    192.168.1.5:49825      203.0.113.9:35150      ESTABLISHED     5555',
    '  TCP    192.168.1.5:3515       203.0.113.9:50000      ESTABLISHED     6666',
  ];
  const says = (os: OperatingSystem, label: CommandLabel, protocols: ('tcp' | 'udp')[] = ['tcp', 'udp']) =>
    defaultCheckCommands(3515, protocols)
      .find((set) => set.os === os)
      ?.commands.find((c) => c.says === label)?.command;
  /** findstr /R /C:"…": the quoted pattern as a regular expression (its syntax is a subset of JavaScript's). */
  const pids = (command: string) => {
    const pattern = new RegExp(/\/C:"(.*)"$/.exec(command)![1]!);
    return lines.filter((line) => pattern.test(line)).map((line) => line.trim().split(/\s+/).at(-1));
  };

  test('netstat’s foreign-address filter matches connections out to the port, and nothing local', () => {
    assert.deepEqual(pids(says('windows', 'out')!), ['4444', '4545']);
    assert.deepEqual(pids(says('windows', 'local')!), ['1111', '2222', '6666']);
  });

  test('PowerShell asks for the remote port of TCP connections', () => {
    assert.match(says('powershell', 'out')!, /^Get-NetTCPConnection -RemotePort 3515 /);
    assert.match(says('powershell', 'out')!, /Select-Object LocalAddress, RemoteAddress, State, OwningProcess$/);
  });

  test('a UDP-only port gets no command for connections out on Windows, where UDP has no remote end', () => {
    assert.equal(says('windows', 'out', ['udp']), undefined);
    assert.equal(says('powershell', 'out', ['udp']), undefined);
    assert.equal(says('linux', 'out', ['udp']), "sudo ss -unp 'dport = :3515'");
  });
});
