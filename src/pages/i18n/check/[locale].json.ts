/** `/i18n/check/en.json`, …: the words of the /check/ results in each locale (src/i18n/client.ts). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { LOCALES, type Locale } from '../../../i18n/locales.ts';
import { translator } from '../../../i18n/ui.ts';
import { checkStrings } from '../../../lib/listeners/strings.ts';

export const getStaticPaths = (() => LOCALES.map((locale) => ({ params: { locale } }))) satisfies GetStaticPaths;

export const GET: APIRoute = ({ params }) => {
  const locale = params['locale'] as Locale;
  return Response.json(checkStrings(translator(locale), locale));
};
