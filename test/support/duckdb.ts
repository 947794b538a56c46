import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A plain in-memory DuckDB connection for a test to read files with (the product's sessions are sealed). */
export async function openDuckdb(): Promise<DuckDBConnection & { closeAll(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return Object.assign(connection, {
    closeAll() {
      connection.closeSync();
      instance.closeSync();
    },
  });
}
