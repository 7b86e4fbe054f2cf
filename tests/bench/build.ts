/**
 * `npm run bench:build`: runs the full production build (`npm run build`: `astro build`, then the Pagefind
 * index) as a child process and prints pages, pages per second, wall time, the peak RSS of the whole process
 * tree — npm, Astro's Node process, the indexing step and Pagefind's own binary, sampled from /proc every 50 ms —
 * and what the build wrote.
 *
 * Then a newcomer's wait (newcomer.ts, issue 26): `npm start` on a fresh clone of this checkout (or of
 * --clone-from), from the command to the first page served.
 *
 * Targets on this 2-core machine (issue 16, 26): ≤ 30 s wall, ≤ 700 MB peak RSS, a newcomer's wait ≤ 40 s (printed
 * only: timings vary with the machine). Deterministic budgets (build-budget.ts: ≤ 20,000 files, ≤ 150 MB, the
 * largest registry page ≤ 12 KB of HTML) make it exit 1.
 *
 *   npm run bench:build                           build, measure, check, then a newcomer's wait
 *   npm run bench:build -- --no-newcomer          without the newcomer's wait
 *   npm run bench:build -- --clone-from /work/main   the newcomer clones that repository instead
 *   npm run bench:build -- --no-build             check the existing dist/ only
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { ROOT } from '../support/server.ts';
import { BUDGET, buildBudget, mb } from './build-budget.ts';
import { newcomersWait } from './newcomer.ts';

const { values } = parseArgs({
  options: {
    build: { type: 'boolean', default: true },
    timeline: { type: 'boolean', default: false },
    newcomer: { type: 'boolean' },
    'clone-from': { type: 'string', default: ROOT },
  },
  allowNegative: true,
});
const SAMPLE_MS = 50;
/** Astro's phases, each ending when the line it matches is printed. */
const PHASES: [string, RegExp][] = [
  ['content layer sync', /\[content\] Synced content/],
  ['types and build info', /Building static entrypoints/],
  ['bundling (Vite)', /generating static routes/],
  // Logged by src/integrations/static-headers.ts in astro:build:generated, once every page is written.
  ['rendering pages', /\[dormant-ports:static-headers\] one CSP/],
  ['build:done hooks (sitemap, headers)', /\[build\] Complete!/],
  ['search index (src/cli/search-index.ts)', /search-index: indexed/],
];
const TARGET = { seconds: 30, rssMb: 700, newcomerSeconds: 40 };

interface Proc {
  pid: number;
  parent: number;
  name: string;
  rssKb: number;
}

/** Every process with its parent, command name and resident set, from /proc. */
function processes(): Proc[] {
  const list: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
      list.push({
        pid: Number(entry),
        parent: Number(field('PPid')),
        // The program's file name (`node`, `pagefind_extended`); the kernel's Name is cut at 15 characters and
        // is a thread's name for Node.
        name: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]!.split('/').at(-1) || field('Name'),
        rssKb: parseInt(field('VmRSS'), 10) || 0,
      });
    } catch {
      // The process ended while being read.
    }
  }
  return list;
}

/** `root` and everything below it. */
function tree(root: number, all: Proc[]): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.parent, [...(children.get(p.parent) ?? []), p]);
  const found: Proc[] = [];
  const stack = all.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const p = stack.pop()!;
    found.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return found;
}

interface Sampled {
  seconds: number;
  peakKb: number;
  /** Peak RSS per command name (node, pagefind_extended, …), each at its own peak. */
  peakByName: Map<string, number>;
  /** When Pagefind's binary first and last showed up, in seconds from the start. */
  pagefind: { from: number; to: number } | undefined;
  output: string;
  /** When each of Astro's phase lines (PHASES) was printed, in seconds from the start. */
  marks: Map<string, number>;
  /** One sample a second: seconds, then MB per command name. */
  timeline: { at: number; mb: Record<string, number> }[];
}

function runBuild(): Promise<Sampled> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn('npm', ['run', 'build'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const now = (performance.now() - started) / 1000;
      for (const [, mark] of PHASES) {
        if (!result.marks.has(mark.source) && mark.test(output)) result.marks.set(mark.source, now);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    const result: Sampled = {
      seconds: 0,
      peakKb: 0,
      peakByName: new Map(),
      pagefind: undefined,
      output: '',
      marks: new Map(),
      timeline: [],
    };
    const sample = () => {
      if (!child.pid) return;
      const now = (performance.now() - started) / 1000;
      const procs = tree(child.pid, processes());
      result.peakKb = Math.max(
        result.peakKb,
        procs.reduce((sum, p) => sum + p.rssKb, 0),
      );
      for (const p of procs) {
        result.peakByName.set(p.name, Math.max(result.peakByName.get(p.name) ?? 0, p.rssKb));
        if (p.name.startsWith('pagefind')) result.pagefind = { from: result.pagefind?.from ?? now, to: now };
      }
      if (Math.floor(now) > (result.timeline.at(-1)?.at ?? -1)) {
        const mb: Record<string, number> = {};
        for (const p of procs) mb[p.name] = (mb[p.name] ?? 0) + Math.round(p.rssKb / 1024);
        result.timeline.push({ at: Math.floor(now), mb });
      }
    };
    const timer = setInterval(sample, SAMPLE_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(timer);
      result.seconds = (performance.now() - started) / 1000;
      result.output = output;
      if (code !== 0) fail(new Error(`npm run build exited with ${code}:\n${output.slice(-4000)}`));
      else done(result);
    });
  });
}

const rows: Record<string, string | number> = {};
let run: Sampled | undefined;
if (values.build) {
  run = await runBuild();
  if (values.timeline) {
    for (const { at, mb } of run.timeline) {
      console.log(
        `${String(at).padStart(3)} s  ${Object.entries(mb)
          .map(([name, n]) => `${name} ${n}`)
          .join('  ')}`,
      );
    }
  }
}
const budget = buildBudget();
const { figures } = budget;
if (run) {
  rows['pages (HTML files)'] = figures.pages;
  rows['wall s'] = Number(run.seconds.toFixed(1));
  rows['pages/s'] = Math.round(figures.pages / run.seconds);
  let previous = 0;
  for (const [label, mark] of PHASES) {
    const at = run.marks.get(mark.source);
    if (at === undefined) continue;
    rows[`  ${label} s`] = Number((at - previous).toFixed(1));
    previous = at;
  }
  if (run.pagefind) rows['  Pagefind binary alive s'] = Number((run.pagefind.to - run.pagefind.from).toFixed(1));
  rows['peak RSS MB (whole tree)'] = Math.round(run.peakKb / 1024);
  for (const [name, kb] of [...run.peakByName].sort((a, b) => b[1] - a[1])) {
    if (kb > 10 * 1024) rows[`  peak RSS MB, ${name}`] = Math.round(kb / 1024);
  }
}
rows['output files'] = figures.files;
rows['output MB'] = mb(figures.bytes);
rows['Pagefind MB'] = mb(figures.pagefindBytes);
rows['Pagefind files'] = figures.pagefindFiles;
rows[`largest registry page HTML B (${figures.registryPage})`] = figures.registryPageBytes;
rows[`  registry pages over ${BUDGET.registryPageBytes.toLocaleString('en')} B`] =
  `${figures.registryPagesOver.toLocaleString('en')} of ${figures.registryPages.toLocaleString('en')}`;
for (const { path, bytes, files } of figures.largest) rows[`  ${path}`] = `${mb(bytes)} MB, ${files} files`;
// After the build above, not during it: the two would share the machine's two cores. On by default with a build.
const newcomer =
  (values.newcomer ?? values.build) ? await newcomersWait(values['clone-from'], join(ROOT, 'node_modules')) : undefined;
if (newcomer) {
  rows[`newcomer's wait s (npm start on a fresh clone, ${newcomer.commit})`] = Number(newcomer.seconds.toFixed(1));
  if (newcomer.buildSeconds !== undefined) {
    rows['  build s'] = Number(newcomer.buildSeconds.toFixed(1));
    rows['  server to first page s'] = Number((newcomer.seconds - newcomer.buildSeconds).toFixed(1));
  }
  rows['  load average before, after'] = newcomer.load.map((n) => n.toFixed(1)).join(', ');
}
console.table(rows);

console.log(
  `Targets: ≤ ${TARGET.seconds} s and ≤ ${TARGET.rssMb} MB peak RSS, a newcomer's wait ≤ ${TARGET.newcomerSeconds} s${
    newcomer ? ` (${newcomer.seconds <= TARGET.newcomerSeconds ? 'within' : 'over'})` : ''
  } (printed only); ` +
    `≤ ${BUDGET.files.toLocaleString('en')} files and ≤ ${mb(BUDGET.bytes)} MB (enforced); ` +
    `the largest registry page ≤ ${BUDGET.registryPageBytes.toLocaleString('en')} B of HTML (enforced: ${
      figures.registryPageBytes <= BUDGET.registryPageBytes ? 'within' : 'over'
    }).`,
);
if (budget.problems.length > 0) {
  console.error(`Build output over budget:\n${budget.problems.map((p) => `  ✖ ${p}`).join('\n')}`);
  process.exitCode = 1;
}
