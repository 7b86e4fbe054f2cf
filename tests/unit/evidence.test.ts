import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import {
  EXTRACT_FILES,
  EXTRACT_NAMES,
  EvidenceFormatError,
  fromCsv,
  loadEvidence,
  parseDecodes,
  parseEtcServices,
  parseNmapServices,
  readEvidence,
  reduceNmapServices,
  toCsv,
  type DecodeRow,
  type NetbaseRow,
  type NmapServiceRow,
} from '../../src/lib/evidence.ts';
import { HEADER, parseRegistry } from '../../src/lib/registry.ts';

const NMAP_SERVICES = [
  '# Fields in this file are: Service name, portnum/protocol, open-frequency, optional comments',
  '#',
  'tcpmux\t1/tcp\t0.001995\t# TCP Port Service Multiplexer [rfc-1078] | TCP Port Service Multiplexer',
  'rje\t5/tcp\t0.000000\t# Remote Job Entry',
  'unknown\t4/tcp\t0.000477',
  '',
  'must-backplane\t3515/tcp\t0.000076\t# MUST Backplane',
  'must-backplane\t3515/udp\t0.000000\t# MUST Backplane',
  'sctp-thing\t9/sctp\t0.000100',
  'appletalk\t7/ddp\t0.500000\t# not a protocol Nmap scans',
  'too-high\t70000/tcp\t0.100000',
  'http   80/tcp   0.484143   # spaces instead of tabs',
].join('\n');

/** IANA's shape: 1, 5, 9, 80 and 3515 assigned (9 for TCP only), 2-4 unassigned. */
const REGISTRY = [
  HEADER.join(','),
  'tcpmux,1,tcp,TCP Port Service Multiplexer,,,,,,,,',
  ',2-4,,Unassigned,,,,,,,,',
  'rje,5,tcp,Remote Job Entry,,,,,,,,',
  'discard,9,tcp,Discard,,,,,,,,',
  'http,80,tcp,World Wide Web HTTP,,,,,,,,',
  'http,80,udp,World Wide Web HTTP,,,,,,,,',
  'must-backplane,3515,tcp,MUST Backplane,,,,,,,,',
  'must-backplane,3515,udp,MUST Backplane,,,,,,,,',
].join('\n');
const registry = parseRegistry(REGISTRY);

const DECODES = [
  'tcp.port\t80\thttp',
  'tcp.port\t0\ttsdns',
  'udp.port\t53\tdns',
  'udp.port\t53\tdns',
  'sctp.port\t80\thttp',
  'dccp.port\t5004\trtp\r',
  'sctp.ppi\t46\tdiameter',
  'ethertype\t2048\tip',
  'tcp.option\t2\tmss',
  'raknet.offline.message.id\t13\traknet',
].join('\n');

const ETC_SERVICES = [
  '# Network services, Internet style',
  '',
  'tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer',
  'discard\t\t9/tcp\t\tsink null',
  'svn\t\t3690/tcp\tsubversion\t# Subversion protocol',
  'amqp\t\t5672/sctp',
  'rtmp\t\t1/ddp\t\t\t# Routing Table Maintenance Protocol',
  '   ',
  'git\t\t9418/tcp\t\t\t# Git Version Control System',
].join('\n');

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
    assert.deepEqual(parseDecodes(DECODES), [
      { port: 80, protocol: 'tcp', dissector: 'http' },
      { port: 53, protocol: 'udp', dissector: 'dns' },
      { port: 80, protocol: 'sctp', dissector: 'http' },
      { port: 5004, protocol: 'dccp', dissector: 'rtp' },
    ]);
  });

  test('refuses a port table line without a port or a dissector', () => {
    assert.throws(() => parseDecodes('tcp.port\tabc\thttp\n'), /not a port number/);
    assert.throws(() => parseDecodes('udp.port\t70000\tx\n'), /not a port number/);
    assert.throws(() => parseDecodes('ethertype\t1\tx\ntcp.port\t80\n'), /line 2/);
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
    const rows: DecodeRow[] = [{ port: 7, protocol: 'udp', dissector: 'odd,name' }];
    assert.match(toCsv('wireshark', rows), /^7,udp,"odd,name"$/m);
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
    assert.deepEqual(evidence.get(12345), { port: 12345, nmap: {}, wireshark: {}, netbase: {} });
    assert.deepEqual(evidence.get(4).nmap, {}, 'an unassigned port never reaches the extract');
    assert.deepEqual(evidence.rows, { nmapFrequencies: 4, wireshark: 4, netbase: 6 });
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
    assert.ok(rows.length >= 120, `${rows.length} rows`);
    assert.ok(rows.every((r) => r.label === 'in-use' || r.label === 'dormant'));
    const dormant = rows.filter((r) => r.label === 'dormant' && Number(r.port) >= 1024 && Number(r.port) <= 49151);
    assert.ok(dormant.length >= 40, `${dormant.length} dormant registered ports`);
  });

  test('labels only assigned ports, by one of their registered service names, once per protocol', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      const entry = assigned.get(Number(r.port));
      assert.ok(
        entry?.rows.some((row) => row.service === r.service),
        `${r.port} ${r.service} is not in the registry`,
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

describe('npm run evidence:update', () => {
  const cli = fileURLToPath(new URL('../../src/cli/evidence-update.ts', import.meta.url));
  let root: string;
  let out: string;
  const readme = '# Evidence\n\n<!-- evidence:generated:start -->\n<!-- evidence:generated:end -->\n\nMore text.\n';

  const run = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [cli], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DORMANT_PORTS_EVIDENCE: out,
        DORMANT_PORTS_REGISTRY: join(root, 'registry.csv'),
        DORMANT_PORTS_NMAP_DIR: join(root, 'nmap'),
        DORMANT_PORTS_SERVICES: join(root, 'services'),
        DORMANT_PORTS_TSHARK: join(root, 'tshark'),
        ...env,
      },
    });
  const snapshot = () =>
    Object.fromEntries(
      [...Object.values(EXTRACT_FILES), 'README.md'].map((f) => [
        f,
        existsSync(join(out, f)) ? readFileSync(join(out, f), 'utf8') : undefined,
      ]),
    );

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'evidence-update-'));
    out = join(root, 'out');
    mkdirSync(out);
    mkdirSync(join(root, 'nmap'));
    writeFileSync(join(root, 'registry.csv'), REGISTRY);
    writeFileSync(join(root, 'nmap', 'nmap-services'), NMAP_SERVICES);
    writeFileSync(join(root, 'services'), ETC_SERVICES);
    writeFileSync(join(root, 'decodes.txt'), DECODES);
    // Like the real tshark run as root: a warning on stderr, the table on stdout.
    writeFileSync(
      join(root, 'tshark'),
      `#!/bin/sh\necho "Running as user root" >&2\ncat '${join(root, 'decodes.txt')}'\n`,
    );
    chmodSync(join(root, 'tshark'), 0o755);
    writeFileSync(join(out, 'README.md'), readme);
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('writes the three extracts and the README block, then finds nothing to do', () => {
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /nmap-frequencies\.csv: 4 rows \(\+4 −0\)/);
    assert.match(first.stdout, /wireshark-decodes\.csv: 4 rows/);
    const files = snapshot();
    assert.equal(
      files['nmap-frequencies.csv'],
      toCsv('nmapFrequencies', reduceNmapServices(parseNmapServices(NMAP_SERVICES), registry)),
    );
    assert.match(
      files['README.md']!,
      /`nmap-frequencies\.csv`: 4 rows from .*nmap-services, .*reduced to the ports assigned in .*registry\.csv \(sha256 `[0-9a-f]{64}`\)/,
    );
    assert.match(files['README.md']!, /`netbase-services\.csv`: 5 rows from .*services/);
    assert.match(files['README.md']!, /More text\.\n$/);
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /Already up to date/);
    assert.deepEqual(snapshot(), files);
  });

  test('names what is missing, a Debian package or the registry snapshot, and changes nothing', () => {
    const before = snapshot();
    const noNmap = run({ DORMANT_PORTS_NMAP_DIR: join(root, 'no-such-dir') });
    assert.equal(noNmap.status, 1);
    assert.match(noNmap.stderr, /apt-get install nmap-common/);
    assert.match(noNmap.stderr, /Nothing in .* was changed/);
    const noTshark = run({ DORMANT_PORTS_TSHARK: join(root, 'no-such-tshark') });
    assert.equal(noTshark.status, 1);
    assert.match(noTshark.stderr, /apt-get install tshark/);
    const noRegistry = run({ DORMANT_PORTS_REGISTRY: join(root, 'no-such-registry.csv') });
    assert.equal(noRegistry.status, 1);
    assert.match(noRegistry.stderr, /no-such-registry\.csv: the IANA registry snapshot is missing/);
    writeFileSync(join(root, 'bad-registry.csv'), 'port,service\n1,x\n');
    const badRegistry = run({ DORMANT_PORTS_REGISTRY: join(root, 'bad-registry.csv') });
    assert.equal(badRegistry.status, 1);
    assert.match(badRegistry.stderr, /bad-registry\.csv: not IANA's registry CSV/);
    assert.deepEqual(snapshot(), before);
  });

  test('changes nothing when one source fails to parse', () => {
    const before = snapshot();
    writeFileSync(join(root, 'services'), `${ETC_SERVICES}\nextra\t1/tcp\nnew\t2/tcp\n`);
    writeFileSync(join(root, 'nmap', 'nmap-services'), `${NMAP_SERVICES}\nbroken\t12/tcp\n`);
    const result = run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /nmap-frequencies\.csv: nmap-services, line 13/);
    assert.deepEqual(snapshot(), before);
    writeFileSync(join(root, 'nmap', 'nmap-services'), NMAP_SERVICES);
    const fixed = run();
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout, /netbase-services\.csv: 7 rows \(\+2 −0\)/);
  });

  test('follows the registry: a newly assigned port gains its Nmap rows', () => {
    writeFileSync(join(root, 'registry.csv'), `${REGISTRY}\nnew-service,4,tcp,A new registration,,,,,,,,\n`);
    const result = run();
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /nmap-frequencies\.csv: 5 rows \(\+1 −0\)/);
    assert.match(readFileSync(join(out, 'nmap-frequencies.csv'), 'utf8'), /^4,tcp,0\.000477$/m);
  });

  test("warns about a retired copy of Nmap's files left in the directory", () => {
    writeFileSync(join(out, 'nmap-services.csv'), 'port,protocol,service,frequency\n');
    const result = run();
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /nmap-services\.csv .* is not cleared for publication: delete it/);
  });
});
