import type { S3Client } from '@aws-sdk/client-s3';
import { putJson, type LakeTarget } from '../../../runtime/lake';
import { moveObject, objectExists } from '../../../runtime/lake-objects';
import type { FilesPlan, PlannedFile } from '../types';

/** Where a quarantined object goes: its name under the landing prefix, under the quarantine prefix. */
export function quarantineKey(plan: FilesPlan, file: Pick<PlannedFile, 'key'>): string {
  return `${plan.quarantinePrefix}${file.key.startsWith(plan.spec.prefix) ? file.key.slice(plan.spec.prefix.length) : file.key}`;
}

/** The reason file beside a quarantined object. */
export const reasonKey = (key: string) => `${key}.reason.json`;

/**
 * Moves an unreadable or wrong-schema object to the quarantine prefix with `<key>.reason.json` beside it. The
 * reason is written first: a retry after a crash finds it and knows the object was (or is being) moved.
 */
export async function quarantineFile(input: { s3: S3Client; lake: LakeTarget; plan: FilesPlan; file: PlannedFile; reason: Record<string, unknown> }): Promise<string> {
  const to = quarantineKey(input.plan, input.file);
  const { bucket } = input.plan.spec;
  await putJson({ s3: input.s3, lake: { ...input.lake, bucket }, key: reasonKey(to), value: { file: `s3://${bucket}/${input.file.key}`, etag: input.file.etag, ...input.reason } });
  await moveObject({ s3: input.s3, bucket, from: input.file.key, to: { ...input.lake, bucket, key: to } });
  return to;
}

/** Whether an object missing from the landing prefix was quarantined by an earlier attempt of this run. */
export function wasQuarantined(input: { s3: S3Client; plan: FilesPlan; file: PlannedFile }): Promise<boolean> {
  return objectExists({ s3: input.s3, bucket: input.plan.spec.bucket, key: reasonKey(quarantineKey(input.plan, input.file)) });
}
