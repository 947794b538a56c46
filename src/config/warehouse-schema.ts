import { z } from 'zod';

const postgresWarehouse = z.strictObject({ type: z.literal('postgres') });
const redshiftWarehouse = z.strictObject({
  type: z.literal('redshift'),
  database: z.string().min(1),
  workgroupName: z.string().min(1).optional(),
  clusterIdentifier: z.string().min(1).optional(),
  /** A Secrets Manager ARN the Data API authenticates with; the secret itself never enters this file. */
  secretArn: z.string().startsWith('arn:').optional(),
  dbUser: z.string().min(1).optional(),
  iamRoleArn: z.string().startsWith('arn:', 'expected the ARN of the IAM role Redshift uses to read S3'),
});

/** The warehouse the tables load into: Postgres (the default, and the local stack's) or Redshift through the Data API. */
export const warehouseSchema = z
  .discriminatedUnion('type', [postgresWarehouse, redshiftWarehouse])
  .prefault({ type: 'postgres' })
  .superRefine((warehouse, ctx) => {
    if (warehouse.type === 'redshift' && !warehouse.workgroupName === !warehouse.clusterIdentifier) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of workgroupName (Serverless) or clusterIdentifier' });
    }
  });
