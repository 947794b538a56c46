import type { LoadPlanSpec } from '../../src/connectors/targets/load-plan';

/** The orders table the Redshift tests load: what a load plan knows about a target, without run details. */
export const ORDERS_TABLE = {
  pipeline: 'shop',
  table: 'orders',
  target: 'analytics.orders',
  mode: 'merge',
  keys: ['order_id'],
  columns: [
    { name: 'order_id', type: 'BIGINT' },
    { name: 'amount', type: 'DECIMAL(12,2)' },
    { name: 'sale_date', type: 'DATE' },
  ],
} satisfies Omit<LoadPlanSpec, 'dialect' | 'rollups' | 'runId' | 'watermark'>;
