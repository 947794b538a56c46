import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { partName, rawPrefix } from '../../../common/lake-layout';
import { resolveSecret } from '../../../config/secrets';
import { describeWithoutValues } from '../../../runtime/errors';
import { heartbeat, keepAlive, lastHeartbeat, throwIfCancelled } from '../../../runtime/heartbeat';
import { deletePrefix, uploadFile } from '../../../runtime/lake';
import { withSpool } from '../../../runtime/spool';
import { copyToParquetFile } from '../../../sql/duckdb-read';
import { withDuckdb } from '../../../transform/duckdb-session';
import { readFile, selectRawRows } from '../files/sql';
import type { ExtractedPart, ExtractResult, ExtractTableInput, HttpPlan } from '../types';
import type { HttpDeps } from './deps';
import { fetchPage, malformedPage, type PageContext } from './fetch-page';
import { greatestWatermark, valueAtPath } from './json-path';
import { firstPageUrl, nextPageUrl } from './paging';

/** Heartbeat details after each page: a retry (429, 5xx, a worker crash) goes on with the next request. */
interface HttpProgress {
  pages: number;
  records: number;
  parts: ExtractedPart[];
  /** The next page's URL; undefined once the last page was read. */
  next?: string;
  watermark?: string;
}

type HttpContext = ExtractTableInput & { dir: string; http: HttpPlan };

/** The page's records (objects) at the records path, or the malformed-page failure saying what was there. */
function recordsOf(input: { body: unknown; path: string; url: string; context: PageContext }): Record<string, unknown>[] {
  const found = valueAtPath(input.body, input.path);
  const fail = (why: string) => malformedPage({ url: input.url, context: input.context, why });
  if (!Array.isArray(found)) throw fail(`${input.path} is ${found === undefined ? 'missing' : `a ${typeof found}`}, not an array of records`);
  const bad = found.findIndex((record) => record === null || typeof record !== 'object' || Array.isArray(record));
  if (bad >= 0) throw fail(`record ${bad + 1} at ${input.path} is not a JSON object`);
  return found as Record<string, unknown>[];
}

/** The header values, each secret reference resolved by this worker (never sent through Temporal). */
async function resolveHeaders(deps: HttpDeps, input: { spec: HttpPlan['spec']; pipeline: string; table: string }): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(input.spec.headers)) {
    try {
      headers[name] = `${header.prefix}${await resolveSecret({ value: header.secret, secretsManager: deps.secretsManager })}`;
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`pipeline ${input.pipeline}, table ${input.table}, step extract: header ${name} (${header.secret}) did not resolve: ${describeWithoutValues(error)}; set it in the worker's environment or Secrets Manager`, 'HttpSecretMissing');
    }
  }
  return headers;
}

/** Writes one page's records (declared fields only) as a raw Parquet part with the declared types, and uploads it. */
async function writePagePart(deps: HttpDeps, input: HttpContext & { records: readonly Record<string, unknown>[]; index: number; url: string; context: PageContext }): Promise<ExtractedPart> {
  const { plan } = input;
  const jsonPath = join(input.dir, `page-${input.index}.ndjson`);
  const names = plan.columns.map((column) => column.name);
  await writeFile(jsonPath, input.records.map((record) => JSON.stringify(Object.fromEntries(names.map((name) => [name, record[name] ?? null])))).join('\n'));
  const path = join(input.dir, partName(input.index));
  const from = `${readFile({ path: jsonPath, format: 'ndjson', compression: 'none', columns: plan.columns, header: false, delimiter: ',' })} page_rows`;
  const context = { pipeline: plan.pipeline, table: plan.table, step: 'extract' };
  try {
    await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, limits: input.limits, context }, (connection) => connection.run(copyToParquetFile({ query: selectRawRows({ from, columns: plan.columns, cast: false, marker: true }), path })));
  } catch (error) {
    // DuckDB quotes the value that failed: keep the record's line (its position in the page), never the value.
    const why = describeWithoutValues(error).replaceAll(`"${jsonPath}"`, 'the page').replaceAll(jsonPath, 'the page').replace(/"[^"]*"/g, '(value withheld)').replace(/^Error: /, '');
    if (/(Conversion|Invalid Input|Out of Range) Error/.test(why)) throw malformedPage({ url: input.url, context: input.context, why: `a value does not convert to its declared column type: ${why}` });
    throw error;
  }
  const key = `${rawPrefix(input.location)}${partName(input.index)}`;
  await uploadFile({ s3: deps.s3, lake: input.lake, key, path });
  return { key, rows: input.records.length, bytes: (await stat(path)).size };
}

/** Reads the next page, writes its part, and moves the progress on (the caller heartbeats it). */
async function readPage(deps: HttpDeps, input: HttpContext & { progress: HttpProgress; headers: Record<string, string>; url: string }): Promise<void> {
  const { progress, http, plan } = input;
  const context: PageContext = { pipeline: plan.pipeline ?? '', table: plan.table, page: progress.pages + 1 };
  const page = await fetchPage({ url: input.url, headers: input.headers, timeoutSeconds: http.spec.timeoutSeconds, context });
  const records = recordsOf({ body: page.body, path: http.spec.records, url: input.url, context });
  const next = nextPageUrl({ spec: http.spec, url: input.url, body: page.body, link: page.link, records: records.length });
  if (next === input.url) throw malformedPage({ url: input.url, context, why: 'the next page is this page again (the cursor or link did not move)' });
  if (records.length > 0) progress.parts.push(await writePagePart(deps, { ...input, records, index: progress.parts.length, url: input.url, context }));
  const field = http.spec.incremental?.watermark;
  if (field) progress.watermark = greatestWatermark({ current: progress.watermark, records, field });
  Object.assign(progress, { pages: progress.pages + 1, records: progress.records + records.length, next });
}

/** The http source's extract: page after page to raw Parquet parts, heartbeating after each page. */
export function createHttpExtract(deps: HttpDeps) {
  return {
    /**
     * GETs each page (cursor, page number or Link header), writes its records to a raw part with the declared
     * types, and heartbeats pages and records; a retry goes on with the page that failed. A malformed page
     * fails the step (nothing of the window is loaded: the watermark is saved only with the load).
     */
    async extractTable(input: ExtractTableInput): Promise<ExtractResult> {
      const started = Date.now();
      const http = input.plan.http;
      if (!http) throw ApplicationFailure.nonRetryable(`table ${input.plan.table}: an http extract needs an http plan`, 'PipelineInvalid');
      const pipeline = input.plan.pipeline ?? '';
      const progress = lastHeartbeat<HttpProgress>() ?? { pages: 0, records: 0, parts: [], next: firstPageUrl(http), ...(http.since === undefined ? {} : { watermark: http.since }) };
      if (progress.pages === 0) await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix: rawPrefix(input.location) });
      heartbeat(progress);
      const headers = await resolveHeaders(deps, { spec: http.spec, pipeline, table: input.plan.table });
      return keepAlive(() =>
        withSpool({ spoolDir: deps.spoolDir, name: `extract-${input.plan.table}` }, async (dir) => {
          const context: HttpContext = { ...input, dir, http };
          while (progress.next !== undefined) {
            throwIfCancelled();
            await readPage(deps, { ...context, progress, headers, url: progress.next });
            heartbeat(progress);
          }
          // A window with no records still hands the transform one (empty) part with the declared columns.
          const parts = progress.parts.length > 0 ? progress.parts : [await writePagePart(deps, { ...context, records: [], index: 0, url: http.spec.url, context: { pipeline, table: input.plan.table, page: 0 } })];
          return {
            bucket: input.lake.bucket,
            prefix: rawPrefix(input.location),
            parts,
            rows: progress.records,
            bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
            seconds: (Date.now() - started) / 1000,
            http: { pages: progress.pages, records: progress.records, ...(progress.watermark === undefined ? {} : { watermark: progress.watermark }) },
          };
        }),
      );
    },
  };
}
