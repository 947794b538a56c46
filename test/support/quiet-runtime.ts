import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker lifecycle logs at INFO drown test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });
