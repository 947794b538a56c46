import { z } from 'zod';
import { identifier } from './transform-schema';

/** The formats a files source reads; compression (gzip, zstd) follows from each object's extension. */
export const fileFormats = ['csv', 'ndjson', 'parquet'] as const;
export type FileFormat = (typeof fileFormats)[number];

/** What a run does with an object it already loaded whose ETag changed (the file was rewritten). */
export const rewritePolicies = ['reload', 'skip', 'fail'] as const;
export type RewritePolicy = (typeof rewritePolicies)[number];

/** The column types a files table may declare (DuckDB spelling); each maps to one entry of the type map. */
export const DECLARED_TYPE = /^(BOOLEAN|SMALLINT|INTEGER|BIGINT|REAL|FLOAT|DOUBLE|DATE|TIME|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|VARCHAR|TEXT|UUID|JSON|DECIMAL\(\d{1,2},\s*\d{1,2}\))$/i;

const declaredType = z.string().regex(DECLARED_TYPE, 'expected a type such as BIGINT, DECIMAL(12,2), DATE, TIMESTAMP, TIMESTAMPTZ, BOOLEAN or VARCHAR');

/** `files:` of a `kind: files` table: which objects to read and how. */
export const filesSchema = z.strictObject({
  /** The bucket the files land in (defaults to the lake's). */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').optional(),
  /** The key prefix files land under, ending in / (e.g. landing/returns/). */
  prefix: z.string().regex(/^[^/].*\/$/, 'expected a key prefix ending in /, such as landing/returns/'),
  /** Names under the prefix to read: * matches within one folder level, ** across levels (e.g. "*.csv*"). */
  glob: z.string().min(1).default('*'),
  format: z.enum(fileFormats),
  /** CSV: the first line names the columns (checked against `columns`). */
  header: z.boolean().default(true),
  /** CSV: the field separator. */
  delimiter: z.string().length(1, 'expected one character').default(','),
  onRewrite: z.enum(rewritePolicies).default('fail'),
  /** Where unreadable or wrong-schema files are moved (defaults to quarantine/<table>/ under the lake prefix). */
  quarantinePrefix: z.string().regex(/^[^/].*\/$/, 'expected a key prefix ending in /').optional(),
});
export type FilesSpec = z.output<typeof filesSchema>;

/** `columns:` of a files table: name → declared type, in file order. */
export const declaredColumnsSchema = z.record(identifier, declaredType);
