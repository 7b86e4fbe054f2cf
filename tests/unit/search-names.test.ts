import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildNameShards,
  malwareFamily,
  nameClaims,
  nameShardOf,
  NAME_SHARD_COUNT,
  normaliseName,
  parseNameQuery,
  rankPorts,
  resolveName,
  type NameShard,
  type PortNames,
  type PortStanding,
} from '../../src/lib/search/names.ts';
import { portNames } from '../../src/lib/search/port-names.ts';
import type { KnownUse } from '../../src/lib/uses.ts';
import { siteSearchNames } from '../support/content.ts';

/** A page's names with nothing but what a test gives. */
const page = (port: number, names: Partial<PortNames> = {}): PortNames => ({
  port,
  registrations: [],
  uses: [],
  former: [],
  ...names,
});

const use = (
  id: string,
  name: string,
  ports: number[],
  more: Partial<PortNames['uses'][number]> = {},
): PortNames['uses'][number] => ({ id, name, aliases: [], ports, standing: 'current', ...more });

/** Resolves a query against shards built from `pages`. */
function resolver(pages: PortNames[]) {
  const shards = buildNameShards(pages);
  return (query: string) => {
    const parsed = parseNameQuery(query);
    return parsed ? resolveName(parsed, shards.get(parsed.shard)!) : { matches: [] };
  };
}
const ports = (resolution: { matches: { port: number }[] }) => resolution.matches.map((match) => match.port);

describe('normaliseName', () => {
  test('ignores case, spaces, dashes and dots, and keeps plus signs', () => {
    assert.equal(normaliseName('MS WBT Server'), 'mswbtserver');
    assert.equal(normaliseName('ms-wbt-server'), 'mswbtserver');
    assert.equal(normaliseName('W32.Kwbot'), 'w32kwbot');
    assert.equal(normaliseName('whois++'), 'whois++');
  });
});

describe('malwareFamily', () => {
  test('takes the family out of the names vendors give malware', () => {
    assert.equal(malwareFamily('Backdoor.Win32.Mazben.me'), 'Mazben');
    assert.equal(malwareFamily('W32.Kwbot'), 'Kwbot');
    assert.equal(malwareFamily('W32/KWBot-A'), 'KWBot');
    assert.equal(malwareFamily('Sasser worm'), undefined);
  });
});

describe('nameClaims', () => {
  test('says what each name is on the port: a use’s name or alias, IANA’s service or description, a former name', () => {
    const claims = nameClaims(
      page(1433, {
        registrations: [{ service: 'ms-sql-s', description: 'Microsoft-SQL-Server', first: 1433, last: 1433 }],
        uses: [use('db-mssql', 'Microsoft SQL Server', [1433], { aliases: ['mssql'] })],
        former: ['old-sql'],
      }),
    );
    const via = Object.fromEntries(claims.map((claim) => [claim.key, claim.via]));
    assert.deepEqual(via, {
      mssqls: 'service',
      microsoftsqlserver: 'use',
      mssql: 'alias',
      oldsql: 'former',
    });
  });

  test('places a port in its IANA range and in its use, main port first', () => {
    const x11 = nameClaims(page(6001, { registrations: [{ service: 'x11', first: 6000, last: 6063 }] }));
    assert.equal(x11.find((claim) => claim.key === 'x11')?.at, 1);
    const smb = nameClaims(page(139, { uses: [use('smb', 'Server Message Block', [445, 139], { aliases: ['SMB'] })] }));
    assert.equal(smb.find((claim) => claim.key === 'smb')?.at, 1);
  });

  test('does not take a use’s order for an alias that names only one part of it', () => {
    const claims = nameClaims(
      page(5405, {
        uses: [use('pve', 'Proxmox VE web interface', [8006, 5405], { aliases: ['proxmox', 'corosync'] })],
      }),
    );
    assert.equal(claims.find((claim) => claim.key === 'proxmox')?.at, 1);
    assert.equal(claims.find((claim) => claim.key === 'corosync')?.at, 0);
  });

  test('gives a port list’s name no order, and malware its family name', () => {
    const claims = nameClaims(
      page(3521, {
        uses: [
          use('firewalld:x', 'DNS', [53, 3521], { standing: 'listed' }),
          use('article:3521:1', 'W32.Kwbot', [3521], { standing: 'other', malware: true }),
        ],
      }),
    );
    assert.equal(claims.find((claim) => claim.key === 'dns')?.at, 0);
    assert.equal(claims.find((claim) => claim.key === 'kwbot')?.via, 'other');
  });
});

describe('rankPorts', () => {
  const standing = (port: number, more: Partial<PortStanding> = {}): PortStanding => ({
    port,
    via: 'service',
    sources: 1,
    at: 0,
    support: 1,
    ...more,
  });

  test('puts a documented use before IANA’s service name, and is sure of it', () => {
    const { ports: ranked, sure } = rankPorts([standing(47001), standing(5985, { via: 'alias' })]);
    assert.deepEqual(
      ranked.map((p) => p.port),
      [5985, 47001],
    );
    assert.equal(sure, true);
  });

  test('puts the port more sources name first', () => {
    const { ports: ranked, sure } = rankPorts([
      standing(2591, { via: 'alias' }),
      standing(2592, { via: 'alias', sources: 2, at: 1 }),
    ]);
    assert.equal(ranked[0]!.port, 2592);
    assert.equal(sure, true);
  });

  test('follows the order of the source, then how many names begin with the query', () => {
    assert.equal(rankPorts([standing(139, { at: 1 }), standing(445)]).ports[0]!.port, 445);
    const profinet = rankPorts([standing(34964, { support: 3 }), standing(34962, { support: 4 })]);
    assert.equal(profinet.ports[0]!.port, 34962);
    assert.equal(profinet.sure, true);
  });

  test('is not sure of a first port that only its number puts first', () => {
    const { ports: ranked, sure } = rankPorts([standing(5405), standing(3128)]);
    assert.equal(ranked[0]!.port, 3128);
    assert.equal(sure, false);
  });
});

describe('resolveName', () => {
  const resolve = resolver([
    page(22, {
      registrations: [{ service: 'ssh', description: 'The Secure Shell (SSH) Protocol', first: 22, last: 22 }],
    }),
    page(53, {
      registrations: [{ service: 'domain', first: 53, last: 53 }],
      uses: [use('dns', 'Domain Name System', [53], { aliases: ['DNS'] })],
    }),
    page(139, { uses: [use('smb', 'Server Message Block', [445, 139], { aliases: ['SMB'] })] }),
    page(445, { uses: [use('smb', 'Server Message Block', [445, 139], { aliases: ['SMB'] })] }),
    page(2592, { registrations: [{ service: 'netrek', first: 2592, last: 2592 }] }),
    page(3521, { uses: [use('meta', 'Netrek metaserver', [3520, 3521, 3522])] }),
    page(3128, { uses: [use('pve', 'Proxmox VE', [8006, 3128, 5405], { aliases: ['corosync'] })] }),
    page(5405, { uses: [use('pve', 'Proxmox VE', [8006, 3128, 5405], { aliases: ['corosync'] })] }),
  ]);

  test('answers an exact name with its port, whatever the case, spaces and dashes', () => {
    for (const query of ['dns', 'DNS', 'Domain Name System', 'domain-name-system']) {
      const found = resolve(query);
      assert.equal(found.answer, 53, query);
      assert.equal(found.matches[0]!.exact, true);
    }
  });

  test('lists a name’s ports main port first and answers with it', () => {
    const found = resolve('smb');
    assert.deepEqual(ports(found), [445, 139]);
    assert.equal(found.answer, 445);
  });

  test('adds the ports of longer names that begin with the query, without answering with them', () => {
    const found = resolve('netrek');
    assert.deepEqual(ports(found), [2592, 3521]);
    assert.equal(found.answer, 2592);
    const prefix = resolve('netrek meta');
    assert.deepEqual(ports(prefix), [3521]);
    assert.equal(prefix.answer, undefined);
  });

  test('does not answer a name that belongs to several ports when the data does not say which', () => {
    const found = resolve('corosync');
    assert.deepEqual(ports(found).sort(), [3128, 5405]);
    assert.equal(found.answer, undefined);
  });

  test('answers a name typed with one of its port numbers with that port', () => {
    assert.equal(resolve('ssh 22').answer, 22);
    assert.equal(resolve('22 ssh').answer, 22);
    assert.equal(resolve('smb 139').answer, 139);
    assert.deepEqual(resolve('ssh 23').matches, []);
  });

  test('finds nothing for a name no port has, and leaves bare numbers to the number lookup', () => {
    assert.deepEqual(resolve('xylophonequartz'), { matches: [] });
    assert.equal(parseNameQuery('3515'), undefined);
    assert.equal(parseNameQuery('x'), undefined);
  });
});

describe('name shards', () => {
  test('are all written, empty or not, and a name is in the shard its first two characters pick', () => {
    const shards = buildNameShards([page(22, { registrations: [{ service: 'ssh', first: 22, last: 22 }] })]);
    assert.equal(shards.size, NAME_SHARD_COUNT);
    const shard: NameShard = shards.get(nameShardOf('ssh'))!;
    assert.deepEqual(shard.names['ssh'], { ports: [[22, 'service']], sure: true });
    assert.equal(nameShardOf('sshell'), nameShardOf('ssh'));
    for (const key of ['a', 'zz', '0x', 'é9', 'sshd']) {
      const n = nameShardOf(key);
      assert.ok(Number.isInteger(n) && n >= 0 && n < NAME_SHARD_COUNT, key);
    }
  });
});

describe('portNames', () => {
  const known = (id: string, more: Partial<KnownUse>): KnownUse => ({
    id,
    name: id,
    kind: 'default',
    evidence: 'documented',
    protocols: ['tcp'],
    ports: [3000],
    aliases: [],
    origin: 'dataset',
    source: { title: 't', publisher: 'p', says: 's' },
    ...more,
  });

  test('ranks a port’s uses current first, then listed, then the rest', () => {
    const names = portNames({
      port: 3000,
      rows: [{ service: 'hbci', description: 'HBCI', first: 3000, last: 3000, status: 'assigned' }],
      uses: [
        known('old', { kind: 'historic' }),
        known('firewalld:grafana', { evidence: 'listed', origin: 'firewalld' }),
        known('grafana', { name: 'Grafana' }),
      ],
    });
    assert.deepEqual(
      names.uses.map((u) => [u.id, u.standing]),
      [
        ['grafana', 'current'],
        ['firewalld:grafana', 'listed'],
        ['old', 'other'],
      ],
    );
    assert.deepEqual(names.registrations, [{ service: 'hbci', description: 'HBCI', first: 3000, last: 3000 }]);
  });
});

describe('the names index built from the site’s content', () => {
  const pages = siteSearchNames();
  const resolve = resolver(pages);
  // Every port a current use named Netrek runs on, as the content documents them (not a list kept here).
  const netrek = pages
    .filter((page) => page.uses.some((use) => use.standing === 'current' && /^netrek\b/i.test(use.name)))
    .map((page) => page.port);
  // The queries of issues 22 and 24: everyday names, software names, titles and aliases.
  for (const [query, first, also = []] of [
    ['dns', 53],
    ['rdp', 3389],
    ['remote desktop', 3389],
    ['mssql', 1433],
    ['smb', 445, [139]],
    ['vnc', 5900],
    ['x11', 6000],
    ['winrm', 5985, [5986]],
    ['netrek', 2592, netrek],
    ['must backplane', 3515],
    ['kwbot', 3521],
    ['ssh 22', 22],
    ['grafana', 3000],
    ['minecraft', 25565],
    ['plex', 32400],
    ['profinet', 34962, [34963, 34964]],
    ['rstudio', 8787],
    ['wildfly', 9990],
    ['syncthing', 22000],
  ] as const satisfies readonly (readonly [string, number, (readonly number[])?])[]) {
    test(`“${query}” answers with port ${first}`, () => {
      const found = resolve(query);
      assert.equal(found.answer, first);
      assert.equal(found.matches[0]?.port, first);
      for (const port of also) assert.ok(ports(found).includes(port), `${query} also finds ${port}`);
    });
  }

  test('“netrek” lists every port the content documents Netrek on', () => {
    // The game's server ports and the metaserver's, from the known uses and the 3521 article.
    assert.ok(netrek.length >= 4, `Netrek is documented on ${netrek.join(', ')}`);
  });

  test('“x11” answers with the first port of IANA’s range, not another of its 64', () => {
    assert.notEqual(resolve('x11').answer, 6057);
  });

  test('“winrm” prefers the documented listeners to the number IANA registered the name on', () => {
    assert.ok(ports(resolve('winrm')).indexOf(47001) > ports(resolve('winrm')).indexOf(5986));
  });
});
