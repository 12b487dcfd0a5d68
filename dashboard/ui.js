// Shared pieces of the dashboard: htm bound to Preact, navigation, polling,
// and small components. Plugin-supplied text is only ever rendered as text
// (Preact escapes it); nothing here sets HTML.
import { h, render } from './vendor/preact/preact.mjs';
import { useEffect, useState, useRef, useCallback } from './vendor/preact/hooks.mjs';
import htm from './vendor/htm/htm.mjs';
import { fieldErrors } from './api.js';

export const html = htm.bind(h);
export { render, useEffect, useState, useRef, useCallback };

// --- routing: the History API, so deep links and the back button work ---
const routeListeners = new Set();
export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  routeListeners.forEach((f) => f(location.pathname + location.search));
}
window.addEventListener('popstate', () => routeListeners.forEach((f) => f(location.pathname + location.search)));

export function useRoute() {
  const [route, setRoute] = useState(location.pathname + location.search);
  useEffect(() => { routeListeners.add(setRoute); return () => routeListeners.delete(setRoute); }, []);
  return route;
}

// An in-app link: a real <a href> (open in a new tab works), navigated without a reload.
export function Link({ href, children, cls }) {
  const click = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} class=${cls} onClick=${click}>${children}</a>`;
}

// --- live data: polls while the tab is visible, pauses while it is hidden ---
export function usePoll(load, intervalMs, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const tick = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++tick.current;
    try {
      const data = await load();
      if (mine === tick.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === tick.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    let timer = null;
    // Visible: load now and every intervalMs; hidden: nothing until it shows again.
    const arm = () => {
      clearInterval(timer);
      timer = null;
      if (document.visibilityState !== 'visible') return;
      refresh();
      if (intervalMs > 0) timer = setInterval(refresh, intervalMs);
    };
    arm();
    document.addEventListener('visibilitychange', arm);
    return () => { clearInterval(timer); document.removeEventListener('visibilitychange', arm); };
  }, [refresh, intervalMs]);
  return { ...state, refresh };
}

// --- forms that the server checks ---
// A save's state: busy while it runs, then its message, or the failure with
// the server's problems by field (err.body.errors) for the controls to show.
//   const form = useSave();
//   onSubmit=${(e) => { e.preventDefault(); form.run(() => api.post(...), 'Saved.'); }}
export function useSave() {
  const [state, setState] = useState({ busy: false, message: null, failure: null, errors: {} });
  const run = async (save, okMessage) => {
    setState({ busy: true, message: null, failure: null, errors: {} });
    try {
      await save();
      setState({ busy: false, message: okMessage, failure: null, errors: {} });
    } catch (err) {
      setState({ busy: false, message: null, failure: err, errors: fieldErrors(err) });
    }
  };
  const fail = (err) => setState({ busy: false, message: null, failure: err, errors: {} });
  return { ...state, run, fail };
}

// --- server-sent events, with polling as the fallback ---
// Subscribes to /api/events while this tab is visible: through the shared
// worker (one stream for all tabs) where there is one, else a stream of this
// tab's own. onPoll() is called when the server has no stream to spare or
// the stream keeps failing. Returns the unsubscribe function.
function subscribe(onOverview, onPoll) {
  if (typeof SharedWorker === 'function') {
    const worker = new SharedWorker('/ui/events-worker.js', { name: 'pier-events' });
    const port = worker.port;
    port.onmessage = (m) => (m.data.type === 'overview' ? onOverview(JSON.parse(m.data.data)) : onPoll());
    port.start();
    const visible = () => port.postMessage({ type: 'visible', visible: document.visibilityState === 'visible' });
    const bye = () => port.postMessage({ type: 'bye' });
    visible();
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('pagehide', bye);
    return () => { bye(); port.close(); document.removeEventListener('visibilitychange', visible); window.removeEventListener('pagehide', bye); };
  }
  let source = null;
  let failures = 0;
  const close = () => { if (source) { source.close(); source = null; } };
  const open = () => {
    close();
    if (document.visibilityState !== 'visible' || typeof EventSource !== 'function') return;
    source = new EventSource('/api/events');
    source.addEventListener('overview', (e) => { failures = 0; onOverview(JSON.parse(e.data)); });
    source.addEventListener('full', () => { close(); onPoll(); });
    source.onerror = () => { if (source && (source.readyState === EventSource.CLOSED || ++failures >= 3)) { close(); onPoll(); } };
  };
  open();
  document.addEventListener('visibilitychange', open);
  return () => { close(); document.removeEventListener('visibilitychange', open); };
}

// The overview document, pushed (see subscribe) or, as the fallback, `load`
// polled every intervalMs. `live` says which.
export function useLiveOverview(load, intervalMs) {
  const streams = typeof SharedWorker === 'function' || typeof EventSource === 'function';
  const [mode, setMode] = useState(streams ? 'stream' : 'poll');
  const [pushed, setPushed] = useState(null);
  useEffect(() => (mode === 'stream' ? subscribe(setPushed, () => setMode('poll')) : undefined), [mode]);
  // Streaming: one load for a first picture (then the events); polling: every intervalMs.
  const polled = usePoll(load, mode === 'poll' ? intervalMs : 0, [mode]);
  if (mode === 'stream' && pushed) return { data: pushed, error: null, loading: false, live: true };
  return { ...polled, live: false };
}

// A small line of recent values (oldest first), drawn as SVG: no canvas, no inline style.
export function Sparkline({ values, label }) {
  if (!values || values.length < 2) return html`<span class="muted small">—</span>`;
  const w = 90, hgt = 20, max = Math.max(1, ...values);
  const points = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(hgt - 1 - (v / max) * (hgt - 2)).toFixed(1)}`).join(' ');
  const total = values.reduce((a, b) => a + b, 0);
  return html`<svg class="sparkline" viewBox=${`0 0 ${w} ${hgt}`} width=${w} height=${hgt} role="img"
    aria-label=${`${label}: ${total} in the last ${values.length * 10} s`}>
    <title>${`${total} finished in the last ${Math.round(values.length / 6)} min (peak ${max} per 10 s)`}</title>
    <polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" /></svg>`;
}

// --- formatting ---
export function ago(ms) {
  if (ms == null) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
export function when(unixMs) {
  if (!unixMs) return '—';
  const d = new Date(unixMs);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
export function relative(unixMs) {
  if (!unixMs) return '—';
  const diff = unixMs - Date.now();
  return diff >= 0 ? `in ${ago(diff)}` : `${ago(-diff)} ago`;
}

export function Badge({ kind, children }) {
  return html`<span class=${'badge badge-' + kind}>${children}</span>`;
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

// A button that runs `action` (a promise), shows it is busy, and reports the outcome.
export function ActionButton({ label, action, confirm: question, danger, disabled, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    if (question && !window.confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone && onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${danger ? 'danger' : ''} disabled=${busy || disabled} onClick=${run}>${busy ? '…' : label}</button>
    ${error && html`<span class="error inline" role="alert">${error.message}</span>`}
  </span>`;
}

// The caller's role decides whether actions show at all.
let role = 'none';
export const session = {
  get role() { return role; },
  set role(r) { role = r; },
  get canChange() { return role === 'admin'; },
};
