import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_STACK } from '../config/local-stack';
import { isAlive, spawnDetached, stopPidFile, tailFile, waitUntil } from './processes';

/** versitygw serving S3 from a posix directory under the state dir. */
export interface S3Server {
  binary: string;
  dir: string;
  dataDir: string;
  pidFile: string;
  logFile: string;
  endpoint: string;
}

export function s3Server(input: { stateDir: string; binary: string }): S3Server {
  const dir = join(input.stateDir, 's3');
  return {
    binary: input.binary,
    dir,
    dataDir: join(dir, 'data'),
    pidFile: join(dir, 'versitygw.pid'),
    logFile: join(dir, 'versitygw.log'),
    endpoint: `http://${LOCAL_STACK.host}:${LOCAL_STACK.s3Port}`,
  };
}

function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_STACK.region,
    forcePathStyle: true,
    credentials: { accessKeyId: LOCAL_STACK.s3AccessKeyId, secretAccessKey: LOCAL_STACK.s3SecretAccessKey },
    maxAttempts: 1,
  });
}

export async function isS3Healthy(input: { endpoint: string }): Promise<boolean> {
  const s3 = localS3Client(input.endpoint);
  try {
    await s3.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(input: { endpoint: string; bucket: string }): Promise<void> {
  const s3 = localS3Client(input.endpoint);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: input.bucket })).catch(() => s3.send(new CreateBucketCommand({ Bucket: input.bucket })));
  } finally {
    s3.destroy();
  }
}

export async function startS3(server: S3Server): Promise<void> {
  await mkdir(server.dataDir, { recursive: true });
  const pid = await spawnDetached({
    command: server.binary,
    args: ['--port', `${LOCAL_STACK.host}:${LOCAL_STACK.s3Port}`, '--quiet', 'posix', server.dataDir],
    env: { ROOT_ACCESS_KEY: LOCAL_STACK.s3AccessKeyId, ROOT_SECRET_KEY: LOCAL_STACK.s3SecretAccessKey },
    logFile: server.logFile,
    pidFile: server.pidFile,
  });
  await waitUntil({
    check: () => isS3Healthy(server),
    timeoutMs: 30_000,
    abort: () => (isAlive(pid) ? undefined : `versitygw exited:\n${tailFile(server.logFile)}`),
    describe: () => `versitygw did not answer on ${server.endpoint} within 30s:\n${tailFile(server.logFile)}`,
  });
}

export function stopS3(server: Pick<S3Server, 'pidFile'>): Promise<boolean> {
  return stopPidFile({ pidFile: server.pidFile });
}
