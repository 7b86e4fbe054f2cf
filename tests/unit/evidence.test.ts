import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import {
  EXTRACT_FILES,
  EXTRACT_NAMES,
  EvidenceFormatError,
  fromCsv,
  loadEvidence,
  parseDecodes,
  parseEtcServices,
  parseFirewalldService,
  parseNdpiPorts,
  parseNmapServices,
  parseProtocolNames,
  parseShorewallMacro,
  readEvidence,
  reduceNmapServices,
  toCsv,
  type DecodeRow,
  type NetbaseRow,
  type NmapServiceRow,
} from '../../src/lib/evidence.ts';
import { portList } from '../../src/lib/ports/number.ts';
import { parseRegistry } from '../../src/lib/registry.ts';
import { listedUses } from '../../src/lib/uses.ts';
import {
  DECODES,
  ETC_SERVICES,
  FIREWALLD_GRAFANA,
  FIREWALLD_KDECONNECT,
  NMAP_SERVICES,
  PROTOCOL_NAMES,
  REGISTRY,
  SHOREWALL_PUPPET,
} from '../fixtures/evidence.ts';

const registry = parseRegistry(REGISTRY);

describe('parseNmapServices', () => {
  test('keeps ports Nmap saw open, with the frequency exactly as printed', () => {
    assert.deepEqual(parseNmapServices(NMAP_SERVICES), [
      { port: 1, protocol: 'tcp', service: 'tcpmux', frequency: '0.001995' },
      { port: 4, protocol: 'tcp', service: 'unknown', frequency: '0.000477' },
      { port: 3515, protocol: 'tcp', service: 'must-backplane', frequency: '0.000076' },
      { port: 9, protocol: 'sctp', service: 'sctp-thing', frequency: '0.000100' },
      { port: 80, protocol: 'tcp', service: 'http', frequency: '0.484143' },
    ]);
  });

  test('refuses a line it cannot read, naming the line', () => {
    assert.throws(() => parseNmapServices('# ok\nbroken\t12/tcp\n'), /nmap-services, line 2/);
    assert.throws(() => parseNmapServices('x\t12-tcp\t0.1\n'), EvidenceFormatError);
    assert.throws(() => parseNmapServices('x\t12/tcp\tabc\n'), /not a frequency/);
  });
});

describe('reduceNmapServices', () => {
  test("keeps only ports IANA has assigned, on any protocol, and drops Nmap's names", () => {
    assert.deepEqual(reduceNmapServices(parseNmapServices(NMAP_SERVICES), registry), [
      { port: 1, protocol: 'tcp', frequency: '0.001995' },
      { port: 3515, protocol: 'tcp', frequency: '0.000076' },
      { port: 9, protocol: 'sctp', frequency: '0.000100' },
      { port: 80, protocol: 'tcp', frequency: '0.484143' },
    ]);
  });

  test('keeps one row per port and protocol, the higher frequency, and never a zero', () => {
    const rows: NmapServiceRow[] = [
      { port: 80, protocol: 'tcp', service: 'http', frequency: '0.100000' },
      { port: 80, protocol: 'tcp', service: 'www', frequency: '0.200000' },
      { port: 80, protocol: 'udp', service: 'http', frequency: '0.000000' },
    ];
    assert.deepEqual(reduceNmapServices(rows, registry), [{ port: 80, protocol: 'tcp', frequency: '0.200000' }]);
    assert.deepEqual(reduceNmapServices(rows, { entries: [] }), []);
  });
});

describe('parseDecodes', () => {
  test('keeps the transport port tables and drops the "Decode As" placeholders on port 0', () => {
    assert.deepEqual(parseDecodes(DECODES, parseProtocolNames(PROTOCOL_NAMES)), [
      { port: 80, protocol: 'tcp', dissector: 'http', name: 'Hypertext Transfer Protocol' },
      { port: 53, protocol: 'udp', dissector: 'dns', name: 'Domain Name System' },
      { port: 80, protocol: 'sctp', dissector: 'http', name: 'Hypertext Transfer Protocol' },
      { port: 5004, protocol: 'dccp', dissector: 'rtp', name: 'rtp' },
    ]);
  });

  test('names each dissector by the full name `tshark -G protocols` gives its filter name', () => {
    const names = parseProtocolNames(PROTOCOL_NAMES);
    assert.equal(names.get('kafka'), 'Kafka');
    assert.equal(names.get('dns'), 'Domain Name System');
    assert.equal(names.size, 4);
  });

  test('refuses a port table line without a port or a dissector', () => {
    assert.throws(() => parseDecodes('tcp.port\tabc\thttp\n'), /not a port number/);
    assert.throws(() => parseDecodes('udp.port\t70000\tx\n'), /not a port number/);
    assert.throws(() => parseDecodes('ethertype\t1\tx\ntcp.port\t80\n'), /line 2/);
  });
});

describe('the port lists that name what runs on a port', () => {
  test('firewalld: the short name and every port, ranges spelled out, IP protocols and wide ranges left out', () => {
    assert.deepEqual(parseFirewalldService('grafana', FIREWALLD_GRAFANA), [
      { port: 3000, protocol: 'tcp', service: 'grafana', name: 'grafana' },
    ]);
    assert.deepEqual(
      parseFirewalldService('kdeconnect', FIREWALLD_KDECONNECT).map((r) => `${r.port}/${r.protocol} ${r.name}`),
      [
        '1714/tcp KDE Connect',
        '1715/tcp KDE Connect',
        '1716/tcp KDE Connect',
        '1714/udp KDE Connect',
        '1715/udp KDE Connect',
        '1716/udp KDE Connect',
      ],
    );
    assert.throws(() => parseFirewalldService('x', '<zone/>'), /not a firewalld service definition/);
    assert.throws(
      () => parseFirewalldService('x', '<service>\n<port protocol="tcp"/>\n</service>'),
      /x\.xml, line 2: a <port> needs both/,
    );
  });

  test('Shorewall: what the macro handles, each destination port once, ranges and lists spelled out', () => {
    assert.deepEqual(
      parseShorewallMacro('Puppet', SHOREWALL_PUPPET).map((r) => `${r.port}/${r.protocol}`),
      ['8140/tcp', '10000/udp', '10001/udp', '10002/udp', '12/udp'],
    );
    assert.equal(
      parseShorewallMacro('Puppet', SHOREWALL_PUPPET)[0]!.description,
      'client-to-server for the Puppet configuration management',
    );
  });

  test('nDPI: name, protocol, port and category per line, refusing a line it cannot read', () => {
    assert.deepEqual(parseNdpiPorts('MongoDB\ttcp\t27017\tDatabase\nSTUN\tudp\t3478\tNetwork\n'), [
      { port: 27017, protocol: 'tcp', name: 'MongoDB', category: 'Database' },
      { port: 3478, protocol: 'udp', name: 'STUN', category: 'Network' },
    ]);
    assert.throws(() => parseNdpiPorts('MongoDB\ttcp\t27017\n'), /nDPI default ports, line 1/);
    assert.throws(() => parseNdpiPorts('X\ticmp\t1\tNetwork\n'), /not a protocol/);
  });
});

describe('what a listed use says its list opens', () => {
  test('each number, runs as ranges: never a span over ports the list does not open', () => {
    assert.equal(portList([464, 80, 88, 389, 123, 443]), '80, 88, 123, 389, 443, 464');
    assert.equal(portList([6003, 6000, 6001, 6002, 7000, 7001]), '6000–6003, 7000, 7001');
    assert.equal(portList([22]), '22');
    const [freeipa] = listedUses(
      [80, 88, 123, 389, 443, 464].map((port) => ({
        list: 'firewalld' as const,
        key: 'freeipa-ldap',
        name: 'FreeIPA with LDAP',
        port,
        protocol: 'tcp' as const,
      })),
    );
    assert.match(freeipa!.source.says, /opens TCP 80, 88, 123, 389, 443, 464\./);
  });
});

describe('parseEtcServices', () => {
  test('keeps the name and drops aliases, comments and protocols IANA does not assign', () => {
    assert.deepEqual(parseEtcServices(ETC_SERVICES), [
      { port: 1, protocol: 'tcp', service: 'tcpmux' },
      { port: 9, protocol: 'tcp', service: 'discard' },
      { port: 3690, protocol: 'tcp', service: 'svn' },
      { port: 5672, protocol: 'sctp', service: 'amqp' },
      { port: 9418, protocol: 'tcp', service: 'git' },
    ]);
  });

  test('refuses a line without port/protocol', () => {
    assert.throws(() => parseEtcServices('lonely\n'), /\/etc\/services, line 1/);
    assert.throws(() => parseEtcServices('x 99999/tcp\n'), /not a port number/);
  });
});

describe('extract CSV files', () => {
  const nmapRows = reduceNmapServices(parseNmapServices(NMAP_SERVICES), registry);
  const decodeRows = parseDecodes(DECODES);
  const netbaseRows = parseEtcServices(ETC_SERVICES);

  test('round-trip every extract, sorted by port, then protocol (tcp, udp, sctp, dccp), then the rest', () => {
    const byPort = <T extends { port: number }>(rows: T[]) => [...rows].sort((a, b) => a.port - b.port);
    assert.deepEqual(fromCsv('nmapFrequencies', toCsv('nmapFrequencies', nmapRows)), byPort(nmapRows));
    assert.deepEqual(fromCsv('wireshark', toCsv('wireshark', decodeRows)), [
      decodeRows[1],
      decodeRows[0],
      decodeRows[2],
      decodeRows[3],
    ]);
    assert.deepEqual(fromCsv('netbase', toCsv('netbase', netbaseRows)), byPort(netbaseRows));
  });

  test('write a header, LF line endings, the exact frequency text and no Nmap names', () => {
    const csv = toCsv('nmapFrequencies', nmapRows);
    assert.equal(csv, 'port,protocol,frequency\n1,tcp,0.001995\n9,sctp,0.000100\n80,tcp,0.484143\n3515,tcp,0.000076\n');
    assert.doesNotMatch(csv, /tcpmux|must-backplane|http|sctp-thing/);
  });

  test('quote a value with a comma and read it back', () => {
    const rows: DecodeRow[] = [{ port: 7, protocol: 'udp', dissector: 'odd,name', name: 'Odd' }];
    assert.match(toCsv('wireshark', rows), /^7,udp,"odd,name",Odd$/m);
    assert.deepEqual(fromCsv('wireshark', toCsv('wireshark', rows)), rows);
  });

  test('refuse a wrong header, a short row or a value the writer never produces', () => {
    assert.throws(() => fromCsv('netbase', 'port,service\n1,x\n'), /expected header/);
    assert.throws(() => fromCsv('netbase', 'port,protocol,service\n1,tcp\n'), /fields|Invalid Record Length/);
    // The header of the retired extract, which carried Nmap's names.
    assert.throws(() => fromCsv('nmapFrequencies', 'port,protocol,service,frequency\n1,tcp,x,0.1\n'), /header/);
    assert.throws(() => fromCsv('nmapFrequencies', 'port,protocol,frequency\n1,tcp,0.000000\n'), /> 0/);
    assert.throws(() => fromCsv('nmapFrequencies', 'port,protocol,frequency\n1,tcp,often\n'), /> 0/);
    assert.throws(() => fromCsv('nmapFrequencies', 'port,protocol,frequency\n1,dccp,0.1\n'), /protocol/);
    assert.throws(() => fromCsv('netbase', 'port,protocol,service\n1,tcp,\n'), /empty field/);
    assert.throws(() => fromCsv('netbase', 'port,protocol,service\n-1,tcp,x\n'), EvidenceFormatError);
  });
});

describe('readEvidence', () => {
  const evidence = readEvidence({
    nmapFrequencies: toCsv('nmapFrequencies', reduceNmapServices(parseNmapServices(NMAP_SERVICES), registry)),
    wireshark: toCsv('wireshark', parseDecodes(DECODES)),
    netbase: toCsv('netbase', [
      ...parseEtcServices(ETC_SERVICES),
      { port: 80, protocol: 'tcp', service: 'http' } satisfies NetbaseRow,
    ]),
    firewalld: toCsv('firewalld', parseFirewalldService('grafana', FIREWALLD_GRAFANA)),
    shorewall: toCsv('shorewall', parseShorewallMacro('Puppet', SHOREWALL_PUPPET)),
    ndpi: toCsv('ndpi', parseNdpiPorts('HTTP\ttcp\t80\tWeb\n')),
  });

  test('gives each source per protocol for a port', () => {
    const http = evidence.get(80);
    assert.deepEqual(http.nmap, { tcp: { frequency: 0.484143, text: '0.484143' } });
    assert.deepEqual(http.wireshark, { tcp: ['http'], sctp: ['http'] });
    assert.deepEqual(http.netbase, { tcp: ['http'] });
    assert.deepEqual(evidence.get(3515).nmap, { tcp: { frequency: 0.000076, text: '0.000076' } });
    assert.deepEqual(evidence.get(9).nmap, { sctp: { frequency: 0.0001, text: '0.000100' } });
  });

  test('answers a port no source mentions with empty fields', () => {
    assert.deepEqual(evidence.get(12345), { port: 12345, nmap: {}, wireshark: {}, netbase: {}, listed: [] });
    assert.deepEqual(evidence.get(4).nmap, {}, 'an unassigned port never reaches the extract');
    assert.deepEqual(evidence.rows, {
      nmapFrequencies: 4,
      wireshark: 4,
      netbase: 6,
      firewalld: 1,
      shorewall: 5,
      ndpi: 1,
    });
  });

  test('lists what each port list names on a port, firewalld first', () => {
    assert.deepEqual(
      evidence.get(80).listed.map((l) => `${l.list}:${l.key}/${l.protocol}`),
      ['ndpi:HTTP/tcp', 'wireshark:http/tcp', 'wireshark:http/sctp'],
    );
    assert.deepEqual(evidence.get(3000).listed, [
      { list: 'firewalld', protocol: 'tcp', key: 'grafana', name: 'grafana' },
    ]);
  });
});

describe('the vendored extracts', () => {
  const dir = new URL('../../content/evidence/', import.meta.url);
  const evidence = loadEvidence();
  const snapshot = parseRegistry(
    readFileSync(new URL('../../content/registry/service-names-port-numbers.csv', import.meta.url), 'utf8'),
  );

  test('are canonical: header, sorted rows, LF endings, byte for byte what toCsv writes', () => {
    for (const name of EXTRACT_NAMES) {
      const csv = readFileSync(new URL(EXTRACT_FILES[name], dir), 'utf8');
      assert.ok(!csv.includes('\r'), `${name} has CR characters`);
      assert.equal(toCsv(name, fromCsv(name, csv)), csv, `${EXTRACT_FILES[name]} is not in canonical order`);
    }
  });

  test('hold known facts about busy and quiet ports', () => {
    assert.deepEqual(evidence.get(3515).nmap, { tcp: { frequency: 0.000076, text: '0.000076' } });
    assert.ok(evidence.get(9092).wireshark.tcp?.includes('kafka'));
    assert.ok(evidence.get(9418).netbase.tcp?.includes('git'));
    assert.ok(evidence.get(11211).wireshark.tcp?.includes('memcache'));
    assert.ok(evidence.get(5672).wireshark.tcp?.includes('amqp'));
    assert.ok(evidence.get(1194).netbase.udp?.includes('openvpn'));
    assert.equal(evidence.get(6443).nmap.tcp, undefined, 'internet scans cannot see the Kubernetes API');
    const quiet = evidence.get(3521);
    assert.deepEqual([quiet.nmap, quiet.wireshark, quiet.netbase], [{}, {}, {}]);
  });

  test('hold Nmap frequencies for IANA-assigned ports only, and nothing else of Nmap', () => {
    const assigned = new Set(snapshot.entries.map((e) => e.port));
    const csv = readFileSync(new URL(EXTRACT_FILES.nmapFrequencies, dir), 'utf8');
    assert.equal(csv.split('\n')[0], 'port,protocol,frequency');
    const rows = fromCsv('nmapFrequencies', csv);
    assert.ok(rows.length > 1000, `${rows.length} rows`);
    for (const row of rows) assert.ok(assigned.has(row.port), `${row.port}/${row.protocol} is not assigned`);
    for (const retired of ['nmap-services.csv', 'nmap-service-probes.csv']) {
      assert.ok(!existsSync(new URL(retired, dir)), `${retired} is a copy of Nmap's data and must not be vendored`);
    }
  });

  test('match the row counts in the README', () => {
    const readme = readFileSync(new URL('README.md', dir), 'utf8');
    for (const name of EXTRACT_NAMES) {
      const match = new RegExp(`\`${EXTRACT_FILES[name]}\`: (\\d+) rows`).exec(readme);
      assert.ok(match, `README lists ${EXTRACT_FILES[name]}`);
      assert.equal(Number(match[1]), evidence.rows[name], EXTRACT_FILES[name]);
    }
  });
});

describe('the evaluation set', () => {
  const csv = readFileSync(new URL('../../content/evidence/evaluation.csv', import.meta.url), 'utf8');
  const parsed: unknown = parse(csv, { columns: true });
  const rows = parsed as Record<'port' | 'protocol' | 'service' | 'label' | 'evidence' | 'source', string>[];
  const registry = parseRegistry(
    readFileSync(new URL('../../content/registry/service-names-port-numbers.csv', import.meta.url), 'utf8'),
  );
  const assigned = new Map(registry.entries.map((e) => [e.port, e]));
  const label = (port: number, protocol = 'tcp') =>
    rows.find((r) => Number(r.port) === port && r.protocol === protocol)?.label;

  test('has enough rows of each label, in the registered range for dormant ones', () => {
    assert.equal(csv.split('\n')[0], 'port,protocol,service,label,evidence,source');
    assert.ok(rows.length >= 300, `${rows.length} rows`);
    assert.ok(rows.every((r) => r.label === 'in-use' || r.label === 'dormant'));
    assert.ok(rows.filter((r) => r.label === 'in-use').length >= 200, 'at least 200 ports in wide use');
    const dormant = rows.filter((r) => r.label === 'dormant' && Number(r.port) >= 1024 && Number(r.port) <= 49151);
    assert.ok(dormant.length >= 100, `${dormant.length} dormant registered ports`);
  });

  test('names a port by one of its registered service names, or by none where IANA assigned it to nobody', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      const entry = assigned.get(Number(r.port));
      assert.ok(
        r.service === '' ? r.label === 'in-use' : entry?.rows.some((row) => row.service === r.service),
        `${r.port} "${r.service}" is not in the registry`,
      );
      assert.ok(['tcp', 'udp', 'sctp', 'dccp'].includes(r.protocol), `${r.port} ${r.protocol}`);
      assert.ok(!seen.has(`${r.port}/${r.protocol}`), `${r.port}/${r.protocol} twice`);
      seen.add(`${r.port}/${r.protocol}`);
    }
    const order = rows.map((r) => Number(r.port));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  test('gives every row evidence, and says so when a source could not be verified', () => {
    for (const r of rows) {
      assert.ok(r.evidence.length > 10, `${r.port} has no evidence`);
      if (r.source) assert.match(r.source, /^https?:\/\/\S+$/, `${r.port} source`);
      else assert.match(r.evidence, /not verified|checked:/, `${r.port} has no source and does not say why`);
    }
  });

  test('labels the busy ports in use, including ones internet scans cannot see', () => {
    for (const [port, protocol] of [
      [9418, 'tcp'],
      [3690, 'tcp'],
      [5672, 'tcp'],
      [6443, 'tcp'],
      [9092, 'tcp'],
      [11211, 'tcp'],
      [5985, 'tcp'],
      [5986, 'tcp'],
      [10050, 'tcp'],
      [10051, 'tcp'],
      [1194, 'udp'],
      [9001, 'tcp'],
      [9050, 'tcp'],
      [9100, 'tcp'],
      [5984, 'tcp'],
      [3521, 'tcp'],
    ] as const) {
      assert.equal(label(port, protocol), 'in-use', `${port}/${protocol}`);
    }
    assert.equal(label(3515), 'dormant');
  });
});
