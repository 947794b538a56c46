import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadSettings } from '../config/settings';
import { describeStack, downStack, upStack } from './stack';

silenceAwsNodeVersionNotice();

const USAGE = 'usage: npm run stack -- up|down|status';

/** `npm run stack -- up|down|status`: the local Temporal, S3 and Postgres servers. */
async function main(command: string | undefined): Promise<void> {
  const settings = loadSettings();
  const log = (message: string) => console.log(message);
  switch (command) {
    case 'up': {
      await upStack({ settings, log });
      break;
    }
    case 'down': {
      const stopped = await downStack({ settings, log });
      if (stopped.length === 0) console.log('nothing to stop');
      return;
    }
    case 'status':
      break;
    default:
      throw new Error(USAGE);
  }
  for (const service of await describeStack({ settings })) {
    console.log(`${service.name.padEnd(9)} ${service.state.padEnd(8)} ${service.endpoint}`);
  }
  console.log(`state: ${settings.stateDir}`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
