import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { S3Deps } from '../../../activities/s3';
import type { DuckdbDeps } from '../../../activities/duckdb';
import { rawPrefix, type RunLocation } from '../../../common/lake-layout';
import type { TableSpec } from '../../../config/pipeline-schema';
import { copyToParquetFile } from '../../../sql/duckdb-read';
import { emptyKeySet } from '../../../sql/key-set';
import { deletePrefix, listKeys, uploadFile, type LakeTarget } from '../../../runtime/lake';
import { withSpool } from '../../../runtime/spool';
import { withDuckdb } from '../../../transform/duckdb-session';
import { classifyRedshiftApiError, statementFailed, failedPartOf } from './errors';
import type { RedshiftDeps } from './load';
import { unloadKeys } from './sql';
import { defaultPolling, queryRows, type RedshiftWarehouse } from './statements';

/** Which table's accepted keys to read, and where in the lake this run keeps them. */
export interface RedshiftKeysInput {
  table: TableSpec;
  warehouse: RedshiftWarehouse;
  location: RunLocation;
  lake: LakeTarget;
  /** For a lookup: these columns too, as the target types them. */
  columns?: string[];
}

/** An empty key set, for a target that holds no rows (UNLOAD of no rows may write no file). */
async function uploadEmptyKeys(deps: DuckdbDeps & S3Deps, input: RedshiftKeysInput, key: string): Promise<void> {
  await withSpool({ spoolDir: deps.spoolDir, name: `keys-${input.table.name}` }, async (dir) => {
    const path = join(dir, 'keys.parquet');
    await withDuckdb({ duckdb: deps.duckdb, spool: dir, context: { table: input.table.name, step: 'keys' } }, (connection) =>
      connection.run(copyToParquetFile({ query: emptyKeySet(input.table.primaryKey.length, input.columns), path })),
    );
    await uploadFile({ s3: deps.s3, lake: input.lake, key, path });
  });
}

/** Reading the keys a Redshift target holds, for reference checks. */
export function createRedshiftKeys(deps: RedshiftDeps & S3Deps & DuckdbDeps) {
  return {
    /**
     * UNLOADs the distinct keys of a table's Redshift target (the rows it accepted, this run or before) to one
     * Parquet file in the lake (etl_key, or etl_key_1…; with `columns`, those too), and returns its S3 key.
     */
    async extractRedshiftKeys(input: RedshiftKeysInput): Promise<{ key: string }> {
      const looked = input.columns ?? [];
      const prefix = `${rawPrefix(input.location)}${looked.length > 0 ? `lookup-${looked.join('.')}` : 'accepted-keys'}/`;
      const sql = unloadKeys({ target: input.table.target, columns: input.table.primaryKey, with: looked, s3Prefix: `s3://${input.lake.bucket}/${prefix}`, iamRoleArn: input.warehouse.iamRoleArn });
      const context = { table: input.table.target, sql };
      await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix });
      try {
        const outcome = await queryRows({ client: deps.redshiftData, warehouse: input.warehouse, polling: { ...defaultPolling, ...deps.redshiftPolling } }, sql);
        if (!outcome.ok) throw statementFailed(failedPartOf(outcome.described), { ...context, statementId: outcome.described.Id });
      } catch (error) {
        throw classifyRedshiftApiError(error, context);
      }
      const files = await listKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix });
      if (files.length > 1) throw ApplicationFailure.nonRetryable(`table ${input.table.name}: UNLOAD of its keys wrote ${files.length} files under s3://${input.lake.bucket}/${prefix}, expected one (PARALLEL OFF)`, 'ReferenceKeysUnexpected');
      if (files[0]) return { key: files[0] };
      await uploadEmptyKeys(deps, input, `${prefix}empty.parquet`);
      return { key: `${prefix}empty.parquet` };
    },
  };
}
