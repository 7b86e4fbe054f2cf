/**
 * Mozilla's HTTP Observatory scanner against the production server. Over plain-HTTP loopback its HTTPS
 * redirect and HSTS tests cannot pass (HSTS is only honoured over HTTPS); every other test must.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** Tests that need HTTPS, which a loopback server does not have. */
export const NEEDS_HTTPS = new Set(['redirection', 'strict-transport-security']);

export interface ObservatoryReport {
  grade: string;
  score: number;
  tests: { name: string; pass: boolean; result: string }[];
  /** Tests that failed and could have passed here. */
  failures: string[];
}

export async function scan(host: string): Promise<ObservatoryReport> {
  const root = dirname(createRequire(import.meta.url).resolve('@mdn/mdn-http-observatory/package.json'));
  // Its install script downloads the HSTS preload list, which fails offline, so it is installed with scripts
  // off (package.json allowScripts) and given an empty list: no host here is preloaded anyway.
  const preload = join(root, 'conf/hsts-preload.json');
  if (!existsSync(preload)) writeFileSync(preload, '{}\n');
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'src/scan.js'), host], {
    timeout: 60_000,
  });
  const output = JSON.parse(stdout) as {
    error?: string;
    scan: { grade: string; score: number };
    tests: Record<string, { pass: boolean; result: string }>;
  };
  if (output.error) throw new Error(`observatory: ${output.error}`);
  const tests = Object.entries(output.tests).map(([name, t]) => ({ name, pass: t.pass, result: t.result }));
  return {
    grade: output.scan.grade,
    score: output.scan.score,
    tests,
    failures: tests.filter((t) => !t.pass && !NEEDS_HTTPS.has(t.name)).map((t) => `${t.name}: ${t.result}`),
  };
}
