/**
 * Canonical URLs, og:url, hreflang alternates, the sitemap and robots.txt are absolute, so a build needs the
 * public origin (SITE_URL). Without it they point at the local preview server: fine for `npm start` and the
 * tests, wrong for anything published. Such a build warns loudly, and fails when it is meant for deployment
 * (DEPLOY=1, which the deploy instructions in deploy/README.md set).
 */
import type { AstroIntegration } from 'astro';

export const LOCAL_SITE = 'http://127.0.0.1:4321';

export default function siteUrl(): AstroIntegration {
  return {
    name: 'dormant-ports:site-url',
    hooks: {
      'astro:config:setup': ({ command, logger }) => {
        if (command !== 'build' || process.env['SITE_URL']) return;
        const message = `SITE_URL is not set: canonical URLs, hreflang, the sitemap and robots.txt will point to ${LOCAL_SITE}. Set SITE_URL=https://your.domain for a build you publish.`;
        if (/^(1|true|yes)$/i.test(process.env['DEPLOY'] ?? '')) {
          throw new Error(`${message} (DEPLOY=1, so the build stops here.)`);
        }
        logger.warn(`\n\n  ⚠ ${message}\n`);
      },
    },
  };
}
