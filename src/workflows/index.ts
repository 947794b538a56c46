export { preflightWorkflow, type PreflightInput, type PreflightSummary } from './preflight';
