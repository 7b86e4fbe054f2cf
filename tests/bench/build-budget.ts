/**
 * The build output's deterministic budget (issue 16, target 3): what a free static host takes. Inspects an
 * existing dist/ without building, so CI can check it after its build:
 *
 *   const budget = buildBudget();
 *   report('output budget', budget.summary, budget.problems); // tests/audit/run.ts
 *
 * Limits: ≤ 20,000 files (the common free-tier file limit), ≤ 150 MB in all, a registry page ≤ 12 KB of HTML
 * before compression. MB and KB here are 1024² and 1024 bytes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DIST } from '../support/server.ts';
import { registryOnlyPort } from '../support/site-data.ts';

export const BUDGET = {
  files: 20_000,
  bytes: 150 * 1024 * 1024,
  registryPageBytes: 12 * 1024,
} as const;

/**
 * A registry-only page (no article), the common kind of page on the site: one the build itself lists without an
 * article (tests/support/site-data.ts), so an article added on any port never moves the budget to an article.
 */
export const registryPage = (dist = DIST): string => `ports/${registryOnlyPort(dist)}/index.html`;

export interface OutputFigures {
  files: number;
  bytes: number;
  /** HTML files. */
  pages: number;
  /** The Pagefind index (dist/pagefind/). */
  pagefindBytes: number;
  pagefindFiles: number;
  /** The registry page measured (registryPage()), relative to dist/. */
  registryPage: string;
  /** Its HTML as written, uncompressed. */
  registryPageBytes: number;
  /** The largest top-level entries of dist/, by bytes. */
  largest: { path: string; bytes: number; files: number }[];
}

export function measureOutput(dist = DIST): OutputFigures {
  if (!existsSync(dist)) throw new Error(`No build in ${dist}: run \`npm run build\` first.`);
  const figures: OutputFigures = {
    files: 0,
    bytes: 0,
    pages: 0,
    pagefindBytes: 0,
    pagefindFiles: 0,
    registryPage: registryPage(dist),
    registryPageBytes: 0,
    largest: [],
  };
  const registry = figures.registryPage.split('/').join(sep);
  const top = new Map<string, { bytes: number; files: number }>();
  for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const size = statSync(path).size;
    const name = relative(dist, path);
    figures.files++;
    figures.bytes += size;
    if (name.endsWith('.html')) figures.pages++;
    if (name.startsWith(`pagefind${sep}`)) {
      figures.pagefindBytes += size;
      figures.pagefindFiles++;
    }
    if (name === registry) figures.registryPageBytes = size;
    const first = name.includes(sep) ? `${name.split(sep)[0]!}/` : name;
    const sum = top.get(first) ?? { bytes: 0, files: 0 };
    sum.bytes += size;
    sum.files++;
    top.set(first, sum);
  }
  figures.largest = [...top]
    .map(([path, sum]) => ({ path, ...sum }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
  return figures;
}

export const mb = (bytes: number) => Number((bytes / 1048576).toFixed(1));

export interface BudgetResult {
  figures: OutputFigures;
  /** One line, for a report. */
  summary: string;
  /** One sentence per limit exceeded; empty when the output is within budget. */
  problems: string[];
}

/** Checks dist/ against BUDGET. */
export function buildBudget(dist = DIST): BudgetResult {
  const figures = measureOutput(dist);
  const problems: string[] = [];
  if (figures.files > BUDGET.files) {
    problems.push(
      `${figures.files.toLocaleString('en')} files in dist/, over the ${BUDGET.files.toLocaleString('en')} a free static host takes (largest: ${figures.largest.map((l) => `${l.path} ${l.files}`).join(', ')})`,
    );
  }
  if (figures.bytes > BUDGET.bytes) {
    problems.push(
      `${mb(figures.bytes)} MB in dist/, over the ${mb(BUDGET.bytes)} MB budget (largest: ${figures.largest.map((l) => `${l.path} ${mb(l.bytes)} MB`).join(', ')})`,
    );
  }
  if (figures.registryPageBytes === 0) {
    problems.push(`${figures.registryPage} is missing from the build`);
  } else if (figures.registryPageBytes > BUDGET.registryPageBytes) {
    problems.push(
      `${figures.registryPage} is ${figures.registryPageBytes.toLocaleString('en')} bytes of HTML, over the ${BUDGET.registryPageBytes.toLocaleString('en')} budget`,
    );
  }
  const summary =
    `${figures.files.toLocaleString('en')} files (≤ ${BUDGET.files.toLocaleString('en')}), ` +
    `${mb(figures.bytes)} MB (≤ ${mb(BUDGET.bytes)}), ` +
    `registry page (${figures.registryPage}) ${figures.registryPageBytes.toLocaleString('en')} B (≤ ${BUDGET.registryPageBytes.toLocaleString('en')})`;
  return { figures, summary, problems };
}
