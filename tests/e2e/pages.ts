/** One page of each kind the site builds; tests that claim "every page" open each of these. */
import { en } from '../../src/i18n/en.ts';
import { builtPorts, listSlug, portWithoutPage, registryOnlyPort } from '../support/site-data.ts';

// The registry page is one the build gave no article (tests/support/site-data.ts), so a new article never moves it.
const registry = builtPorts().find((p) => p.port === registryOnlyPort())!;
const missing = portWithoutPage();
/** The page of a hundred that lists the registry page's port. */
const list = listSlug(registry.port);
const listLabel = list.replace('-', '–');

export interface PageType {
  name: string;
  path: string;
  /** A heading (level 1) the page must show. */
  heading: RegExp;
  /** The answer the server gives; the 404 page is a page too. */
  status?: number;
  /** Text a reader must see on it without JavaScript. */
  shows: string[];
}

export const PAGE_TYPES: readonly PageType[] = [
  {
    name: 'home',
    path: '/',
    heading: /ports nobody uses/i,
    shows: ['Port 3515: MUST Backplane', 'Every assigned port, in blocks of 1,000', 'Go to port'],
  },
  { name: 'port index', path: '/ports/', heading: /^Ports$/, shows: ['Written up', '3000–3999'] },
  {
    name: 'article',
    path: '/ports/3521/',
    heading: /^Port 3521: Telequip Labs MC3SS$/,
    shows: ['How Netrek uses 3521', 'Netrek metaserver', 'PowerShell', 'References', 'Was this page helpful?'],
  },
  {
    name: 'registry page',
    path: `/ports/${registry.port}/`,
    heading: new RegExp(`^Port ${registry.port}: ${registry.registry[0]!.service!}$`),
    shows: [registry.registry[0]!.description!, 'Dormancy verdict', 'Windows (cmd)', 'Was this page helpful?'],
  },
  {
    name: 'range',
    path: '/ports/range/3000-3999/',
    heading: /^Ports 3000–3999$/,
    shows: ['3500–3599'],
  },
  {
    name: 'range of a hundred',
    path: `/ports/range/${list}/`,
    heading: new RegExp(`^Ports ${listLabel}$`),
    shows: [registry.registry[0]!.service!],
  },
  {
    name: 'dormant list',
    path: '/ports/dormant/',
    heading: /^Likely dormant registrations$/,
    shows: ['How the dormancy check works', 'Next page'],
  },
  {
    name: 'dormant list, newest first',
    path: '/ports/dormant/newest/2/',
    heading: /^Likely dormant registrations/,
    shows: ['Previous page'],
  },
  {
    name: 'about',
    path: '/about/data/',
    heading: /^Where the data comes from$/,
    shows: ['IANA’s port registry', 'How a dormancy verdict is made'],
  },
  { name: 'search', path: '/search/', heading: /^Search$/, shows: ['Full-text search needs JavaScript'] },
  {
    name: 'registry changes',
    path: '/changes/',
    heading: /^Registry changes$/,
    shows: ['Month by month', 'What the dates mean', 'Renamed or reassigned'],
  },
  {
    name: 'registry changes of a month',
    path: '/changes/2017/05/',
    heading: /^Registry changes, May 2017$/,
    shows: ['ni-ftp removed', 'visicron-vs reassigned as trueconf'],
  },
  {
    name: 'a port that lost its service',
    path: '/ports/47/',
    heading: /^Port 47: formerly ni-ftp$/,
    shows: ['Registry history', 'Likely dormant', 'IANA withdrew its assignment'],
  },
  {
    name: 'not found',
    path: '/no-such-page/',
    heading: /^Page not found$/,
    status: 404,
    shows: ['There is no page at this address.', 'Browse the ports by range', 'Go to port'],
  },
  {
    // The production server answers with the number's page (src/server/number-page.ts); a static host with the 404
    // page, which its script fills.
    name: 'number without a page',
    path: `/ports/${missing}/`,
    heading: new RegExp(`^Port ${missing}$`),
    shows: [en['port.check'].replace('{port}', String(missing))],
  },
  { name: 'Persian article', path: '/fa/ports/3515/', heading: /MUST Backplane/, shows: ['آیا این صفحه مفید بود؟'] },
  {
    name: 'Bulgarian range',
    path: `/bg/ports/range/${list}/`,
    heading: new RegExp(listLabel),
    shows: [registry.registry[0]!.service!],
  },
];
