import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error } from './errors';
import type { LakeTarget } from './lake';

/** An object as a listing shows it: its key, ETag (quotes removed) and size. */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
}

/** Every object under a prefix with its ETag, in key order; errors classified here. */
export async function listObjects(input: { s3: S3Client; bucket: string; prefix: string }): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await input.s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) objects.push({ key: object.Key, etag: (object.ETag ?? '').replace(/"/g, ''), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.prefix}` });
  }
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether an object exists (HeadObject); other errors are classified. */
export async function objectExists(input: { s3: S3Client; bucket: string; key: string }): Promise<boolean> {
  try {
    await input.s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key }));
    return true;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.key}` });
  }
}

/** Moves an object (S3 has no move: copy, then delete the original); a retry after the copy copies again. */
export async function moveObject(input: { s3: S3Client; bucket: string; from: string; to: LakeTarget & { key: string } }): Promise<void> {
  const { to } = input;
  try {
    await input.s3.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.key,
        CopySource: `${input.bucket}/${input.from.split('/').map(encodeURIComponent).join('/')}`,
        ServerSideEncryption: to.encryption?.serverSideEncryption,
        SSEKMSKeyId: to.encryption?.kmsKeyId,
      }),
    );
    await input.s3.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: input.from }));
  } catch (error) {
    throw classifyS3Error(error, { uri: `s3://${input.bucket}/${input.from}`, to: `s3://${to.bucket}/${to.key}` });
  }
}
