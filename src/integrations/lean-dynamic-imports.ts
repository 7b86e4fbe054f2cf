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
 *
 * What the helper did is then done at build time, in a few bytes: once the chunks are written, each plain
 * `import("./x.js")` also imports the chunks x.js statically depends on, all at once. Without it the browser
 * finds each level of dependencies only after the level above has arrived: the header search's code came in four
 * round trips one after another (site-search → view → lookup → number), 1.6 s on a 400 ms connection before its
 * first request for data (issue 24, finding 2).
 */
import { posix } from 'node:path';
import type { Plugin, Rolldown } from 'vite';

type Chunk = Rolldown.OutputChunk;

/** `import("./x.js")` as the bundler writes a dynamic import of another chunk (Rolldown with backquotes). */
const DYNAMIC_IMPORT = /\bimport\((["'`])(\.{1,2}\/[^"'`]+\.js)\1\)/g;

/** Every chunk `file` imports statically, directly or through another. */
function staticGraph(chunks: ReadonlyMap<string, Chunk>, file: string, seen = new Set<string>()): Set<string> {
  for (const dep of chunks.get(file)?.imports ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    staticGraph(chunks, dep, seen);
  }
  return seen;
}

/** Rewrites each dynamic import in `chunk` to fetch the imported chunk's static dependencies at the same time. */
function parallelImports(chunk: Chunk, chunks: ReadonlyMap<string, Chunk>): string {
  const here = posix.dirname(chunk.fileName);
  return chunk.code.replace(DYNAMIC_IMPORT, (call, _quote: string, path: string) => {
    const target = posix.join(here, path);
    if (!chunks.has(target)) return call;
    const deps = [...staticGraph(chunks, target)].map((dep) => {
      const relative = posix.relative(here, dep);
      return `import("${relative.startsWith('.') ? relative : `./${relative}`}")`;
    });
    // The namespace of the chunk asked for is what the call still returns.
    return deps.length > 0 ? `Promise.all([${call},${deps.join(',')}]).then((m)=>m[0])` : call;
  });
}

// The import may pick one export of a shared chunk: `import("./x.js").then((n) => n.n)`.
const CALL =
  /__vitePreload\(\s*\(\)\s*=>\s*(import\([^()]*\)(?:\.then\(\(\w+\)\s*=>\s*\w+\.\w+\))?)\s*,\s*(?:__VITE_PRELOAD__|\[[^\]]*\]|void 0)\s*(?:,\s*import\.meta\.url\s*)?\)/g;

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
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle).flatMap((file) => (file.type === 'chunk' ? [[file.fileName, file] as const] : [])),
      );
      for (const chunk of chunks.values()) {
        if (chunk.dynamicImports.length > 0) chunk.code = parallelImports(chunk, chunks);
      }
    },
  };
}
