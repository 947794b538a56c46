import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error } from '../../../runtime/errors';
import type { PlannedFile } from '../types';

/**
 * Downloads the object as planned (If-Match its ETag) into the spool. `gone`: it is no longer there;
 * `changed`: rewritten since the plan (the next run reads the new version, as its ETag is not bookmarked).
 */
export async function downloadPlannedFile(input: { s3: S3Client; bucket: string; file: PlannedFile; path: string }): Promise<'ok' | 'gone' | 'changed'> {
  const { file } = input;
  try {
    const response = await input.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: file.key, IfMatch: `"${file.etag}"` }));
    await pipeline(response.Body as Readable, createWriteStream(input.path));
    return 'ok';
  } catch (error) {
    const name = (error as { name?: string }).name;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NoSuchKey' || status === 404) return 'gone';
    if (name === 'PreconditionFailed' || status === 412) return 'changed';
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${file.key}` });
  }
}
