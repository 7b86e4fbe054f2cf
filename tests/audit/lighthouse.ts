/**
 * Lighthouse (mobile, its default) on a few pages, printed for people to read. Not a CI gate: its timings move
 * with whatever else the machine is doing.
 */
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { existsSync } from 'node:fs';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

export type LighthouseScores = Record<(typeof CATEGORIES)[number], number> & {
  url: string;
  lcpMs: number;
  cls: number;
};

export async function runLighthouse(urls: string[]): Promise<LighthouseScores[]> {
  const chromePath =
    process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const chrome = await launch({
    ...(chromePath ? { chromePath } : {}),
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const rows: LighthouseScores[] = [];
    for (const url of urls) {
      // A run in a long-lived browser now and then fails to load the page (a runtime error, all scores 0);
      // one retry tells that apart from a page that really fails.
      let result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: [...CATEGORIES],
      });
      if (result?.lhr.runtimeError) {
        result = await lighthouse(url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
        });
      }
      if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
      if (result.lhr.runtimeError) console.warn(`Lighthouse could not audit ${url}: ${result.lhr.runtimeError.code}`);
      const { categories, audits } = result.lhr;
      const score = (name: string) => Math.round((categories[name]?.score ?? 0) * 100);
      rows.push({
        url,
        performance: score('performance'),
        accessibility: score('accessibility'),
        'best-practices': score('best-practices'),
        seo: score('seo'),
        lcpMs: Math.round(audits['largest-contentful-paint']?.numericValue ?? Number.NaN),
        cls: Number((audits['cumulative-layout-shift']?.numericValue ?? Number.NaN).toFixed(3)),
      });
    }
    return rows;
  } finally {
    chrome.kill();
  }
}
