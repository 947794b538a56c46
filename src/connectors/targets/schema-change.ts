import type { SchemaChangePolicy } from '../../config/pipeline-schema';
import type { WarehouseDialect } from '../../sql/type-map';

/** A column of an existing warehouse table: its name and type as the warehouse's catalog prints it. */
export interface TargetColumn {
  name: string;
  type: string;
}

/** What the load does to an existing target whose columns differ from the transform's, decided before data moves. */
export interface SchemaChange {
  /** Columns the source gained, added to the target (always nullable: existing rows have no value). */
  add: { name: string; type: string }[];
  /** Columns whose type the target widens in place. */
  widen: { name: string; from: string; to: string }[];
  /** Target columns the source no longer has: not loaded, their values kept (never overwritten with NULL). */
  keep: string[];
  /** Transform columns the target does not have and the policy does not add: staged, not loaded. */
  skip: string[];
  /** One sentence per change, for the manifest and the log. */
  notes: string[];
}

interface ParsedType {
  base: string;
  args: number[];
}

const ALIASES: Record<string, string> = {
  int2: 'smallint', int4: 'integer', int: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', float: 'double precision',
  bool: 'boolean', decimal: 'numeric', varchar: 'character varying', char: 'character', bpchar: 'character', timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone', timetz: 'time with time zone', time: 'time without time zone',
};

/** A type in one canonical spelling: aliases resolved, lower case, arguments apart (varchar(40) → character varying [40]). */
export function parseType(type: string): ParsedType {
  const match = /^([a-z][a-z0-9 ]*?)\s*(?:\(([\d,\s]+)\))?(\s+with(?:out)? time zone)?$/.exec(type.trim().toLowerCase());
  if (!match) return { base: type.trim().toLowerCase(), args: [] };
  const base = `${match[1] ?? ''}${match[3] ?? ''}`.trim();
  const args = match[2] ? match[2].split(',').map((arg) => Number(arg.trim())) : [];
  const resolved = ALIASES[base] ?? base;
  // Precision of times and timestamps does not change what the type is for drift purposes.
  return { base: resolved, args: /^(time|timestamp)/.test(resolved) ? [] : args };
}

function sameType(a: ParsedType, b: ParsedType): boolean {
  return a.base === b.base && a.args.join(',') === b.args.join(',');
}

const INTEGER_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };

/** True when every value of `from` fits `to` unchanged. */
export function widens(from: ParsedType, to: ParsedType): boolean {
  const fromDigits = INTEGER_DIGITS[from.base];
  if (fromDigits !== undefined) {
    const toDigits = INTEGER_DIGITS[to.base];
    if (toDigits !== undefined) return toDigits >= fromDigits;
    if (to.base === 'numeric') return to.args.length === 0 || (to.args[0] ?? 0) - (to.args[1] ?? 0) >= fromDigits;
    return false;
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.args.length === 0) return true;
    if (from.args.length === 0) return false;
    const [fromPrecision = 0, fromScale = 0] = from.args;
    const [toPrecision = 0, toScale = 0] = to.args;
    return toScale >= fromScale && toPrecision - toScale >= fromPrecision - fromScale;
  }
  if (from.base === 'real') return to.base === 'double precision';
  if (from.base === 'character varying') return (to.base === 'character varying' && (to.args.length === 0 || (from.args.length > 0 && (to.args[0] ?? 0) >= (from.args[0] ?? 0)))) || to.base === 'text';
  if (from.base === 'character') return to.base === 'character' && (to.args[0] ?? 0) >= (from.args[0] ?? 1);
  return false;
}

/**
 * Redshift's ALTER COLUMN … TYPE only lengthens a VARCHAR and cannot run inside a transaction block (Redshift
 * Database Developer Guide, "ALTER TABLE"), and the load batch is one transaction: widening is Postgres-only.
 */
function canWidenInPlace(dialect: WarehouseDialect): boolean {
  return dialect === 'postgres';
}

export interface SchemaChangeInput {
  policy: SchemaChangePolicy;
  dialect: WarehouseDialect;
  keys: readonly string[];
  /** The columns the load would write, with the types it would create them with. */
  desired: readonly TargetColumn[];
  existing: readonly TargetColumn[];
}

/** The differences as sentences: what a `fail` names (table, column, old and new type). */
interface Differences {
  added: TargetColumn[];
  dropped: TargetColumn[];
  changed: { name: string; from: string; to: string; widening: boolean; narrowing: boolean }[];
}

function compare(input: SchemaChangeInput): Differences {
  const existing = new Map(input.existing.map((column) => [column.name, column]));
  const desired = new Set(input.desired.map((column) => column.name));
  const changed = input.desired.flatMap((column) => {
    const old = existing.get(column.name);
    if (!old || sameType(parseType(old.type), parseType(column.type))) return [];
    const [from, to] = [parseType(old.type), parseType(column.type)];
    return [{ name: column.name, from: old.type, to: column.type, widening: widens(from, to), narrowing: widens(to, from) }];
  });
  return { added: input.desired.filter((column) => !existing.has(column.name)), dropped: input.existing.filter((column) => !desired.has(column.name)), changed };
}

function describeDifferences(differences: Differences): string[] {
  return [
    ...differences.added.map((column) => `column ${column.name} is new in the source (${column.type})`),
    ...differences.dropped.map((column) => `column ${column.name} (${column.type}) is no longer in the source`),
    ...differences.changed.map((change) => `column ${change.name} changed type from ${change.from} to ${change.to}`),
  ];
}

/**
 * Decides what to do with an existing target whose columns differ from what the load would write: nothing
 * (undefined), a change to apply in the load's transaction, or a refusal naming every column with its old and
 * new type. fail refuses any difference; evolve adds columns, widens compatible types and keeps dropped
 * columns; ignore loads only the columns both sides have and leaves type changes to the load.
 */
export function decideSchemaChange(input: SchemaChangeInput): SchemaChange | { refused: string } | undefined {
  const differences = compare(input);
  const sentences = describeDifferences(differences);
  if (sentences.length === 0) return undefined;
  const droppedKeys = differences.dropped.filter((column) => input.keys.includes(column.name));
  if (droppedKeys.length > 0) return { refused: `${sentences.join('; ')}; a primary-key column cannot stop being loaded: change primaryKey or rebuild the target` };
  if (input.policy === 'fail') {
    return { refused: `${sentences.join('; ')}. Set onSchemaChange: evolve on the table to add new columns, widen compatible types and stop loading dropped ones (their values are kept), or ignore to load only the columns both have` };
  }
  const keep = differences.dropped.map((column) => column.name);
  const keepNotes = differences.dropped.map((column) => `stopped loading column ${column.name}: the source no longer has it (its values are kept)`);
  if (input.policy === 'ignore') {
    return {
      add: [], widen: [], keep, skip: differences.added.map((column) => column.name),
      notes: [...differences.added.map((column) => `not loading new column ${column.name} (onSchemaChange: ignore)`), ...keepNotes, ...differences.changed.map((change) => `column ${change.name} changed type from ${change.from} to ${change.to}; target left as is (onSchemaChange: ignore)`)],
    };
  }
  const incompatible = differences.changed.filter((change) => !change.widening && !change.narrowing);
  const stuck = differences.changed.filter((change) => change.widening && !canWidenInPlace(input.dialect));
  if (incompatible.length > 0 || stuck.length > 0) {
    const reasons = [
      ...incompatible.map((change) => `column ${change.name} changed type from ${change.from} to ${change.to}, which is not a widening`),
      ...stuck.map((change) => `column ${change.name} changed type from ${change.from} to ${change.to}, which ${input.dialect} cannot widen in place`),
    ];
    return { refused: `${reasons.join('; ')}: alter or rebuild the target column, or carry the value as text with types: { <column>: VARCHAR }` };
  }
  const widen = differences.changed.filter((change) => change.widening).map(({ name, from, to }) => ({ name, from, to }));
  return {
    add: differences.added.map(({ name, type }) => ({ name, type })),
    widen,
    keep,
    skip: [],
    notes: [
      ...differences.added.map((column) => `added column ${column.name} (${column.type})`),
      ...widen.map((change) => `widened column ${change.name} from ${change.from} to ${change.to}`),
      ...differences.changed.filter((change) => !change.widening).map((change) => `column ${change.name} is ${change.to} in the source; the target's ${change.from} holds it, left as is`),
      ...keepNotes,
    ],
  };
}
