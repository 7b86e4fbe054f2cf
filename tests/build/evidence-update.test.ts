/**
 * `npm run evidence:update` for real, on small copies of every source: it writes the extracts, sources.json and
 * the README block, changes nothing when a source is missing or broken, and follows the registry. Spawns the CLI
 * several times, so it lives with the build tests rather than the unit tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { EXTRACT_FILES, parseNmapServices, reduceNmapServices, toCsv } from '../../src/lib/evidence.ts';
import { parseRegistry } from '../../src/lib/registry.ts';
import {
  DECODES,
  ETC_SERVICES,
  FIREWALLD_GRAFANA,
  NMAP_SERVICES,
  PROTOCOL_NAMES,
  REGISTRY,
  SHOREWALL_PUPPET,
} from '../fixtures/evidence.ts';

const registry = parseRegistry(REGISTRY);

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
        DORMANT_PORTS_FIREWALLD: join(root, 'firewalld'),
        DORMANT_PORTS_SHOREWALL: join(root, 'shorewall'),
        DORMANT_PORTS_NDPI: join(root, 'ndpi'),
        ...env,
      },
    });
  const snapshot = () =>
    Object.fromEntries(
      [...Object.values(EXTRACT_FILES), 'README.md', 'sources.json'].map((f) => [
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
    writeFileSync(join(root, 'protocols.txt'), PROTOCOL_NAMES);
    // Like the real tshark run as root: a warning on stderr, the table asked for (-G decodes|protocols) on stdout.
    writeFileSync(join(root, 'tshark'), `#!/bin/sh\necho "Running as user root" >&2\ncat '${root}/'"$2"'.txt'\n`);
    chmodSync(join(root, 'tshark'), 0o755);
    mkdirSync(join(root, 'firewalld'));
    writeFileSync(join(root, 'firewalld', 'grafana.xml'), FIREWALLD_GRAFANA);
    mkdirSync(join(root, 'shorewall'));
    writeFileSync(join(root, 'shorewall', 'macro.Puppet'), SHOREWALL_PUPPET);
    writeFileSync(join(root, 'ndpi'), `#!/bin/sh\nprintf 'MongoDB\\ttcp\\t27017\\tDatabase\\n'\n`);
    chmodSync(join(root, 'ndpi'), 0o755);
    writeFileSync(join(out, 'README.md'), readme);
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('writes every extract, sources.json and the README block, then finds nothing to do', () => {
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
    assert.equal(files['firewalld-services.csv'], 'port,protocol,service,name\n3000,tcp,grafana,grafana\n');
    assert.match(files['wireshark-decodes.csv']!, /^53,udp,dns,Domain Name System$/m);
    assert.match(files['ndpi-protocols.csv']!, /^27017,tcp,MongoDB,Database$/m);
    assert.match(
      files['shorewall-macros.csv']!,
      /^8140,tcp,Puppet,client-to-server for the Puppet configuration management$/m,
    );
    const sources = JSON.parse(files['sources.json']!) as Record<string, { rows: number; generated: string }>;
    assert.equal(sources['firewalld']?.rows, 1);
    assert.match(sources['ndpi']?.generated ?? '', /^\d{4}-\d{2}-\d{2}$/);
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
    const noFirewalld = run({ DORMANT_PORTS_FIREWALLD: join(root, 'no-such-firewalld') });
    assert.equal(noFirewalld.status, 1);
    assert.match(noFirewalld.stderr, /apt-get install firewalld/);
    const noShorewall = run({ DORMANT_PORTS_SHOREWALL: join(root, 'no-such-shorewall') });
    assert.match(noShorewall.stderr, /apt-get install shorewall/);
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
