import { useEffect, useState } from 'preact/hooks';
import { ApiError, CatalogInfo, get } from './api';
import { percent } from './format';

// The stocking panel (issue 20): what each hub should hold, from the
// forecast of weekly orders per region × SKU, and how deliveries kept
// their promise. It reads GET /admin/reports/stocking.

type WeekValue = { week: string; units: number };
type ForecastPoint = { week: string; mean: number; lo: number; hi: number };
type Series = { region: string; sku: string; method: string; mase: number; history: WeekValue[]; forecast: ForecastPoint[] };
type PlanItem = { sku: string; weekly_demand: number; safety_stock: number; reorder_point: number; target_stock: number; hours_saved: number };
type HubPlan = { hub: string; region: string; items: PlanItem[]; in_region_share: number; hours_saved_per_week: number };
type Rate = { hub?: string; region?: string; orders: number; delivered: number; returned: number; on_time_rate: number | null; return_rate: number | null };
type StockingReport = {
  stocking: { series: Series[]; plans: HubPlan[]; config: { service_level: number; interval: number } };
  delivery: { by_hub: Rate[]; by_region: Rate[] };
  sources: { logged_order_lines: number; imported_order_lines: number; imports: number };
};

// How many weeks of history the chart shows before the forecast.
const shownHistory = 26;

export function StockingPanel({ cat }: { cat: CatalogInfo }) {
  const [rep, setRep] = useState<StockingReport | null>(null);
  const [error, setError] = useState('');
  const [pick, setPick] = useState('');
  useEffect(() => {
    if (!cat.routing) return;
    get<StockingReport>('/admin/reports/stocking')
      .then((r) => {
        setRep(r);
        const first = r.stocking.series[0];
        if (first) setPick(`${first.region}/${first.sku}`);
      })
      .catch((e: ApiError) => setError(e.message));
  }, []);
  if (!cat.routing) return <main><h2>Stocking</h2><p class="lead">Routing is not configured on this server, so there is no order history to plan from.</p></main>;
  const series = rep?.stocking.series.find((s) => `${s.region}/${s.sku}` === pick);
  return (
    <main>
      <h2>Stocking</h2>
      <p class="lead">
        What each hub should hold next, from the weekly orders of each product in each region, and how deliveries kept their
        promise. Orders come from checkouts routed here and from imported order exports.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!rep && !error && <p class="muted">Forecasting…</p>}
      {rep && rep.stocking.series.length === 0 && <p class="muted">No order history yet: import an order export or route some orders.</p>}
      {rep && rep.stocking.series.length > 0 && (
        <>
          <section class="card">
            <label>
              Region and product{' '}
              <select id="stocking-series" value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
                {rep.stocking.series.map((s) => (
                  <option key={`${s.region}/${s.sku}`} value={`${s.region}/${s.sku}`}>
                    {s.region} · {s.sku}
                  </option>
                ))}
              </select>
            </label>
            {series && <Band s={series} interval={rep.stocking.config.interval} />}
          </section>
          <Plans plans={rep.stocking.plans} level={rep.stocking.config.service_level} />
          <Rates rep={rep} />
        </>
      )}
    </main>
  );
}

/** Band draws the history and the forecast with its interval as an inline SVG. */
function Band({ s, interval }: { s: Series; interval: number }) {
  const hist = s.history.slice(-shownHistory);
  const n = hist.length + s.forecast.length;
  const top = Math.max(1, ...hist.map((h) => h.units), ...s.forecast.map((f) => f.hi));
  const w = 720, h = 200, pad = 28;
  const x = (i: number) => pad + (i * (w - 2 * pad)) / Math.max(1, n - 1);
  const y = (v: number) => h - pad - (v * (h - 2 * pad)) / top;
  const line = (pts: [number, number][]) => pts.map(([a, b], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  const off = hist.length;
  const band =
    line(s.forecast.map((f, i): [number, number] => [x(off + i), y(f.hi)])) +
    ' ' +
    line(s.forecast.map((f, i): [number, number] => [x(off + i), y(f.lo)]).reverse()).replace(/^M/, 'L') +
    ' Z';
  return (
    <figure class="chart" data-testid="forecast-band">
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={`weekly units of ${s.sku} in ${s.region}`}>
        <line x1={pad} y1={y(0)} x2={w - pad} y2={y(0)} stroke="#c9ced8" />
        <text x={2} y={y(top) + 4} font-size="11" fill="#667">{Math.round(top)}</text>
        <text x={2} y={y(0) + 4} font-size="11" fill="#667">0</text>
        <path data-role="band" d={band} fill="#cfe3ff" stroke="none" />
        <path data-role="history" d={line(hist.map((p, i): [number, number] => [x(i), y(p.units)]))} fill="none" stroke="#334" stroke-width="1.5" />
        <path data-role="forecast" d={line(s.forecast.map((f, i): [number, number] => [x(off + i), y(f.mean)]))} fill="none" stroke="#1d5fd1" stroke-width="2" stroke-dasharray="5 3" />
        {hist.length > 0 && <text x={x(0)} y={h - 8} font-size="11" fill="#667">{hist[0].week}</text>}
        {s.forecast.length > 0 && (
          <text x={x(n - 1)} y={h - 8} font-size="11" fill="#667" text-anchor="end">
            {s.forecast[s.forecast.length - 1].week}
          </text>
        )}
      </svg>
      <figcaption class="muted small">
        Orders per week (dark), forecast (dashed) and its {Math.round(interval * 100)} % interval (shaded). Method {s.method}, error{' '}
        {s.mase.toFixed(2)} of a naive forecast's scale.
      </figcaption>
    </figure>
  );
}

function Plans({ plans, level }: { plans: HubPlan[]; level: number }) {
  return (
    <section class="card">
      <h3>What each hub should hold</h3>
      <p class="muted small">Target stock and reorder point cover the lead time at a {Math.round(level * 100)} % service level.</p>
      <div class="scroll">
        <table class="list" id="stocking-plan">
          <thead>
            <tr>
              <th>Hub</th>
              <th>Product</th>
              <th>Weekly demand</th>
              <th>Target stock</th>
              <th>Reorder at</th>
              <th>Orders in region</th>
              <th>Delivery hours saved / week</th>
            </tr>
          </thead>
          <tbody>
            {plans.flatMap((p) =>
              p.items.map((it) => (
                <tr key={`${p.hub}/${it.sku}`} data-testid="plan-row" data-hub={p.hub} data-sku={it.sku}>
                  <td>{p.hub}</td>
                  <td>{it.sku}</td>
                  <td>{it.weekly_demand.toFixed(1)}</td>
                  <td>{it.target_stock}</td>
                  <td>{it.reorder_point}</td>
                  <td>{percent(p.in_region_share)}</td>
                  <td>{Math.round(it.hours_saved)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function rate(v: number | null): string {
  return v === null ? '—' : percent(v);
}

function Rates({ rep }: { rep: StockingReport }) {
  const rows = [...rep.delivery.by_hub.map((r) => ({ ...r, what: `hub ${r.hub}` })), ...rep.delivery.by_region.map((r) => ({ ...r, what: `region ${r.region}` }))];
  return (
    <section class="card">
      <h3>Promises kept</h3>
      <p class="muted small">
        On time: delivered within the promised hours, of the deliveries reported. Returned: refunded orders from imports.{' '}
        {rep.sources.imports} imports, {rep.sources.imported_order_lines} imported and {rep.sources.logged_order_lines} routed order lines.
      </p>
      <table class="list" id="stocking-rates">
        <thead>
          <tr>
            <th></th>
            <th>Orders</th>
            <th>Delivered</th>
            <th>On time</th>
            <th>Returned</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.what} data-testid="rate-row">
              <td>{r.what}</td>
              <td>{r.orders}</td>
              <td>{r.delivered}</td>
              <td>{rate(r.on_time_rate)}</td>
              <td>{rate(r.return_rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
