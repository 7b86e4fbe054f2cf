import { defineCollection } from 'astro:content';
import { glob, type Loader } from 'astro/loaders';
import { isPort } from './lib/ports/number.ts';
import { registryGaps, registryPorts } from './loaders/iana-registry.ts';
import { knownUses } from './loaders/known-uses.ts';
import { registryEntrySchema, registryGapSchema } from './lib/registry.ts';
import { aboutSchema, knownUseSchema, portSchema } from './schema.ts';

/** Where port articles live; tests point it at fixtures to prove that bad frontmatter fails the build. */
const PORTS_DIR = process.env['DORMANT_PORTS_CONTENT'] ?? './content/ports';
/** The known-uses dataset (content/uses/README.md); tests point it at fixtures. */
const USES_DIR = process.env['DORMANT_PORTS_USES'] ?? './content/uses';
/** IANA's registry snapshot (content/registry/README.md); tests may point it at a smaller fixture. */
export const REGISTRY_CSV =
  process.env['DORMANT_PORTS_REGISTRY'] ?? './content/registry/service-names-port-numbers.csv';
/** The registry's history, read against that snapshot (content/registry/README.md, "History"). */
export const HISTORY_CSV = process.env['DORMANT_PORTS_HISTORY'] ?? './content/registry/history.csv';

/**
 * The glob loader, plus one check a schema cannot make on its own: the `port` field must equal the file name,
 * so `/ports/3515/` can never show port 3516.
 */
function portFiles(): Loader {
  const files = glob({ pattern: '*.mdx', base: PORTS_DIR });
  return {
    name: 'port-files',
    load: (context) =>
      files.load({
        ...context,
        parseData: (props) => {
          const port = (props.data as { port?: unknown }).port;
          // An impossible number is left to the schema, whose message says what a port number is.
          if (isPort(port) && String(port) !== props.id) {
            throw new Error(
              `${props.filePath ?? props.id}: field "port" is ${port} but the file is named ${props.id}.mdx; ` +
                'rename the file or fix the number.',
            );
          }
          return context.parseData(props);
        },
      }),
  };
}

export const collections = {
  about: defineCollection({ loader: glob({ pattern: '*.mdx', base: './content/about' }), schema: aboutSchema }),
  ports: defineCollection({ loader: portFiles(), schema: portSchema }),
  registry: defineCollection({ loader: registryPorts(REGISTRY_CSV, HISTORY_CSV), schema: registryEntrySchema }),
  registryGaps: defineCollection({ loader: registryGaps(REGISTRY_CSV, HISTORY_CSV), schema: registryGapSchema }),
  uses: defineCollection({ loader: knownUses(USES_DIR), schema: knownUseSchema }),
};
