/**
 * `npm run registry:update`: replaces the IANA registry snapshot with the current file, for maintainers with
 * internet access. It downloads, checks the header and every row, refuses a file that has lost a large share
 * of rows, prints what changed, and only then swaps the file in (write to a temporary file, then rename), so a
 * failure at any step leaves the old snapshot as it was.
 *
 *   REGISTRY_URL             where to download from (default: IANA)
 *   DORMANT_PORTS_REGISTRY   the snapshot to replace (default: content/registry/service-names-port-numbers.csv)
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { diffRegistries, parseRegistry, type Registry } from '../lib/registry.ts';

const URL_DEFAULT = 'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.csv';
/** A new file may shrink a little as IANA de-assigns entries: by 2 % or 10 rows, whichever is more. */
const MAX_SHRINK = 0.02;
const MAX_SHRINK_ROWS = 10;

const source = process.env['REGISTRY_URL'] || URL_DEFAULT;
const target = resolve(process.env['DORMANT_PORTS_REGISTRY'] || 'content/registry/service-names-port-numbers.csv');

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

const temporary = join(dirname(target), `.${Date.now()}.registry.csv.tmp`);
await writeFile(temporary, csv);
await rename(temporary, target);
console.log(
  `Updated ${target}: ${next.rows} rows, ${next.entries.length} assigned ports (was ${current.rows}, ${current.entries.length}).`,
);
console.log('Update the snapshot line in content/registry/README.md, then run npm test.');
