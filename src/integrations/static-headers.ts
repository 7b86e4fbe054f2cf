/**
 * The site's HTTP headers for a static build. Astro computes a Content-Security-Policy per page (the hashes of
 * that page's inline scripts and styles); declaring this integration an adapter with `staticHeaders` makes Astro
 * hand those policies over instead of writing `<meta>` tags into every page (which could not carry
 * `frame-ancestors` anyway). They are merged into one site-wide policy and written out for whatever serves the
 * files: `_headers` for Netlify / Cloudflare Pages and the production server (src/server/), and
 * `_nginx-headers.conf` for the nginx config in deploy/. Neither holds anything secret: every response shows them.
 * It also puts each translation's 404 page where static hosts look for it.
 */
import type { AstroIntegration } from 'astro';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rmdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TRANSLATED } from '../i18n/locales.ts';
import { headersFile, inlineHashes, mergePolicies, nginxHeaders, pruneHashes } from '../lib/security-headers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

/** Every hash of an inline script or style in the built pages. */
async function hashesInPages(dir: URL): Promise<Set<string>> {
  const root = fileURLToPath(dir);
  const files = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.html'));
  const found = new Set<string>();
  for (const name of files) {
    for (const hash of inlineHashes(await readFile(`${root}/${name}`, 'utf8'), sha256)) found.add(hash);
  }
  return found;
}

const CSP = 'Content-Security-Policy';

export default function staticHeaders(): AstroIntegration {
  let policy: string | undefined;
  return {
    name: 'dormant-ports:static-headers',
    hooks: {
      'astro:config:done': ({ setAdapter }) => {
        setAdapter({
          name: 'dormant-ports:static-headers',
          // The recommended value (Astro warns when it is left out); the lint rule reads the deprecation note
          // that belongs to the other value, 'explicit'.
          // eslint-disable-next-line @typescript-eslint/no-deprecated
          entrypointResolution: 'auto',
          supportedAstroFeatures: { staticOutput: 'stable', hybridOutput: 'unsupported', serverOutput: 'unsupported' },
          adapterFeatures: { buildOutput: 'static', staticHeaders: true },
        });
      },
      'astro:build:generated': ({ routeToHeaders, logger }) => {
        const payloads = [...routeToHeaders.values()];
        policy = mergePolicies(payloads.map(({ headers }) => headers.get(CSP) ?? '').filter(Boolean));
        logger.info(`one CSP for ${payloads.length} pages (${policy.length} characters)`);
      },
      'astro:build:done': async ({ dir, logger }) => {
        if (!policy)
          throw new Error('No Content-Security-Policy was generated: is security.csp on in astro.config.mjs?');
        const before = policy.length;
        policy = pruneHashes(policy, await hashesInPages(dir));
        logger.info(`CSP trimmed to the hashes pages use: ${before} → ${policy.length} characters`);
        await writeFile(new URL('_headers', dir), headersFile(policy));
        await writeFile(new URL('_nginx-headers.conf', dir), nginxHeaders(policy));
        // Astro writes only the root 404 page as 404.html; static hosts (and our server and nginx config) look
        // for each translation's as /fa/404.html too.
        for (const locale of TRANSLATED) {
          await rename(new URL(`${locale}/404/index.html`, dir), new URL(`${locale}/404.html`, dir));
          await rmdir(new URL(`${locale}/404/`, dir));
        }
      },
    },
  };
}
