import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadPipeline, parsePipeline } from '../../src/config';
import { checkPipelineInput } from '../../src/config/pipeline-input';
import { buildCall, parseCall } from '../../src/steps/call';
import { stepStatement } from '../../src/steps/types';
import { issuesOf } from '../support/config-issues';

const pipelineWith = (steps: string) => `
name: shop
lake: { bucket: my-lake }
tables:
  - { name: orders, source: raw.orders, target: analytics.orders, primaryKey: [order_id] }
  - { name: lines, source: raw.lines, target: analytics.lines, primaryKey: [line_id], dependsOn: [orders] }
steps:
${steps}
`;

describe('database steps in the pipeline file', () => {
  it('reads every placement, with warehouse, after all and 600 s as defaults', () => {
    const pipeline = parsePipeline({
      file: 'p.yaml',
      text: pipelineWith(`
  - { name: refresh, call: "analytics.refresh_summary('2026-01-01', 3, true, null)" }
  - { name: prepare, before: all, on: source, call: "raw.prepare()", timeoutSeconds: 30 }
  - { name: between, after: [orders], before: [lines], call: "analytics.mark()" }`),
    });
    expect(pipeline.steps).toEqual([
      { name: 'refresh', on: 'warehouse', call: "analytics.refresh_summary('2026-01-01', 3, true, null)", timeoutSeconds: 600 },
      { name: 'prepare', before: 'all', on: 'source', call: 'raw.prepare()', timeoutSeconds: 30 },
      { name: 'between', after: ['orders'], before: ['lines'], on: 'warehouse', call: 'analytics.mark()', timeoutSeconds: 600 },
    ]);
    expect(pipeline.steps.map(stepStatement)).toEqual([
      `CALL "analytics"."refresh_summary"('2026-01-01', 3, true, null)`,
      'CALL "raw"."prepare"()',
      'CALL "analytics"."mark"()',
    ]);
  });

  it('names the field of each misconfiguration', () => {
    expect(issuesOf(pipelineWith('  - { name: s, after: [sales], call: "a.b()" }'))).toEqual([
      'steps[0].after[0]: no table named "sales" in this pipeline (expected one of orders, lines, or all)',
    ]);
    expect(issuesOf(pipelineWith('  - { name: s, before: [nope], call: "a.b()" }'))).toEqual([
      'steps[0].before[0]: no table named "nope" in this pipeline (expected one of orders, lines, or all)',
    ]);
    expect(issuesOf(pipelineWith('  - { name: s, call: "a.b()", sql: s.sql }'))).toEqual(['steps[0].sql: set either call or sql, not both']);
    expect(issuesOf(pipelineWith('  - { name: s }'))).toEqual(['steps[0].call: required: call: schema.proc(args) or sql: file.sql']);
    expect(issuesOf(pipelineWith('  - { name: s, on: replica, call: "a.b()" }'))).toEqual(['steps[0].on: expected warehouse or source']);
    expect(issuesOf(pipelineWith('  - { name: orders, call: "a.b()" }'))).toEqual(['steps[0].name: "orders" is also a table name; give the step its own name']);
    expect(issuesOf(pipelineWith('  - { name: s, call: "a.b()" }\n  - { name: s, call: "a.c()" }'))).toEqual(['steps[1].name: duplicate step name "s"']);
    expect(issuesOf(pipelineWith('  - { name: s, after: all, before: [lines], call: "a.b()" }'))).toEqual(['steps[0].before: after: all runs after every table; it cannot also run before one']);
    expect(issuesOf(pipelineWith('  - { name: s, sql: refresh.txt }'))).toEqual(['steps[0].sql: expected the path of a .sql file next to the pipeline']);
    expect(issuesOf(pipelineWith('  - { name: s, call: "a.b()", timeoutSeconds: 0 }'))[0]).toMatch(/^steps\[0\]\.timeoutSeconds: /);
  });

  it('refuses a step that a table it waits for would wait on', () => {
    // lines loads after orders, so a step after lines and before orders could never run.
    expect(issuesOf(pipelineWith('  - { name: s, after: [lines], before: [orders], call: "a.b()" }'))).toEqual([
      "steps: a step's after/before and the tables' dependsOn form a cycle among orders, lines: a table would wait for a step that waits for it",
    ]);
  });

  it.each([
    ['a ;', "analytics.p('x'); DROP TABLE t"],
    ['a ; inside a string', "analytics.p('a;b')"],
    ['an unqualified name', 'refresh()'],
    ['an expression', 'analytics.p(1 + 1)'],
    ['a sub-query', 'analytics.p((SELECT 1))'],
    ['a function call', 'analytics.p(now())'],
    ['an unclosed string', "analytics.p('x)"],
    ['a cast', "analytics.p('1'::int)"],
    ['a backslash in a string', "analytics.p('a\\\\b')"],
  ])('refuses a call with %s', (_what, call) => {
    const issues = issuesOf(pipelineWith(`  - name: s\n    call: ${JSON.stringify(call)}`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^steps\[0\]\.call: expected schema\.procedure\(literal, …\)/);
    expect(parseCall(call).problem).toBeDefined();
  });

  it('keeps literals as written and quotes the procedure name', () => {
    const parsed = parseCall(" sales.refresh( 'it''s, fine' , -1.5e3 ,FALSE ) ");
    expect(parsed.call).toEqual({ procedure: 'sales.refresh', args: ["'it''s, fine'", '-1.5e3', 'FALSE'] });
    expect(parsed.call && buildCall(parsed.call)).toBe(`CALL "sales"."refresh"('it''s, fine', -1.5e3, FALSE)`);
  });

  it('loads a sql: file next to the pipeline and names a missing or empty one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'etl-steps-'));
    await mkdir(join(dir, 'sql'));
    await writeFile(join(dir, 'sql', 'refresh.sql'), 'INSERT INTO analytics.log SELECT now();\n');
    await writeFile(join(dir, 'sql', 'empty.sql'), '  \n');
    const file = join(dir, 'p.yaml');
    await writeFile(file, pipelineWith('  - { name: refresh, sql: sql/refresh.sql }'));
    const pipeline = await loadPipeline({ file });
    expect(pipeline.steps[0]).toMatchObject({ sql: 'sql/refresh.sql', query: 'INSERT INTO analytics.log SELECT now();\n' });
    // The loaded pipeline is valid workflow input as it is; without the text it is refused, naming the field.
    expect(checkPipelineInput(pipeline).pipeline?.steps[0]?.query).toBe('INSERT INTO analytics.log SELECT now();\n');
    expect(checkPipelineInput({ ...pipeline, steps: [{ name: 'refresh', sql: 'sql/refresh.sql' }] }).issues?.[0]).toMatch(/^steps\[0\]\.sql: the SQL of sql\/refresh\.sql is not in the input/);

    await writeFile(file, pipelineWith('  - { name: a, sql: sql/missing.sql }\n  - { name: b, sql: sql/empty.sql }'));
    const error = await loadPipeline({ file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([`steps[0].sql: cannot read ${join(dir, 'sql', 'missing.sql')}`, `steps[1].sql: ${join(dir, 'sql', 'empty.sql')} is empty`]);
  });
});

describe('the example pipeline', () => {
  it('pipelines/steps-example.yaml is valid and carries its SQL files', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/steps-example.yaml' });
    expect(pipeline.steps.map((step) => [step.name, step.on, step.before ?? step.after ?? 'after all'])).toEqual([
      ['install_summary_procedure', 'warehouse', 'all'],
      ['refresh_summary', 'warehouse', ['sales']],
      ['record_run_at_source', 'source', 'all'],
    ]);
    expect(pipeline.steps[0]?.query).toMatch(/CREATE OR REPLACE PROCEDURE steps_example\.refresh_sales_summary/);
    expect(pipeline.steps[2]?.query).toMatch(/INSERT INTO raw\.etl_runs/);
  });
});
