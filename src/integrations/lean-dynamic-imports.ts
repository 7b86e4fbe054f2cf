/**
 * A Vite plugin for the browser build: dynamic `import()`s stay plain `import()`s. Vite wraps each in its preload
 * helper (some 1.5 KB, ~700 bytes compressed) to preload a chunk's dependencies and CSS in parallel; this site's
 * lazy chunks have no CSS, and their few shared modules are tiny, so the helper would be the largest thing in the
 * loader every page downloads (src/scripts/site.ts). Astro sets `build.modulePreload` itself, which keeps the
 * helper even when it is turned off, hence this plugin.
 *
 * It runs on the rendered chunks, before minification: the calls become plain imports, the chunk that defines the
 * helper stops exporting it and the chunks that imported it stop importing it, and the minifier then drops the
 * unused helper. The e2e tests cover every lazily loaded element.
 */
import type { Plugin } from 'vite';

const CALL =
  /__vitePreload\(\s*\(\)\s*=>\s*(import\([^()]*\))\s*,\s*(?:__VITE_PRELOAD__|\[[^\]]*\]|void 0)\s*(?:,\s*import\.meta\.url\s*)?\)/g;

export function leanDynamicImports(): Plugin {
  return {
    name: 'dormant-ports:lean-dynamic-imports',
    enforce: 'post',
    applyToEnvironment: (environment) => environment.name === 'client',
    renderChunk(code) {
      if (!code.includes('__vitePreload')) return null;
      const out = code
        .replace(CALL, '$1')
        // `export { __vitePreload as t, … }` in the chunk that holds it.
        .replace(/export\s*\{([^}]*)\}/g, (_export, names: string) => {
          const kept = names
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name && !/^__vitePreload\b/.test(name));
          return kept.length > 0 ? `export { ${kept.join(', ')} }` : '';
        })
        // `import { t as __vitePreload } from "./x.js"` in the chunks that used it.
        .replace(/import\s*\{([^}]*)\}\s*from\s*("[^"]+");/g, (whole, names: string, from: string) => {
          if (!/\bas __vitePreload\b/.test(names)) return whole;
          const kept = names
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name && !/\bas __vitePreload$/.test(name));
          return kept.length > 0 ? `import { ${kept.join(', ')} } from ${from};` : `import ${from};`;
        });
      if (/__vitePreload\(/.test(out)) {
        throw new Error(
          `lean-dynamic-imports: a call to Vite’s preload helper has a shape this plugin does not know: ${/.{0,80}__vitePreload\(.{0,120}/.exec(out)?.[0]}`,
        );
      }
      return { code: out, map: null };
    },
  };
}
