import { loadPipeline, parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';

/** A valid pipeline on the local stack, with overrides merged in (as YAML-shaped data). */
export function testPipeline(overrides: Record<string, unknown> = {}): Pipeline {
  // A pipeline needs a table; the preflight workflow that uses this one reads none of it.
  const tables = [{ name: 'probe', source: 'test_probe.probe', target: 'test_probe_wh.probe', primaryKey: ['id'] }];
  const base = { name: 'test', lake: { bucket: LOCAL_STACK.lakeBucket }, warehouse: { type: 'postgres' }, tables };
  return parsePipeline({ file: 'test.yaml', text: JSON.stringify({ ...base, ...overrides }) });
}

/**
 * The demo pipeline reading its Postgres tables directly: without its replication step (a test that locks a
 * source table must hold the run's own read) and without its files table (the tests count and lock rows).
 */
export async function demoFromSource(): Promise<Pipeline> {
  const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
  return { ...demo, replication: undefined, tables: demo.tables.filter((table) => table.kind !== 'files') };
}
