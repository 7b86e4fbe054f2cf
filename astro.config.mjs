// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import sitemap from '@astrojs/sitemap';

// The public origin, for canonical URLs, OpenGraph and the sitemap. Deployments set SITE_URL.
const site = process.env.SITE_URL ?? 'http://127.0.0.1:4321';

export default defineConfig({
  site,
  trailingSlash: 'always',
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  integrations: [mdx(), sitemap()],
  scopedStyleStrategy: 'where',
  build: { inlineStylesheets: 'always', format: 'directory' },
  prefetch: { prefetchAll: false, defaultStrategy: 'hover' },
  server: { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 4321) },
});
