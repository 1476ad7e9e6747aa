// The console's only way to the server: every call carries the admin token
// the operator typed, kept in sessionStorage so it ends with the tab.

const tokenKey = 'edgeshelf.admin-token';

export function getToken(): string {
  return sessionStorage.getItem(tokenKey) ?? '';
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

/** A problem+json answer (RFC 9457), or a network failure as one. */
export class ApiError extends Error {
  status: number;
  code: string;
  field?: string;
  body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.detail ?? body.title ?? `HTTP ${status}`));
    this.status = status;
    this.code = String(body.code ?? 'http_error');
    this.field = body.field as string | undefined;
    this.body = body;
  }
}

type Body = { json: unknown } | { yaml: string } | undefined;

export async function api<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body && 'json' in body) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body && 'yaml' in body) {
    headers['Content-Type'] = 'application/yaml';
    payload = body.yaml;
  }
  let resp: Response;
  try {
    resp = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: `The server did not answer (${String(e)}).` });
  }
  const text = await resp.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { detail: text };
  }
  if (!resp.ok) throw new ApiError(resp.status, (data ?? {}) as Record<string, unknown>);
  return data as T;
}

export const get = <T,>(path: string) => api<T>('GET', path);
export const post = <T,>(path: string, json: unknown) => api<T>('POST', path, { json });

// ---- Shapes of the answers the console reads ----

export interface Swatch {
  view: string;
  rect: number[];
  lab: number[];
  hex: string;
  in_srgb_gamut: boolean;
}

export interface CatalogSKU {
  id: string;
  title: string;
  views: string[];
  swatch?: Swatch;
  hub_photos: Record<string, string[]>;
}

export interface CatalogHub {
  id: string;
  name: string;
  kind: string;
  region: string;
  country: string;
  lat: number;
  lon: number;
  tz: string;
  cutoff: string;
  carriers: string[];
}

export interface CatalogInfo {
  skus: CatalogSKU[];
  hubs: CatalogHub[];
  locales: { tag: string; colour?: string; space: string }[];
  default_locale: string;
  presets: { name: string; width: number; height: number; fit: string }[];
  regions: Record<string, string[]>;
  formats: string[];
  delta_e_threshold: number;
  routing: boolean;
}

export interface Variant {
  format: string;
  url: string;
  content_type?: string;
  bytes: number;
  width?: number;
  height?: number;
  delta_e?: number;
  tier?: string;
  render_ms?: number;
  icc?: string;
  error?: string;
  code?: string;
}

export interface VariantCell {
  locale: string;
  resolved_locale: string;
  hub: string;
  hub_photo: boolean;
  source: string;
  colour_profile: string;
  space: string;
  intent: string;
  variants: Variant[];
}

export interface VariantGrid {
  sku: string;
  title: string;
  view: string;
  preset: string;
  delta_e_threshold: number;
  swatch?: Swatch;
  cells: VariantCell[];
}

export interface Node {
  id: string;
  name: string;
  region: string;
  kind: string;
}

export interface CarrierOption {
  id: string;
  name: string;
  min_hours: number;
  max_hours: number;
  state?: string; // primary, fallback or unavailable
  breaker?: string; // closed, half-open or open
}

/** Decisions list carriers with their state; older servers sent {primary, fallbacks}. */
export type Carriers = CarrierOption[] | { primary: CarrierOption; fallbacks: CarrierOption[] | null };

export function carrierList(c: Carriers): CarrierOption[] {
  if (Array.isArray(c)) return c;
  return [{ ...c.primary, state: 'primary' }, ...(c.fallbacks ?? []).map((f) => ({ ...f, state: 'fallback' }))];
}

export interface Promise_ {
  min_hours: number;
  max_hours: number;
  order_by: string;
  ships_on: string;
  earliest_delivery: string;
  latest_delivery: string;
  tz: string;
}

export interface Alternative {
  node: Node;
  score?: number;
  max_hours?: number;
  distance_km: number;
  rule?: string;
  reason?: string;
  detail?: string;
}

export interface ImageView {
  sku: string;
  view: string;
  hub?: string;
  card?: string;
  pdp?: string;
  zoom?: string;
  srcset?: string;
}

export interface Decision {
  decision_id: string;
  rules_version: string;
  locale: string;
  destination_region: string;
  node: Node;
  promise: Promise_;
  badge: string;
  badge_stale: boolean;
  inventory_age_s: number;
  carriers: Carriers;
  score: number;
  distance_km: number;
  shipments?: { node: Node; lines: { sku: string; qty: number }[]; promise: Promise_; distance_km: number }[];
  alternatives: Alternative[];
  warnings?: string[];
  images: ImageView[];
}

export interface RuleProblem {
  path?: string;
  line?: number;
  message: string;
}

export interface DryRunResult {
  order: string;
  active: string;
  dry_run: string;
  changed: boolean;
}

export interface RulesChange {
  activated: boolean;
  dry_run: boolean;
  rules_version: string;
  previous_version: string;
  rules: number;
  n?: number;
  archived?: number;
  report: { active_version: string; candidate_version: string; orders: number; changed: number; results: DryRunResult[] } | null;
  unmet_expectations: string[];
  reference_error?: string;
}

export interface ActiveRules {
  stored: boolean;
  yaml: string;
  etag?: string;
  serving: string;
  rules: number;
}

export interface RulesVersion {
  n: number;
  key: string;
  rules_version: string;
  stored_at: string;
  active: boolean;
  valid: boolean;
  problem?: string;
}

export interface TierStats {
  name: string;
  hits: number;
  misses: number;
  hit_ratio: number;
  hit_bytes: number;
  errors: number;
}

export interface KeyStats {
  key: string;
  sku: string;
  requests: number;
  error: number;
  bytes: number;
  content_type: string;
  width: number;
  height: number;
  tags: string[] | null;
  last_tier: string;
}

export interface KeyVariant {
  view: string;
  preset: string;
  format: string;
  hub?: string;
  locales: string[];
}

export interface CacheInfo {
  stats: { tiers: TierStats[]; renders: number; singleflight_shared: number; top: KeyStats[] };
  variants: Record<string, KeyVariant>;
  l1?: { bytes: number; budget: number; entries: number; evictions: number };
}

export interface HubStock {
  hub: string;
  name: string;
  kind: string;
  loaded: boolean;
  seq?: number;
  as_of?: string;
  age_s?: number;
  items?: Record<string, number>;
}

export interface Override {
  id: string;
  hub: string;
  sku?: string;
  qty?: number;
  disabled?: boolean;
  reason: string;
  expires_at: string;
  created_at: string;
  operator: string;
}

export interface InventoryInfo {
  now: string;
  hubs: HubStock[];
  overrides: Override[];
}

export interface WarmJob {
  id: string;
  hub: string;
  state: string;
  total: number;
  done: number;
  rendered: number;
  already_cached: number;
  failed: number;
  errors?: string[];
}

/** GET /admin/status: this replica's readiness and degraded states. */
export interface ReplicaStatus {
  version: string;
  ready: boolean;
  draining: boolean;
  render_workers_alive: boolean;
  catalog: { loaded: boolean; skus: number; reload_error?: string };
  store: {
    degraded: boolean;
    since?: string;
    last_success?: string;
    last_error?: string;
    last_error_at?: string;
  };
}
