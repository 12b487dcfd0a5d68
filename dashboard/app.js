// The Pier dashboard: sign-in, layout, routes, keyboard shortcuts.
import { api, onUnauthorized } from './api.js';
import { html, render, useEffect, useState, useRoute, Link, navigate, session } from './ui.js';
import { Overview } from './pages/overview.js';
import { PluginPage } from './pages/plugin.js';
import { QueuePage } from './pages/queue.js';
import { TaskPage } from './pages/task.js';
import { SchedulesPage } from './pages/schedules.js';
import { RunningPage } from './pages/running.js';
import { LogsPage } from './pages/logs.js';
import { AuditPage } from './pages/audit.js';

// The login URL carries the token in its fragment, which browsers never
// send: exchange it for a session cookie at once and drop it from the
// address bar and history.
async function signInFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, '', location.pathname + location.search);
  try { await api.post('/api/session', { token: decodeURIComponent(m[1]) }); } catch { /* shown as signed out */ }
}

function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api.post('/api/session', { token: token.trim() });
      onSignedIn();
    } catch (err) {
      setError(err);
    }
  };
  return html`<main class="signin">
    <h1>Pier</h1>
    <p>Open the login URL that <code>pier serve</code> printed, or paste a token from <code>&lt;data&gt;/pier.admin</code>
      (line 2: full access; line 3: read-only).</p>
    <form onSubmit=${submit}>
      <label>Token <input type="password" autocomplete="off" value=${token} onInput=${(e) => setToken(e.target.value)} /></label>
      <button type="submit">Sign in</button>
    </form>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
  </main>`;
}

function Help({ onClose }) {
  return html`<div class="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick=${onClose}>
    <div class="panel" onClick=${(e) => e.stopPropagation()}>
      <h2>Keyboard shortcuts</h2>
      <dl class="keys">
        <dt><kbd>/</kbd></dt><dd>search on this page</dd>
        <dt><kbd>g</kbd> <kbd>o</kbd></dt><dd>overview</dd>
        <dt><kbd>g</kbd> <kbd>s</kbd></dt><dd>schedules</dd>
        <dt><kbd>g</kbd> <kbd>r</kbd></dt><dd>running now</dd>
        <dt><kbd>g</kbd> <kbd>l</kbd></dt><dd>logs</dd>
        <dt><kbd>g</kbd> <kbd>a</kbd></dt><dd>audit</dd>
        <dt><kbd>t</kbd></dt><dd>light or dark</dd>
        <dt><kbd>?</kbd></dt><dd>this help</dd>
        <dt><kbd>Esc</kbd></dt><dd>close</dd>
      </dl>
      <button type="button" onClick=${onClose}>Close</button>
    </div>
  </div>`;
}

const THEME_KEY = 'pier-theme';
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try { localStorage.setItem(THEME_KEY, theme); } catch { /* private mode */ }
}
function currentTheme() {
  return document.documentElement.dataset.theme ||
    (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}
try { const t = localStorage.getItem(THEME_KEY); if (t) document.documentElement.dataset.theme = t; } catch { /* */ }

function Page({ route }) {
  const path = route.split('?')[0];
  let m;
  if (path === '/') return html`<${Overview} />`;
  if (path === '/schedules') return html`<${SchedulesPage} />`;
  if (path === '/running') return html`<${RunningPage} />`;
  if (path === '/logs') return html`<${LogsPage} />`;
  if (path === '/audit') return html`<${AuditPage} />`;
  if ((m = /^\/plugins\/([^/]+)\/queues\/([^/]+)$/.exec(path))) {
    return html`<${QueuePage} plugin=${decodeURIComponent(m[1])} queue=${decodeURIComponent(m[2])} />`;
  }
  if ((m = /^\/plugins\/([^/]+)\/tasks\/([^/]+)$/.exec(path))) {
    return html`<${TaskPage} plugin=${decodeURIComponent(m[1])} task=${decodeURIComponent(m[2])} />`;
  }
  if ((m = /^\/plugins\/([^/]+)$/.exec(path))) return html`<${PluginPage} id=${decodeURIComponent(m[1])} />`;
  return html`<main><h1>Not found</h1><p>Nothing lives at <code>${path}</code>.</p><${Link} href="/">Overview</${Link}></main>`;
}

function App() {
  const route = useRoute();
  const [state, setState] = useState({ checked: false, role: 'none', readOnly: false });
  const [help, setHelp] = useState(false);
  const check = async () => {
    try {
      const s = await api.get('/api/session');
      session.role = s.role;
      setState({ checked: true, role: s.role, readOnly: s.readOnly });
    } catch {
      session.role = 'none';
      setState({ checked: true, role: 'none', readOnly: false });
    }
  };
  // A 401 anywhere means the session ended (expired, signed out elsewhere): show the sign-in page.
  const signedOut = () => { session.role = 'none'; setState({ checked: true, role: 'none', readOnly: false }); };
  useEffect(() => { signInFromFragment().then(check); return onUnauthorized(signedOut); }, []);
  useEffect(() => {
    let pending = '';
    const key = (e) => {
      if (e.target.closest && e.target.closest('input, textarea, select')) {
        if (e.key === 'Escape') e.target.blur();
        return;
      }
      if (e.key === '?') { setHelp((v) => !v); e.preventDefault(); return; }
      if (e.key === 'Escape') { setHelp(false); return; }
      if (e.key === '/') {
        const search = document.querySelector('[data-search]');
        if (search) { search.focus(); e.preventDefault(); }
        return;
      }
      if (e.key === 't') { applyTheme(currentTheme() === 'dark' ? 'light' : 'dark'); return; }
      const goTo = { o: '/', s: '/schedules', r: '/running', l: '/logs', a: '/audit' };
      if (pending === 'g' && goTo[e.key]) { navigate(goTo[e.key]); pending = ''; return; }
      pending = e.key;
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, []);
  if (!state.checked) return html`<p class="loading">Loading…</p>`;
  if (state.role === 'none') return html`<${SignIn} onSignedIn=${check} />`;
  const signOut = async () => { try { await api.del('/api/session'); } finally { check(); } };
  return html`<div class="shell">
    <header class="top">
      <${Link} href="/" cls="brand">Pier</${Link}>
      <nav>
        <${Link} href="/">Overview</${Link}>
        <${Link} href="/schedules">Schedules</${Link}>
        <${Link} href="/running">Running</${Link}>
        <${Link} href="/logs">Logs</${Link}>
        <${Link} href="/audit">Audit</${Link}>
      </nav>
      <span class="spacer"></span>
      ${state.role !== 'admin' && html`<span class="badge badge-muted" title="changes are refused">read-only</span>`}
      <button type="button" class="ghost" title="Light or dark (t)" onClick=${() => applyTheme(currentTheme() === 'dark' ? 'light' : 'dark')}>◐</button>
      <button type="button" class="ghost" title="Keyboard shortcuts (?)" onClick=${() => setHelp(true)}>?</button>
      <button type="button" class="ghost" onClick=${signOut}>Sign out</button>
    </header>
    <${Page} route=${route} />
    ${help && html`<${Help} onClose=${() => setHelp(false)} />`}
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
