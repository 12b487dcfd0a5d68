// One queue: counts, pause and resume, retry every failed task, clear
// finished ones, enqueue from a form, and its tasks by state and search, a
// page at a time (keyset cursors from the server: deep pages cost what the
// first does).
import { api, seg, encodePayload, decodePayload } from '../api.js';
import { QueueCharts } from '../chart.js';
import { html, usePoll, useState, useEffect, useSave, Link, Badge, ErrorNote, ActionButton, session, relative } from '../ui.js';

const STATES = ['', 'pending', 'running', 'completed', 'failed', 'cancelled'];

// POSTs a bulk action and reads its JSON lines as they come: onLine for each, the last returned.
async function streamBulk(path, body, onLine) {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }, body: JSON.stringify(body) });
  if (!res.ok) {
    let message = `${res.status}`;
    try { message = (await res.json()).error || message; } catch { /* */ }
    throw new Error(message);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      last = JSON.parse(line);
      onLine(last);
    }
  }
  if (last && last.ok === false) throw new Error(last.error);
  return last;
}

// "Retry all N matching": counts first, shows the count, sends it back; the
// server refuses if the number changed meanwhile.
function BulkBar({ plugin, base, query, selected, onDone }) {
  const [count, setCount] = useState(null);
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  useEffect(() => { setCount(null); setResult(null); setError(null); }, [query]);
  const countNow = async () => {
    setError(null);
    try { setCount((await api.get(`${base}/search/count?q=${encodeURIComponent(query)}`)).count); } catch (e) { setError(e); }
  };
  const runAll = async (action) => {
    if (!window.confirm(`${VERB[action]} all ${count} tasks matching "${query}"?`)) return;
    setError(null);
    setResult(null);
    setProgress({ progress: 0, of: count });
    try {
      const last = await streamBulk(`${base}/bulk`, { action, q: query, expect: count }, (l) => { if (l.progress !== undefined) setProgress(l); });
      setResult(`${last[DONE[action]]} of ${last.matched} ${DONE[action]}`);
      setCount(null);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };
  const runSelected = async (action) => {
    if (action === 'delete' && !window.confirm(`Delete ${selected.ids.length} selected tasks?`)) return;
    setError(null);
    let done = 0;
    for (const id of selected.ids) {
      try { await api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(id)}/${action}`); done++; } catch { /* shown by count */ }
    }
    setResult(`${done} of ${selected.ids.length} selected ${DONE[action]}`);
    selected.clear();
    onDone();
  };
  return html`<div class="bulk">
    ${selected.ids.length > 0 && html`<span>${selected.ids.length} selected:</span>
      <button type="button" onClick=${() => runSelected('retry')}>Retry selected</button>
      <button type="button" class="danger" onClick=${() => runSelected('cancel')}>Cancel selected</button>
      <button type="button" class="danger" onClick=${() => runSelected('delete')}>Delete selected</button>`}
    ${query && (count === null
      ? html`<button type="button" onClick=${countNow}>Count all matching</button>`
      : html`<span>${count} match</span>
        <button type="button" disabled=${!count || progress} onClick=${() => runAll('retry')}>Retry all ${count} matching</button>
        <button type="button" class="danger" disabled=${!count || progress} onClick=${() => runAll('cancel')}>Cancel all ${count} matching</button>
        <button type="button" class="danger" disabled=${!count || progress} onClick=${() => runAll('delete')}>Delete all ${count} matching</button>`)}
    ${progress && html`<span class="muted" role="status">${progress.progress} / ${progress.of}…</span>`}
    ${result && html`<span class="ok-text" role="status">${result}</span>`}
    ${error && html`<span class="error inline" role="alert">${error.message}</span>`}
  </div>`;
}
const PAGE = 50;
const VERB = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete' };
const DONE = { retry: 'retried', cancel: 'cancelled', delete: 'deleted' };

function statusKind(s) {
  return { completed: 'ok', failed: 'bad', cancelled: 'muted', running: 'info', pending: 'warn' }[s] || 'muted';
}

function Enqueue({ plugin, queue, onDone }) {
  const [payload, setPayload] = useState('');
  const [priority, setPriority] = useState(0);
  const [delay, setDelay] = useState(0);
  const [copies, setCopies] = useState(1);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    const n = Math.max(1, Math.min(10000, Number(copies) || 1));
    const spec = { payload: encodePayload(payload) };
    if (Number(priority)) spec.priority = Number(priority);
    if (Number(delay)) spec.delayMs = Math.round(Number(delay) * 1000);
    try {
      const r = await api.post(`/api/plugins/${seg(plugin)}/queues/${seg(queue)}/tasks`, Array(n).fill(spec));
      setResult(`${r.ids.length} task(s) enqueued`);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="enqueue card" onSubmit=${submit}>
    <h2>Enqueue</h2>
    <label class="wide">Payload (text, sent as bytes)
      <textarea rows="3" value=${payload} onInput=${(e) => setPayload(e.target.value)} placeholder='{"id": 1}'></textarea></label>
    <label>Priority <input type="number" value=${priority} onInput=${(e) => setPriority(e.target.value)} /></label>
    <label>Delay (s) <input type="number" min="0" value=${delay} onInput=${(e) => setDelay(e.target.value)} /></label>
    <label>Copies <input type="number" min="1" max="10000" value=${copies} onInput=${(e) => setCopies(e.target.value)} /></label>
    <button type="submit">Enqueue</button>
    ${result && html`<span class="ok-text" role="status">${result}</span>`}
    ${error && html`<span class="error inline" role="alert">${error.message}</span>`}
  </form>`;
}

// The administrator's settings of the queue over the plugin's: each field a number, or empty for the
// plugin's own. Stored with the plugin and applied by reloading it; the server checks each field
// (concurrency within the manifest's budget) and answers problems by field.
const SETTINGS = [
  ['concurrency', 'Concurrency', 'workers at once'],
  ['maxRetries', 'Retries', 'after the first attempt'],
  ['backoffMs', 'Backoff (ms)', 'doubles per retry, capped at an hour'],
  ['delayMs', 'Rate limit (ms)', 'least time between two starts'],
  ['retentionMs', 'Retention (ms)', 'finished tasks kept this long'],
];
function QueueSettings({ base, stats, onDone }) {
  const [view, setView] = useState(null);
  const [draft, setDraft] = useState({});
  const form = useSave();
  const { errors, message, failure, busy } = form;
  const show = (v) => {
    setView(v);
    const d = {};
    for (const [k] of SETTINGS) d[k] = v.override[k] ?? '';
    setDraft(d);
  };
  useEffect(() => { api.get(`${base}/settings`).then(show, form.fail); }, [base]);
  if (!view) return failure ? html`<p class="error">${failure.message}</p>` : null;
  const submit = (e) => {
    e.preventDefault();
    const body = {};
    for (const [k] of SETTINGS) body[k] = draft[k] === '' ? null : Number(draft[k]);
    form.run(async () => {
      show(await api.post(`${base}/settings`, body));
      onDone();
    }, 'Saved; the plugin was reloaded with them.');
  };
  return html`<form class="card queue-settings" onSubmit=${submit} noValidate>
    <h2>Settings</h2>
    <p class="muted small">Empty: the plugin's own. Concurrency budget of the plugin: ${view.budget}.</p>
    <fieldset class="plain" disabled=${busy}>${SETTINGS.map(([k, label, help]) => html`<label>${label}
      <input type="number" name=${k} value=${draft[k]} placeholder=${stats ? String(stats[k]) : ''}
        onInput=${(e) => setDraft({ ...draft, [k]: e.target.value })} />
      <span class="muted small">${help}</span>
      ${errors[k] && html`<span class="field-error" role="alert">${errors[k]}</span>`}</label>`)}</fieldset>
    <div class="actions"><button type="submit" disabled=${busy}>Save settings</button>
      ${message && html`<span class="ok-text" role="status">${message}</span>`}</div>
    ${failure && !Object.keys(errors).length && html`<p class="error" role="alert">${failure.message}</p>`}
  </form>`;
}

// The search and the state in the address, for deep links and reloads.
function keepInUrl(q, st) {
  const p = new URLSearchParams();
  if (q) p.set('q', q);
  if (st) p.set('status', st);
  history.replaceState(null, '', location.pathname + (p.toString() ? '?' + p : ''));
}

export function QueuePage({ plugin, queue }) {
  const params = new URLSearchParams(location.search);
  const [status, setStatus] = useState(params.get('status') || '');
  const [draft, setDraft] = useState(params.get('q') || '');
  const [query, setQuery] = useState(params.get('q') || '');
  const [cursors, setCursors] = useState(['']);  // pages so far: where each one starts ('': the newest)
  const [picked, setPicked] = useState(new Set());
  const selected = { ids: [...picked], clear: () => setPicked(new Set()) };
  const toggle = (id) => setPicked((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const base = `/api/plugins/${seg(plugin)}/queues/${seg(queue)}`;
  // Half a second: a task enqueued elsewhere shows within a second; unchanged answers are 304s.
  const stats = usePoll(() => api.get(base), 500, [base]);
  const cursor = cursors[cursors.length - 1];
  // The state buttons add a status: qualifier to what was searched.
  const effective = [status && !/(^|\s)status:/.test(query) ? `status:${status}` : '', query].filter(Boolean).join(' ');
  const tasks = usePoll(
    () => api.get(`${base}/search?q=${encodeURIComponent(effective)}&limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`),
    500, [base, effective, cursor]);
  const search = (e) => {
    e.preventDefault();
    setQuery(draft.trim());
    setCursors(['']);
    setPicked(new Set());
    keepInUrl(draft.trim(), status);
  };
  const s = stats.data;
  const refresh = () => { stats.refresh(); tasks.refresh(); };
  const choose = (st) => {
    setStatus(st);
    setCursors(['']);
    setPicked(new Set());
    keepInUrl(query, st);
  };
  const found = tasks.data;
  const rows = found ? found.tasks : [];
  const more = found ? found.next !== null : false;
  const older = () => setCursors([...cursors, found.next]);
  const newer = () => setCursors(cursors.slice(0, -1));
  const first = cursors.length === 1;
  return html`<main>
    <nav class="crumbs"><${Link} href="/">Plugins</${Link}> / <${Link} href=${`/plugins/${seg(plugin)}`}>${plugin}</${Link}> / ${queue}</nav>
    <div class="page-head">
      <h1>${queue} ${s && s.paused && html`<${Badge} kind="muted">paused</${Badge}>`}</h1>
      ${session.canChange && s && html`<div class="actions">
        ${s.paused
          ? html`<${ActionButton} label="Resume" action=${() => api.post(`${base}/resume`)} onDone=${refresh} />`
          : html`<${ActionButton} label="Pause" action=${() => api.post(`${base}/pause`)} onDone=${refresh} />`}
        <${ActionButton} label=${`Retry ${s.failed} failed`} disabled=${!s.failed}
          confirm=${`Retry all ${s.failed} failed tasks of ${queue}?`} action=${() => api.post(`${base}/retry`)} onDone=${refresh} />
        <${ActionButton} label="Clear finished" danger confirm=${`Delete every completed, failed and cancelled task of ${queue}?`}
          action=${() => api.post(`${base}/purge`)} onDone=${refresh} />
      </div>`}
    </div>
    <${ErrorNote} error=${stats.error} />
    ${s && html`<section class="stats">
      ${['pending', 'running', 'completed', 'failed', 'cancelled'].map((k) => html`<button type="button"
        class=${'stat' + (status === k ? ' selected' : '')} onClick=${() => choose(status === k ? '' : k)}>
        <span class="n">${s[k]}</span><span class="label">${k}</span></button>`)}
      <div class="stat static"><span class="n">${s.concurrency}</span><span class="label">concurrency</span></div>
      <div class="stat static"><span class="n">${s.maxRetries}</span><span class="label">retries</span></div>
    </section>`}
    <${QueueCharts} base=${base} />
    ${session.canChange && html`<${Enqueue} plugin=${plugin} queue=${queue} onDone=${refresh} />`}
    ${session.canChange && html`<${QueueSettings} base=${base} stats=${s} onDone=${refresh} />`}
    <section>
      <div class="page-head">
        <h2>Tasks</h2>
        <form class="search" onSubmit=${search}>
          <input type="search" data-search aria-label="Search tasks" value=${draft} onInput=${(e) => setDraft(e.target.value)}
            placeholder="status:failed error:timeout attempt>2 payload:… (/)" />
          <button type="submit">Search</button>
        </form>
        <label>State <select value=${status} onChange=${(e) => choose(e.target.value)}>
          ${STATES.map((st) => html`<option value=${st}>${st || 'any'}</option>`)}</select></label>
      </div>
      ${session.canChange && html`<${BulkBar} plugin=${plugin} base=${base} query=${effective} selected=${selected} onDone=${refresh} />`}
      <${ErrorNote} error=${tasks.error} />
      ${rows.length ? html`<table class="grid tasks">
        <thead><tr>${session.canChange && html`<th><span class="sr-only">Select</span></th>`}<th>Task</th><th>State</th><th>Attempt</th><th>Created</th><th>Next run</th><th>Error</th><th></th></tr></thead>
        <tbody>${rows.map((t) => html`<tr key=${t.id}>
          ${session.canChange && html`<td><input type="checkbox" aria-label=${'select ' + t.id} checked=${picked.has(t.id)} onChange=${() => toggle(t.id)} /></td>`}
          <td data-label="Task"><${Link} href=${`/plugins/${seg(plugin)}/tasks/${seg(t.id)}`} cls="mono">${t.id}</${Link}>
            <div class="muted small payload">${decodePayload(t.payload).slice(0, 80)}</div></td>
          <td data-label="State"><${Badge} kind=${statusKind(t.status)}>${t.status}</${Badge}></td>
          <td data-label="Attempt">${t.attempt} / ${t.maxRetries + 1}</td>
          <td data-label="Created">${relative(t.createdAt)}</td>
          <td data-label="Next run">${t.status === 'pending' ? relative(t.nextRunAt) : '—'}</td>
          <td data-label="Error" class="error-text">${t.lastError}</td>
          <td>${session.canChange && html`
            ${(t.status === 'failed' || t.status === 'cancelled') && html`<${ActionButton} label="Retry"
              action=${() => api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(t.id)}/retry`)} onDone=${refresh} />`}
            ${t.status === 'pending' && t.nextRunAt > Date.now() && html`<${ActionButton} label="Run now"
              action=${() => api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(t.id)}/run`)} onDone=${refresh} />`}
            ${(t.status === 'pending' || t.status === 'running') && html`<${ActionButton} label="Cancel" danger
              action=${() => api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(t.id)}/cancel`)} onDone=${refresh} />`}
            ${t.status !== 'running' && html`<${ActionButton} label="Delete" danger confirm=${`Delete task ${t.id}?`}
              action=${() => api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(t.id)}/delete`)} onDone=${refresh} />`}`}</td>
        </tr>`)}</tbody></table>` : html`<p class="muted">${tasks.loading ? 'Loading…' : 'No tasks' + (status ? ' ' + status : '') + '.'}</p>`}
      <div class="pager">
        <button type="button" disabled=${first} onClick=${newer}>← Newer</button>
        <span class="muted">page ${cursors.length}${found ? ` · ${found.scanned} read` : ''}</span>
        <button type="button" disabled=${!more} onClick=${older}>Older →</button>
      </div>
    </section>
  </main>`;
}
