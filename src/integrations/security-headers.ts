/**
 * One Content-Security-Policy for the whole site. Astro computes a policy per page (the hashes of that page's
 * scripts and styles); the node adapter picks a page's policy by substring match, so `/ports/` could be sent
 * `/ports/3515/`'s policy and lose its own styles. Merging every page's hashes into one policy makes the
 * choice harmless, and lets static hosts use a single `_headers` rule, written here beside the pages.
 */
import type { AstroIntegration } from 'astro';
import { writeFile } from 'node:fs/promises';
import { headersFile, mergePolicies } from '../lib/security-headers.ts';

const CSP = 'Content-Security-Policy';

export default function securityHeaders(): AstroIntegration {
  let policy: string | undefined;
  return {
    name: 'dormant-ports:security-headers',
    hooks: {
      'astro:build:generated': ({ routeToHeaders, logger }) => {
        const payloads = [...routeToHeaders.values()];
        policy = mergePolicies(payloads.map(({ headers }) => headers.get(CSP) ?? '').filter(Boolean));
        for (const { headers } of payloads) headers.set(CSP, policy);
        logger.info(`one CSP for ${payloads.length} pages (${policy.length} characters)`);
      },
      'astro:build:done': async ({ dir }) => {
        if (!policy)
          throw new Error('No Content-Security-Policy was generated: is security.csp on in astro.config.mjs?');
        await writeFile(new URL('_headers', dir), headersFile(policy));
      },
    },
  };
}
