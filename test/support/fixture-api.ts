import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One record the fixture API serves. */
export interface ApiItem {
  id: number;
  name: string;
  amount: number;
  updated_at: string;
}

/** One request the API saw: its path, query and whether it carried the expected token. */
export interface SeenRequest {
  path: string;
  query: Record<string, string>;
  authorized: boolean;
  status: number;
}

/** A local JSON API over `items`, paging by cursor (/cursor), page number (/page) and Link header (/link). */
export interface FixtureApi {
  url: string;
  items: ApiItem[];
  requests: SeenRequest[];
  /** Statuses to answer the next requests for one page with before serving it (e.g. 429 then 500), by `path#cursor|page|offset`. */
  failNext: Map<string, number[]>;
  close(): Promise<void>;
}

const PAGE = 3;

/** The items updated after `since` (all without one), in id order. */
const inWindow = (items: ApiItem[], since: string | undefined) => items.filter((item) => since === undefined || Date.parse(item.updated_at) > Date.parse(since)).sort((a, b) => a.id - b.id);

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

/** Starts the API on an ephemeral port; every request needs `Authorization: Bearer <token>`. */
export async function startFixtureApi(input: { items: ApiItem[]; token: string }): Promise<FixtureApi> {
  const api: Omit<FixtureApi, 'url' | 'close'> = { items: input.items, requests: [], failNext: new Map() };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const authorized = request.headers.authorization === `Bearer ${input.token}`;
    const seen: SeenRequest = { path: url.pathname, query, authorized, status: 200 };
    api.requests.push(seen);
    const respond = (status: number, body: string, headers?: Record<string, string>) => {
      seen.status = status;
      answer(response, status, body, headers);
    };
    if (!authorized) return respond(401, '{"error":"unauthorized"}');
    const failure = api.failNext.get(`${url.pathname}#${query.cursor ?? query.page ?? query.offset ?? ''}`)?.shift();
    if (failure === 429) return respond(429, '{"error":"slow down"}', { 'retry-after': '1' });
    if (failure) return respond(failure, '{"error":"boom"}');
    const items = inWindow(api.items, query.updated_since);
    if (url.pathname === '/cursor/items') {
      const offset = Number(query.cursor ?? 0);
      const next = offset + PAGE < items.length ? String(offset + PAGE) : null;
      return respond(200, JSON.stringify({ data: { items: items.slice(offset, offset + PAGE) }, next_cursor: next }));
    }
    if (url.pathname === '/page/items') {
      const page = Number(query.page ?? 1);
      return respond(200, JSON.stringify({ data: { items: items.slice((page - 1) * PAGE, page * PAGE) } }));
    }
    if (url.pathname === '/link/items') {
      const offset = Number(query.offset ?? 0);
      const headers: Record<string, string> = offset + PAGE < items.length ? { link: `</link/items?offset=${offset + PAGE}>; rel="next", </link/items?offset=0>; rel="first"` } : {};
      return respond(200, JSON.stringify(items.slice(offset, offset + PAGE)), headers);
    }
    if (url.pathname === '/broken/items') {
      if (query.cursor === undefined) return respond(200, JSON.stringify({ data: { items: items.slice(0, PAGE) }, next_cursor: 'two' }));
      return respond(200, '{"data": {"items": [ {"id": 4, "na');
    }
    if (url.pathname === '/badvalue/items') return respond(200, JSON.stringify({ data: { items: [{ ...items[0], amount: 'twelve' }] } }));
    return respond(404, '{"error":"not found"}');
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...api,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
