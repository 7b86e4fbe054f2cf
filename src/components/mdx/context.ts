/**
 * What the components inside an MDX article body (`<Ref />`, `<UnofficialUses />`, `<CheckCommands />`) need to
 * know about the page they are on. The port route sets it in `Astro.locals.article` before rendering the body.
 */
import { numberReferences } from '../../lib/citations.ts';
import type { CommandSet } from '../../lib/ports/commands.ts';
import type { PortPage, Reference } from '../../schema.ts';

export interface ArticleContext {
  /** Path of the MDX file, for error messages. */
  file: string;
  page: PortPage;
  commands: CommandSet[];
  /** The page's references in the order of their numbers: the order readers first meet them in the text. */
  references: Reference[];
  /** Reference id → its number on the page. */
  numbers: Map<string, number>;
  /** Reference id → anchors of the places that cite it. */
  backlinks: Map<string, string[]>;
  /** How many body citations of each reference have rendered so far. */
  seen: Map<string, number>;
  /** Sections the author placed in the body; the layout adds the ones left out. */
  placed: { uses: boolean; commands: boolean };
}

export function articleContext(file: string, page: PortPage, body: string, commands: CommandSet[]): ArticleContext {
  let numbering: ReturnType<typeof numberReferences<Reference>>;
  try {
    numbering = numberReferences(page.references, page.unofficialUses, body);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  return {
    file,
    page,
    commands,
    ...numbering,
    seen: new Map(),
    placed: {
      uses: /<UnofficialUses\s*\/>/.test(body),
      commands: /<CheckCommands\s*\/>/.test(body),
    },
  };
}
