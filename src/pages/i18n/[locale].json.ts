/** `/i18n/en.json`, `/i18n/fa.json`, …: the browser code's words in each locale (src/i18n/client.ts). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { clientStrings } from '../../i18n/client.ts';
import { LOCALES, type Locale } from '../../i18n/locales.ts';
import { translator } from '../../i18n/ui.ts';

export const getStaticPaths = (() => LOCALES.map((locale) => ({ params: { locale } }))) satisfies GetStaticPaths;

export const GET: APIRoute = ({ params }) => {
  const locale = params['locale'] as Locale;
  return Response.json(clientStrings(translator(locale), locale));
};
