// Every schedule of every plugin: its rule in plain words, time zone, the
// next five firings as the scheduler computes them, the last outcome; run
// now and cancel.
import { api, seg } from '../api.js';
import { html, usePoll, useState, Link, Badge, ErrorNote, ActionButton, session, when, relative } from '../ui.js';
import { describeCron } from '../cron.js';

export function SchedulesPage() {
  const [filter, setFilter] = useState('');
  const { data, error, refresh } = usePoll(() => api.get('/api/schedules'), 2000);
  const rows = (data || []).filter((s) => {
    const f = filter.trim().toLowerCase();
    return !f || s.plugin.toLowerCase().includes(f) || s.id.toLowerCase().includes(f);
  });
  return html`<main>
    <div class="page-head">
      <h1>Schedules</h1>
      <input type="search" data-search placeholder="Filter by plugin or ID (/)" aria-label="Filter schedules"
        value=${filter} onInput=${(e) => setFilter(e.target.value)} />
    </div>
    <${ErrorNote} error=${error} />
    ${data && !data.length && html`<p class="muted">No plugin has a schedule.</p>`}
    ${rows.length > 0 && html`<table class="grid">
      <thead><tr><th>Schedule</th><th>When</th><th>Next firings</th><th>Last run</th><th></th></tr></thead>
      <tbody>${rows.map((s) => html`<tr key=${s.plugin + '/' + s.id}>
        <td data-label="Schedule"><span class="mono">${s.id}</span>
          <div class="muted small"><${Link} href=${`/plugins/${seg(s.plugin)}`}>${s.plugin}</${Link}> · ${s.runs} run(s)</div></td>
        <td data-label="When">${s.recurring ? describeCron(s.cron) : 'once'}
          <div class="muted small mono">${s.recurring ? s.cron : ''}${s.zone ? ' · ' + s.zone : ''}</div></td>
        <td data-label="Next firings"><ol class="upcoming">${(s.upcoming || []).map((t) => html`<li title=${when(t)}>${relative(t)}</li>`)}</ol>
          ${!s.upcoming.length && html`<span class="muted">firing now</span>`}</td>
        <td data-label="Last run">${s.lastMs
          ? html`<${Badge} kind=${s.lastOk ? 'ok' : 'bad'}>${s.lastOk ? 'ok' : 'failed'}</${Badge}> ${relative(s.lastMs)}
              ${s.lastError && html`<div class="error-text small">${s.lastError}</div>`}`
          : html`<span class="muted">never</span>`}</td>
        <td>${session.canChange && html`<div class="actions">
          <${ActionButton} label="Run now" action=${() => api.post(`/api/plugins/${seg(s.plugin)}/schedules/${seg(s.id)}/run`)} onDone=${refresh} />
          <${ActionButton} label="Cancel" danger confirm=${`Cancel schedule ${s.id} of ${s.plugin}? The plugin makes it again when it next starts.`}
            action=${() => api.post(`/api/plugins/${seg(s.plugin)}/schedules/${seg(s.id)}/cancel`)} onDone=${refresh} />
        </div>`}</td>
      </tr>`)}</tbody></table>`}
  </main>`;
}
