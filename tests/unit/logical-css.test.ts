/**
 * Right-to-left pages mirror themselves only if no style names a physical side: every margin, padding, border,
 * inset, float and alignment in src/ is written with logical properties (inline-start, inline-end, …).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../src');
const PHYSICAL =
  /(?:^|[\s;{])(?:(?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)|left|right|(?:border-(?:top|bottom)-(?:left|right)-radius))\s*:|(?:float|clear|text-align)\s*:\s*(?:left|right)\b/m;

function styleSources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(css|astro)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

test('no style in src/ names a physical side: each is logical, so Persian pages mirror', () => {
  const offenders: string[] = [];
  for (const file of styleSources(SRC)) {
    const text = readFileSync(file, 'utf8');
    // In .astro files only what is inside <style> blocks is CSS.
    const css = file.endsWith('.astro')
      ? [...text.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n')
      : text;
    css.split('\n').forEach((line, i) => {
      if (PHYSICAL.test(line)) offenders.push(`${file.slice(SRC.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('the check itself catches a physical side', () => {
  for (const line of [
    '  margin-left: 1rem;',
    'a{padding-right:0}',
    '  left: 0;',
    '  text-align: right;',
    '  float: left;',
  ]) {
    assert.match(line, PHYSICAL, line);
  }
  for (const line of ['  margin-inline-start: 1rem;', '  inset-inline-start: 0;', '  text-align: start;']) {
    assert.doesNotMatch(line, PHYSICAL, line);
  }
});
