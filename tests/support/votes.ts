/** Reading a feedback database the way an operator (or an attacker with a copy) would: straight from the file. */
import { DatabaseSync } from 'node:sqlite';
import { request } from 'node:http';

export interface StoredRow {
  port: number;
  voter: string;
  day: string;
  network: string | null;
  locale: string;
  rating: string;
  comment: string | null;
  reasons: string;
}

export function readVotes(file: string): StoredRow[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare('SELECT port, voter, day, network, locale, rating, comment, reasons FROM votes')
      .all() as unknown as StoredRow[];
  } finally {
    db.close();
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with full control over what a browser or fetch() would fix: the local address it comes from
 * (any of 127.0.0.0/8 on Linux), the exact target, and every header.
 */
export function send(
  origin: string,
  {
    method = 'GET',
    path = '/',
    headers = {},
    body,
    from,
  }: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string },
): Promise<Answer> {
  const url = new URL(origin);
  return new Promise((done, fail) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }), ...headers },
        ...(from ? { localAddress: from } : {}),
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          done({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** A vote as the widget posts it, from `from`, carrying `cookie` when the reader has one. */
export function vote(
  origin: string,
  fields: Record<string, unknown>,
  {
    from,
    cookie,
    headers = {},
  }: { from?: string | undefined; cookie?: string | undefined; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return send(origin, {
    method: 'POST',
    path: '/api/feedback',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}), ...headers },
    body: JSON.stringify({ port: 3515, rating: 'helpful', ...fields }),
    ...(from ? { from } : {}),
  });
}

/** The `name=value` part of a Set-Cookie answer, to send back as a browser would. */
export function cookieOf(answer: Answer): string | undefined {
  const set = answer.headers['set-cookie'];
  return (Array.isArray(set) ? set[0] : set)?.split(';')[0];
}
