/**
 * Shared pieces of the genprobe dashboards: the datasource variable every query goes through, the
 * template variables, and small panel constructors over @grafana/grafana-foundation-sdk so the three
 * dashboard files read as a list of panels and their PromQL.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as PieChartPanel, PieChartType } from '@grafana/grafana-foundation-sdk/piechart';

/** Name of the datasource-type template variable; provisioned dashboards cannot use ${DS_PROMETHEUS}. */
export const DATASOURCE_VARIABLE = 'datasource';
/** Every panel and query points at the variable, so the dashboards work with any Prometheus. */
export const DS: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** Tag shared by the genprobe dashboards; the dashboard links list them by it. */
export const DASHBOARD_TAG = 'genprobe';

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus');
}

export interface LabelVariableOptions {
  label: string;
  /** Several values and an "All" option (regex `.*`), for overview dashboards. */
  multi: boolean;
  /** Label matchers on the metric, so the values follow another variable (e.g. `app=~"$app"`). */
  filter?: string;
}

/** A query variable listing the values of one label of a metric: label_values(metric{filter}, name). */
export function labelVariable(name: string, metric: string, options: LabelVariableOptions): QueryVariableBuilder {
  const query = `label_values(${metric}${options.filter === undefined ? '' : `{${options.filter}}`}, ${name})`;
  const v = new QueryVariableBuilder(name)
    .label(options.label)
    .datasource(DS)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(options.multi)
    .includeAll(options.multi);
  return options.multi ? v.allValue('.*') : v;
}

export interface QueryOptions {
  legend?: string;
  /** One value per series at the end of the range (stat, table, bar gauge). */
  instant?: boolean;
  format?: 'table' | 'heatmap';
}

/** A Prometheus query through the datasource variable. */
export function prom(expr: string, options: QueryOptions = {}): DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(DS).expr(expr);
  if (options.legend !== undefined) q.legendFormat(options.legend);
  if (options.instant) q.instant();
  else q.range();
  if (options.format === 'table') q.format(PromQueryFormat.Table);
  if (options.format === 'heatmap') q.format(PromQueryFormat.Heatmap);
  return q;
}

export interface PanelOptions {
  description: string;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  /** Threshold steps, lowest first; the first step's value is ignored (it is the base colour). */
  thresholds?: [string, number | null][];
  /** Grid size: width out of 24 columns, height in rows. */
  w?: number;
  h?: number;
  /** Lower bound of $__interval, e.g. the probe interval for sparse probe counters. */
  minInterval?: string;
  noValue?: string;
}

function thresholds(steps: [string, number | null][]): ThresholdsConfigBuilder {
  const list: Threshold[] = steps.map(([color, value], i) => ({ color, value: i === 0 ? null : value }));
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

/** Options every panel kind shares; applied through a structural type because the SDK builders are not related. */
interface CommonPanelBuilder {
  title(t: string): unknown;
  description(d: string): unknown;
  datasource(d: common.DataSourceRef): unknown;
  withTarget(t: cog.Builder<cog.Dataquery>): unknown;
  unit(u: string): unknown;
  min(n: number): unknown;
  max(n: number): unknown;
  decimals(n: number): unknown;
  thresholds(t: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').ThresholdsConfig>): unknown;
  span(w: number): unknown;
  height(h: number): unknown;
  interval(i: string): unknown;
  noValue(v: string): unknown;
}

function applyCommon<B extends CommonPanelBuilder>(b: B, title: string, targets: DataqueryBuilder[], o: PanelOptions, defaults: { w: number; h: number }): B {
  b.title(title);
  b.description(o.description);
  b.datasource(DS);
  for (const t of targets) b.withTarget(t);
  if (o.unit !== undefined) b.unit(o.unit);
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.decimals !== undefined) b.decimals(o.decimals);
  if (o.thresholds !== undefined) b.thresholds(thresholds(o.thresholds));
  if (o.minInterval !== undefined) b.interval(o.minInterval);
  if (o.noValue !== undefined) b.noValue(o.noValue);
  b.span(o.w ?? defaults.w);
  b.height(o.h ?? defaults.h);
  return b;
}

export interface TimeseriesOptions extends PanelOptions {
  stack?: boolean;
  bars?: boolean;
  /** Step lines for 0/1 gauges and gauges that change only when a probe runs. */
  steps?: boolean;
  /** Series whose display name matches this regex are drawn dashed (budgets, limits, thresholds). */
  dashed?: string;
}

export function timeseries(title: string, targets: DataqueryBuilder[], o: TimeseriesOptions): TimeseriesPanel {
  const b = applyCommon(new TimeseriesPanel(), title, targets, o, { w: 12, h: 8 });
  b.legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Right).showLegend(true).calcs(['lastNotNull', 'max']));
  b.tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.bars) b.drawStyle(common.GraphDrawStyle.Bars).fillOpacity(80);
  else b.fillOpacity(o.stack ? 30 : 0);
  if (o.steps) b.lineInterpolation(common.LineInterpolation.StepAfter);
  if (o.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.dashed !== undefined) {
    b.overrideByRegexp(o.dashed, [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
    ]);
  }
  return b;
}

export interface StatOptions extends PanelOptions {
  /** Show the series name instead of the value (e.g. the current verdict label). */
  textMode?: 'value' | 'name' | 'value_and_name';
  mappings?: Record<string, { text: string; color: string }>;
}

const TEXT_MODE = {
  value: common.BigValueTextMode.Value,
  name: common.BigValueTextMode.Name,
  value_and_name: common.BigValueTextMode.ValueAndName,
} as const;

export function stat(title: string, targets: DataqueryBuilder[], o: StatOptions): StatPanel {
  const b = applyCommon(new StatPanel(), title, targets, o, { w: 4, h: 4 });
  b.reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  b.graphMode(common.BigValueGraphMode.None).colorMode(common.BigValueColorMode.Value);
  b.textMode(TEXT_MODE[o.textMode ?? 'value']);
  if (o.mappings !== undefined) {
    b.mappings([
      {
        type: MappingType.ValueToText,
        options: Object.fromEntries(Object.entries(o.mappings).map(([value, m], index) => [value, { ...m, index }])),
      },
    ]);
  }
  return b;
}

export function gauge(title: string, targets: DataqueryBuilder[], o: PanelOptions): GaugePanel {
  const b = applyCommon(new GaugePanel(), title, targets, o, { w: 4, h: 4 });
  b.reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  b.showThresholdMarkers(true);
  return b;
}

export function barGauge(title: string, targets: DataqueryBuilder[], o: PanelOptions): BarGaugePanel {
  const b = applyCommon(new BarGaugePanel(), title, targets, o, { w: 12, h: 8 });
  b.reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  b.displayMode(common.BarGaugeDisplayMode.Gradient).orientation(common.VizOrientation.Horizontal);
  return b;
}

export interface TableOptions extends PanelOptions {
  /** Column renames for the `organize` transformation, e.g. { 'Value #A': 'Passing' }. */
  columns?: Record<string, string>;
}

/** A table of instant queries merged on their labels (one row per endpoint, one column per query). */
export function table(title: string, targets: DataqueryBuilder[], o: TableOptions): TablePanel {
  const b = applyCommon(new TablePanel(), title, targets, o, { w: 24, h: 8 });
  b.withTransformation({ id: 'merge', options: {} });
  b.withTransformation({
    id: 'organize',
    options: { excludeByName: { Time: true }, renameByName: o.columns ?? {}, indexByName: {} },
  });
  return b;
}

export function pieChart(title: string, targets: DataqueryBuilder[], o: PanelOptions): PieChartPanel {
  const b = applyCommon(new PieChartPanel(), title, targets, o, { w: 8, h: 8 });
  b.pieType(PieChartType.Donut);
  b.reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  return b;
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title).collapsed(false);
}

export interface DashboardOptions {
  uid: string;
  title: string;
  description: string;
  variables: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').VariableModel>[];
  /** Rows and their panels, in reading order. */
  sections: { row: string; panels: cog.Builder<Panel>[] }[];
}

/** Builds a dashboard with the datasource variable first and links to the other genprobe dashboards. */
export function dashboard(o: DashboardOptions): Dashboard {
  const b = new DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags([DASHBOARD_TAG])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(datasourceVariable())
    .link(new DashboardLinkBuilder('genprobe').type(DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).asDropdown(true).includeVars(false).keepTime(true));
  for (const v of o.variables) b.withVariable(v);
  for (const section of o.sections) {
    b.withRow(row(section.row));
    for (const p of section.panels) b.withPanel(p);
  }
  return finalize(b.build());
}

/**
 * Gives panels stable ids and queries stable refIds (A, B, …) — Grafana needs both for links and
 * table columns, and the SDK leaves them unset.
 */
function finalize(d: Dashboard): Dashboard {
  let id = 1;
  for (const panel of d.panels ?? []) {
    panel.id = id++;
    const targets = (panel as Panel).targets;
    if (Array.isArray(targets)) {
      targets.forEach((t, i) => {
        (t as { refId?: string }).refId = String.fromCharCode(65 + i);
      });
    }
  }
  return d;
}
