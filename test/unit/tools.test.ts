import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackError } from '../../src/dev/errors';
import { cachedToolPath, ensureGoTool, TEMPORAL_CLI } from '../../src/dev/tools';

describe('tool cache', () => {
  it('uses the override variable when it names an executable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'etl-tools-'));
    const binary = join(dir, 'temporal');
    await writeFile(binary, '#!/bin/sh\n');
    await chmod(binary, 0o755);
    await expect(ensureGoTool({ tool: TEMPORAL_CLI, toolsDir: dir, env: { TEMPORAL_CLI_PATH: binary } })).resolves.toBe(binary);
  });

  it('says which variable is wrong when the override is missing', async () => {
    const error = await ensureGoTool({ tool: TEMPORAL_CLI, toolsDir: '/nonexistent', env: { TEMPORAL_CLI_PATH: '/no/temporal' } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StackError);
    expect((error as Error).message).toBe('TEMPORAL_CLI_PATH=/no/temporal is not an executable file.');
  });

  it('reuses a cached build without invoking go', async () => {
    const toolsDir = await mkdtemp(join(tmpdir(), 'etl-tools-'));
    const cached = cachedToolPath({ tool: TEMPORAL_CLI, toolsDir });
    await mkdir(join(toolsDir, 'temporal-v1.5.1'), { recursive: true });
    await writeFile(cached, '#!/bin/sh\n');
    await chmod(cached, 0o755);
    await expect(ensureGoTool({ tool: TEMPORAL_CLI, toolsDir, env: { PATH: '' } })).resolves.toBe(cached);
  });

  it('names what to install when Go is missing', async () => {
    const toolsDir = await mkdtemp(join(tmpdir(), 'etl-tools-'));
    await expect(ensureGoTool({ tool: TEMPORAL_CLI, toolsDir, env: { PATH: '/nonexistent' } })).rejects.toThrow(
      'Building temporal needs Go (https://go.dev/dl, 1.23 or newer): install it, or set TEMPORAL_CLI_PATH to a temporal binary, or TEMPORAL_ADDRESS to use a running server.',
    );
  });
});
