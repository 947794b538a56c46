import { copyQueryToParquet, selectSampleRows, summariseParquet } from '../../src/sql/duckdb';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../src/sql/quote';

describe('quoting', () => {
  it('quotes identifiers and doubles embedded quotes', () => {
    expect(quoteIdent('sales')).toBe('"sales"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteQualified('raw.customers')).toBe('"raw"."customers"');
  });

  it('quotes literals and doubles embedded single quotes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

describe('DuckDB statements', () => {
  it('copies a query to zstd Parquet', () => {
    expect(copyQueryToParquet({ query: 'SELECT 1', path: "/tmp/a'b.parquet" })).toBe(
      "COPY (SELECT 1) TO '/tmp/a''b.parquet' (FORMAT parquet, COMPRESSION zstd)",
    );
  });

  it('builds sample rows with an integer count only', () => {
    expect(selectSampleRows({ rows: 2.7 })).toContain('FROM range(2) t(i)');
    expect(summariseParquet({ path: '/x.parquet' })).toContain("read_parquet('/x.parquet')");
  });
});
