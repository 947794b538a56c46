import { ETL_METRICS, prometheusSeries } from '../../src/common/metric-names';
import { dashboardExpressions, metricNamesIn, readDashboard } from '../support/dashboard';

const exported = new Set(Object.values(ETL_METRICS).flatMap(prometheusSeries));
const dashboard = readDashboard();
const expressions = dashboardExpressions(dashboard);

describe('the Grafana dashboard (ops/grafana/temporal-etl.json)', () => {
  it('reads metric names out of PromQL', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, table) (rate(etl_table_duration_seconds_bucket{pipeline=~"$pipeline"}[1d])))')).toEqual(['etl_table_duration_seconds_bucket']);
    expect(metricNamesIn('sum(increase(a_total{stage="load"}[$__range])) / sum(increase(b_total[5m])) * 60')).toEqual(['a_total', 'b_total']);
  });

  it('is a dashboard with titled panels, each with at least one expression, and unique ids', () => {
    expect(dashboard.panels.length).toBeGreaterThan(5);
    const untitled = dashboard.panels.filter((panel) => typeof panel.title !== 'string' || panel.title === '' || panel.targets.length === 0);
    expect(untitled).toEqual([]);
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
  });

  it('names in every expression only series the worker exports: the pipeline metrics of metric-names.ts, or the SDK\'s temporal_* (checked live in test/e2e/observability)', () => {
    const unknown = expressions.flatMap((expr) => metricNamesIn(expr).filter((name) => !exported.has(name) && !name.startsWith('temporal_')).map((name) => ({ expr, name })));
    expect(unknown).toEqual([]);
    for (const expr of expressions) expect({ expr, names: metricNamesIn(expr).length > 0 }).toEqual({ expr, names: true });
  });

  it('shows every pipeline metric the worker exports', () => {
    const used = new Set(expressions.flatMap(metricNamesIn));
    const unshown = Object.values(ETL_METRICS).filter((metric) => !prometheusSeries(metric).some((series) => used.has(series)));
    expect(unshown).toEqual([]);
  });
});
