// One queue: counts, pause and resume, retry every failed task, clear
// finished ones, enqueue from a form, and its tasks by state, a page at a time.
import { api, seg, encodePayload, decodePayload } from '../api.js';
import { html, usePoll, useState, Link, Badge, ErrorNote, ActionButton, session, relative } from '../ui.js';

const STATES = ['', 'pending', 'running', 'completed', 'failed', 'cancelled'];
const PAGE = 50;

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

export function QueuePage({ plugin, queue }) {
  const params = new URLSearchParams(location.search);
  const [status, setStatus] = useState(params.get('status') || '');
  const [page, setPage] = useState(0);
  const base = `/api/plugins/${seg(plugin)}/queues/${seg(queue)}`;
  // Half a second: a task enqueued elsewhere shows within a second; unchanged answers are 304s.
  const stats = usePoll(() => api.get(base), 500, [base]);
  const tasks = usePoll(
    () => api.get(`${base}/tasks?limit=${PAGE + 1}&offset=${page * PAGE}${status ? '&status=' + status : ''}`),
    500, [base, status, page]);
  const s = stats.data;
  const refresh = () => { stats.refresh(); tasks.refresh(); };
  const choose = (st) => {
    setStatus(st);
    setPage(0);
    history.replaceState(null, '', location.pathname + (st ? '?status=' + st : ''));
  };
  const rows = tasks.data ? tasks.data.slice(0, PAGE) : [];
  const more = tasks.data && tasks.data.length > PAGE;
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
    ${session.canChange && html`<${Enqueue} plugin=${plugin} queue=${queue} onDone=${refresh} />`}
    <section>
      <div class="page-head">
        <h2>Tasks</h2>
        <label>State <select value=${status} onChange=${(e) => choose(e.target.value)}>
          ${STATES.map((st) => html`<option value=${st}>${st || 'any'}</option>`)}</select></label>
      </div>
      <${ErrorNote} error=${tasks.error} />
      ${rows.length ? html`<table class="grid tasks">
        <thead><tr><th>Task</th><th>State</th><th>Attempt</th><th>Created</th><th>Next run</th><th>Error</th><th></th></tr></thead>
        <tbody>${rows.map((t) => html`<tr key=${t.id}>
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
            ${(t.status === 'pending' || t.status === 'running') && html`<${ActionButton} label="Cancel" danger
              action=${() => api.post(`/api/plugins/${seg(plugin)}/tasks/${seg(t.id)}/cancel`)} onDone=${refresh} />`}`}</td>
        </tr>`)}</tbody></table>` : html`<p class="muted">${tasks.loading ? 'Loading…' : 'No tasks' + (status ? ' ' + status : '') + '.'}</p>`}
      <div class="pager">
        <button type="button" disabled=${page === 0} onClick=${() => setPage(page - 1)}>← Newer</button>
        <span class="muted">page ${page + 1}</span>
        <button type="button" disabled=${!more} onClick=${() => setPage(page + 1)}>Older →</button>
      </div>
    </section>
  </main>`;
}
