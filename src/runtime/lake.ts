import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ApplicationFailure } from '@temporalio/activity';
import { classifyS3Error } from './errors';
import type { ServerSideEncryption } from '../activities/s3';

/** S3 helpers the lake-facing activities share; every error is classified here, at the adapter edge. */
export interface LakeTarget {
  bucket: string;
  encryption?: ServerSideEncryption;
}

/** Multipart upload (8 MiB parts, 4 in flight) so memory stays flat whatever the file size. */
export async function uploadFile(input: { s3: S3Client; lake: LakeTarget; key: string; path: string }): Promise<void> {
  const { lake, key } = input;
  try {
    const upload = new Upload({
      client: input.s3,
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
      params: {
        Bucket: lake.bucket,
        Key: key,
        Body: createReadStream(input.path),
        ServerSideEncryption: lake.encryption?.serverSideEncryption,
        SSEKMSKeyId: lake.encryption?.kmsKeyId,
      },
    });
    await upload.done();
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${lake.bucket}/${key}` });
  }
}

export async function putJson(input: { s3: S3Client; lake: LakeTarget; key: string; value: unknown }): Promise<void> {
  const { lake, key } = input;
  try {
    await input.s3.send(
      new PutObjectCommand({
        Bucket: lake.bucket,
        Key: key,
        Body: `${JSON.stringify(input.value, null, 2)}\n`,
        ContentType: 'application/json',
        ServerSideEncryption: lake.encryption?.serverSideEncryption,
        SSEKMSKeyId: lake.encryption?.kmsKeyId,
      }),
    );
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${lake.bucket}/${key}` });
  }
}

export async function downloadFile(input: { s3: S3Client; bucket: string; key: string; path: string }): Promise<void> {
  try {
    const response = await input.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
    await mkdir(dirname(input.path), { recursive: true });
    await pipeline(response.Body as Readable, createWriteStream(input.path));
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.key}` });
  }
}

/** Downloads objects side by side into `dir`, named `<name>-<index>.parquet`; returns the local paths in order. */
export function downloadFiles(input: { s3: S3Client; bucket: string; keys: readonly string[]; dir: string; name: string }): Promise<string[]> {
  return Promise.all(
    input.keys.map(async (key, index) => {
      const path = join(input.dir, `${input.name}-${index}.parquet`);
      await downloadFile({ s3: input.s3, bucket: input.bucket, key, path });
      return path;
    }),
  );
}

export async function listKeys(input: { s3: S3Client; bucket: string; prefix: string }): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await input.s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.prefix}` });
  }
  return keys.sort();
}

/** Removes everything under a prefix: a retried step first clears what an earlier attempt left. */
export async function deletePrefix(input: { s3: S3Client; bucket: string; prefix: string }): Promise<number> {
  return deleteKeys({ ...input, keys: await listKeys(input) });
}

/** Removes the given objects, 1000 per request; `prefix` names where they are in errors. */
export async function deleteKeys(input: { s3: S3Client; bucket: string; prefix: string; keys: readonly string[] }): Promise<number> {
  const { keys } = input;
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000).map((Key) => ({ Key }));
    try {
      await input.s3.send(new DeleteObjectsCommand({ Bucket: input.bucket, Delete: { Objects: batch, Quiet: true } }));
    } catch (error) {
      throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.prefix}` });
    }
  }
  return keys.length;
}

/** Reads and parses a JSON object of the lake (a run manifest). */
export async function getJson(input: { s3: S3Client; bucket: string; key: string }): Promise<unknown> {
  let text: string;
  try {
    const response = await input.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
    text = (await response.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.key}` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ApplicationFailure.nonRetryable(`s3://${input.bucket}/${input.key} is not JSON; remove or restore the object`, 'LakeObjectInvalid');
  }
}
