export { ConfigError } from './errors';
export { loadPipeline, parsePipeline } from './load-pipeline';
export type { LoadMode, Pipeline, TableSpec, WarehouseSpec } from './pipeline-schema';
export { loadSettings, type Settings } from './settings';
export { resolveSettingsSecrets } from './secrets';
export { LOCAL_STACK } from './local-stack';
