/**
 * `npm run registry:update`: replaces the IANA registry snapshot with the current file, for maintainers with
 * internet access. It downloads, checks the header and every row, refuses a file that has lost a large share
 * of rows, prints what changed, and only then swaps the file in (write to a temporary file, then rename), so a
 * failure at any step leaves the old snapshot as it was.
 *
 * The step also joins the registry's history (content/registry/history.csv, src/lib/history/): a version line
 * dated today, the day it was first seen, and what changed row by row, so the history grows with every refresh.
 *
 *   REGISTRY_URL             where to download from (default: IANA)
 *   DORMANT_PORTS_REGISTRY   the snapshot to replace (default: content/registry/service-names-port-numbers.csv)
 *   DORMANT_PORTS_HISTORY    the history to extend (default: history.csv beside the snapshot)
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { appendStep, readSnapshot } from '../lib/history/diff.ts';
import { formatHistory, parseHistory } from '../lib/history/record.ts';
import { diffRegistries, parseRegistry, type Registry } from '../lib/registry.ts';

const URL_DEFAULT = 'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.csv';
/** A new file may shrink a little as IANA de-assigns entries: by 2 % or 10 rows, whichever is more. */
const MAX_SHRINK = 0.02;
const MAX_SHRINK_ROWS = 10;

const source = process.env['REGISTRY_URL'] || URL_DEFAULT;
const target = resolve(process.env['DORMANT_PORTS_REGISTRY'] || 'content/registry/service-names-port-numbers.csv');
const historyFile = resolve(process.env['DORMANT_PORTS_HISTORY'] || join(dirname(target), 'history.csv'));

function fail(message: string): never {
  console.error(`registry:update: ${message}\nThe snapshot at ${target} is unchanged.`);
  process.exit(1);
}

let csv: string;
try {
  const response = await fetch(source, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) fail(`${source} answered ${response.status} ${response.statusText}.`);
  csv = await response.text();
} catch (error) {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  fail(`could not download ${source} (${cause}). Are you offline?`);
}

let next: Registry;
let current: Registry;
try {
  next = parseRegistry(csv);
} catch (error) {
  fail(`the downloaded file is not IANA's registry CSV: ${(error as Error).message}`);
}
const old = await readFile(target, 'utf8');
try {
  current = parseRegistry(old);
} catch (error) {
  fail(`the current snapshot does not parse (${(error as Error).message}); fix or restore it first.`);
}
for (const [what, before, after] of [
  ['rows', current.rows, next.rows],
  ['assigned ports', current.entries.length, next.entries.length],
] as const) {
  if (after < before - Math.max(MAX_SHRINK_ROWS, before * MAX_SHRINK)) {
    fail(`the downloaded file has ${after} ${what}, the snapshot ${before}: too many lost to be a real update.`);
  }
}

if (csv === old) {
  console.log(`Already up to date: ${next.rows} rows, ${next.entries.length} assigned ports.`);
  process.exit(0);
}

const diff = diffRegistries(current, next);
const list = (label: string, items: string[]) => {
  console.log(`${label}: ${items.length}`);
  for (const item of items.slice(0, 40)) console.log(`  ${item}`);
  if (items.length > 40) console.log(`  … and ${items.length - 40} more`);
};
list('Added', diff.added);
list('Modified', diff.modified);
list('De-assigned', diff.removed);

// The history's new step is worked out before anything is written, so a record that does not read leaves both
// files as they were.
let history: string | undefined;
const today = new Date().toISOString().slice(0, 10);
if (existsSync(historyFile)) {
  try {
    const record = parseHistory(await readFile(historyFile, 'utf8'));
    const step = { date: today, source: new URL(source).host };
    history = formatHistory(appendStep(record, readSnapshot(old), readSnapshot(csv), step));
  } catch (error) {
    fail(`the history at ${historyFile} cannot take the step (${(error as Error).message}); fix or restore it first.`);
  }
} else {
  console.log(`No history at ${historyFile}: this step is not recorded (npm run registry:history makes one).`);
}

const temporary = join(dirname(target), `.${Date.now()}.registry.csv.tmp`);
await writeFile(temporary, csv);
if (history !== undefined) {
  const temporaryHistory = join(dirname(historyFile), `.${Date.now()}.history.csv.tmp`);
  await writeFile(temporaryHistory, history);
  await rename(temporaryHistory, historyFile);
  console.log(`Recorded the step in ${historyFile} as first seen on ${today}.`);
}
await rename(temporary, target);
console.log(
  `Updated ${target}: ${next.rows} rows, ${next.entries.length} assigned ports (was ${current.rows}, ${current.entries.length}).`,
);
console.log('Update the snapshot line in content/registry/README.md, then run npm test.');
