import './styles.css';
import { createRoot } from 'react-dom/client';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { gql, GraphQLRequestError, KEY_STORAGE } from './api';
import { day } from './format';
import { MODEL_LABELS, MODELS, type Model, type PageState, PRESET_LABELS, PRESETS, type Preset, usePageState, type View, VIEWS, windowOf } from './state';
import { AccountsView } from './views/accounts';
import { AlignmentView } from './views/alignment';
import { AttributionView } from './views/attribution';
import { DealView } from './views/deal';
import { FunnelView } from './views/funnel';
import { OverviewView } from './views/overview';
import { QualificationView } from './views/qualification';

const VIEW_LABELS: Record<View, string> = {
  overview: 'Overview',
  attribution: 'Attribution',
  funnel: 'Funnel',
  alignment: 'Alignment',
  accounts: 'Accounts',
  qualification: 'Qualification',
  deal: 'A deal',
};

/** Any role may read this; it tells a working key from a refused one. */
const CHECK_KEY = '{ currentAgreement { id } }';

function SignIn({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = key.trim();
    if (!value) return setError('Enter an API key.');
    setBusy(true);
    setError('');
    try {
      await gql(value, CHECK_KEY);
      sessionStorage.setItem(KEY_STORAGE, value);
      onKey(value);
    } catch (e) {
      setError(e instanceof GraphQLRequestError && e.status === 401 ? 'That key was refused: check it, or ask an admin for a new one.' : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Revenue alignment</h1>
        <p>Sign in with your API key. It is kept for this browser tab only, and forgotten when you close it.</p>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby={error ? 'signin-error' : undefined} autoFocus />
        {error && (
          <p id="signin-error" className="status error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          The GraphQL IDE is at <a href="/graphql">/graphql</a>.
        </p>
      </form>
    </main>
  );
}

function Controls({ state, update }: { state: PageState; update: (c: Partial<PageState>) => void }) {
  const w = windowOf(state);
  const last = new Date(new Date(w.to).getTime() - 86_400_000).toISOString();
  return (
    <form className="controls" aria-label="Report settings" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor="window-preset">Window</label>
        <select id="window-preset" value={state.preset} onChange={(e) => update({ preset: e.target.value as Preset })}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {PRESET_LABELS[p]}
            </option>
          ))}
        </select>
      </div>
      {state.preset === 'custom' && (
        <>
          <div className="field">
            <label htmlFor="window-from">From</label>
            <input id="window-from" type="date" value={state.from} max={state.to} onChange={(e) => e.target.value && update({ from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="window-to">To (included)</label>
            <input id="window-to" type="date" value={state.to} min={state.from} onChange={(e) => e.target.value && update({ to: e.target.value })} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor="model">Attribution model</label>
        <select id="model" value={state.model} onChange={(e) => update({ model: e.target.value as Model })}>
          {MODELS.map((m) => (
            <option key={m} value={m}>
              {MODEL_LABELS[m]}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="field scope">
        <legend>Journey</legend>
        <div className="switch">
          {(['ACCOUNT', 'CONTACTS'] as const).map((s) => (
            <label key={s}>
              <input type="radio" name="scope" value={s} checked={state.scope === s} onChange={() => update({ scope: s })} />
              {s === 'ACCOUNT' ? 'Whole account' : "Deal's contacts"}
            </label>
          ))}
        </div>
      </fieldset>
      <p className="window-text" data-testid="window-text">
        {day(w.from)} – {day(last)} (UTC)
      </p>
    </form>
  );
}

function App() {
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_STORAGE) ?? '');
  const [state, update] = usePageState();
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    document.title = `${VIEW_LABELS[state.view]} · Revenue alignment`;
    // moving to another view puts the keyboard focus on its heading
    if (!first.current) heading.current?.focus();
    first.current = false;
  }, [state.view]);
  if (!key) return <SignIn onKey={setKey} />;
  const signOut = () => {
    sessionStorage.removeItem(KEY_STORAGE);
    setKey('');
  };
  const props = { apiKey: key, state, update };
  return (
    <div className="app">
      <a className="skip" href="#content">
        Skip to the report
      </a>
      <header className="top">
        <span className="brand">Revenue alignment</span>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((v) => (
              <li key={v}>
                <a
                  href={`?view=${v}`}
                  aria-current={state.view === v ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    update({ view: v });
                  }}
                >
                  {VIEW_LABELS[v]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="actions">
          <a href="/graphql">GraphQL IDE</a>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <Controls state={state} update={update} />
      <main id="content">
        <h1 ref={heading} tabIndex={-1}>
          {VIEW_LABELS[state.view]}
        </h1>
        {state.view === 'overview' && <OverviewView {...props} />}
        {state.view === 'attribution' && <AttributionView {...props} />}
        {state.view === 'funnel' && <FunnelView {...props} />}
        {state.view === 'alignment' && <AlignmentView {...props} />}
        {state.view === 'accounts' && <AccountsView {...props} />}
        {state.view === 'qualification' && <QualificationView {...props} />}
        {state.view === 'deal' && <DealView {...props} />}
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
