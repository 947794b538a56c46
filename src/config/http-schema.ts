import { z } from 'zod';
import { HOW_TO_REFERENCE, SECRET_REFERENCE, secretInUrl } from './secret-reference';
import { identifier } from './transform-schema';

/** A JSON path in the small dotted subset the http source reads: `$` or `$.a.b` (object keys only). */
export const JSON_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

const jsonPath = z.string().regex(JSON_PATH, 'expected a dotted JSON path such as $.data.items or $ (object keys only, no [] or *)');
const queryParam = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected a query parameter name such as cursor or updated_since');

/** How the source pages: a cursor read from each response, a page number, or the Link header's rel="next". */
const pagingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cursor'), cursorPath: jsonPath, param: queryParam }),
  z.strictObject({ type: z.literal('page'), param: queryParam, startAt: z.int().min(0).default(1) }),
  z.strictObject({ type: z.literal('link') }),
]);

/** A header whose value is a secret reference, resolved by the worker (never a literal in the file). */
const secretHeader = z.strictObject({
  secret: z.string().regex(SECRET_REFERENCE, `expected a secret reference. ${HOW_TO_REFERENCE}`),
  /** Written before the secret's value, e.g. "Bearer ". */
  prefix: z.string().default(''),
});

/** `http:` of a `kind: http` table: where the JSON API is, how it pages, where the records are. */
export const httpSchema = z.strictObject({
  /** The first page's URL (no credentials in it: put them in headers as secret references). */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).refine((url) => secretInUrl(url) === undefined, { error: (issue) => `a literal URL must not hold a secret: ${secretInUrl(String(issue.input))}. Move it to headers as { secret: env:NAME }` }),
  /** Where the records are in each page's JSON (default: the page is the array). */
  records: jsonPath.default('$'),
  /** Absent: one page. */
  paging: pagingSchema.optional(),
  /** Read only records updated since the saved watermark: the query parameter and the record field it compares. */
  incremental: z.strictObject({ param: queryParam, watermark: identifier }).optional(),
  /** Request headers whose values are secrets, e.g. Authorization: { secret: env:API_TOKEN, prefix: "Bearer " }. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a header name'), secretHeader).default({}),
  /** Seconds one request may take. */
  timeoutSeconds: z.int().min(1).max(600).default(60),
});
export type HttpSpec = z.output<typeof httpSchema>;
