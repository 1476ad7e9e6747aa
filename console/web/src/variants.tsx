import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, CatalogInfo, get, post, Variant, VariantCell, VariantGrid } from './api';
import { bytes, formatName, spaceName, tierName } from './format';

// One locale per colour treatment: the default first, then the first
// locale of each other colour profile, so the grid shows every look.
function defaultLocales(cat: CatalogInfo): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const ordered = [cat.default_locale, ...cat.locales.map((l) => l.tag).filter((t) => t !== cat.default_locale)];
  for (const tag of ordered) {
    const l = cat.locales.find((x) => x.tag === tag);
    const key = l?.colour ?? 'none';
    if (l && !seen.has(key)) {
      seen.add(key);
      out.push(tag);
    }
  }
  return out.slice(0, 4);
}

function hubLabel(cat: CatalogInfo, hub: string): string {
  if (!hub) return 'Master photo';
  const h = cat.hubs.find((x) => x.id === hub);
  return `As stocked at ${h?.name ?? hub} (${hub})`;
}

export function DeltaE({ value, threshold }: { value?: number; threshold: number }) {
  if (value === undefined) return <span class="muted">no swatch to measure</span>;
  const ok = value <= threshold;
  return (
    <span class={`delta ${ok ? 'good' : 'bad'}`} data-role="delta-e" title="CIEDE2000 between the rendered swatch and the declared product colour">
      ΔE <b>{value.toFixed(2)}</b> {ok ? '· matches the product colour' : `· over ${threshold}, looks off`}
    </span>
  );
}

function Cell({ cell, shown, threshold }: { cell: VariantCell; shown: string; threshold: number }) {
  const v: Variant | undefined = cell.variants.find((x) => x.format === shown) ?? cell.variants[0];
  return (
    <td class="cell" data-testid="variant-cell" data-locale={cell.locale} data-hub={cell.hub}>
      {v && !v.error ? (
        <img src={v.url} alt={`${cell.locale} ${cell.hub || 'master'}`} data-role="variant-image" width={v.width} height={v.height} />
      ) : (
        <div class="error">{v?.error ?? 'no variant'}</div>
      )}
      <div class="facts">
        <DeltaE value={v?.delta_e} threshold={threshold} />
        <div>
          {spaceName(cell.space)} output{v?.icc ? ` · profile “${v.icc}”` : ''}
        </div>
        <div class="muted">
          colour profile {cell.colour_profile}
          {cell.resolved_locale !== cell.locale ? ` · ${cell.locale} uses ${cell.resolved_locale}` : ''}
          {cell.hub && !cell.hub_photo ? ' · no hub photo: master shown' : ''}
        </div>
        <table class="mini">
          <thead>
            <tr>
              <th>format</th>
              <th>size</th>
              <th>served from</th>
            </tr>
          </thead>
          <tbody>
            {cell.variants.map((x) => (
              <tr key={x.format} class={x.format === shown ? 'shown' : ''}>
                <td>
                  <a href={x.url} target="_blank" rel="noreferrer">
                    {formatName(x.format)}
                  </a>
                </td>
                <td data-role={`bytes-${x.format}`}>{x.error ? <span class="error">{x.code}</span> : bytes(x.bytes)}</td>
                <td>
                  {tierName(x.tier)}
                  {x.render_ms ? ` · ${x.render_ms.toFixed(0)} ms` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </td>
  );
}

// GET /admin/reports/gallery?sku=: each photo of the SKU (views and hub
// photos) compared with the SKU's reference on white balance, exposure and
// the swatch colour.
interface GalleryFlag {
  check: string;
  difference: number;
  threshold: number;
  unit: string;
  reason: string;
}

interface GalleryPhoto {
  view: string;
  hub?: string;
  error?: string;
  white_balance_delta?: number;
  exposure_stops?: number;
  flags: GalleryFlag[];
}

interface GalleryReport {
  flagged: number;
  skus: { sku: string; reference: { basis: string }; photos: GalleryPhoto[] }[];
}

const checkName: Record<string, string> = { white_balance: 'White balance', exposure: 'Exposure', swatch: 'Product colour' };

function photoName(cat: CatalogInfo, p: GalleryPhoto): string {
  return p.hub ? `${p.view} · ${hubLabel(cat, p.hub)}` : `${p.view} · master photo`;
}

// GalleryCheck shows which photos of a SKU to reshoot, with the reason and
// the measured difference, so an operator catches an odd photo before a
// buyer returns the item over it.
function GalleryCheck({ cat, sku }: { cat: CatalogInfo; sku: string }) {
  const [report, setReport] = useState<GalleryReport | null>(null);
  const [error, setError] = useState('');
  const latest = useRef(0);
  useEffect(() => {
    const n = ++latest.current;
    setReport(null);
    setError('');
    get<GalleryReport>(`/admin/reports/gallery?sku=${encodeURIComponent(sku)}`)
      .then((r) => n === latest.current && setReport(r))
      .catch((e) => n === latest.current && setError((e as ApiError).message));
  }, [sku]);
  const photos = report?.skus[0]?.photos ?? [];
  const flagged = photos.filter((p) => p.flags.length > 0 || p.error);
  return (
    <section class="card" id="gallery-check" data-testid="gallery-check">
      <h3>Photo consistency</h3>
      {error && <p class="error">The photos could not be checked: {error}</p>}
      {!report && !error && <p class="muted">Comparing the photos…</p>}
      {report && flagged.length === 0 && (
        <p>
          <span class="delta good">all {photos.length} photos agree</span>{' '}
          <span class="muted">on white balance, exposure and product colour ({report.skus[0]?.reference.basis})</span>
        </p>
      )}
      {flagged.length > 0 && (
        <ul data-role="gallery-flags">
          {flagged.map((p) => (
            <li key={`${p.view}@${p.hub ?? ''}`} data-testid="gallery-flag" data-view={p.view} data-hub={p.hub ?? ''}>
              <b>{photoName(cat, p)}</b>
              {p.error && <div class="error">not checked: {p.error}</div>}
              {p.flags.map((f) => (
                <div key={f.check} data-check={f.check}>
                  <span class="delta bad">
                    {checkName[f.check] ?? f.check}: {f.difference > 0 && f.unit === 'stops' ? '+' : ''}
                    {f.difference.toFixed(1)} {f.unit} (limit {f.threshold})
                  </span>{' '}
                  {f.reason}
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function VariantsPanel({ cat }: { cat: CatalogInfo }) {
  const firstSwatch = cat.skus.find((s) => s.swatch) ?? cat.skus[0];
  const [sku, setSku] = useState(firstSwatch.id);
  const skuInfo = cat.skus.find((s) => s.id === sku) ?? firstSwatch;
  const [view, setView] = useState(skuInfo.swatch?.view ?? skuInfo.views[0]);
  const [preset, setPreset] = useState(cat.presets.some((p) => p.name === 'card') ? 'card' : cat.presets[0].name);
  const [locales, setLocales] = useState<string[]>(defaultLocales(cat));
  const hubOptions = useMemo(() => ['', ...cat.hubs.map((h) => h.id)], [cat]);
  const photoHubs = skuInfo.hub_photos[view] ?? [];
  const [hubs, setHubs] = useState<string[]>(['', ...photoHubs]);
  const [shown, setShown] = useState('webp');
  const [grid, setGrid] = useState<VariantGrid | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  // Only the answer to the latest request is shown, however they arrive.
  const latest = useRef(0);
  const load = async (override?: { sku: string; view: string; hubs: string[] }) => {
    const req = { sku, view, preset, locales, hubs, ...override };
    const n = ++latest.current;
    setBusy(true);
    setError('');
    try {
      const g = await post<VariantGrid>('/admin/console/variants', req);
      if (n === latest.current) setGrid(g);
    } catch (e) {
      if (n === latest.current) setError((e as ApiError).message);
    } finally {
      if (n === latest.current) setBusy(false);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const pickSku = (id: string) => {
    const s = cat.skus.find((x) => x.id === id)!;
    const v = s.swatch?.view ?? s.views[0];
    const h = ['', ...(s.hub_photos[v] ?? [])];
    setSku(id);
    setView(v);
    setHubs(h);
    load({ sku: id, view: v, hubs: h });
  };
  const pickView = (v: string) => {
    const h = ['', ...(skuInfo.hub_photos[v] ?? [])];
    setView(v);
    setHubs(h);
    load({ sku, view: v, hubs: h });
  };
  const toggle = (list: string[], set: (l: string[]) => void, item: string) =>
    set(list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);

  const rows = grid ? [...new Set(grid.cells.map((c) => c.hub))] : [];
  const cols = grid ? [...new Set(grid.cells.map((c) => c.locale))] : [];
  return (
    <main>
      <h2>Product images by country</h2>
      <p class="lead">
        See a product photo as shoppers in each country get it: colour-corrected for their screens, in every image format, with how
        close the colour is to the real product (ΔE under {cat.delta_e_threshold} looks the same to the eye).
      </p>
      <form
        class="controls card"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          Product
          <select id="variant-sku" value={sku} onChange={(e) => pickSku(e.currentTarget.value)}>
            {cat.skus.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.id}){s.swatch ? ' · colour swatch' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          View
          <select id="variant-view" value={view} onChange={(e) => pickView(e.currentTarget.value)}>
            {skuInfo.views.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          Size
          <select id="variant-preset" value={preset} onChange={(e) => setPreset(e.currentTarget.value)}>
            {cat.presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({p.width}
                {p.height ? `×${p.height}` : ' wide'})
              </option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select id="variant-shown" value={shown} onChange={(e) => setShown(e.currentTarget.value)}>
            {cat.formats.map((f) => (
              <option key={f} value={f}>
                {formatName(f)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Shoppers' languages</legend>
          {cat.locales.map((l) => (
            <label key={l.tag} class="check">
              <input type="checkbox" name="locale" value={l.tag} checked={locales.includes(l.tag)} onChange={() => toggle(locales, setLocales, l.tag)} />
              {l.tag} <span class="muted">{spaceName(l.space)}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Photos</legend>
          {hubOptions.map((h) => (
            <label key={h || 'master'} class="check">
              <input type="checkbox" name="hub" value={h} checked={hubs.includes(h)} onChange={() => toggle(hubs, setHubs, h)} />
              {h ? h : 'master'}
              {h && !photoHubs.includes(h) ? <span class="muted"> (no own photo)</span> : null}
            </label>
          ))}
        </fieldset>
        <button id="variant-load" class="primary" type="submit" disabled={busy || locales.length === 0 || hubs.length === 0}>
          {busy ? 'Rendering…' : 'Show images'}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <GalleryCheck cat={cat} sku={sku} />
      {grid && (
        <section class="card" id="variant-grid">
          <h3>
            {grid.title} · {grid.view} · {grid.preset}
            {grid.swatch && (
              <span class="swatch">
                declared colour <i style={{ background: grid.swatch.hex }} /> Lab {grid.swatch.lab.map((x) => x.toFixed(1)).join(' / ')}
              </span>
            )}
          </h3>
          <div class="scroll">
            <table class="grid">
              <thead>
                <tr>
                  <th />
                  {cols.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((hub) => (
                  <tr key={hub || 'master'}>
                    <th class="rowhead">{hubLabel(cat, hub)}</th>
                    {cols.map((loc) => {
                      const cell = grid.cells.find((c) => c.hub === hub && c.locale === loc);
                      return cell ? <Cell key={loc} cell={cell} shown={shown} threshold={grid.delta_e_threshold} /> : <td key={loc} />;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </main>
  );
}
