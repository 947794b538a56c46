import type { z } from 'zod';

/** Renders a zod path the way people write it in YAML: tables[0].primaryKey. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text ? `${text}.${String(part)}` : String(part);
  }, '');
}

/** One line per issue, each starting with the field it is about. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field`);
    }
    const field = formatPath(issue.path) || '(top level)';
    return [`${field}: ${issue.message}`];
  });
}
