import { defineConfig } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './tests/support/server.ts';

// Debian's Chromium where it is installed (CI and this project's machines); otherwise Playwright's own browser,
// as installed by `npx playwright install chromium` on a contributor's machine.
const SYSTEM_CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;

// The runner reads this file, then its workers read it again: the first reading picks a free port and a fresh
// database, and the workers inherit both through the environment.
process.env['TEST_PORT'] ??= String(await freePort());
// Each run votes into a fresh database file, so tests see only their own votes.
process.env['TEST_DATA'] ??= mkdtempSync(join(tmpdir(), 'dormant-ports-e2e-'));
const PORT = Number(process.env['TEST_PORT']);
const DATA = process.env['TEST_DATA'];
export const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  // Headroom for a busy 2-core machine (issue 20, finding 5): a quiet one runs the slowest test in ~10 s.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env['CI'],
  retries: 0,
  reporter: process.env['CI'] ? 'line' : 'list',
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      // Without these, Chromium phones home at start-up, which a closed network answers slowly.
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  // The production server on the built site, as readers get it; `npm test` builds first.
  webServer: {
    command: 'node src/server/serve.ts',
    url: `${baseURL}/`,
    env: {
      HOST: '127.0.0.1',
      PORT: String(PORT),
      FEEDBACK_DB_URL: `file:${join(DATA, 'feedback.db')}`,
      FEEDBACK_KEY_FILE: join(DATA, 'feedback.key'),
      // Every test browser votes from 127.0.0.1; the real limits are tested over HTTP (tests/http/).
      FEEDBACK_RATE_LIMIT: '10000',
      FEEDBACK_VOTES_PER_NETWORK: '10000',
    },
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
