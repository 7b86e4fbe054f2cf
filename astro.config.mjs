// @ts-check
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, passthroughImageService } from 'astro/config';
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import devApi from './src/integrations/dev-api.ts';
import pagefindIndex from './src/integrations/pagefind.ts';
import staticHeaders from './src/integrations/static-headers.ts';

// The public origin, for canonical URLs, OpenGraph and the sitemap. Deployments set SITE_URL.
const site = process.env.SITE_URL ?? 'http://127.0.0.1:4321';

// Base.astro inlines the cascade-layer order verbatim; Astro hashes only the styles it bundles, so this one is
// hashed here for the CSP.
/** @type {`sha256-${string}`} */
const layerOrderHash = `sha256-${createHash('sha256').update(readFileSync('./src/styles/layers.css')).digest('base64')}`;

// A static deployment may post feedback to an API on another origin; the CSP must let the widget reach it.
const endpoint = process.env.PUBLIC_FEEDBACK_ENDPOINT ?? '';
const feedbackOrigin = /^https?:\/\//.test(endpoint) ? ` ${new URL(endpoint).origin}` : '';

export default defineConfig({
  site,
  // Pages link with a trailing slash; 'ignore' also lets the dev server's API answer at /api/feedback.
  trailingSlash: 'ignore',
  // Every page is prerendered; the one live part, the feedback API, is served by src/server/, not by Astro.
  output: 'static',
  integrations: [mdx(), sitemap(), staticHeaders(), pagefindIndex(), devApi()],
  // The site has no images to transform; without a service there is no /_image endpoint either.
  image: { service: passthroughImageService() },
  // Pages show commands as plain code; Shiki's inline colour styles would need 'unsafe-inline' under the CSP.
  markdown: { syntaxHighlight: false },
  scopedStyleStrategy: 'where',
  build: { inlineStylesheets: 'always', format: 'directory' },
  prefetch: { prefetchAll: false, defaultStrategy: 'hover' },
  security: {
    // The feedback API checks Origin and Sec-Fetch-Site itself for every content type (Astro's check covers only
    // form posts) and answers refusals in JSON, so Astro's own plain-text 403 is turned off.
    checkOrigin: false,
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        `form-action 'self'${feedbackOrigin}`,
        `connect-src 'self'${feedbackOrigin}`,
        "frame-ancestors 'none'",
      ],
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
      styleDirective: { resources: ["'self'"], hashes: [layerOrderHash] },
    },
  },
  server: { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 4321) },
});
