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
