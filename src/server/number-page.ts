/**
 * What the production server adds to the built site for port numbers (issue 24, findings 3 and 4), read from the
 * build's own files so it always agrees with them:
 *
 * - `/ports/N/` (and `/fa/ports/N/`, `/bg/ports/N/`) for a number without a page answers 200 with the 404 page's
 *   answer for N already in it: the template NotFoundPage.astro renders, filled on the server with what
 *   src/lib/search/number-answer.ts says of N, so it reads the same without JavaScript and nothing moves as the
 *   page loads. A static host serves the 404 page there instead, and its script fills it.
 * - A search sent without JavaScript (`/search/?q=3515`, `/search/?q=dns`) or "Go to port" (`/ports/?port=3515`)
 *   is redirected to the port the query names: a number, or a name the names index is sure of. Anything else is
 *   the page as built.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from '../i18n/format.ts';
import { DEFAULT_LOCALE, isLocale, localePrefix, type Locale } from '../i18n/locales.ts';
import { parsePortQuery } from '../lib/ports/query.ts';
import { lookupShard, type LookupShard } from '../lib/search/lookup.ts';
import { parseNameQuery, resolveName, type NameShard } from '../lib/search/names.ts';
import { commandLabel, numberAnswer, type AnswerLink } from '../lib/search/number-answer.ts';
import type { NumberStrings } from '../lib/search/strings.ts';

/** `/ports/N/` in a locale, N written as the site writes it (no leading zeros). */
const NUMBER_PAGE = /^(?:\/([a-z]{2}))?\/ports\/(0|[1-9]\d{0,4})\/$/;
/** The pages whose forms a redirect answers: the search page and the port index, in a locale. */
const FORM_PAGE = /^(?:\/([a-z]{2}))?\/(search|ports)\/$/;

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');
/** An attribute value as Astro writes it, back to text. */
const unescapeAttribute = (value: string) =>
  value.replace(/&(?:quot|amp|lt|gt|#(\d+)|#x([\da-f]+));/gi, (entity, decimal?: string, hex?: string) => {
    if (decimal) return String.fromCodePoint(Number(decimal));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>' }[entity.toLowerCase()] ?? entity;
  });

/** The locale a path's first segment names, undefined for one that is not a locale of the site. */
function localeOf(segment: string | undefined): Locale | undefined {
  if (segment === undefined) return DEFAULT_LOCALE;
  return isLocale(segment) && segment !== DEFAULT_LOCALE ? segment : undefined;
}

/** Sets the content of the one element `tag` with attribute `attribute` in `html`; the build must have it. */
function setContent(html: string, tag: string, attribute: string, content: string): string {
  const element = new RegExp(`(<${tag}\\b[^>]*\\b${attribute}\\b[^>]*>)[^<]*(</${tag}>)`);
  if (!element.test(html)) throw new Error(`the 404 page has no <${tag} ${attribute}>`);
  return html.replace(element, (_whole, open: string, close: string) => `${open}${content}${close}`);
}

/** Hides every element with `attribute` (`data-note`, `data-nearby`), as the script does. */
const hide = (html: string, attribute: string) =>
  html.replace(new RegExp(`(<[a-z]+\\b[^>]*\\b${attribute})\\b`, 'g'), '$1 hidden');

const anchor = ({ href, text, english }: AnswerLink) =>
  `<a href="${escapeAttribute(href)}"${english ? ' hreflang="en"' : ''}>${escapeText(text)}</a>`;

/** The 404 page of a locale, cut where its number answer goes. */
interface NotFoundTemplate {
  html: string;
  strings: NumberStrings;
  /** `<div data-fallback>…</div>`, what the page says without an answer. */
  fallback: string;
  /** The inside of `<template>`: the answer with its placeholders. */
  answer: string;
  /** From the fallback to the end of the template: what an answer replaces. */
  start: number;
  end: number;
}

function cut(html: string): NotFoundTemplate {
  const open = /<number-answer\b[^>]*\bdata-strings="([^"]*)"[^>]*>/.exec(html);
  const start = html.indexOf('<div data-fallback>');
  const templateStart = html.indexOf('<template>', start);
  const templateEnd = html.indexOf('</template>', templateStart);
  if (!open?.[1] || start < 0 || templateStart < 0 || templateEnd < 0) {
    throw new Error('the 404 page has no <number-answer> with a fallback and a template');
  }
  return {
    html,
    strings: JSON.parse(unescapeAttribute(open[1])) as NumberStrings,
    fallback: html.slice(start, templateStart),
    answer: html.slice(templateStart + '<template>'.length, templateEnd),
    start,
    end: templateEnd + '</template>'.length,
  };
}

export interface NumberPage {
  html: string;
  /** Changes when the build does: for the page's validator. */
  version: string;
}

export function createNumberPages(root: string) {
  /** Files of the build, parsed once per build (a file's mtime changes with it). */
  const cache = new Map<string, { mtimeMs: number; value: Promise<unknown> }>();
  async function read<T>(path: string, parse: (text: string) => T): Promise<{ value: T; mtimeMs: number } | undefined> {
    const file = join(root, path);
    const stats = await stat(file).catch(() => undefined);
    if (!stats?.isFile()) return undefined;
    let cached = cache.get(file);
    if (cached?.mtimeMs !== stats.mtimeMs) {
      cached = { mtimeMs: stats.mtimeMs, value: readFile(file, 'utf8').then(parse) };
      cache.set(file, cached);
      cached.value.catch(() => cache.delete(file));
    }
    return { value: (await cached.value) as T, mtimeMs: stats.mtimeMs };
  }
  const lookup = (port: number) => read(`/lookup/${lookupShard(port)}.json`, (text) => JSON.parse(text) as LookupShard);

  /** The address of port `port`'s page for a reader in `locale`, as the search box would open it. */
  async function portHref(port: number, locale: Locale): Promise<string> {
    const entry = (await lookup(port))?.value.entries[port];
    if (entry && !entry.localized) return entry.url;
    return `${localePrefix(locale)}${entry?.url ?? `/ports/${port}/`}`;
  }

  /** The answer page for `/ports/N/` without a file, or undefined when the path is not such a number. */
  async function page(pathname: string): Promise<NumberPage | undefined> {
    const match = NUMBER_PAGE.exec(pathname);
    const locale = localeOf(match?.[1]);
    const port = Number(match?.[2]);
    if (!match || !locale || !(port <= 65535)) return undefined;
    const [template, shard] = await Promise.all([read(`${localePrefix(locale)}/404.html`, cut), lookup(port)]);
    if (!template || !shard) return undefined;
    const { html, strings: s, fallback, start, end } = template.value;
    const answer = numberAnswer(port, shard.value, s, locale);
    let body: string;
    if (answer.kind === 'english') {
      // A registry-only port from a translated page: the fallback says its page is in English, and links it.
      body = fallback.replace(/<h1>[^<]*<\/h1>/, `<h1>${escapeText(answer.title)}</h1>`);
      body = setContent(body, 'p', 'data-message', `${escapeText(answer.lead)} ${anchor(answer.link)}`);
    } else {
      body = format(template.value.answer, answer.values);
      body = setContent(body, 'p', 'data-lead', escapeText(answer.lead));
      body = setContent(body, 'dd', 'data-range', escapeText(answer.range));
      body = setContent(body, 'dd', 'data-status', escapeText(answer.status));
      body = answer.note ? setContent(body, 'dd', 'data-note', escapeText(answer.note)) : hide(body, 'data-note');
      body =
        answer.nearby.length > 0
          ? setContent(body, 'dd', 'data-nearby', answer.nearby.map(anchor).join(' · '))
          : hide(body, 'data-nearby');
      const panels = answer.commands.map(
        (set) =>
          `<div class="panel" id="commands-${set.os}"><h3>${escapeText(s.systems[set.os])}</h3><ul>${set.commands
            .map(
              (command) =>
                `<li><p>${escapeText(commandLabel(command, s, port))}</p><pre dir="ltr"><code>${escapeText(command.command)}</code></pre></li>`,
            )
            .join('')}</ul></div>`,
      );
      body = body.replace('</check-commands>', `${panels.join('')}</check-commands>`);
    }
    let out = `${html.slice(0, start)}${body}${html.slice(end)}`;
    // The element's script leaves an answered page as it is.
    out = out.replace('<number-answer ', '<number-answer data-answered ');
    if (answer.kind === 'answer')
      out = out.replace(/<title>[^<]*<\/title>/, `<title>${escapeText(answer.title)}</title>`);
    return { html: out, version: `${template.mtimeMs.toString(36)}-${shard.mtimeMs.toString(36)}` };
  }

  /**
   * Where a form sent without JavaScript should land: `/search/?q=` with a port number or a name the names index
   * is sure of ("dns", "ssh 22"), or `/ports/?port=` with a port number; undefined for anything else (other
   * parameters too, such as the search page's filters), which gets the page as built.
   */
  async function redirect(pathname: string, params: URLSearchParams): Promise<string | undefined> {
    const match = FORM_PAGE.exec(pathname);
    const locale = localeOf(match?.[1]);
    if (!match || !locale) return undefined;
    const field = match[2] === 'search' ? 'q' : 'port';
    const keys = [...params.keys()];
    const query = params.get(field);
    if (query === null || keys.some((key) => key !== field) || keys.length !== 1) return undefined;
    const parsed = parsePortQuery(query.trim());
    if (parsed.kind === 'port') return portHref(parsed.port, locale);
    if (field !== 'q') return undefined;
    const name = parseNameQuery(query);
    if (!name) return undefined;
    const shard = await read(`/names/${name.shard}.json`, (text) => JSON.parse(text) as NameShard);
    const answer = shard && resolveName(name, shard.value).answer;
    return answer === undefined ? undefined : portHref(answer, locale);
  }

  return { page, redirect };
}
