// Every change made through the admin API or this dashboard: who, what,
// when, the outcome and how many tasks it touched.
import { api } from '../api.js';
import { html, usePoll, Badge, ErrorNote, when } from '../ui.js';

export function AuditPage() {
  const { data, error } = usePoll(() => api.get('/api/audit?limit=500'), 3000);
  return html`<main>
    <h1>Audit</h1>
    <p class="muted small">Kept in memory by this server, the newest 2,000 changes; also written to its log.</p>
    <${ErrorNote} error=${error} />
    ${data && !data.length && html`<p class="muted">No change yet.</p>`}
    ${data && data.length > 0 && html`<table class="grid">
      <thead><tr><th>When</th><th>Who</th><th>What</th><th>Outcome</th><th>How many</th></tr></thead>
      <tbody>${data.map((e, i) => html`<tr key=${i}>
        <td data-label="When">${when(e.at)}</td>
        <td data-label="Who">${e.who}</td>
        <td data-label="What" class="mono small">${e.method} ${e.path}${e.query ? '?' + e.query : ''}</td>
        <td data-label="Outcome"><${Badge} kind=${e.status < 300 ? 'ok' : e.status < 500 ? 'warn' : 'bad'}>${e.status}</${Badge}></td>
        <td data-label="How many">${e.count ?? ''}</td>
      </tr>`)}</tbody></table>`}
  </main>`;
}
