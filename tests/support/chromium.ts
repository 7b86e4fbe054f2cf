/**
 * How benchmarks launch Chromium, the same way playwright.config.ts does for the end-to-end tests: Debian's
 * Chromium where it is installed (CI and this project's machines), otherwise Playwright's own browser.
 */
import { chromium, type Browser } from '@playwright/test';
import { existsSync } from 'node:fs';

const SYSTEM_CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    ...(existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM } : {}),
    // Without these, Chromium phones home at start-up, which a closed network answers slowly.
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
