import { loadPipeline, parsePipeline, type TableSpec } from '../../src/config';
import { classifyHttpStatus, retryAfterMs } from '../../src/connectors/sources/http/fetch-page';
import { greatestWatermark, nextLink, valueAtPath } from '../../src/connectors/sources/http/json-path';
import { firstPageUrl, nextPageUrl } from '../../src/connectors/sources/http/paging';
import { issuesOf } from '../support/config-issues';

const httpTable = (extra = '') => `
name: p
lake: { bucket: my-lake }
tables:
  - name: items
    kind: http
    http:
      url: https://api.example.com/v1/items
      records: $.data.items
      paging: { type: cursor, cursorPath: $.next_cursor, param: cursor }
      incremental: { param: updated_since, watermark: updated_at }
      headers: { Authorization: { secret: "env:API_TOKEN", prefix: "Bearer " } }
    columns: { id: BIGINT, amount: "DECIMAL(12,2)", updated_at: TIMESTAMPTZ }
    target: analytics.items
    primaryKey: [id]${extra}
`;
const context = { pipeline: 'p', table: 'items', page: 2 };

describe('an http table in the pipeline file', () => {
  it('is valid without a source, labelled http.<name>, with its paging and secret header', () => {
    const table = parsePipeline({ file: 'p.yaml', text: httpTable() }).tables[0] as TableSpec;
    expect(table).toMatchObject({ kind: 'http', source: 'http.items', http: { records: '$.data.items', paging: { type: 'cursor', param: 'cursor' }, headers: { Authorization: { secret: 'env:API_TOKEN', prefix: 'Bearer ' } }, timeoutSeconds: 60 } });
  });

  it('pipelines/http.example.yaml is valid', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/http.example.yaml' });
    expect(pipeline.tables[0]).toMatchObject({ kind: 'http', http: { paging: { type: 'cursor' }, incremental: { param: 'updated_since', watermark: 'updated_at' } } });
  });

  it('names the bad field', () => {
    expect(issuesOf(httpTable().replace('https://api.example.com/v1/items', 'ftp://api.example.com/items'))).toEqual(['tables[0].http.url: expected an http(s) URL']);
    expect(issuesOf(httpTable().replace('/v1/items', '/v1/items?api_key=abc'))).toEqual([expect.stringMatching(/^tables\[0\]\.http\.url: a literal URL must not hold a secret: its query string/)]);
    expect(issuesOf(httpTable().replace('records: $.data.items', 'records: $.data[*]'))).toEqual([expect.stringMatching(/^tables\[0\]\.http\.records: expected a dotted JSON path/)]);
    expect(issuesOf(httpTable().replace('type: cursor, cursorPath: $.next_cursor, param: cursor', 'type: offset'))).toEqual([expect.stringMatching(/^tables\[0\]\.http\.paging\.type: /)]);
    expect(issuesOf(httpTable().replace('cursorPath: $.next_cursor, ', ''))).toEqual([expect.stringMatching(/^tables\[0\]\.http\.paging\.cursorPath: /)]);
    expect(issuesOf(httpTable().replace('{ secret: "env:API_TOKEN", prefix: "Bearer " }', '{ secret: "Bearer abc123" }'))).toEqual([expect.stringMatching(/^tables\[0\]\.http\.headers\.Authorization\.secret: expected a secret reference/)]);
    expect(issuesOf(httpTable().replace('watermark: updated_at }', 'watermark: modified }'))).toEqual(['tables[0].http.incremental.watermark: modified not among columns: declare the field the API compares updated_since with']);
    expect(issuesOf(httpTable('\n    watermark: updated_at'))).toEqual(['tables[0].watermark: an http table keeps its watermark under http.incremental: { param, watermark }']);
    expect(issuesOf(httpTable('\n    files: { prefix: a/, format: csv }'))).toEqual(['tables[0].files: only used with kind: files']);
    expect(issuesOf(httpTable().replace(/ {4}http:\n( {6}.*\n)+/, ''))).toEqual(['tables[0].http: required with kind: http: { url, records, paging }']);
  });
});

describe('paging and records', () => {
  const spec = parsePipeline({ file: 'p.yaml', text: httpTable() }).tables[0]?.http;
  if (!spec) throw new Error('no http spec');

  it('binds updated_since to the saved watermark and the page number to startAt', () => {
    expect(firstPageUrl({ spec, since: '2026-01-01T00:00:00Z' })).toBe('https://api.example.com/v1/items?updated_since=2026-01-01T00%3A00%3A00Z');
    expect(firstPageUrl({ spec: { ...spec, paging: { type: 'page', param: 'page', startAt: 1 } } })).toBe('https://api.example.com/v1/items?page=1');
  });

  it('follows a cursor until there is none, page numbers until an empty page, Link rel="next" until absent', () => {
    const url = 'https://api.example.com/v1/items?updated_since=x';
    expect(nextPageUrl({ spec, url, body: { next_cursor: 'abc' }, link: null, records: 3 })).toBe(`${url}&cursor=abc`);
    expect(nextPageUrl({ spec, url, body: { next_cursor: null }, link: null, records: 3 })).toBeUndefined();
    const page = { ...spec, paging: { type: 'page' as const, param: 'page', startAt: 1 } };
    expect(nextPageUrl({ spec: page, url: `${url}&page=2`, body: {}, link: null, records: 3 })).toBe(`${url}&page=3`);
    expect(nextPageUrl({ spec: page, url: `${url}&page=2`, body: {}, link: null, records: 0 })).toBeUndefined();
    expect(nextLink('<https://a.example/x?o=3>; rel="next", <https://a.example/x?o=0>; rel="first"', url)).toBe('https://a.example/x?o=3');
    expect(nextLink('</v1/items?o=6>; rel=next', url)).toBe('https://api.example.com/v1/items?o=6');
    expect(nextLink('<https://a.example/x?o=0>; rel="prev"', url)).toBeUndefined();
  });

  it('reads a dotted path and keeps the greatest watermark as the API wrote it', () => {
    expect(valueAtPath({ data: { items: [1] } }, '$.data.items')).toEqual([1]);
    expect(valueAtPath({ data: [] }, '$.data.items')).toBeUndefined();
    expect(greatestWatermark({ current: '2026-01-01T00:00:00Z', records: [{ u: '2026-01-02T00:00:00+01:00' }, { u: '2025-12-31T00:00:00Z' }, { u: null }], field: 'u' })).toBe('2026-01-02T00:00:00+01:00');
    expect(greatestWatermark({ records: [{ u: 9 }, { u: 10 }], field: 'u' })).toBe('10');
    expect(greatestWatermark({ records: [], field: 'u' })).toBeUndefined();
  });
});

describe('HTTP statuses', () => {
  it('retries a 429 after Retry-After and a 5xx with backoff; any other 4xx is terminal naming URL and status', () => {
    const url = 'https://api.example.com/v1/items';
    const limited = classifyHttpStatus({ status: 429, retryAfter: '7', url, context });
    expect(limited).toMatchObject({ type: 'HttpRateLimited', nonRetryable: false, nextRetryDelay: 7000 });
    expect(classifyHttpStatus({ status: 503, retryAfter: null, url, context })).toMatchObject({ type: 'HttpServerError', nonRetryable: false });
    const denied = classifyHttpStatus({ status: 404, retryAfter: null, url, context });
    expect(denied).toMatchObject({ type: 'HttpClientError', nonRetryable: true });
    expect(denied.message).toBe(`pipeline p, table items, step extract: GET ${url} (page 2) answered 404; nothing of this run's window was loaded: check http.url, paging and incremental in the pipeline file`);
    expect(retryAfterMs('Wed, 01 Jan 2031 00:00:10 GMT', Date.parse('2031-01-01T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
