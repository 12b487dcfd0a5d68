// Overview: every plugin, its state and last error, its queues, a sparkline
// of tasks finished and its next schedule, from one shared server document
// pushed by /api/events whenever it changes (polled every two seconds when
// the server has no stream to spare), while the tab is visible.
import { api, seg } from '../api.js';
import { html, useLiveOverview, useState, Link, Badge, ErrorNote, Sparkline, ago, relative } from '../ui.js';

export function state(p) {
  if (p.loaded && (p.lastError || p.initError)) return ['warn', 'degraded'];
  if (p.loaded) return ['ok', 'running'];
  if (p.enabled) return ['bad', 'failed'];
  return ['muted', 'disabled'];
}

function Queues({ plugin }) {
  if (!plugin.queues.length) return html`<span class="muted">—</span>`;
  return html`<ul class="queues">${plugin.queues.map((q) => html`<li>
    <${Link} href=${`/plugins/${seg(plugin.id)}/queues/${seg(q.name)}`}>${q.name}</${Link}>
    ${q.paused && html` <${Badge} kind="muted">paused</${Badge}>`}
    <span class="counts">
      <span title="pending">${q.pending} pending</span>
      <span title="running">${q.running} running</span>
      ${q.failed > 0 && html`<span class="bad" title="failed">${q.failed} failed</span>`}
      ${q.oldestDueMs > 0 && html`<span title="the task due longest has waited this long">oldest ${ago(q.oldestDueMs)}</span>`}
    </span>
  </li>`)}</ul>`;
}

export function Overview() {
  const [filter, setFilter] = useState('');
  const { data, error, live } = useLiveOverview(() => api.get('/api/overview'), 2000);
  const plugins = (data ? data.plugins : []).filter((p) => {
    const f = filter.trim().toLowerCase();
    return !f || p.id.toLowerCase().includes(f) || (p.name || '').toLowerCase().includes(f);
  });
  return html`<main>
    <div class="page-head">
      <h1>Plugins <span class=${'live ' + (live ? 'on' : 'off')} title=${live ? 'updates pushed by the server' : 'polled every 2 s'}>${live ? 'live' : 'polling'}</span></h1>
      <input type="search" data-search placeholder="Filter plugins (/)" aria-label="Filter plugins"
        value=${filter} onInput=${(e) => setFilter(e.target.value)} />
    </div>
    <${ErrorNote} error=${error} />
    ${data && !data.plugins.length && html`<p class="muted">No plugins in the plugins folder yet.</p>`}
    ${plugins.length > 0 && html`<table class="grid overview">
      <thead><tr><th>Plugin</th><th>State</th><th>Queues</th><th>Finished, 5 min</th><th>Next schedule</th><th>Last error</th></tr></thead>
      <tbody>${plugins.map((p) => {
        const [kind, label] = state(p);
        return html`<tr key=${p.id}>
          <td data-label="Plugin"><${Link} href=${`/plugins/${seg(p.id)}`}>${p.name || p.id}</${Link}>
            <div class="muted small">${p.id}${p.version ? ' · ' + p.version : ''}</div></td>
          <td data-label="State"><${Badge} kind=${kind}>${label}</${Badge}>
            ${p.instances && html`<div class="muted small">${p.instances.busy} busy · ${p.instances.idle} idle</div>`}</td>
          <td data-label="Queues"><${Queues} plugin=${p} /></td>
          <td data-label="Finished, 5 min">${p.queues.length ? html`<${Sparkline} values=${p.finished} label=${`${p.id} tasks finished`} />` : html`<span class="muted">—</span>`}</td>
          <td data-label="Next schedule">${p.nextSchedule
            ? html`<span title=${p.nextSchedule.cron || 'one-time'}>${relative(p.nextSchedule.at)}</span>
                <div class="muted small">${p.nextSchedule.id}</div>`
            : html`<span class="muted">—</span>`}</td>
          <td data-label="Last error" class="error-text">${p.lastError || p.initError || ''}</td>
        </tr>`;
      })}</tbody>
    </table>`}
  </main>`;
}
