import { ApplicationFailure, log } from '@temporalio/workflow';
import { checkPipelineInput } from '../config/pipeline-input';
import type { Pipeline } from '../config/pipeline-schema';
import { countError } from './metrics';

/**
 * The run's first step, in workflow code (no activity, no command): the pipeline input, written as in YAML
 * or normalized, validated with the pipeline file's schema. An invalid one fails the run at once with a
 * non-retryable ConfigError naming each field, counted in etl_errors_total{type="ConfigError"}.
 */
export function validatedPipeline(input: { pipeline: unknown }): Pipeline {
  const checked = checkPipelineInput(input.pipeline);
  if (checked.pipeline) return checked.pipeline;
  const written = (input.pipeline as { name?: unknown } | null | undefined)?.name;
  const name = typeof written === 'string' && written ? written : '(unnamed)';
  const message = `pipeline ${name}: invalid workflow input; fix these fields and start the run again:\n  - ${checked.issues.join('\n  - ')}`;
  countError({ pipeline: name, type: 'ConfigError' });
  log.error('run failed', { pipeline: name, type: 'ConfigError', message });
  throw ApplicationFailure.nonRetryable(message, 'ConfigError');
}
