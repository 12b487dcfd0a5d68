// Every call in progress, oldest first, with interrupt.
import { api, seg } from '../api.js';
import { html, usePoll, Link, ErrorNote, ActionButton, session, ago } from '../ui.js';

export function RunningPage() {
  const { data, error, refresh } = usePoll(() => api.get('/api/running'), 1000);
  const rows = (data || []).slice().sort((a, b) => b.elapsedMs - a.elapsedMs);
  return html`<main>
    <h1>Running now</h1>
    <${ErrorNote} error=${error} />
    ${data && !rows.length && html`<p class="muted">No call is running.</p>`}
    ${rows.length > 0 && html`<table class="grid">
      <thead><tr><th>Plugin</th><th>Export</th><th>For</th><th>Running for</th><th></th></tr></thead>
      <tbody>${rows.map((c) => html`<tr key=${c.plugin + '/' + c.id}>
        <td data-label="Plugin"><${Link} href=${`/plugins/${seg(c.plugin)}`}>${c.plugin}</${Link}></td>
        <td data-label="Export" class="mono">${c.export}</td>
        <td data-label="For">${c.label || html`<span class="muted">—</span>`}</td>
        <td data-label="Running for">${ago(c.elapsedMs)}</td>
        <td>${session.canChange && html`<${ActionButton} label="Interrupt" danger confirm=${`Interrupt ${c.export} of ${c.plugin}?`}
          action=${() => api.post(`/api/plugins/${seg(c.plugin)}/calls/${c.id}/interrupt`)} onDone=${refresh} />`}</td>
      </tr>`)}</tbody></table>`}
  </main>`;
}
