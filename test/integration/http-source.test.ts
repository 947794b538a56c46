import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { startFixtureApi, type ApiItem, type FixtureApi } from '../support/fixture-api';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

/**
 * The http source on the real stack (Temporal, S3, the Postgres warehouse) against a local JSON API: cursor,
 * page-number and Link-header paging, a 429 with Retry-After and a 500 retried, an incremental second run
 * sending updated_since = the saved watermark, a malformed page failing with URL and page, a 401 without the
 * token. Expected warehouse rows are computed here from the fixture items.
 */
const TOKEN = 'fixture-token-7f3a';
const SCHEMA = 'test_http_wh';
let harness: Harness;
let api: FixtureApi;

const item = (id: number, updated: string): ApiItem => ({ id, name: `item ${id}`, amount: id * 10 + 0.5, updated_at: updated });
const initial = Array.from({ length: 8 }, (_, index) => item(index + 1, `2026-01-0${1 + (index % 4)}T10:00:0${index}Z`));

function pipeline(input: { name: string; path: string; paging?: unknown; records?: string; auth?: boolean }): Pipeline {
  const table = {
    name: 'items',
    kind: 'http',
    http: {
      url: `${api.url}${input.path}`,
      records: input.records ?? '$.data.items',
      ...(input.paging ? { paging: input.paging } : {}),
      incremental: { param: 'updated_since', watermark: 'updated_at' },
      ...(input.auth === false ? {} : { headers: { Authorization: { secret: 'env:TEST_HTTP_API_TOKEN', prefix: 'Bearer ' } } }),
    },
    columns: { id: 'BIGINT', name: 'VARCHAR', amount: 'DECIMAL(12,2)', updated_at: 'TIMESTAMPTZ' },
    target: `${SCHEMA}.${input.name.replace(/-/g, '_')}`,
    primaryKey: ['id'],
    mode: 'merge',
  };
  return parsePipeline({ file: 'http.yaml', text: JSON.stringify({ name: input.name, lake: { bucket: LOCAL_STACK.lakeBucket, prefix: 'test-http/' }, tables: [table] }) });
}

/** The target's rows rendered as the API wrote them. */
async function warehouseRows(target: string): Promise<ApiItem[]> {
  const result = await harness.warehouse.query<{ id: string; name: string; amount: string; updated_at: string }>(
    `SELECT id::text, name, amount::text, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at FROM ${target}`,
  );
  return result.rows.map((row) => ({ id: Number(row.id), name: row.name, amount: Number(row.amount), updated_at: row.updated_at })).sort((a, b) => a.id - b.id);
}

/** The fixture items as the warehouse should hold them: the latest version of each id, by id. */
const expectedRows = (items: ApiItem[]) => [...new Map(items.map((row) => [row.id, row])).values()].sort((a, b) => a.id - b.id);
const latest = (items: ApiItem[]) => items.map((row) => row.updated_at).sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);

async function savedWatermark(name: string): Promise<string | undefined> {
  const result = await harness.warehouse.query<{ watermark: string }>('SELECT watermark FROM etl_state.watermarks WHERE pipeline = $1', [name]);
  return result.rows[0]?.watermark;
}

beforeAll(async () => {
  process.env.TEST_HTTP_API_TOKEN = TOKEN;
  api = await startFixtureApi({ items: [...initial], token: TOKEN });
  harness = await createHarness();
  await resetWarehouse(harness.warehouse, [SCHEMA]);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'http-test%'").catch(() => undefined);
});
afterAll(async () => {
  await harness.close();
  await api.close();
});

describe('an http source', () => {
  it('reads every cursor page (a 429 and a 500 on page 2 retried from page 2), then only what changed since the saved watermark', async () => {
    // The second page answers 429 (Retry-After: 1) then 500: the retries go on from the heartbeat, not page 1.
    api.failNext.set('/cursor/items#3', [429, 500]);
    const first = await harness.run(pipeline({ name: 'http-test-cursor', path: '/cursor/items', paging: { type: 'cursor', cursorPath: '$.next_cursor', param: 'cursor' } }));
    expect(await warehouseRows(`${SCHEMA}.http_test_cursor`)).toEqual(expectedRows(initial));
    expect(first.tables[0]).toMatchObject({ extractedRows: 8, loadedRows: 8, rejectedRows: 0, http: { pages: 3, records: 8, watermark: latest(initial) } });
    const cursorRequests = api.requests.filter((request) => request.path === '/cursor/items');
    expect(cursorRequests.map((request) => request.status)).toEqual([200, 429, 500, 200, 200]);
    expect(cursorRequests.map((request) => request.query.cursor)).toEqual([undefined, '3', '3', '3', '6']);
    expect(cursorRequests.every((request) => request.authorized && request.query.updated_since === undefined)).toBe(true);
    expect(await savedWatermark('http-test-cursor')).toBe(latest(initial));

    const changed = [item(3, '2026-02-01T08:00:00Z'), item(9, '2026-02-01T09:00:00Z'), item(10, '2026-02-02T00:00:00Z')];
    changed[0] = { ...changed[0] as ApiItem, name: 'item 3 renamed' };
    // The API now holds item 3's new version in place of the old one, and two new items.
    api.items.splice(api.items.findIndex((row) => row.id === 3), 1, changed[0]);
    api.items.push(...changed.slice(1));
    api.requests.length = 0;
    const second = await harness.run(pipeline({ name: 'http-test-cursor', path: '/cursor/items', paging: { type: 'cursor', cursorPath: '$.next_cursor', param: 'cursor' } }));
    expect(api.requests.map((request) => request.query.updated_since)).toEqual([latest(initial)]);
    expect(second.tables[0]).toMatchObject({ extractedRows: 3, loadedRows: 3, http: { pages: 1, records: 3 } });
    expect(await warehouseRows(`${SCHEMA}.http_test_cursor`)).toEqual(expectedRows([...initial, ...changed]));
    expect(await savedWatermark('http-test-cursor')).toBe('2026-02-02T00:00:00Z');
  });

  it('pages by page number until an empty page, and by the Link header rel="next"', async () => {
    api.requests.length = 0;
    await harness.run(pipeline({ name: 'http-test-page', path: '/page/items', paging: { type: 'page', param: 'page', startAt: 1 } }));
    expect(await warehouseRows(`${SCHEMA}.http_test_page`)).toEqual(expectedRows(api.items));
    expect(api.requests.map((request) => request.query.page)).toEqual(['1', '2', '3', '4', '5']);

    api.requests.length = 0;
    await harness.run(pipeline({ name: 'http-test-link', path: '/link/items', paging: { type: 'link' }, records: '$' }));
    expect(await warehouseRows(`${SCHEMA}.http_test_link`)).toEqual(expectedRows(api.items));
    expect(api.requests.map((request) => request.query.offset)).toEqual([undefined, '3', '6', '9']);
  });

  it('fails on a malformed page naming URL and page, loading nothing of the window', async () => {
    const failed = await harness.run(pipeline({ name: 'http-test-broken', path: '/broken/items', paging: { type: 'cursor', cursorPath: '$.next_cursor', param: 'cursor' } })).catch((error: unknown) => error);
    expect(describeError(failed)).toMatch(
      `pipeline http-test-broken, table items, step extract: GET ${api.url}/broken/items?cursor=two (page 2): malformed page: not JSON (`,
    );
    const exists = await harness.warehouse.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`${SCHEMA}.http_test_broken`]);
    expect(exists.rows[0]?.found ? (await warehouseRows(`${SCHEMA}.http_test_broken`)).length : 0).toBe(0);
    expect(await savedWatermark('http-test-broken')).toBeUndefined();

    const badValue = await harness.run(pipeline({ name: 'http-test-badvalue', path: '/badvalue/items' })).catch((error: unknown) => error);
    expect(describeError(badValue)).toMatch(`pipeline http-test-badvalue, table items, step extract: GET ${api.url}/badvalue/items (page 1): malformed page: a value does not convert to its declared column type: `);
    expect(describeError(badValue)).not.toContain('twelve');
  });

  it('fails without retrying on a 401 (no auth header), naming URL and status', async () => {
    api.requests.length = 0;
    const failed = await harness.run(pipeline({ name: 'http-test-noauth', path: '/cursor/items', paging: { type: 'cursor', cursorPath: '$.next_cursor', param: 'cursor' }, auth: false })).catch((error: unknown) => error);
    expect(describeError(failed)).toContain(`GET ${api.url}/cursor/items (page 1) answered 401; nothing of this run's window was loaded`);
    expect(api.requests.map((request) => request.status)).toEqual([401]);
  });
});
