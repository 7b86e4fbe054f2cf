/**
 * The site's HTTP headers for a static build. Astro computes a Content-Security-Policy per page (the hashes of
 * that page's inline scripts and styles); declaring this integration an adapter with `staticHeaders` makes Astro
 * hand those policies over instead of writing `<meta>` tags into every page (which could not carry
 * `frame-ancestors` anyway). They are merged into one site-wide policy and written out for whatever serves the
 * files: `_headers` for Netlify / Cloudflare Pages and the production server (src/server/), and
 * `_nginx-headers.conf` for the nginx config in deploy/. Neither holds anything secret: every response shows them.
 */
import type { AstroIntegration } from 'astro';
import { writeFile } from 'node:fs/promises';
import { headersFile, mergePolicies, nginxHeaders } from '../lib/security-headers.ts';

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
      'astro:build:done': async ({ dir }) => {
        if (!policy)
          throw new Error('No Content-Security-Policy was generated: is security.csp on in astro.config.mjs?');
        await writeFile(new URL('_headers', dir), headersFile(policy));
        await writeFile(new URL('_nginx-headers.conf', dir), nginxHeaders(policy));
      },
    },
  };
}
