/**
 * The feedback API in `npm run dev`: Astro's dev server has no production server in front of it, so this hook
 * mounts the same API (src/server/api.ts) on its /api/ paths, with the same settings from the environment.
 */
import type { AstroIntegration } from 'astro';
import type { Api } from '../server/api.ts';

export default function devApi(): AstroIntegration {
  return {
    name: 'dormant-ports:dev-api',
    hooks: {
      'astro:server:setup': ({ server, logger }) => {
        let api: Promise<Api> | undefined;
        server.middlewares.use((req, res, next) => {
          const path = (req.url ?? '').split('?')[0] ?? '';
          if (path !== '/api' && !path.startsWith('/api/')) {
            next();
            return;
          }
          api ??= Promise.all([import('../server/api.ts'), import('../server/config.ts')]).then(
            ([{ createApi }, { readConfig }]) => createApi(readConfig()),
          );
          void api
            .then((ready) => ready.handle(req, res, path, req.socket.remoteAddress ?? 'unknown'))
            .catch((error: unknown) => {
              logger.error(`feedback API: ${(error as Error).message}`);
              if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
              res.end('{"error":"the feedback API failed"}');
            });
        });
      },
    },
  };
}
