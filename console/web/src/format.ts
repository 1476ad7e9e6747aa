// Numbers as a shop owner reads them.

export function bytes(n: number | undefined): string {
  if (n === undefined || n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0)}%`;
}

export function age(seconds: number | undefined): string {
  if (seconds === undefined) return 'never';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400 * 2) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function until(iso: string, now = Date.now()): string {
  const s = (Date.parse(iso) - now) / 1000;
  if (s <= 0) return 'expired';
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86400 * 2) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
}

export function dateTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
}

/** A civil date (2026-03-27) as "Fri 27 Mar". */
export function day(civil: string): string {
  const d = new Date(`${civil}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return civil;
  return d.toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
}

export function formatName(f: string): string {
  return ({ avif: 'AVIF', webp: 'WebP', jpg: 'JPEG', jpeg: 'JPEG', png: 'PNG' } as Record<string, string>)[f] ?? f;
}

export function tierName(t: string | undefined): string {
  return ({ l1: 'memory (L1)', l2: 'store (L2)', render: 'fresh render' } as Record<string, string>)[t ?? ''] ?? (t || '—');
}

export function spaceName(s: string): string {
  return ({ srgb: 'sRGB', p3: 'Display P3' } as Record<string, string>)[s] ?? s;
}
