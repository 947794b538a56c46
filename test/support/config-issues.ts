import { ConfigError, parsePipeline } from '../../src/config';

/** The issues a pipeline text is refused with (fails the test when it is accepted). */
export function issuesOf(text: string): string[] {
  try {
    parsePipeline({ file: 'p.yaml', text });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}
