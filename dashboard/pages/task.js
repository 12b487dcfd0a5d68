// One task: where it stands, its payload (as text, never as markup), its
// result or error; retry, cancel, run now, delete.
import { api, seg, decodePayload } from '../api.js';
import { html, usePoll, navigate, Link, Badge, ErrorNote, ActionButton, session, when, relative } from '../ui.js';

export function TaskPage({ plugin, task }) {
  const path = `/api/plugins/${seg(plugin)}/tasks/${seg(task)}`;
  const { data: t, error, refresh } = usePoll(() => api.get(path), 2000, [path]);
  if (!t) return html`<main><${ErrorNote} error=${error} />${!error && html`<p class="loading">Loading…</p>`}</main>`;
  return html`<main>
    <nav class="crumbs"><${Link} href="/">Plugins</${Link}> / <${Link} href=${`/plugins/${seg(plugin)}`}>${plugin}</${Link}> /
      <${Link} href=${`/plugins/${seg(plugin)}/queues/${seg(t.queueName)}`}>${t.queueName}</${Link}> / task</nav>
    <div class="page-head">
      <h1 class="mono">${t.id} <${Badge} kind=${t.status === 'failed' ? 'bad' : t.status === 'completed' ? 'ok' : 'muted'}>${t.status}</${Badge}></h1>
      ${session.canChange && html`<div class="actions">
        ${(t.status === 'failed' || t.status === 'cancelled') && html`<${ActionButton} label="Retry" action=${() => api.post(path + '/retry')} onDone=${refresh} />`}
        ${t.status === 'pending' && t.nextRunAt > Date.now() && html`<${ActionButton} label="Run now" action=${() => api.post(path + '/run')} onDone=${refresh} />`}
        ${(t.status === 'pending' || t.status === 'running') && html`<${ActionButton} label="Cancel" danger action=${() => api.post(path + '/cancel')} onDone=${refresh} />`}
        ${t.status !== 'running' && html`<${ActionButton} label="Delete" danger confirm=${`Delete task ${t.id}?`}
          action=${() => api.post(path + '/delete')} onDone=${() => navigate(`/plugins/${seg(plugin)}/queues/${seg(t.queueName)}`)} />`}
      </div>`}
    </div>
    <${ErrorNote} error=${error} />
    <section class="card">
      <h2>Timeline</h2>
      <ol class="timeline">
        <li><strong>Enqueued</strong> ${when(t.createdAt)} <span class="muted">(${relative(t.createdAt)})</span></li>
        ${t.status === 'pending' && html`<li><strong>Due</strong> ${when(t.nextRunAt)} <span class="muted">(${relative(t.nextRunAt)})</span></li>`}
        <li><strong>Attempts</strong> ${t.attempt} of ${t.maxRetries + 1}${t.lastError && html` — last error: <span class="error-text">${t.lastError}</span>`}</li>
        <li><strong>Last change</strong> ${when(t.updatedAt)} — ${t.status}</li>
      </ol>
    </section>
    <section class="cards">
      <div class="card"><h2>Payload</h2><pre class="payload">${decodePayload(t.payload)}</pre></div>
      <div class="card"><h2>${t.status === 'completed' ? 'Result' : 'Message'}</h2><pre>${t.message || '—'}</pre></div>
      <div class="card"><h2>Settings</h2><dl class="facts">
        <dt>Priority</dt><dd>${t.priority}</dd>
        <dt>Unique key</dt><dd>${t.uniqueKey || '—'}</dd>
        <dt>Timeout</dt><dd>${t.timeoutMs ? t.timeoutMs + ' ms' : 'the host\u2019s'}</dd>
      </dl></div>
    </section>
  </main>`;
}
