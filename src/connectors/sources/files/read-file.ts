import type { DuckDBConnection } from '@duckdb/node-api';
import { copyToParquetFile } from '../../../sql/duckdb-read';
import { describeWithoutValues } from '../../../runtime/errors';
import type { SourceColumn } from '../../../sql/type-map';
import { describeCsvHeader, describeParquet, readFile, REJECT_ERRORS, selectMalformedRows, selectRawRows, type FileRead } from './sql';

/** What reading one file gave: rows in the raw part and malformed rows set aside, or why the file is unreadable. */
export type FileReadOutcome = { rows: number; malformedRows: number } | { unreadable: string };

/** DuckDB errors a file's content causes: not the format, corrupt, compressed wrongly, values that do not convert. */
const FILE_ERRORS = /^(Error: )?(IO|Invalid Input|Conversion|Out of Range) Error/;

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The names a file's own schema gives (CSV header, Parquet schema); undefined for NDJSON and headerless CSV. */
async function readFileColumns(connection: DuckDBConnection, read: FileRead): Promise<string[] | undefined> {
  if (read.format === 'ndjson' || (read.format === 'csv' && !read.header)) return undefined;
  const sql = read.format === 'csv' ? describeCsvHeader(read) : describeParquet(read);
  return (await connection.runAndReadAll(sql)).getRows().map((row) => String(row[0]));
}

/** The declared columns in the file's order, or the reason the file's columns do not match the declaration. */
function matchColumns(declared: readonly SourceColumn[], found: string[] | undefined, format: FileRead['format']): SourceColumn[] | string {
  if (!found) return [...declared];
  const missing = declared.filter((column) => !found.some((name) => sameName(name, column.name))).map((column) => column.name);
  const extra = found.filter((name) => !declared.some((column) => sameName(name, column.name)));
  if (missing.length > 0 || (format === 'csv' && extra.length > 0)) {
    return `wrong schema: the file's columns (${found.join(', ')}) are not the declared ones (${declared.map((column) => column.name).join(', ')})${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}${extra.length > 0 ? `; unexpected ${extra.join(', ')}` : ''}`;
  }
  // CSV columns are read by position: declared types in the header's order, renamed to the declared names.
  if (format !== 'csv') return [...declared];
  return found.map((name) => declared.find((column) => sameName(name, column.name)) as SourceColumn);
}

/**
 * Reads one spooled file into a raw Parquet part with the declared types (`rawPath`), and its malformed
 * CSV rows with file, line and reason into `malformedPath`. A file whose columns differ from the declaration,
 * or that does not read at all (corrupt, not the format, a bad value in NDJSON/Parquet), is `unreadable`.
 */
export async function readOneFile(connection: DuckDBConnection, input: { read: FileRead; key: string; rawPath: string; malformedPath: string }): Promise<FileReadOutcome> {
  const { read } = input;
  try {
    const order = matchColumns(read.columns, await readFileColumns(connection, read), read.format);
    if (typeof order === 'string') return { unreadable: order };
    const from = `(${selectRawRows({ from: readFile({ ...read, columns: order }), columns: order, cast: read.format === 'parquet', marker: false })}) file_rows`;
    const query = selectRawRows({ from, columns: read.columns, cast: false, marker: true });
    const written = await connection.runAndReadAll(copyToParquetFile({ query, path: input.rawPath }));
    const rows = Number(written.getRows()[0]?.[0] ?? 0);
    if (read.format !== 'csv') return { rows, malformedRows: 0 };
    const [malformed] = (await connection.runAndReadAll(`SELECT count(DISTINCT line) FROM ${REJECT_ERRORS}`)).getRows()[0] ?? [];
    if (Number(malformed) > 0) await connection.run(copyToParquetFile({ query: selectMalformedRows({ key: input.key }), path: input.malformedPath }));
    return { rows, malformedRows: Number(malformed ?? 0) };
  } catch (error) {
    // Only what the file's content causes quarantines it; any other error (a bug, no memory) fails the step.
    if (!FILE_ERRORS.test(describeWithoutValues(error))) throw error;
    // The spool path means nothing to whoever reads the reason: name the object instead.
    const why = describeWithoutValues(error).replaceAll(read.path, input.key).replace(/^Error: /, '');
    return { unreadable: `unreadable as ${read.format}${read.compression === 'none' ? '' : ` (${read.compression})`}: ${why}` };
  }
}
