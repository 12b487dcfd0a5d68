// The plugins' log lines, live: what arrived since the last line shown, by
// plugin and level, the newest 2,000 kept in the page.
import { api } from '../api.js';
import { html, useEffect, useState, useRef, ErrorNote, when } from '../ui.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const KEEP = 2000;

export function LogsPage() {
  const params = new URLSearchParams(location.search);
  const [plugin, setPlugin] = useState(params.get('plugin') || '');
  const [level, setLevel] = useState(params.get('level') || 'info');
  const [lines, setLines] = useState([]);
  const [dropped, setDropped] = useState(0);
  const [error, setError] = useState(null);
  const [paused, setPaused] = useState(false);
  const after = useRef(0);
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  useEffect(() => {
    after.current = 0;
    setLines([]);
    history.replaceState(null, '', `/logs?${new URLSearchParams({ plugin, level })}`);
    let stop = false;
    let timer = null;
    const load = async () => {
      if (stop || pausedRef.current || document.visibilityState !== 'visible') return;
      try {
        const q = new URLSearchParams({ plugin, level, after: String(after.current), limit: '500' });
        const page = await api.get(`/api/logs?${q}`);
        if (stop) return;
        after.current = Math.max(after.current, page.lastSeq);
        setDropped(page.dropped);
        if (page.lines.length) setLines((old) => old.concat(page.lines).slice(-KEEP));
        setError(null);
      } catch (e) {
        setError(e);
      }
    };
    load();
    timer = setInterval(load, 1000);
    return () => { stop = true; clearInterval(timer); };
  }, [plugin, level]);
  return html`<main>
    <div class="page-head">
      <h1>Logs</h1>
      <div class="actions">
        <input type="search" data-search placeholder="Plugin ID (/)" aria-label="Plugin" value=${plugin}
          onChange=${(e) => setPlugin(e.target.value.trim())} />
        <label>Level <select value=${level} onChange=${(e) => setLevel(e.target.value)}>
          ${LEVELS.map((l) => html`<option value=${l}>${l}</option>`)}</select></label>
        <button type="button" onClick=${() => setPaused(!paused)}>${paused ? 'Resume' : 'Pause'}</button>
      </div>
    </div>
    <${ErrorNote} error=${error} />
    ${dropped > 0 && html`<p class="muted small">${dropped} older line(s) no longer kept by the server.</p>`}
    <div class="log" role="log" aria-live="polite">${lines.length
      ? lines.map((l) => html`<div class=${'line lvl-' + l.level} key=${l.seq}>
          <span class="muted">${when(l.at)}</span> <span class="lvl">${l.level}</span> <strong>${l.plugin}</strong> ${l.message}</div>`)
      : html`<p class="muted">No lines yet.</p>`}</div>
  </main>`;
}
