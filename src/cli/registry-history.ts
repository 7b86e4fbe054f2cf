/**
 * `npm run registry:history`: rebuilds the registry's history (content/registry/history.csv) from old versions of
 * IANA's CSV, for maintainers. The build never runs it: the record it writes is vendored.
 *
 *   npm run registry:history -- --bundle service-names-port-numbers.bundle --snapshot-date 2026-03-02
 *   npm run registry:history -- --dir versions/
 *
 * --bundle   a git bundle with one commit per version (the file service-names-port-numbers.csv), each dated
 *            the day it was fetched, as ../shared/data/iana-history/ has it; needs git.
 * --dir      a folder of versions named by the day each was fetched: 2016-01-01.csv, 2016-01-08.csv, …
 * --snapshot-date  the day the current snapshot (content/registry/) was fetched, for the last step. Without
 *            it, the steps the record already holds after the last version given are kept as recorded (their
 *            versions are gone; `registry:update` recorded them), and must lead to the current snapshot.
 * --snapshot-source  where the current snapshot came from, for its version line (default: iana.org).
 * --out, --snapshot  the record and the snapshot (default: content/registry/history.csv, and the snapshot
 *            beside it).
 *
 * Every version is read and compared before anything is written; the file is replaced in one rename.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CHANGE_KINDS, readTimeline } from '../lib/history/changes.ts';
import { diffSnapshots, readSnapshot, replayKeys, SnapshotFormatError, type Snapshot } from '../lib/history/diff.ts';
import { formatHistory, HistoryFormatError, parseHistory, type History, type Version } from '../lib/history/record.ts';

const run = promisify(execFile);
const FILE = 'service-names-port-numbers.csv';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    dir: { type: 'string' },
    'snapshot-date': { type: 'string' },
    'snapshot-source': { type: 'string', default: 'iana.org' },
    out: { type: 'string', default: 'content/registry/history.csv' },
    snapshot: { type: 'string' },
  },
});

/** A reason to stop that the maintainer can act on; thrown so the temporary clone is still removed. */
class Failure extends Error {}
function fail(message: string): never {
  throw new Failure(message);
}

interface Sources {
  versions: Version[];
  /** Each version's text, in order. */
  texts: () => AsyncIterable<string>;
  cleanup: () => Promise<void>;
}

/**
 * The versions in a bundle, oldest first: one commit each, dated the day it was fetched. Read through one
 * `git cat-file --batch`, which is seconds where a `git show` per version is minutes.
 */
async function fromBundle(bundle: string): Promise<Sources> {
  const work = await mkdtemp(join(tmpdir(), 'dormant-ports-history-'));
  const cleanup = () => rm(work, { recursive: true, force: true });
  let log: string;
  try {
    await run('git', ['clone', '--quiet', '--bare', resolve(bundle), work]);
    log = (await run('git', ['-C', work, 'log', '--reverse', '--format=%H%x09%as%x09%s'])).stdout;
  } catch (error) {
    await cleanup();
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'git is not installed' : (error as Error).message;
    fail(`cannot read the bundle ${bundle}: ${reason}`);
  }
  const commits = log
    .trim()
    .split('\n')
    .map((line) => {
      const [commit = '', date = '', subject = ''] = line.split('\t');
      // The tracker's own commit, which the bundle's messages name; else this bundle's.
      const tracker = /\(iana-tracker ([0-9a-f]+)\)/.exec(subject)?.[1];
      return { commit, date, source: tracker ? `iana-tracker ${tracker}` : `commit ${commit.slice(0, 8)}` };
    });
  async function* texts() {
    const git = spawn('git', ['-C', work, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
    git.stdin.end(commits.map(({ commit }) => `${commit}:${FILE}\n`).join(''));
    // Each answer is "<object> blob <size>\n", the file, then "\n"; a commit without the file says "missing".
    let buffer = Buffer.alloc(0);
    for await (const chunk of git.stdout as AsyncIterable<Buffer>) {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf(10);
        if (end < 0) break;
        const header = buffer.subarray(0, end).toString();
        if (header.endsWith(' missing')) fail(`${header.split(' ')[0]!} has no ${FILE}.`);
        const size = Number(header.split(' ')[2]);
        if (buffer.length < end + size + 2) break;
        yield buffer.subarray(end + 1, end + 1 + size).toString('utf8');
        buffer = buffer.subarray(end + size + 2);
      }
    }
  }
  return { versions: commits.map(({ date, source }) => ({ date, source })), texts, cleanup };
}

async function fromDir(dir: string): Promise<Sources> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.csv')).sort();
  const versions = names.map((name) => {
    const date = /^(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
    if (!date) fail(`${join(dir, name)}: name a version by the day it was fetched, such as 2016-01-01.csv.`);
    return { date, source: `file ${name}` };
  });
  async function* texts() {
    for (const name of names) yield await readFile(join(dir, name), 'utf8');
  }
  return { versions, texts, cleanup: () => Promise.resolve() };
}

async function main(): Promise<void> {
  const out = resolve(values.out);
  const snapshotPath = resolve(values.snapshot ?? join(dirname(out), FILE));
  const snapshotDate = values['snapshot-date'];
  if (!values.bundle === !values.dir) fail('give one of --bundle <file> or --dir <folder>.');
  if (snapshotDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(snapshotDate)) {
    fail(`--snapshot-date ${snapshotDate} is not a YYYY-MM-DD date.`);
  }

  const {
    versions: sources,
    texts,
    cleanup,
  } = values.bundle ? await fromBundle(values.bundle) : await fromDir(resolve(values.dir!));
  try {
    if (sources.length === 0) fail('no versions found.');
    for (let i = 1; i < sources.length; i++) {
      if (sources[i]!.date <= sources[i - 1]!.date) {
        fail(`versions ${sources[i - 1]!.date} and ${sources[i]!.date} are not in order of fetching.`);
      }
    }
    const currentCsv = await readFile(snapshotPath, 'utf8').catch(() => fail(`cannot read ${snapshotPath}.`));
    const current = readSnapshot(currentCsv);

    // Each version is parsed once and compared with the one before; progress on one line on a terminal.
    const started = performance.now();
    const tty = process.stdout.isTTY;
    const history: History = { versions: [], events: [] };
    let previous: Snapshot | undefined;
    let lastCsv = '';
    const unknown = new Set<string>();
    let i = 0;
    for await (const csv of texts()) {
      const source = sources[i]!;
      lastCsv = csv;
      let next: Snapshot;
      try {
        next = readSnapshot(csv);
      } catch (error) {
        fail(`version ${source.date} (${source.source}) is not IANA's CSV: ${(error as Error).message}`);
      }
      for (const column of next.unknown) unknown.add(column);
      const events = previous ? diffSnapshots(previous, next, source.date) : [];
      history.versions.push({ date: source.date, source: source.source });
      history.events.push(...events);
      previous = next;
      const line = `[${String(i + 1).padStart(3)}/${sources.length}] ${source.date}  ${String(events.length).padStart(3)} events, ${history.events.length} in all`;
      if (tty) process.stdout.write(`\r${line}`);
      else if (i % 25 === 0 || i === sources.length - 1) console.log(line);
      i++;
    }
    if (i < sources.length) fail(`read ${i} of ${sources.length} versions.`);
    if (tty) process.stdout.write('\n');

    // The last step, to the snapshot the site is built from.
    const lastSource = history.versions.at(-1)!.date;
    const existing = existsSync(out) ? parseHistory(await readFile(out, 'utf8')) : undefined;
    const recorded = existing?.versions.filter((v) => v.date > lastSource) ?? [];
    if (lastCsv === currentCsv) {
      console.log(`The last version given is the current snapshot: no further step.`);
    } else if (snapshotDate !== undefined) {
      if (snapshotDate <= lastSource)
        fail(`--snapshot-date ${snapshotDate} is not after the last version, ${lastSource}.`);
      if (recorded.length > 0) {
        console.log(`The ${recorded.length} steps recorded after ${lastSource} become one, to ${snapshotDate}.`);
      }
      history.versions.push({ date: snapshotDate, source: values['snapshot-source'] });
      history.events.push(...diffSnapshots(previous!, current, snapshotDate));
    } else if (recorded.length > 0) {
      const dates = new Set(recorded.map((v) => v.date));
      const kept = existing!.events.filter((e) => dates.has(e.date));
      const keys = replayKeys(previous!.rows.keys(), kept);
      const missing = [...current.rows.keys()].filter((key) => !keys.has(key));
      const extra = [...keys].filter((key) => !current.rows.has(key));
      if (missing.length + extra.length > 0) {
        fail(
          `the ${recorded.length} recorded steps after ${lastSource} do not lead to the current snapshot ` +
            `(${[...missing.slice(0, 3), ...extra.slice(0, 3)].join(', ')}…); give --snapshot-date to make them one step.`,
        );
      }
      console.log(
        `Keeping the ${recorded.length} recorded steps after ${lastSource} (${recorded.map((v) => v.date).join(', ')}).`,
      );
      history.versions.push(...recorded);
      history.events.push(...kept);
    } else {
      fail(`give --snapshot-date: the day the snapshot in ${basename(dirname(snapshotPath))}/ was fetched.`);
    }

    const text = formatHistory(history);
    const temporary = join(dirname(out), `.${Date.now()}.history.csv.tmp`);
    await writeFile(temporary, text);
    await rename(temporary, out);

    // The summary: what the pages will show, by year.
    const { changes, ports } = readTimeline(history, current);
    const years = [...new Set(changes.map((c) => c.date.slice(0, 4)))].sort();
    const rows = years.map((year) => {
      const list = changes.filter((c) => c.date.startsWith(year));
      return [year, ...CHANGE_KINDS.map((kind) => String(list.filter((c) => c.kind === kind).length))];
    });
    rows.push(['all', ...CHANGE_KINDS.map((kind) => String(changes.filter((c) => c.kind === kind).length))]);
    const table = [['year', ...CHANGE_KINDS], ...rows];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `\nWrote ${out}: ${history.versions.length} versions (${history.versions[0]!.date} → ${history.versions.at(-1)!.date}), ` +
        `${history.events.length} events, ${Buffer.byteLength(text).toLocaleString('en')} bytes, in ${seconds} s.`,
    );
    console.log('Changes by kind and year (a service on a port, its protocols together):');
    for (const row of table)
      console.log(
        `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`,
      );
    const removed = [...ports.values()].filter((p) => p.removed);
    console.log(
      `${[...ports.values()].filter((p) => p.changes.length > 0).length} ports changed; ${removed.length} lost their assignment: ${removed.map((p) => p.port).join(', ')}.`,
    );
    if (unknown.size > 0)
      console.log(`Columns not compared (unknown to src/lib/history/diff.ts): ${[...unknown].join(', ')}.`);
  } finally {
    await cleanup();
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof Failure || error instanceof HistoryFormatError || error instanceof SnapshotFormatError)) {
    throw error;
  }
  console.error(`registry:history: ${error.message}\nThe record is unchanged.`);
  process.exitCode = 1;
}
