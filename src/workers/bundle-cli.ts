import { resolve } from 'node:path';
import { writeWorkflowBundle } from './workflow-bundle';

/** `npm run bundle [-- file]`: writes the workflow bundle workers load with ETL_WORKFLOW_BUNDLE (default dist/workflow-bundle.js). */
const file = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
writeWorkflowBundle({ file })
  .then(() => console.log(`wrote ${file}; start workers with ETL_WORKFLOW_BUNDLE=${file} (rebuild it whenever src/workflows changes)`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
