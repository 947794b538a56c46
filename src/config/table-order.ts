/** Pure ordering logic shared by config validation and workflows (no I/O, deterministic). */

export interface TableNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Groups tables into levels: every table comes after the tables it depends on, tables of one level can run
 * in parallel, and within a level the file's order is kept. Returns the tables left in a cycle, if any.
 */
export function orderTableLevels<T extends TableNode>(tables: readonly T[]): { levels: T[][]; cycle: T[] } {
  const done = new Set<string>();
  const levels: T[][] = [];
  let remaining = [...tables];
  while (remaining.length > 0) {
    const ready = remaining.filter((table) => table.dependsOn.every((dependency) => done.has(dependency)));
    if (ready.length === 0) return { levels, cycle: remaining };
    levels.push(ready);
    for (const table of ready) done.add(table.name);
    remaining = remaining.filter((table) => !done.has(table.name));
  }
  return { levels, cycle: [] };
}

/** A step's placement fields, as far as ordering is concerned. */
interface StepNode {
  after?: readonly string[] | 'all';
  before?: readonly string[] | 'all';
}

/**
 * The tables with what steps add to their order: a table a step runs before also comes after the tables that
 * step runs after. Only for the start order and cycle checks; a table's load still waits for its dependsOn only.
 */
export function withStepOrder<T extends TableNode>(tables: readonly T[], steps: readonly StepNode[]): T[] {
  return tables.map((table) => {
    const listed = (names: readonly string[] | 'all' | undefined): readonly string[] => (names === 'all' || names === undefined ? [] : names);
    const extra = steps.flatMap((step) => (listed(step.before).includes(table.name) ? listed(step.after) : []));
    return extra.length === 0 ? table : { ...table, dependsOn: [...new Set([...table.dependsOn, ...extra])] };
  });
}
