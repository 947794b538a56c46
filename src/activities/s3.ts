import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/activity';
import { classifyS3Error } from '../runtime/errors';
import { processedPrefix, rawPrefix, rejectedPrefix, type RunLocation } from '../common/lake-layout';
import { deletePrefix, putJson, type LakeTarget } from '../runtime/lake';

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
    /** Deletes what a run wrote to the lake (raw, processed, rejected) for each table: a cancelled run's cleanup. */
    async deleteRunFiles(input: { lake: LakeTarget; locations: RunLocation[] }): Promise<{ deletedObjects: number }> {
      let deletedObjects = 0;
      for (const location of input.locations) {
        for (const prefix of [rawPrefix(location), processedPrefix(location), rejectedPrefix(location)]) {
          deletedObjects += await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix });
        }
      }
      return { deletedObjects };
    },

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
