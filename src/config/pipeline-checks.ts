import type { z } from 'zod';
import type { TableInput } from './table-schema';
import { lookupOutputs, referenceColumns, type TransformStep } from './transform-schema';

/** Schemas the warehouse keeps for itself: run state (etl_state) and the system catalogs. */
const RESERVED_SCHEMA = /^(etl_state|information_schema|pg_\w*)$/i;

type TableShape = { name: string; primaryKey: string[]; dependsOn: string[] };
type LookupBody = Extract<TransformStep, { kind: 'lookup' }>['body'];

/** A lookup names a table it depends on, matches its whole primaryKey, and renames only columns it adds, each once. */
function checkLookup(input: { pipeline: { tables: TableShape[] }; table: TableShape; body: LookupBody; path: (string | number)[] }, ctx: z.RefinementCtx): void {
  const { body, path } = input;
  const issue = (field: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...path, ...field], message });
  const looked = input.pipeline.tables.find((other) => other.name === body.table && other.name !== input.table.name);
  if (!looked) issue(['table'], `no other table named "${body.table}" in this pipeline`);
  else if (!input.table.dependsOn.includes(body.table)) issue(['table'], `"${body.table}" must also be listed in dependsOn so it is loaded first`);
  if (looked && body.on.length !== looked.primaryKey.length) {
    issue(['on'], `"${looked.name}" has primaryKey (${looked.primaryKey.join(', ')}); list ${looked.primaryKey.length} column(s) of this table, matched to it in that order`);
  }
  Object.keys(body.as).forEach((column) => {
    if (!body.columns.includes(column)) issue(['as', column], `"${column}" is not among the looked-up columns (${body.columns.join(', ')}); rename only those`);
  });
  const names = lookupOutputs(body).map((output) => output.name);
  names.forEach((name, position) => {
    if (names.indexOf(name) !== position) issue(['columns', position], `"${name}" would be added twice; rename one with as:`);
  });
}

/** Every table and rollup writes a target of its own, outside the reserved schemas. */
export function checkTargets(pipeline: { tables: { target: string; rollups: { target: string }[] }[] }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  pipeline.tables.forEach((table, index) => {
    const targets = [{ path: ['tables', index, 'target'], target: table.target }, ...table.rollups.map((rollup, position) => ({ path: ['tables', index, 'rollups', position, 'target'], target: rollup.target }))];
    for (const { path, target } of targets) {
      const field = path.map((part, at) => (typeof part === 'number' ? `[${part}]` : `${at > 0 ? '.' : ''}${part}`)).join('');
      const [schema = ''] = target.split('.');
      if (RESERVED_SCHEMA.test(schema)) {
        ctx.addIssue({ code: 'custom', path, message: `${target} is in schema ${schema}, which the warehouse keeps for ${schema.toLowerCase() === 'etl_state' ? 'run state (watermarks, loads)' : 'its system catalog'}; choose another schema` });
      }
      const key = target.toLowerCase();
      const first = seen.get(key);
      if (first) ctx.addIssue({ code: 'custom', path, message: `${target} is already written by ${first}; each table and rollup needs its own target` });
      else seen.set(key, field);
    }
  });
}

/** One table's settings agree with each other and with the tables they name (dependsOn, references, lookups). */
export function checkTable(input: { pipeline: { tables: TableInput[] }; table: TableInput; index: number }, ctx: z.RefinementCtx): void {
  const { pipeline, table, index } = input;
  if (table.mode === 'incremental' && !table.watermark && table.kind !== 'files' && table.kind !== 'http') {
    ctx.addIssue({ code: 'custom', path: ['tables', index, 'watermark'], message: 'required when mode is incremental' });
  }
  if (table.window === 'interval') {
    if (!table.eventTime && !table.watermark) ctx.addIssue({ code: 'custom', path: ['tables', index, 'eventTime'], message: 'window: interval needs an eventTime (or watermark) column to cut the interval on' });
    if (table.mode === 'full-refresh') ctx.addIssue({ code: 'custom', path: ['tables', index, 'window'], message: 'window: interval loads one interval by key; it cannot be combined with mode: full-refresh' });
    if (table.lookback) ctx.addIssue({ code: 'custom', path: ['tables', index, 'lookback'], message: 'a window: interval table reads whole intervals; lookback applies to window: since-last' });
  } else if (table.eventTime) {
    ctx.addIssue({ code: 'custom', path: ['tables', index, 'eventTime'], message: 'only used with window: interval' });
  }
  if (table.deletes !== 'ignore' && table.mode === 'full-refresh') {
    ctx.addIssue({ code: 'custom', path: ['tables', index, 'deletes'], message: 'a full refresh already removes the rows the source deleted; deletes applies to merge and incremental' });
  }
  if (table.lookback && !table.watermark) {
    ctx.addIssue({ code: 'custom', path: ['tables', index, 'lookback'], message: 'needs a watermark column to look back on' });
  }
  if (pipeline.tables.findIndex((other) => other.name === table.name) !== index) {
    ctx.addIssue({ code: 'custom', path: ['tables', index, 'name'], message: `duplicate table name "${table.name}"` });
  }
  const names = new Set(pipeline.tables.map((other) => other.name));
  table.dependsOn.forEach((dependency, position) => {
    if (!names.has(dependency) || dependency === table.name) {
      ctx.addIssue({ code: 'custom', path: ['tables', index, 'dependsOn', position], message: `no other table named "${dependency}" in this pipeline` });
    }
  });
  table.transform.forEach((step, position) => {
    if (step.kind === 'references' && !table.dependsOn.includes(step.body.table)) {
      ctx.addIssue({ code: 'custom', path: ['tables', index, 'transform', position, 'references', 'table'], message: `"${step.body.table}" must also be listed in dependsOn so it is loaded first` });
    }
    const referenced = pipeline.tables.find((other) => other.name === (step.kind === 'references' ? step.body.table : undefined));
    const checked = step.kind === 'references' ? referenceColumns(step.body) : [];
    if (referenced && checked.length !== referenced.primaryKey.length) {
      const key = referenced.primaryKey;
      const message = key.length === 1 ? `"${referenced.name}" has a single-column primaryKey (${key.join('')}); give one column` : `"${referenced.name}" has a composite primaryKey (${key.join(', ')}); list ${key.length} columns, matched to it in that order: column: [${key.join(', ')}]`;
      ctx.addIssue({ code: 'custom', path: ['tables', index, 'transform', position, 'references', 'column'], message });
    }
    if (step.kind === 'lookup') checkLookup({ pipeline, table, body: step.body, path: ['tables', index, 'transform', position, 'lookup'] }, ctx);
  });
}
