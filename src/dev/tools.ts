import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors';

/** A server binary built once from source through the Go module proxy and cached outside the repository. */
export interface GoTool {
  name: string;
  module: string;
  version: string;
  /** Variable naming an existing binary, which skips the build. */
  overrideEnv: string;
  /** Variable pointing at an already running server, which makes the binary unnecessary. */
  externalEnv: string;
}

export const TEMPORAL_CLI: GoTool = {
  name: 'temporal',
  // Later tags carry a `replace` directive that `go install` refuses; v1.5.1 is the newest that installs.
  module: 'github.com/temporalio/cli/cmd/temporal',
  version: 'v1.5.1',
  overrideEnv: 'TEMPORAL_CLI_PATH',
  externalEnv: 'TEMPORAL_ADDRESS',
};

export const VERSITYGW: GoTool = {
  name: 'versitygw',
  module: 'github.com/versity/versitygw/cmd/versitygw',
  version: 'v1.7.0',
  overrideEnv: 'VERSITYGW_PATH',
  externalEnv: 'S3_ENDPOINT',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function cachedToolPath(input: { tool: GoTool; toolsDir: string }): string {
  return join(input.toolsDir, `${input.tool.name}-${input.tool.version}`, input.tool.name);
}

async function goInstall(input: { tool: GoTool; gobin: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const { tool, gobin } = input;
  const child = spawn('go', ['install', `${tool.module}@${tool.version}`], {
    env: { ...input.env, GOBIN: gobin, GOFLAGS: '-buildvcs=false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new StackError(`go install ${tool.module}@${tool.version} failed (exit ${code}):\n${stderr.trim()}`);
  }
}

/** Returns the path of the tool: the override variable, the cache, or a fresh build into the cache. */
export async function ensureGoTool(input: {
  tool: GoTool;
  toolsDir: string;
  env?: NodeJS.ProcessEnv;
  onBuild?: (tool: GoTool) => void;
}): Promise<string> {
  const { tool, toolsDir } = input;
  const env = input.env ?? process.env;
  const override = env[tool.overrideEnv];
  if (override) {
    if (!isExecutable(override)) throw new StackError(`${tool.overrideEnv}=${override} is not an executable file.`);
    return override;
  }
  const target = cachedToolPath({ tool, toolsDir });
  if (isExecutable(target)) return target;
  if (spawnSync('go', ['version'], { env }).status !== 0) {
    throw new StackError(
      `Building ${tool.name} needs Go (https://go.dev/dl, 1.23 or newer): install it, or set ${tool.overrideEnv} to a ${tool.name} binary, or ${tool.externalEnv} to use a running server.`,
    );
  }
  input.onBuild?.(tool);
  const staging = `${target}.build-${process.pid}`;
  await mkdir(staging, { recursive: true });
  try {
    await goInstall({ tool, gobin: staging, env });
    await rename(join(staging, tool.name), target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!existsSync(target)) throw new StackError(`go install did not produce ${target}.`);
  return target;
}
