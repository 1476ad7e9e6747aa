import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, CatalogInfo, get, getToken, setToken } from './api';
import { VariantsPanel } from './variants';
import { RoutingPanel } from './routing';
import { RulesPanel } from './rules';
import { CachePanel } from './cache';
import { StockingPanel } from './stocking';
import { ReplicaWarnings } from './status';
import './style.css';

const panels = [
  { id: 'variants', label: 'Product images', Panel: VariantsPanel },
  { id: 'routing', label: 'Shipping simulator', Panel: RoutingPanel },
  { id: 'rules', label: 'Routing rules', Panel: RulesPanel },
  { id: 'cache', label: 'Cache & stock', Panel: CachePanel },
  { id: 'stocking', label: 'Stocking', Panel: StockingPanel },
] as const;

type PanelID = (typeof panels)[number]['id'];

function currentPanel(): PanelID {
  const h = location.hash.replace('#', '');
  return (panels.find((p) => p.id === h)?.id ?? 'variants') as PanelID;
}

function Login({ onIn, message }: { onIn: (c: CatalogInfo) => void; message: string }) {
  const [token, setTok] = useState('');
  const [error, setError] = useState(message);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setToken(token.trim());
    try {
      onIn(await get<CatalogInfo>('/admin/console/catalog'));
    } catch (err) {
      setToken('');
      const ae = err as ApiError;
      setError(
        ae.code === 'admin_disabled'
          ? 'The admin API is switched off on this server: start edgeshelf with --admin-token-file.'
          : ae.status === 401
            ? 'That token was not accepted. Check the token file the server was started with.'
            : ae.message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} class="card">
        <h1>edgeshelf console</h1>
        <p>Enter the admin token to see your shop's images, shipping and stock. It stays in this tab only.</p>
        <label>
          Admin token
          <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => setTok(e.currentTarget.value)} autofocus />
        </label>
        <button id="login" type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function App() {
  const [cat, setCat] = useState<CatalogInfo | null>(null);
  const [panel, setPanel] = useState<PanelID>(currentPanel());
  const [message, setMessage] = useState('');
  const [checking, setChecking] = useState(getToken() !== '');

  useEffect(() => {
    const onHash = () => setPanel(currentPanel());
    addEventListener('hashchange', onHash);
    if (getToken()) {
      get<CatalogInfo>('/admin/console/catalog')
        .then(setCat)
        .catch((e: ApiError) => {
          setToken('');
          setMessage(e.status === 401 ? 'Your session ended: sign in again.' : e.message);
        })
        .finally(() => setChecking(false));
    }
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (checking) return <main class="login">Loading…</main>;
  if (!cat) return <Login onIn={setCat} message={message} />;
  const signOut = () => {
    setToken('');
    setCat(null);
    setMessage('');
  };
  return (
    <div class="shell">
      <header>
        <strong>edgeshelf</strong>
        <nav>
          {panels.map((p) => (
            <a key={p.id} href={`#${p.id}`} id={`tab-${p.id}`} class={p.id === panel ? 'active' : ''}>
              {p.label}
            </a>
          ))}
        </nav>
        <button class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <ReplicaWarnings />
      {panels.map(({ id, Panel }) => (id === panel ? <Panel key={id} cat={cat} /> : null))}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
