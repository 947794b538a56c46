import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/activity';
import { classifyS3Error } from './errors';
import { putJson, type LakeTarget } from './lake';

export interface S3Deps {
  s3: S3Client;
}

export interface ServerSideEncryption {
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

export interface ObjectRoundTrip {
  uri: string;
  bytes: number;
}

export function createS3Activities(deps: S3Deps) {
  return {
    /** Writes the run manifest (_manifest.json) to the lake and returns its URI. */
    async writeManifest(input: { lake: LakeTarget; key: string; manifest: unknown }): Promise<{ uri: string }> {
      await putJson({ s3: deps.s3, lake: input.lake, key: input.key, value: input.manifest });
      return { uri: `s3://${input.lake.bucket}/${input.key}` };
    },

    /** Writes an object, reads it back byte for byte, then deletes it: proves the lake is writable. */
    async roundTripObject(input: { bucket: string; key: string; body: string; encryption?: ServerSideEncryption }): Promise<ObjectRoundTrip> {
      const { bucket, key, body } = input;
      const uri = `s3://${bucket}/${key}`;
      try {
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'text/plain',
            ServerSideEncryption: input.encryption?.serverSideEncryption,
            SSEKMSKeyId: input.encryption?.kmsKeyId,
          }),
        );
        const read = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const readBack = (await read.Body?.transformToString('utf8')) ?? '';
        await deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        if (readBack !== body) {
          throw ApplicationFailure.nonRetryable(`S3 returned different bytes than were written to ${uri}`, 'S3ReadBackMismatch');
        }
        return { uri, bytes: Buffer.byteLength(body) };
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        throw classifyS3Error(error, { uri });
      }
    },
  };
}
