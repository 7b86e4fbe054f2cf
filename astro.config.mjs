// @ts-check
import { defineConfig, passthroughImageService } from 'astro/config';
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import devApi from './src/integrations/dev-api.ts';
import staticHeaders from './src/integrations/static-headers.ts';
import siteUrl, { LOCAL_SITE } from './src/integrations/site-url.ts';
import translations from './src/integrations/translations.ts';
import { leanDynamicImports } from './src/integrations/lean-dynamic-imports.ts';
import { DEFAULT_LOCALE, LOCALES } from './src/i18n/locales.ts';

// The public origin, for canonical URLs, OpenGraph and the sitemap. Deployments set SITE_URL (src/integrations/site-url.ts).
const site = process.env.SITE_URL || LOCAL_SITE;

// A static deployment may post feedback to an API on another origin; the CSP must let the widget reach it.
const endpoint = process.env.PUBLIC_FEEDBACK_ENDPOINT ?? '';
const feedbackOrigin = /^https?:\/\//.test(endpoint) ? ` ${new URL(endpoint).origin}` : '';

export default defineConfig({
  site,
  // Pages link with a trailing slash; 'ignore' also lets the dev server's API answer at /api/feedback.
  trailingSlash: 'ignore',
  // Every page is prerendered; the one live part, the feedback API, is served by src/server/, not by Astro.
  output: 'static',
  // English at /, the translations under /fa/ and /bg/ (src/i18n/locales.ts).
  i18n: { locales: [...LOCALES], defaultLocale: DEFAULT_LOCALE, routing: { prefixDefaultLocale: false } },
  integrations: [
    siteUrl(),
    translations(),
    mdx(),
    sitemap({
      i18n: { defaultLocale: DEFAULT_LOCALE, locales: Object.fromEntries(LOCALES.map((l) => [l, l])) },
      // Pages that tell search engines to stay away stay out of the sitemap too.
      filter: (page) => !/\/(search|404)\/$/.test(page),
    }),
    staticHeaders(),
    devApi(),
  ],
  // The site has no images to transform; without a service there is no /_image endpoint either.
  image: { service: passthroughImageService() },
  // Pages show commands as plain code; Shiki's inline colour styles would need 'unsafe-inline' under the CSP.
  markdown: { syntaxHighlight: false },
  // One stylesheet for the whole site (src/styles/site.css), linked rather than inlined: every page shares it from
  // the browser's cache.
  build: { inlineStylesheets: 'never', format: 'directory' },
  vite: {
    // Lazy chunks load with plain import(): no preload helper in the loader every page downloads.
    plugins: [leanDynamicImports()],
  },
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
      styleDirective: { resources: ["'self'"] },
    },
  },
  server: { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 4321) },
});
