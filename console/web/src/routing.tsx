import { useMemo, useState } from 'preact/hooks';
import countries from 'i18n-iso-countries';
import { ApiError, carrierList, CatalogInfo, Decision, get } from './api';
import { dateTime, day } from './format';
import { mapViews, MapPin, WorldMap } from './worldmap';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** The catalog locale a buyer in a country most likely uses. */
function localeFor(cat: CatalogInfo, country: string): string {
  return cat.locales.find((l) => l.tag.endsWith(`-${country}`))?.tag ?? cat.default_locale;
}

const reasonText: Record<string, string> = {
  excluded: 'switched off by a rule',
  outside_regions: 'does not serve this region',
  too_far: 'too far away',
  no_carrier: 'no carrier delivers there',
  sla: 'too slow for the promise',
  no_inventory_data: 'no stock count received',
  inventory_too_old: 'stock count too old to trust',
  out_of_stock: 'out of stock',
  below_min_inventory: 'would go below the minimum stock',
  partial_stock: 'has only part of the order',
  disabled_by_override: 'switched off by an override',
};

export function RoutingPanel({ cat }: { cat: CatalogInfo }) {
  const shipTo = useMemo(() => new Set(Object.values(cat.regions).flat()), [cat]);
  const allCountries = useMemo(
    () =>
      Object.keys(countries.getAlpha2Codes())
        .map((c) => ({ code: c, name: countryName(c) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [],
  );
  const [sku, setSku] = useState(cat.skus[0].id);
  const [qty, setQty] = useState(1);
  const [country, setCountry] = useState('DE');
  const [locale, setLocale] = useState(localeFor(cat, 'DE'));
  const [postal, setPostal] = useState('');
  const [total, setTotal] = useState('');
  const [point, setPoint] = useState<{ lat: number; lon: number } | undefined>();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [mapNote, setMapNote] = useState('');
  const views = useMemo(() => mapViews(cat.hubs), [cat]);
  const [view, setView] = useState(views[0]);

  const pickCountry = (c: string) => {
    setCountry(c);
    setLocale(localeFor(cat, c));
    setPoint(undefined);
  };
  const simulate = async (e?: Event) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Asked as a product page asks (GET /route): the same decision as an
      // order's, but logged as a page view, so simulations never count as
      // orders in the expansion report.
      const q = new URLSearchParams({ sku, qty: String(qty), country, locale });
      if (postal.trim()) q.set('postal_code', postal.trim());
      if (point) {
        q.set('lat', String(point.lat));
        q.set('lon', String(point.lon));
      }
      if (total.trim()) q.set('total', total.trim());
      setDecision(await get<Decision>(`/route?${q}`));
    } catch (err) {
      setDecision(null);
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const chosen = decision ? new Set([decision.node.id, ...(decision.shipments ?? []).map((s) => s.node.id)]) : new Set<string>();
  const rejected = new Set((decision?.alternatives ?? []).filter((a) => a.reason && a.reason !== 'partial_stock').map((a) => a.node.id));
  const pins: MapPin[] = cat.hubs.map((h) => ({
    id: h.id,
    label: h.name,
    lat: h.lat,
    lon: h.lon,
    kind: chosen.has(h.id) ? 'chosen' : rejected.has(h.id) ? 'rejected' : h.kind === 'central' ? 'central' : 'hub',
  }));
  const hub = decision ? cat.hubs.find((h) => h.id === decision.node.id) : undefined;
  const dest = point ?? undefined;
  const skuTitle = cat.skus.find((s) => s.id === sku)?.title ?? sku;
  const card = decision?.images?.[0];
  return (
    <main>
      <h2>Where will it ship from?</h2>
      <p class="lead">
        Pick a product and where the buyer is (choose a country, or click the map). You see exactly what the product page will say,
        when the parcel arrives, and why the other warehouses were not chosen.
      </p>
      <div class="two">
        <form class="card controls" onSubmit={simulate}>
          <label>
            Product
            <select id="route-sku" value={sku} onChange={(e) => setSku(e.currentTarget.value)}>
              {cat.skus.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Quantity
            <input id="route-qty" type="number" min={1} max={999} value={qty} onInput={(e) => setQty(Number(e.currentTarget.value) || 1)} />
          </label>
          <label>
            Country
            <select id="route-country" value={country} onChange={(e) => pickCountry(e.currentTarget.value)}>
              <optgroup label="Countries your rules know">
                {allCountries
                  .filter((c) => shipTo.has(c.code))
                  .map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name} ({c.code})
                    </option>
                  ))}
              </optgroup>
              <optgroup label="Everywhere else">
                {allCountries
                  .filter((c) => !shipTo.has(c.code))
                  .map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name} ({c.code})
                    </option>
                  ))}
              </optgroup>
            </select>
          </label>
          <label>
            Postal code <span class="muted">(optional)</span>
            <input id="route-postal" value={postal} onInput={(e) => setPostal(e.currentTarget.value)} />
          </label>
          <label>
            Order total <span class="muted">(optional, some rules use it)</span>
            <input id="route-total" type="number" min={0} step="0.01" value={total} onInput={(e) => setTotal(e.currentTarget.value)} />
          </label>
          <label>
            Shopper's language
            <select id="route-locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value)}>
              {cat.locales.map((l) => (
                <option key={l.tag}>{l.tag}</option>
              ))}
            </select>
          </label>
          {point && (
            <p class="muted">
              Exact point {point.lat}, {point.lon}{' '}
              <button type="button" class="link" onClick={() => setPoint(undefined)}>
                use the country instead
              </button>
            </p>
          )}
          <button id="route-go" class="primary" type="submit" disabled={busy}>
            {busy ? 'Deciding…' : 'Simulate order'}
          </button>
        </form>
        <div class="card">
          <div class="zoom">
            {views.map((v) => (
              <button key={v.label} type="button" class={v === view ? 'on' : ''} data-view={v.label} onClick={() => setView(v)}>
                {v.label}
              </button>
            ))}
          </div>
          <WorldMap
            view={view}
            pins={pins}
            destination={dest}
            highlight={country}
            route={hub && dest ? { from: hub, to: dest } : undefined}
            onPick={(p) => {
              if (!p.country) {
                setMapNote('That point is not in a country: click on land.');
                return;
              }
              setMapNote('');
              setCountry(p.country);
              setLocale(localeFor(cat, p.country));
              setPoint({ lat: p.lat, lon: p.lon });
            }}
          />
          <p class="muted">
            {mapNote || 'Click the map to place the buyer. Dots are your warehouses; the green one ships this order.'}
          </p>
        </div>
      </div>
      {error && (
        <section class="card">
          <p class="error" role="alert" id="route-error">
            {error.code === 'no_fulfilment_node' ? 'No warehouse can ship this order. ' : ''}
            {error.message}
          </p>
          {Array.isArray(error.body.candidates) && (
            <Alternatives alts={error.body.candidates as Decision['alternatives']} />
          )}
        </section>
      )}
      {decision && (
        <section class="card" id="route-result">
          <div class="two">
            <div>
              <h3>On the product page</h3>
              <div class="pdp">
                {/* sizes lets the browser send Sec-CH-Width (the console opts in with
                    Accept-CH): the origin sizes the .auto card for this 160 px slot. */}
                {card?.card && <img src={card.card} sizes="160px" alt={skuTitle} />}
                <div>
                  <div class="pdp-title">{skuTitle}</div>
                  <div id="badge" class={`badge${decision.badge_stale ? ' stale' : ''}`} data-role="badge">
                    {decision.badge}
                  </div>
                  <div class="pdp-promise">
                    Delivery {day(decision.promise.earliest_delivery)} – {day(decision.promise.latest_delivery)}
                    <br />
                    <span class="muted">
                      order by {dateTime(decision.promise.order_by, decision.promise.tz)} ({decision.promise.tz})
                    </span>
                  </div>
                </div>
              </div>
              {decision.badge_stale && (
                <p class="muted">The softer wording is used because the stock count is a while old.</p>
              )}
            </div>
            <div>
              <h3>The decision</h3>
              <dl class="facts">
                <dt>Ships from</dt>
                <dd id="route-node">
                  {decision.node.name} ({decision.node.id}), {decision.distance_km >= 0 ? `${decision.distance_km} km away` : 'distance unknown'}
                </dd>
                <dt>Promise</dt>
                <dd>
                  {decision.promise.min_hours}–{decision.promise.max_hours} hours; leaves the warehouse {day(decision.promise.ships_on)}
                </dd>
                <dt>Carrier</dt>
                <dd id="route-carriers">
                  {carrierList(decision.carriers).map((c) => (
                    <div key={c.id} class={c.state === 'unavailable' ? 'bad' : c.state === 'primary' ? '' : 'muted'}>
                      {c.name} ({c.min_hours}–{c.max_hours} h)
                      {c.state === 'primary' ? ' · first choice' : c.state === 'unavailable' ? ' · not available right now' : ' · takes over if needed'}
                    </div>
                  ))}
                </dd>
                <dt>Region</dt>
                <dd>{decision.destination_region}</dd>
                <dt>Rules</dt>
                <dd>version {decision.rules_version}</dd>
                <dt>Stock count</dt>
                <dd>{decision.inventory_age_s ? `${Math.round(decision.inventory_age_s)} s old` : 'not needed (central stock)'}</dd>
              </dl>
              {decision.warnings?.map((w) => (
                <p class="warn" key={w}>
                  {w}
                </p>
              ))}
            </div>
          </div>
          {decision.shipments && (
            <>
              <h3>Split into {decision.shipments.length} parcels</h3>
              <ul>
                {decision.shipments.map((s) => (
                  <li key={s.node.id}>
                    {s.node.name}: {s.lines.map((l) => `${l.qty}× ${l.sku}`).join(', ')} — {s.promise.min_hours}–{s.promise.max_hours} h
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>The other warehouses</h3>
          <Alternatives alts={decision.alternatives} />
          <h3>Photos shown to this buyer</h3>
          <div class="thumbs">
            {decision.images.map((v) => (
              <figure key={v.view}>
                <img src={v.card} sizes="140px" alt={v.view} />
                <figcaption>
                  {v.view}
                  {v.hub ? ` · photo from ${v.hub}` : ' · master photo'}
                </figcaption>
              </figure>
            ))}
          </div>
        </section>
      )}
    </main>
  );
}

function Alternatives({ alts }: { alts: Decision['alternatives'] }) {
  if (!alts.length) return <p class="muted">There are no other warehouses.</p>;
  return (
    <table class="list" id="route-alternatives">
      <thead>
        <tr>
          <th>Warehouse</th>
          <th>Outcome</th>
          <th>Rule</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {alts.map((a) => (
          <tr key={a.node.id}>
            <td>
              {a.node.name} <span class="muted">({a.node.id})</span>
            </td>
            <td>
              {a.reason ? (
                <span class="bad">{reasonText[a.reason] ?? a.reason}</span>
              ) : (
                <span>
                  could ship, ranked lower{a.max_hours ? ` (${a.max_hours} h)` : ''}
                </span>
              )}
            </td>
            <td>{a.rule ?? (a.reason ? <span class="muted">built-in check</span> : '')}</td>
            <td class="muted">{[a.detail, a.distance_km >= 0 ? `${a.distance_km} km away` : ''].filter(Boolean).join(' · ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
