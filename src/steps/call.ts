import { quoteQualified } from '../sql/quote';

/** A `call:` as written: a schema-qualified procedure and its literal arguments, kept as written. */
export interface ParsedCall {
  procedure: string;
  args: string[];
}

const PROCEDURE = /^\s*([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$/s;
/** One literal argument: a quoted string ('' doubles a quote), a number, true, false or null. */
const LITERAL = /^(?:'(?:[^'\\]|'')*'|[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/i;
const FORM = "expected schema.procedure(literal, …) with string ('text'), number, true, false or null arguments";

/** Splits an argument list on the commas outside string literals. */
function splitArgs(text: string): string[] | undefined {
  if (text.trim() === '') return [];
  const args: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (char === ',' && !quoted) {
      args.push(current.trim());
      current = '';
    } else current += char;
  }
  if (quoted) return undefined;
  args.push(current.trim());
  return args;
}

/** Parses `schema.proc(literal args)`; any other form (a `;`, an expression, a sub-query) is a problem, not a call. */
export function parseCall(text: string): { call: ParsedCall; problem?: undefined } | { call?: undefined; problem: string } {
  if (text.includes(';')) return { problem: `${FORM}; a ; is refused (one call per step)` };
  const match = PROCEDURE.exec(text);
  const args = match ? splitArgs(match[2] ?? '') : undefined;
  if (!match?.[1] || !args) return { problem: FORM };
  const bad = args.find((arg) => !LITERAL.test(arg));
  if (bad !== undefined) return { problem: `${FORM}; "${bad}" is not one` };
  return { call: { procedure: match[1], args } };
}

/** The CALL statement of a parsed call: the procedure's name quoted by the helper, the literals as written. */
export function buildCall(call: ParsedCall): string {
  return `CALL ${quoteQualified(call.procedure)}(${call.args.join(', ')})`;
}
