import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, CacheInfo, CatalogInfo, get, InventoryInfo, post, WarmJob } from './api';
import { age, bytes, dateTime, formatName, percent, tierName, until } from './format';

const tierTitle: Record<string, string> = { l1: 'Memory (L1)', l2: 'Store (L2)' };

function formatOf(contentType: string): string {
  return formatName(contentType.replace('image/', '').replace('jpeg', 'jpg'));
}

export function CachePanel({ cat }: { cat: CatalogInfo }) {
  const [info, setInfo] = useState<CacheInfo | null>(null);
  const [inv, setInv] = useState<InventoryInfo | null>(null);
  const [error, setError] = useState('');
  const refresh = async () => {
    try {
      const [c, i] = await Promise.all([get<CacheInfo>('/admin/console/cache'), cat.routing ? get<InventoryInfo>('/admin/console/inventory') : null]);
      setInfo(c);
      setInv(i);
      setError('');
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  useEffect(() => {
    refresh();
  }, []);

  return (
    <main>
      <h2>Cache & stock</h2>
      <p class="lead">
        How often images come straight from the cache instead of being made again, and how fresh each warehouse's stock count is.{' '}
        <button class="link" id="cache-refresh" onClick={refresh}>
          Refresh
        </button>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {info && <CacheStats info={info} />}
      <div class="two">
        <Purge cat={cat} onDone={refresh} />
        <Warm cat={cat} onDone={refresh} />
      </div>
      {inv && <Stock cat={cat} inv={inv} onChange={refresh} />}
    </main>
  );
}

function CacheStats({ info }: { info: CacheInfo }) {
  const { stats, l1 } = info;
  return (
    <>
      <div class="tiles" id="cache-tiers">
        {stats.tiers.map((t) => (
          <div class="card tile" key={t.name} data-tier={t.name}>
            <div class="muted">{tierTitle[t.name] ?? t.name}</div>
            <div class="big">{t.hits + t.misses ? percent(t.hit_ratio) : '—'}</div>
            <div>
              hit ratio · {t.hits} hits, {t.misses} misses
            </div>
            <div class="muted">
              {bytes(t.hit_bytes)} served{t.errors ? ` · ${t.errors} errors` : ''}
            </div>
            {t.name === 'l1' && l1 && (
              <>
                <div class="bar" title={`${bytes(l1.bytes)} of ${bytes(l1.budget)}`}>
                  <i style={{ width: `${Math.min(100, (100 * l1.bytes) / Math.max(1, l1.budget))}%` }} />
                </div>
                <div class="muted">
                  {bytes(l1.bytes)} of {bytes(l1.budget)} · {l1.entries} images · {l1.evictions} evicted
                  {(l1 as L1Sizing).policy ? ` · ${(l1 as L1Sizing).policy}` : ''}
                </div>
              </>
            )}
          </div>
        ))}
        <div class="card tile">
          <div class="muted">Renders</div>
          <div class="big">{stats.renders}</div>
          <div>images made from the original photos</div>
          <div class="muted">{stats.singleflight_shared} requests waited for a render already running</div>
        </div>
      </div>
      {l1 && <Sizing l1={l1 as L1Sizing} />}
      <section class="card">
        <h3>Most requested images</h3>
        <table class="list" id="cache-top">
          <thead>
            <tr>
              <th>Product</th>
              <th>Image</th>
              <th>Size</th>
              <th>Requests</th>
              <th>Last served from</th>
            </tr>
          </thead>
          <tbody>
            {stats.top.map((k) => {
              const v = info.variants?.[k.key];
              return (
              <tr key={k.key}>
                <td>
                  {k.sku}
                  {(k.tags ?? [])
                    .filter((t) => t.startsWith('hub-'))
                    .map((t) => (
                      <span class="pill" key={t}>
                        {t.slice(4)} photo
                      </span>
                    ))}
                </td>
                <td>
                  {v ? `${v.view} · ${v.preset} · ` : 'custom size · '}
                  {formatOf(k.content_type)} {k.width}×{k.height}
                  {v && <div class="muted small">for {v.locales.join(', ')}</div>}
                </td>
                <td>{bytes(k.bytes)}</td>
                <td>{k.requests}</td>
                <td>{tierName(k.last_tier)}</td>
              </tr>
              );
            })}
            {stats.top.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  Nothing requested since the server started.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}

// What the server adds to the memory tier's stats for sizing it: the same
// eviction policy replayed on a sample of live traffic at other budgets.
interface ShadowEstimate {
  budget: string;
  budget_bytes: number;
  hit_ratio: number;
  byte_hit_ratio: number;
  requests: number;
}
interface L1Sizing {
  policy?: string;
  shadow?: ShadowEstimate[];
}

const shadowTitle: Record<string, string> = { '0.5x': 'Half the memory', '1x': 'As configured', '2x': 'Twice the memory' };

function Sizing({ l1 }: { l1: L1Sizing }) {
  const shadow = l1.shadow ?? [];
  if (shadow.length === 0) return null;
  const seen = shadow.some((s) => s.requests > 0);
  return (
    <section class="card" id="cache-sizing">
      <h3>Sizing the memory tier</h3>
      <p class="muted small">
        Estimated from a sample of recent requests replayed at other sizes. “As configured” should match the real hit ratio
        above; if it does, trust the other two.
      </p>
      <table class="list">
        <thead>
          <tr>
            <th>Memory (L1)</th>
            <th>Size</th>
            <th>Hit ratio</th>
            <th>Bytes from memory</th>
          </tr>
        </thead>
        <tbody>
          {shadow.map((s) => (
            <tr key={s.budget} data-budget={s.budget}>
              <td>{shadowTitle[s.budget] ?? s.budget}</td>
              <td>{bytes(s.budget_bytes)}</td>
              <td>{seen ? percent(s.hit_ratio) : '—'}</td>
              <td>{seen ? percent(s.byte_hit_ratio) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Purge({ cat, onDone }: { cat: CatalogInfo; onDone: () => void }) {
  const [sku, setSku] = useState(cat.skus[0].id);
  const [sure, setSure] = useState(false);
  const [msg, setMsg] = useState('');
  const purge = async () => {
    setSure(false);
    try {
      const r = await post<{ removed: Record<string, number>; surrogate_key: string }>('/admin/purge', { sku });
      const n = Object.entries(r.removed)
        .map(([t, c]) => `${c} from ${tierTitle[t] ?? t}`)
        .join(', ');
      setMsg(`Removed ${n}. Purge your CDN by the key “${r.surrogate_key}” too.`);
      onDone();
    } catch (e) {
      setMsg((e as ApiError).message);
    }
  };
  return (
    <section class="card controls">
      <h3>Photo changed? Clear its cached images</h3>
      <label>
        Product
        <select id="purge-sku" value={sku} onChange={(e) => (setSku(e.currentTarget.value), setSure(false))}>
          {cat.skus.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      {sure ? (
        <button class="danger" id="purge-confirm" onClick={purge}>
          Yes, clear every cached image of {sku}
        </button>
      ) : (
        <button id="purge" onClick={() => setSure(true)}>
          Clear cached images
        </button>
      )}
      {msg && (
        <p role="status" id="purge-result">
          {msg}
        </p>
      )}
    </section>
  );
}

function Warm({ cat, onDone }: { cat: CatalogInfo; onDone: () => void }) {
  const [hub, setHub] = useState(cat.hubs[0]?.id ?? '');
  const [job, setJob] = useState<WarmJob | null>(null);
  const [msg, setMsg] = useState('');
  const warm = async () => {
    setMsg('');
    try {
      let j = await post<WarmJob>('/admin/warm', { hub });
      setJob(j);
      while (j.state === 'running') {
        await new Promise((r) => setTimeout(r, 1000));
        j = await get<WarmJob>(`/admin/warm/${j.id}`);
        setJob(j);
      }
      onDone();
    } catch (e) {
      setMsg((e as ApiError).message);
    }
  };
  return (
    <section class="card controls">
      <h3>Prepare a warehouse's images before a launch</h3>
      <label>
        Warehouse
        <select id="warm-hub" value={hub} onChange={(e) => setHub(e.currentTarget.value)}>
          {cat.hubs.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name} ({h.id})
            </option>
          ))}
        </select>
      </label>
      <button id="warm" onClick={warm} disabled={job?.state === 'running'}>
        Warm the cache
      </button>
      {job && (
        <div role="status">
          <div class="bar">
            <i style={{ width: `${(100 * job.done) / Math.max(1, job.total)}%` }} />
          </div>
          {job.done} of {job.total} images · {job.rendered} made, {job.already_cached} already cached
          {job.failed ? `, ${job.failed} failed` : ''} {job.state === 'done' ? '· done' : ''}
        </div>
      )}
      {msg && <p class="error">{msg}</p>}
    </section>
  );
}

function Stock({ cat, inv, onChange }: { cat: CatalogInfo; inv: InventoryInfo; onChange: () => void }) {
  const now = Date.parse(inv.now);
  const [form, setForm] = useState({ hub: cat.hubs[0]?.id ?? '', sku: '', mode: 'off', qty: '0', reason: '', hours: '4' });
  const [msg, setMsg] = useState('');
  const add = async (e: Event) => {
    e.preventDefault();
    setMsg('');
    const body: Record<string, unknown> = {
      hub: form.hub,
      reason: form.reason,
      expires_at: new Date(now + Number(form.hours) * 3600_000).toISOString(),
    };
    if (form.sku) body.sku = form.sku;
    if (form.mode === 'off') body.disabled = true;
    else body.qty = Number(form.qty);
    try {
      await post('/admin/overrides', body);
      setForm({ ...form, reason: '' });
      onChange();
    } catch (err) {
      setMsg((err as ApiError).message);
    }
  };
  const remove = async (id: string) => {
    try {
      await api('DELETE', `/admin/overrides/${encodeURIComponent(id)}`);
      onChange();
    } catch (err) {
      setMsg((err as ApiError).message);
    }
  };
  return (
    <section class="card">
      <h3>Stock counts by warehouse</h3>
      <div class="scroll">
        <table class="list" id="stock">
          <thead>
            <tr>
              <th>Product</th>
              {inv.hubs.map((h) => (
                <th key={h.hub} data-hub={h.hub}>
                  {h.name}
                  <div class="muted small" data-role="age">
                    {h.loaded ? `counted ${age(h.age_s)}` : 'no count received'}
                  </div>
                  {h.as_of && <div class="muted small">{dateTime(h.as_of)} · #{h.seq}</div>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cat.skus.map((s) => (
              <tr key={s.id}>
                <td>{s.title}</td>
                {inv.hubs.map((h) => (
                  <td key={h.hub} class="num">
                    {h.loaded ? (h.items?.[s.id] ?? 0) : '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Overrides</h3>
      <p class="muted">Correct a count or switch a warehouse off for a while; an override ends by itself.</p>
      <table class="list" id="overrides">
        <thead>
          <tr>
            <th>Warehouse</th>
            <th>Product</th>
            <th>Change</th>
            <th>Why</th>
            <th>Ends</th>
            <th>By</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {inv.overrides.map((o) => (
            <tr key={o.id}>
              <td>{o.hub}</td>
              <td>{o.sku || 'all products'}</td>
              <td>{o.disabled ? 'switched off' : `count set to ${o.qty}`}</td>
              <td>{o.reason}</td>
              <td title={dateTime(o.expires_at)}>{until(o.expires_at, now)}</td>
              <td class="muted">{o.operator}</td>
              <td>
                <button class="link" onClick={() => remove(o.id)}>
                  end now
                </button>
              </td>
            </tr>
          ))}
          {inv.overrides.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No overrides in force.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form class="controls inline" onSubmit={add} id="override-form">
        <select name="hub" value={form.hub} onChange={(e) => setForm({ ...form, hub: e.currentTarget.value })}>
          {cat.hubs.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
            </option>
          ))}
        </select>
        <select value={form.sku} onChange={(e) => setForm({ ...form, sku: e.currentTarget.value, mode: e.currentTarget.value ? form.mode : 'off' })}>
          <option value="">all products</option>
          {cat.skus.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
        <select value={form.mode} onChange={(e) => setForm({ ...form, mode: e.currentTarget.value })}>
          <option value="qty" disabled={!form.sku}>
            set the count to
          </option>
          <option value="off">switch off</option>
        </select>
        {form.mode === 'qty' && (
          <input type="number" min={0} value={form.qty} style={{ width: '5em' }} onInput={(e) => setForm({ ...form, qty: e.currentTarget.value })} />
        )}
        <input name="reason" placeholder="why (required)" value={form.reason} onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
        <select value={form.hours} onChange={(e) => setForm({ ...form, hours: e.currentTarget.value })}>
          <option value="1">for 1 hour</option>
          <option value="4">for 4 hours</option>
          <option value="24">for a day</option>
          <option value="72">for 3 days</option>
          <option value="168">for a week</option>
        </select>
        <button type="submit" disabled={!form.reason.trim()}>
          Add override
        </button>
      </form>
      {msg && <p class="error">{msg}</p>}
    </section>
  );
}
