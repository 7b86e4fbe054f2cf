/**
 * Every port page says when its data was read (issue 24, finding 6): the day of the registry copy the site was
 * built from, beside the link to IANA's entry, and the day the lists were read, under the verdict. The dates are
 * read from the same files the build used, so a refresh does not break the test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPartialDate } from '../../src/lib/dates.ts';
import { ROOT } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const ports = (JSON.parse(read('dist/ports.json')) as { ports: { port: number; article?: unknown }[] }).ports;
const registryOnly = ports.find((p) => !p.article)!.port;
const article = ports.find((p) => p.article)?.port;
const versions = read('content/registry/history.csv')
  .split('\n')
  .filter((line) => line.includes(',version,'))
  .map((line) => line.slice(0, 10));
const copied = versions.sort().at(-1)!;
const sources = JSON.parse(read('content/evidence/sources.json')) as Record<string, { generated: string }>;
const listsRead = Object.values(sources)
  .map((s) => s.generated)
  .sort()
  .at(-1)!;

test('a registry page says which copy of IANA’s registry it shows and when the lists were read', async ({ page }) => {
  await page.goto(`/ports/${registryOnly}/`);
  await expect(page.getByRole('region', { name: 'Registration' })).toContainText(`copied ${formatPartialDate(copied)}`);
  await expect(page.getByRole('region', { name: 'Dormancy verdict' })).toContainText(
    `Lists read ${formatPartialDate(listsRead)}.`,
  );
});

test('an article page and a translated page say so too, in the reader’s language', async ({ page }) => {
  test.skip(article === undefined, 'no article in this build');
  await page.goto(`/bg/ports/${article}/`);
  await expect(page.getByRole('region', { name: 'Регистрация' })).toContainText(
    `копие от ${formatPartialDate(copied, 'bg')}`,
  );
});
