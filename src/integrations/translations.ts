/**
 * Fails `astro build` and `astro dev` before any page renders when a translation is missing, has an extra key,
 * or drops a `{placeholder}`, naming the locale and the key (src/i18n/ui.ts).
 */
import type { AstroIntegration } from 'astro';
import { dictionaryProblems } from '../i18n/ui.ts';

export default function translations(): AstroIntegration {
  return {
    name: 'dormant-ports:translations',
    hooks: {
      'astro:config:setup': ({ logger }) => {
        const problems = dictionaryProblems();
        if (problems.length > 0) {
          throw new Error(`Translations are incomplete (src/i18n/):\n  ${problems.join('\n  ')}`);
        }
        logger.debug('every locale has every key');
      },
    },
  };
}
