/**
 * `npm run evidence:update`: regenerates the vendored evidence extracts in content/evidence/ from the Debian
 * packages installed on this machine (nmap-common, tshark, netbase) and the IANA registry snapshot. Nmap's table
 * is read here only, on a maintainer's machine, and reduced to the frequencies of IANA-assigned ports before
 * anything is written (content/evidence/README.md, "Licence decision"). Every source is read and parsed before
 * anything is written, so one missing package or unreadable file leaves every extract as it was. Each file is
 * written to a temporary name and renamed into place; the README's generated block gets the package versions,
 * source checksums and row counts.
 *
 *   DORMANT_PORTS_EVIDENCE   the directory to update (default: content/evidence)
 *   DORMANT_PORTS_REGISTRY   the registry snapshot (default: content/registry/service-names-port-numbers.csv)
 *   DORMANT_PORTS_NMAP_DIR   where nmap-services is (default: /usr/share/nmap)
 *   DORMANT_PORTS_SERVICES   the services file (default: /etc/services)
 *   DORMANT_PORTS_TSHARK     the tshark program (default: tshark on the PATH)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  EXTRACT_FILES,
  fromCsv,
  parseDecodes,
  parseEtcServices,
  parseNmapServices,
  reduceNmapServices,
  rowKey,
  toCsv,
  type ExtractName,
  type ExtractRows,
} from '../lib/evidence.ts';
import { parseRegistry, type Registry } from '../lib/registry.ts';

const run = promisify(execFile);

const target = resolve(process.env['DORMANT_PORTS_EVIDENCE'] || 'content/evidence');
/** Shown in the README as given, so that the block does not depend on where the checkout lives. */
const registryFile = process.env['DORMANT_PORTS_REGISTRY'] || 'content/registry/service-names-port-numbers.csv';
const nmapDir = process.env['DORMANT_PORTS_NMAP_DIR'] || '/usr/share/nmap';
const servicesFile = process.env['DORMANT_PORTS_SERVICES'] || '/etc/services';
const tshark = process.env['DORMANT_PORTS_TSHARK'] || 'tshark';

const README_START = '<!-- evidence:generated:start -->';
const README_END = '<!-- evidence:generated:end -->';
/** Earlier extracts that copied Nmap's files and are not cleared for publication (README, "Licence decision"). */
const RETIRED = ['nmap-services.csv', 'nmap-service-probes.csv'];

interface Source {
  name: ExtractName;
  debianPackage: string;
  /** What the README shows as the origin of the raw text. */
  origin: string;
  read: () => Promise<string>;
  parse: (text: string, registry: Registry) => ExtractRows[ExtractName][];
  /** Appended to the README line, for an extract that is a selection rather than the whole source. */
  note?: (registrySha256: string) => string;
}

const missing = (what: string, debianPackage: string) =>
  `${what} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`;

async function readSource(path: string, debianPackage: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing(path, debianPackage));
    throw error;
  }
}

async function readRegistry(): Promise<{ registry: Registry; sha256: string }> {
  let csv: string;
  try {
    csv = await readFile(resolve(registryFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error('the IANA registry snapshot is missing: restore it from git or run npm run registry:update');
  }
  try {
    return { registry: parseRegistry(csv), sha256: createHash('sha256').update(csv).digest('hex') };
  } catch (error) {
    throw new Error(`not IANA's registry CSV: ${(error as Error).message}`, { cause: error });
  }
}

async function runTshark(): Promise<string> {
  // The maintainer's own Wireshark preferences may move dissectors to other ports; the extract records defaults.
  const profile = await mkdtemp(join(tmpdir(), 'evidence-wireshark-'));
  try {
    // As root tshark warns on stderr that it should not run as root; only stdout is the table.
    const { stdout } = await run(tshark, ['-G', 'decodes'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, WIRESHARK_CONFIG_DIR: profile },
    });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing(`${tshark} (program)`, 'tshark'));
    throw new Error(`${tshark} -G decodes failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

const sources: Source[] = [
  {
    name: 'nmapFrequencies',
    debianPackage: 'nmap-common',
    origin: `${nmapDir}/nmap-services`,
    read: () => readSource(join(nmapDir, 'nmap-services'), 'nmap-common'),
    // Nmap's names and comments are dropped here, before anything reaches the disk.
    parse: (text, registry) => reduceNmapServices(parseNmapServices(text), registry),
    note: (sha256) => `, reduced to the ports assigned in ${registryFile} (sha256 \`${sha256}\`)`,
  },
  {
    name: 'wireshark',
    debianPackage: 'tshark',
    origin: '`tshark -G decodes` (standard output)',
    read: runTshark,
    parse: parseDecodes,
  },
  {
    name: 'netbase',
    debianPackage: 'netbase',
    origin: servicesFile,
    read: () => readSource(servicesFile, 'netbase'),
    parse: parseEtcServices,
  },
];

async function packageVersion(debianPackage: string): Promise<string> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', debianPackage], { encoding: 'utf8' });
    return stdout.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

interface Result {
  source: Source;
  version: string;
  sha256: string;
  csv: string;
  rows: number;
}

const failures: string[] = [];
const results: Result[] = [];
let registry: { registry: Registry; sha256: string } | undefined;
try {
  registry = await readRegistry();
} catch (error) {
  failures.push(`${registryFile}: ${(error as Error).message}`);
}
for (const source of sources) {
  try {
    const raw = await source.read();
    // Without the registry nothing is written anyway; reading the sources still reports every missing package.
    if (!registry) continue;
    const rows = source.parse(raw, registry.registry);
    // An empty extract would silently turn every port dormant; a source that yields nothing is broken.
    if (rows.length === 0) throw new Error(`${source.origin} gave no rows; is it the right file?`);
    results.push({
      source,
      version: await packageVersion(source.debianPackage),
      sha256: createHash('sha256').update(raw).digest('hex'),
      csv: toCsv(source.name, rows),
      rows: rows.length,
    });
  } catch (error) {
    failures.push(`${EXTRACT_FILES[source.name]}: ${(error as Error).message}`);
  }
}
if (failures.length > 0 || !registry) {
  console.error(`evidence:update: ${failures.join('\n  ')}`);
  console.error(`Nothing in ${target} was changed.`);
  process.exit(1);
}
const registrySha256 = registry.sha256;

async function current(name: ExtractName): Promise<string | undefined> {
  try {
    return await readFile(join(target, EXTRACT_FILES[name]), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const keys = (name: ExtractName, csv: string) => new Set(fromCsv(name, csv).map((row) => rowKey(name, row)));

const writes: { temporary: string; final: string }[] = [];
for (const result of results) {
  const { name, debianPackage } = result.source;
  const file = EXTRACT_FILES[name];
  const old = await current(name);
  let before = new Set<string>();
  if (old !== undefined) {
    try {
      before = keys(name, old);
    } catch (error) {
      console.warn(`${file}: the current extract does not parse (${(error as Error).message}); replacing it.`);
    }
  }
  const after = keys(name, result.csv);
  const added = [...after].filter((k) => !before.has(k)).length;
  const removed = [...before].filter((k) => !after.has(k)).length;
  console.log(
    `${file}: ${result.rows} rows (+${added} −${removed}) from ${debianPackage} ${result.version}` +
      (old === result.csv ? ', unchanged' : ''),
  );
  if (old !== result.csv) writes.push({ temporary: join(target, `.${file}.${process.pid}.tmp`), final: file });
}

/** A list rather than a table: Prettier realigns tables, and the block must survive `prettier --check`. */
function renderBlock(date: string): string {
  const lines = [
    README_START,
    '',
    `Generated ${date} by \`npm run evidence:update\`:`,
    '',
    ...results.map(
      (r) =>
        `- \`${EXTRACT_FILES[r.source.name]}\`: ${r.rows} rows from ${r.source.origin}, Debian package ` +
        `${r.source.debianPackage} ${r.version}, sha256 of the raw source \`${r.sha256}\`` +
        (r.source.note?.(registrySha256) ?? ''),
    ),
    '',
    README_END,
  ];
  return lines.join('\n');
}

const readmePath = join(target, 'README.md');
const readme = await readFile(readmePath, 'utf8').catch(() => undefined);
const start = readme?.indexOf(README_START) ?? -1;
const end = readme?.indexOf(README_END) ?? -1;
let nextReadme: string | undefined;
if (readme === undefined || start === -1 || end < start) {
  console.log(`\n${readmePath} has no generated block; paste this between the markers:\n\n${renderBlock(today())}`);
} else {
  const old = readme.slice(start, end + README_END.length);
  const oldDate = /Generated (\d{4}-\d{2}-\d{2})/.exec(old)?.[1];
  // Regenerating the same data must not churn the README just because the date moved on.
  if (oldDate === undefined || renderBlock(oldDate) !== old) {
    nextReadme = readme.slice(0, start) + renderBlock(today()) + readme.slice(end + README_END.length);
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The build no longer reads these, but a copy of Nmap's files must not be committed by accident. */
function warnRetired(): void {
  for (const file of RETIRED.filter((f) => existsSync(join(target, f)))) {
    console.warn(`${file} in ${target} is no longer used and is not cleared for publication: delete it.`);
  }
}

if (writes.length === 0 && nextReadme === undefined) {
  console.log('Already up to date.');
  warnRetired();
  process.exit(0);
}

const byFile = new Map(results.map((r) => [EXTRACT_FILES[r.source.name], r.csv]));
if (nextReadme !== undefined)
  writes.push({ temporary: join(target, `.README.md.${process.pid}.tmp`), final: 'README.md' });
try {
  for (const w of writes) await writeFile(w.temporary, w.final === 'README.md' ? nextReadme! : byFile.get(w.final)!);
} catch (error) {
  await Promise.all(writes.map((w) => rm(w.temporary, { force: true })));
  console.error(`evidence:update: could not write to ${target} (${(error as Error).message}); nothing was changed.`);
  process.exit(1);
}
for (const w of writes) await rename(w.temporary, join(target, w.final));
console.log(`Updated ${writes.map((w) => w.final).join(', ')} in ${target}.`);
warnRetired();
console.log('Check the counts in README.md against the new data, then run npm run test:unit.');
