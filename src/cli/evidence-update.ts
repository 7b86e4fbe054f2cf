/**
 * `npm run evidence:update`: regenerates the vendored evidence extracts in content/evidence/ from the Debian
 * packages installed on this machine (nmap-common, tshark, netbase, firewalld, shorewall, libndpi-dev) and the
 * IANA registry snapshot. Nmap's table is read here only, on a maintainer's machine, and reduced to the
 * frequencies of IANA-assigned ports before anything is written (content/evidence/README.md, "Licence
 * decision"). Every source is read and parsed before anything is written, so one missing package or unreadable
 * file leaves every extract as it was. Each file is written to a temporary name and renamed into place;
 * sources.json and the README's generated block get the package versions, source checksums and row counts.
 *
 *   DORMANT_PORTS_EVIDENCE   the directory to update (default: content/evidence)
 *   DORMANT_PORTS_REGISTRY   the registry snapshot (default: content/registry/service-names-port-numbers.csv)
 *   DORMANT_PORTS_NMAP_DIR   where nmap-services is (default: /usr/share/nmap)
 *   DORMANT_PORTS_SERVICES   the services file (default: /etc/services)
 *   DORMANT_PORTS_TSHARK     the tshark program (default: tshark on the PATH)
 *   DORMANT_PORTS_FIREWALLD  firewalld's service definitions (default: /usr/lib/firewalld/services)
 *   DORMANT_PORTS_SHOREWALL  Shorewall's macros (default: /usr/share/shorewall)
 *   DORMANT_PORTS_NDPI       a program printing nDPI's default ports (default: src/cli/ndpi-default-ports.c,
 *                            compiled here with cc against libndpi-dev)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  EXTRACT_FILES,
  fromCsv,
  parseDecodes,
  parseEtcServices,
  parseFirewalldService,
  parseNdpiPorts,
  parseNmapServices,
  parseProtocolNames,
  parseShorewallMacro,
  reduceNmapServices,
  rowKey,
  SOURCES_FILE,
  toCsv,
  type ExtractName,
  type ExtractRow,
  type ExtractSources,
} from '../lib/evidence.ts';
import { parseRegistry, type Registry } from '../lib/registry.ts';

const run = promisify(execFile);

const target = resolve(process.env['DORMANT_PORTS_EVIDENCE'] || 'content/evidence');
/** Shown in the README as given, so that the block does not depend on where the checkout lives. */
const registryFile = process.env['DORMANT_PORTS_REGISTRY'] || 'content/registry/service-names-port-numbers.csv';
const nmapDir = process.env['DORMANT_PORTS_NMAP_DIR'] || '/usr/share/nmap';
const servicesFile = process.env['DORMANT_PORTS_SERVICES'] || '/etc/services';
const tshark = process.env['DORMANT_PORTS_TSHARK'] || 'tshark';
const firewalldDir = process.env['DORMANT_PORTS_FIREWALLD'] || '/usr/lib/firewalld/services';
const shorewallDir = process.env['DORMANT_PORTS_SHOREWALL'] || '/usr/share/shorewall';
const ndpiProgram = process.env['DORMANT_PORTS_NDPI'];
const NDPI_SOURCE = fileURLToPath(new URL('ndpi-default-ports.c', import.meta.url));

const README_START = '<!-- evidence:generated:start -->';
const README_END = '<!-- evidence:generated:end -->';
/** Earlier extracts that copied Nmap's files and are not cleared for publication (README, "Licence decision"). */
const RETIRED = ['nmap-services.csv', 'nmap-service-probes.csv'];

interface SourceOf<K extends ExtractName> {
  name: K;
  debianPackage: string;
  /** What the README shows as the origin of the raw text. */
  origin: string;
  /** The raw text (its checksum is recorded) and the rows it gives. */
  load: (registry: Registry) => Promise<{ raw: string; rows: ExtractRow<K>[] }>;
  /** Appended to the README line, for an extract that is a selection rather than the whole source. */
  note?: (registrySha256: string) => string;
}
type Source = { [K in ExtractName]: SourceOf<K> }[ExtractName];

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

/** Every file of a folder whose name matches, in name order, with its text. */
async function readFolder(dir: string, pattern: RegExp, debianPackage: string) {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => pattern.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing(dir, debianPackage));
    throw error;
  }
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
  // One text for the checksum: each file's name and contents, in order.
  return { files, raw: files.map((f) => `== ${f.name}\n${f.text}`).join('\n') };
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

async function runTshark(report: 'decodes' | 'protocols'): Promise<string> {
  // The maintainer's own Wireshark preferences may move dissectors to other ports; the extract records defaults.
  const profile = await mkdtemp(join(tmpdir(), 'evidence-wireshark-'));
  try {
    // As root tshark warns on stderr that it should not run as root; only stdout is the table.
    const { stdout } = await run(tshark, ['-G', report], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, WIRESHARK_CONFIG_DIR: profile },
    });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing(`${tshark} (program)`, 'tshark'));
    throw new Error(`${tshark} -G ${report} failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** nDPI's default ports, from the library itself: compiles src/cli/ndpi-default-ports.c unless told a program. */
async function runNdpi(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evidence-ndpi-'));
  try {
    let program = ndpiProgram;
    if (!program) {
      program = join(dir, 'ndpi-default-ports');
      try {
        await run('cc', ['-o', program, NDPI_SOURCE, '-lndpi'], { encoding: 'utf8' });
      } catch (error) {
        const output = (error as { stderr?: string }).stderr ?? '';
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing('cc (program)', 'gcc'));
        if (/ndpi_api\.h|-lndpi/.test(output)) throw new Error(missing("nDPI's headers and library", 'libndpi-dev'));
        throw new Error(`cannot compile ${NDPI_SOURCE}: ${output.split('\n')[0]}`, { cause: error });
      }
    }
    try {
      return (await run(program, [], { encoding: 'utf8' })).stdout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing(program, 'libndpi-dev'));
      throw new Error(`${program} failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sources: Source[] = [
  {
    name: 'nmapFrequencies',
    debianPackage: 'nmap-common',
    origin: `${nmapDir}/nmap-services`,
    load: async (registry) => {
      const raw = await readSource(join(nmapDir, 'nmap-services'), 'nmap-common');
      // Nmap's names and comments are dropped here, before anything reaches the disk.
      return { raw, rows: reduceNmapServices(parseNmapServices(raw), registry) };
    },
    note: (sha256) => `, reduced to the ports assigned in ${registryFile} (sha256 \`${sha256}\`)`,
  },
  {
    name: 'wireshark',
    debianPackage: 'tshark',
    origin: '`tshark -G decodes` and `tshark -G protocols` (standard output)',
    load: async () => {
      const [decodes, protocols] = [await runTshark('decodes'), await runTshark('protocols')];
      return { raw: `${decodes}\n${protocols}`, rows: parseDecodes(decodes, parseProtocolNames(protocols)) };
    },
  },
  {
    name: 'netbase',
    debianPackage: 'netbase',
    origin: servicesFile,
    load: async () => {
      const raw = await readSource(servicesFile, 'netbase');
      return { raw, rows: parseEtcServices(raw) };
    },
  },
  {
    name: 'firewalld',
    debianPackage: 'firewalld',
    origin: `${firewalldDir}/*.xml`,
    load: async () => {
      const { files, raw } = await readFolder(firewalldDir, /\.xml$/, 'firewalld');
      return { raw, rows: files.flatMap((f) => parseFirewalldService(f.name.replace(/\.xml$/, ''), f.text)) };
    },
  },
  {
    name: 'shorewall',
    debianPackage: 'shorewall',
    origin: `${shorewallDir}/macro.*`,
    load: async () => {
      const { files, raw } = await readFolder(shorewallDir, /^macro\./, 'shorewall');
      return { raw, rows: files.flatMap((f) => parseShorewallMacro(f.name.replace(/^macro\./, ''), f.text)) };
    },
  },
  {
    name: 'ndpi',
    debianPackage: 'libndpi-dev',
    origin: 'the default ports libndpi registers (src/cli/ndpi-default-ports.c)',
    load: async () => {
      const raw = await runNdpi();
      return { raw, rows: parseNdpiPorts(raw) };
    },
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
  // Without the registry nothing is written anyway, and Nmap's reduction needs it.
  if (!registry) continue;
  try {
    const { raw, rows } = await source.load(registry.registry);
    // An empty extract would silently turn every port dormant; a source that yields nothing is broken.
    if (rows.length === 0) throw new Error(`${source.origin} gave no rows; is it the right file?`);
    results.push({
      source,
      version: await packageVersion(source.debianPackage),
      sha256: createHash('sha256').update(raw).digest('hex'),
      // TypeScript cannot pair a union's name with its rows; each source's rows are of its own extract.
      csv: toCsv(source.name as 'netbase', rows as ExtractRow<'netbase'>[]),
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

const keys = (name: ExtractName, csv: string) =>
  new Set(fromCsv(name, csv).map((row) => rowKey(name as 'netbase', row as ExtractRow<'netbase'>)));

const oldSources: Partial<ExtractSources> = await readFile(join(target, SOURCES_FILE), 'utf8')
  .then((text) => JSON.parse(text) as Partial<ExtractSources>)
  .catch(() => ({}));
const sourcesJson: Partial<ExtractSources> = {};
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
  const known = oldSources[name];
  // The day an extract last changed: regenerating the same data from the same package keeps it.
  const same = old === result.csv && known?.version === result.version && known.sha256 === result.sha256;
  sourcesJson[name] = {
    package: debianPackage,
    version: result.version,
    generated: same ? known.generated : today(),
    origin: result.source.origin,
    sha256: result.sha256,
    rows: result.rows,
  };
}
const nextSources = `${JSON.stringify(sourcesJson, null, 2)}\n`;
if (nextSources !== JSON.stringify(oldSources, null, 2) + '\n') {
  writes.push({ temporary: join(target, `.${SOURCES_FILE}.${process.pid}.tmp`), final: SOURCES_FILE });
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

const byFile = new Map<string, string>(results.map((r) => [EXTRACT_FILES[r.source.name], r.csv]));
byFile.set(SOURCES_FILE, nextSources);
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
