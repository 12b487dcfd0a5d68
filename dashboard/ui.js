// Shared pieces of the dashboard: htm bound to Preact, navigation, polling,
// and small components. Plugin-supplied text is only ever rendered as text
// (Preact escapes it); nothing here sets HTML.
import { h, render } from './vendor/preact/preact.mjs';
import { useEffect, useState, useRef, useCallback } from './vendor/preact/hooks.mjs';
import htm from './vendor/htm/htm.mjs';

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
