import { Command, InvalidArgumentError } from 'commander';
import { Pool } from 'pg';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadSettings } from '../config/settings';
import { LOCAL_STACK } from '../config/local-stack';
import { createS3Client } from '../workers/clients';
import { hasDemoData, seedDemoData } from './seed';
import { dropDemoReturns } from './seed-returns';

silenceAwsNodeVersionNotice();

function parseInteger(input: { min: number }): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < input.min) {
      throw new InvalidArgumentError(`expected an integer of at least ${input.min}.`);
    }
    return parsed;
  };
}

/** `npm run seed -- --rows N [--seed S] [--if-empty]`: recreates the demo source tables in schema raw of the source database. */
async function main(argv: string[]): Promise<void> {
  const options = new Command('seed')
    .description('Recreate the demo tables raw.customers, raw.products and raw.sales in the source database')
    .option('--rows <n>', 'sales rows (customers = max(100, n/20), products = max(50, n/1000))', parseInteger({ min: 1 }), 100_000)
    .option('--seed <s>', 'seed: the same seed always gives the same rows', parseInteger({ min: Number.MIN_SAFE_INTEGER }), 42)
    .option('--if-empty', 'do nothing when raw.sales already has rows (a one-shot seed step, e.g. docker compose)')
    .option('--lake-bucket <bucket>', 'the bucket the demo return files land in (under landing/returns/)', LOCAL_STACK.lakeBucket)
    .parse(argv)
    .opts<{ rows: number; seed: number; ifEmpty?: boolean; lakeBucket: string }>();
  const settings = loadSettings();
  const pool = new Pool({ connectionString: settings.postgres.sourceUrl, max: 4, application_name: 'temporal-etl-seed' });
  const started = performance.now();
  try {
    if (options.ifEmpty && (await hasDemoData({ pool }))) {
      console.log('raw.sales already has rows: not seeding (--if-empty)');
      return;
    }
    const counts = await seedDemoData({ pool, rows: options.rows, seed: options.seed, log: (message) => console.log(message) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`seeded raw.customers ${counts.customers}, raw.products ${counts.products}, raw.sales ${counts.sales} in ${seconds}s`);
    const s3 = createS3Client(settings);
    try {
      const keys = await dropDemoReturns({ s3, bucket: options.lakeBucket, sales: counts.sales });
      console.log(`dropped ${keys.length} product-return files under s3://${options.lakeBucket}/landing/returns/`);
    } finally {
      s3.destroy();
    }
  } finally {
    await pool.end();
  }
}

/** One sentence for the user; a refused connection most often means the local stack is not running. */
function describeFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if ((cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED') {
    return 'Cannot reach the source database: start the local stack with npm run stack -- up, or set SOURCE_DATABASE_URL.';
  }
  return error instanceof Error ? error.message : String(error);
}

main(process.argv).catch((error: unknown) => {
  console.error(describeFailure(error));
  process.exitCode = 1;
});
