import { z } from 'zod';
import { HOW_TO_REFERENCE, SECRET_REFERENCE, secretInUrl } from './secret-reference';

/**
 * Webhook URLs usually hold a token (Slack's path does): a literal URL is accepted only when it holds no
 * credentials and nothing that looks like a token; otherwise `env:NAME` or `aws-secretsmanager:id[#key]`,
 * resolved by the worker inside the alert activity, keeps it out of workflow payloads and histories.
 */
const webhookUrl = z.string().superRefine((value, ctx) => {
  if (SECRET_REFERENCE.test(value)) return;
  if (!/^https?:\/\/\S+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected an http(s) URL, env:VARIABLE or aws-secretsmanager:<secret-id>[#<json-key>]' });
    return;
  }
  const secret = secretInUrl(value);
  if (secret) ctx.addIssue({ code: 'custom', message: `a literal webhook URL is refused: ${secret}. ${HOW_TO_REFERENCE}` });
});

/** An SNS topic ARN, or a reference to one (resolved by the worker, so even the topic stays out of histories). */
const topicArn = z
  .string()
  .regex(/^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?|env:[A-Za-z_][A-Za-z0-9_]*|aws-secretsmanager:[^\s#]+(#[^\s#]+)?)$/, 'expected an SNS topic ARN, env:VARIABLE or aws-secretsmanager:<secret-id>[#<json-key>]');

/** Where alerts go and when: a failed run always alerts; a long run and low data quality when limits are set. */
export const alertsSchema = z
  .strictObject({
    webhook: z.strictObject({ url: webhookUrl }).optional(),
    sns: z.strictObject({ topicArn }).optional(),
    /** Alert once when a run is still going after this many minutes (it keeps running). */
    maxRunMinutes: z.number().positive().optional(),
    /** Alert once when any table's quality score (share of rows passing every rule) is under this. */
    minQualityScore: z.number().min(0).max(1).optional(),
  })
  .refine((alerts) => alerts.webhook || alerts.sns, 'set webhook.url or sns.topicArn (or both) so alerts have somewhere to go');
