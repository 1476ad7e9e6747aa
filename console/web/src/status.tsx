import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ReplicaStatus, get } from './api';
import { age } from './format';

// How often the banner asks the replica for its state: often enough to
// show an outage while the operator looks at the console, cheap for the
// server (GET /admin/status does no store I/O).
const pollMs = 10_000;

/** A warning across the top of every panel. */
export function Warning({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="warning" role="alert">
      <strong>{title}</strong> {children}
    </div>
  );
}

function secondsSince(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : (Date.now() - t) / 1000;
}

/**
 * ReplicaWarnings shows what the replica reports as degraded: a store
 * outage (the replica stays ready: images already in memory and routing
 * keep answering, the rest fails fast), a failed catalog reload, wedged
 * render workers. Nothing shows while all is well.
 */
export function ReplicaWarnings() {
  const [st, setSt] = useState<ReplicaStatus | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      get<ReplicaStatus>('/admin/status')
        .then((s) => live && setSt(s))
        .catch(() => {}); // the panels report a server that does not answer
    load();
    const id = setInterval(load, pollMs);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, []);
  if (!st) return null;
  return (
    <div id="replica-warnings">
      {st.store.degraded && (
        <Warning title="The store is not answering.">
          Since {age(secondsSince(st.store.since))}: images already in memory and shipping decisions still work, but new
          images, rule and stock changes fail until it is back. Last success {age(secondsSince(st.store.last_success))}.
          {st.store.last_error && <code class="detail">{st.store.last_error}</code>}
        </Warning>
      )}
      {st.catalog.reload_error && (
        <Warning title="The catalog did not reload.">
          The last good catalog keeps serving. <code class="detail">{st.catalog.reload_error}</code>
        </Warning>
      )}
      {!st.render_workers_alive && (
        <Warning title="Image rendering is stuck.">
          No render has finished for a while; this server is out of service until it recovers.
        </Warning>
      )}
    </div>
  );
}
