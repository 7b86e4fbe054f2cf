/** A throwaway copy of the project for a build of other content (tests/build/). */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './server.ts';

/** What an Astro build of the project reads. */
export const BUILD_INPUTS = ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'public', 'content'] as const;

/**
 * Copies `entries` of the project into a new temp folder and links its packages one by one rather than the
 * whole node_modules: Astro and Vite keep caches in node_modules/.astro and .vite, which a build here must not
 * share with the project's own build, which `npm test` runs at the same time (package.json).
 */
export function copyProject(prefix: string, entries: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of entries) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (!entry.startsWith('.') || entry === '.bin')
      symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry), 'dir');
  }
  return dir;
}
