import { useEffect, useRef, useState } from 'preact/hooks';
import { ActiveRules, api, ApiError, CatalogInfo, get, post, RuleProblem, RulesChange, RulesVersion } from './api';
import { dateTime } from './format';

// Editing the routing rules safely: the text must pass the server's check
// and dry run (the reference orders replayed) before Activate is offered,
// and every change is a stored version that can be rolled back.

export function RulesPanel(_: { cat: CatalogInfo }) {
  const [active, setActive] = useState<ActiveRules | null>(null);
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<{ text: string; change: RulesChange } | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [versions, setVersions] = useState<RulesVersion[]>([]);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmN, setConfirmN] = useState<number | null>(null);
  const [preview, setPreview] = useState<{ n: number; yaml: string } | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  const reload = async (keepText = false) => {
    const [a, v] = await Promise.all([get<ActiveRules>('/admin/rules/active'), get<{ versions: RulesVersion[] }>('/admin/rules/versions')]);
    setActive(a);
    setVersions(v.versions.slice().reverse());
    if (!keepText) setText(a.yaml);
  };
  useEffect(() => {
    reload().catch((e: ApiError) => setProblem(e));
  }, []);

  const run = async (dry: boolean) => {
    setBusy(true);
    setProblem(null);
    setDone('');
    try {
      const change = await api<RulesChange>('PUT', `/admin/rules${dry ? '?dry_run=1' : ''}`, { yaml: text });
      if (dry) {
        setChecked({ text, change });
      } else {
        setChecked(null);
        setDone(`Activated: rules ${change.rules_version} are live (stored as version ${change.n}).`);
        await reload();
      }
    } catch (e) {
      setChecked(null);
      setProblem(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const rollback = async (n: number) => {
    setBusy(true);
    setProblem(null);
    setConfirmN(null);
    try {
      const change = await post<RulesChange>(`/admin/rules/rollback/${n}`, {});
      setDone(`Rolled back: version ${n} (${change.rules_version}) is live again.`);
      setChecked(null);
      await reload();
    } catch (e) {
      setProblem(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const goToLine = (line?: number) => {
    const el = area.current;
    if (!el || !line) return;
    const lines = el.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };

  const problems = (problem?.body.problems as RuleProblem[] | undefined) ?? [];
  const ready = checked !== null && checked.text === text;
  const edited = active !== null && text !== active.yaml;
  const change = checked?.change;
  return (
    <main>
      <h2>Routing rules</h2>
      <p class="lead">
        The rules decide which warehouse ships each order. Edit them here, press <b>Check</b> to see which example orders would be
        decided differently, then <b>Activate</b>. Every activated version is kept, so you can always go back.
      </p>
      {active && (
        <p id="rules-serving">
          Live now: <b>{active.serving}</b> ({active.rules} rules){active.stored ? '' : ' — the built-in playbook, no rules file yet'}
          {edited && <span class="warn"> · you have unsaved edits</span>}
        </p>
      )}
      <div class="two wide-left">
        <div class="card">
          <textarea
            id="rules-text"
            ref={area}
            spellcheck={false}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setDone('');
            }}
          />
          <div class="buttons">
            <button id="rules-check" class="primary" disabled={busy} onClick={() => run(true)}>
              Check
            </button>
            <button id="rules-activate" class="danger" disabled={busy || !ready} onClick={() => run(false)} title={ready ? '' : 'Check the rules first'}>
              Activate
            </button>
            <button id="rules-revert" disabled={busy || !edited} onClick={() => active && (setText(active.yaml), setChecked(null), setProblem(null))}>
              Undo my edits
            </button>
          </div>
          {done && (
            <p class="good" role="status" id="rules-done">
              {done}
            </p>
          )}
          {problem && (
            <div class="error" role="alert" id="rules-error">
              <b>{problems.length ? `These rules have ${problems.length} problem${problems.length > 1 ? 's' : ''}; nothing was activated.` : problem.message}</b>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    <button class="link" onClick={() => goToLine(p.line)}>
                      {p.line ? `line ${p.line}` : 'file'}
                    </button>
                    {p.path ? ` (${p.path})` : ''}: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <div>
          {change && (
            <section class="card" id="rules-dryrun">
              <h3>The rules are valid: {change.rules} rules, version {change.rules_version}</h3>
              {change.reference_error && <p class="warn">{change.reference_error}</p>}
              {change.report && (
                <>
                  <p>
                    <b>{change.report.changed}</b> of {change.report.orders} example orders would ship differently.
                  </p>
                  <table class="list">
                    <thead>
                      <tr>
                        <th>Order</th>
                        <th>Now</th>
                        <th>With these rules</th>
                      </tr>
                    </thead>
                    <tbody>
                      {change.report.results.map((r) => (
                        <tr key={r.order} class={r.changed ? 'changed' : ''}>
                          <td>{r.order}</td>
                          <td>{r.active}</td>
                          <td>{r.changed ? <b>{r.dry_run}</b> : r.dry_run}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
              {change.unmet_expectations.length > 0 && (
                <div class="warn">
                  Orders the shop relies on would change:
                  <ul>
                    {change.unmet_expectations.map((u) => (
                      <li key={u}>{u}</li>
                    ))}
                  </ul>
                </div>
              )}
            </section>
          )}
          <section class="card">
            <h3>Versions</h3>
            <table class="list" id="rules-versions">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Rules</th>
                  <th>Stored</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.n} data-n={v.n} class={v.active ? 'current' : ''}>
                    <td>{v.n}</td>
                    <td>
                      {v.rules_version}
                      {v.active && <span class="pill">live</span>}
                      {!v.valid && <span class="pill bad" title={v.problem}>invalid</span>}
                    </td>
                    <td class="muted">{dateTime(v.stored_at)}</td>
                    <td class="nowrap">
                      <button
                        class="link"
                        onClick={async () => setPreview(await get<{ n: number; yaml: string }>(`/admin/rules/versions/${v.n}`))}
                      >
                        view
                      </button>{' '}
                      {!v.active &&
                        v.valid &&
                        (confirmN === v.n ? (
                          <button class="danger small" disabled={busy} onClick={() => rollback(v.n)}>
                            Yes, make it live
                          </button>
                        ) : (
                          <button class="small" onClick={() => setConfirmN(v.n)}>
                            Roll back to this
                          </button>
                        ))}
                    </td>
                  </tr>
                ))}
                {versions.length === 0 && (
                  <tr>
                    <td colSpan={4} class="muted">
                      No stored versions yet: the first activation keeps the current file as version 1.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
            {preview && (
              <div>
                <h4>
                  Version {preview.n}{' '}
                  <button class="link" onClick={() => (setText(preview.yaml), setChecked(null), setPreview(null))}>
                    copy into the editor
                  </button>{' '}
                  <button class="link" onClick={() => setPreview(null)}>
                    close
                  </button>
                </h4>
                <pre class="yaml">{preview.yaml}</pre>
              </div>
            )}
          </section>
        </div>
      </div>
    </main>
  );
}
