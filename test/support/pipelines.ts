import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';

/** A valid pipeline on the local stack, with overrides merged in (as YAML-shaped data). */
export function testPipeline(overrides: Record<string, unknown> = {}): Pipeline {
  const base = { name: 'test', lake: { bucket: LOCAL_STACK.lakeBucket }, warehouse: { type: 'postgres' } };
  return parsePipeline({ file: 'test.yaml', text: JSON.stringify({ ...base, ...overrides }) });
}
