// One plugin: what it is, what it may use, its state and instances, enable
// and disable, its queues, and its manifest as sent.
import { api, seg } from '../api.js';
import { html, usePoll, useState, useEffect, useSave, Link, Badge, ErrorNote, ActionButton, session } from '../ui.js';
import { state } from './overview.js';
import { ConfigForm } from './config.js';

function Permissions({ manifest }) {
  const p = (manifest && manifest.permissions) || {};
  const names = Object.keys(p);
  if (!names.length) return html`<p class="muted">No permissions: config only.</p>`;
  return html`<ul class="perms">${names.map((n) => {
    const v = p[n] || {};
    const detail = [];
    if (v.reason) detail.push(v.reason);
    if (Array.isArray(v.requiredHosts)) detail.push('hosts: ' + v.requiredHosts.join(', '));
    if (v.maxConcurrency) detail.push('max concurrency ' + v.maxConcurrency);
    if (v.maxSize) detail.push('max size ' + v.maxSize);
    return html`<li><strong>${n}</strong>${detail.length ? html` <span class="muted">— ${detail.join('; ')}</span>` : ''}</li>`;
  })}</ul>`;
}

// Which users and libraries the plugin may act for (its `users` and `library` permissions), chosen from
// those the server knows; the server checks every ID and answers problems by field.
function Scope({ id, canChange, onSaved }) {
  const [view, setView] = useState(null);
  const [draft, setDraft] = useState(null);
  const form = useSave();
  const { errors, message, failure } = form;
  const load = async () => {
    try {
      const v = await api.get(`/api/plugins/${seg(id)}/scope`);
      setView(v);
      setDraft({ allUsers: v.users.all, users: v.users.selected, allLibraries: v.libraries.all,
        libraries: v.libraries.selected, allowWriteAccess: v.libraries.writeAccess });
    } catch (e) { form.fail(e); }
  };
  useEffect(() => { load(); }, [id]);
  if (!view || !draft) return failure ? html`<p class="error">${failure.message}</p>` : null;
  if (!view.users.needed && !view.libraries.needed) return null;
  const toggle = (key, value) => {
    const list = draft[key].includes(value) ? draft[key].filter((x) => x !== value) : [...draft[key], value];
    setDraft({ ...draft, [key]: list });
  };
  const save = (e) => {
    e.preventDefault();
    const body = {};
    if (view.users.needed) Object.assign(body, { allUsers: draft.allUsers, users: draft.users });
    if (view.libraries.needed) Object.assign(body, { allLibraries: draft.allLibraries, libraries: draft.libraries });
    if (view.libraries.filesystem) body.allowWriteAccess = draft.allowWriteAccess;
    form.run(async () => {
      await api.post(`/api/plugins/${seg(id)}/scope`, body);
      await load();
      onSaved && onSaved();
    }, 'Saved.');
  };
  const group = (key, all, label, known, toValue) => html`<fieldset class="scope">
    <legend>${label}</legend>
    <label class="check"><input type="checkbox" checked=${draft[all]} onChange=${(e) => setDraft({ ...draft, [all]: e.target.checked })} />
      All ${label.toLowerCase()}</label>
    ${!draft[all] && (known.length
      ? known.map((k) => html`<label class="check"><input type="checkbox" checked=${draft[key].includes(toValue(k.id))}
          onChange=${() => toggle(key, toValue(k.id))} /> ${k.name} <span class="muted small">${k.id}</span></label>`)
      : html`<p class="muted small">This server knows no ${label.toLowerCase()} yet (pier.toml: [[${key === 'users' ? 'user' : 'library'}]]).</p>`)}
    ${errors[key] && html`<p class="field-error" role="alert">${errors[key]}</p>`}
  </fieldset>`;
  return html`<section class="card">
    <h2>Access</h2>
    <form onSubmit=${save}><fieldset disabled=${!canChange} class="plain">
      ${view.users.needed && group('users', 'allUsers', 'Users', view.known.users, (x) => x)}
      ${view.libraries.needed && group('libraries', 'allLibraries', 'Libraries', view.known.libraries, Number)}
      ${view.libraries.filesystem && html`<label class="check"><input type="checkbox" checked=${draft.allowWriteAccess}
        onChange=${(e) => setDraft({ ...draft, allowWriteAccess: e.target.checked })} /> May write to the library folders</label>
        ${errors.allowWriteAccess && html`<p class="field-error" role="alert">${errors.allowWriteAccess}</p>`}`}
    </fieldset>
    ${canChange && html`<div class="actions"><button type="submit">Save access</button>
      ${message && html`<span class="ok-text" role="status">${message}</span>`}</div>`}
    ${failure && html`<p class="error" role="alert">${failure.message}</p>`}
    </form>
  </section>`;
}

export function PluginPage({ id }) {
  const plugin = usePoll(() => api.get(`/api/plugins/${seg(id)}`), 3000, [id]);
  const queues = usePoll(() => api.get(`/api/plugins/${seg(id)}/queues`).catch(() => []), 3000, [id]);
  const p = plugin.data;
  if (!p) return html`<main><${ErrorNote} error=${plugin.error} />${!plugin.error && html`<p class="loading">Loading…</p>`}</main>`;
  const m = p.manifest || {};
  const [kind, label] = state(p);
  const refresh = () => { plugin.refresh(); queues.refresh(); };
  return html`<main>
    <nav class="crumbs"><${Link} href="/">Plugins</${Link}> / ${id}</nav>
    <div class="page-head">
      <h1>${m.name || id} <${Badge} kind=${kind}>${label}</${Badge}></h1>
      ${session.canChange && html`<div class="actions">
        ${p.enabled
          ? html`<${ActionButton} label="Disable" danger confirm=${`Disable ${id}? Its work stops.`}
              action=${() => api.post(`/api/plugins/${seg(id)}/disable`)} onDone=${refresh} />`
          : html`<${ActionButton} label="Enable" action=${() => api.post(`/api/plugins/${seg(id)}/enable`)} onDone=${refresh} />`}
        <${ActionButton} label="Rescan folder" action=${() => api.post('/api/plugins/rescan')} onDone=${refresh} />
      </div>`}
    </div>
    <${ErrorNote} error=${plugin.error} />
    ${p.lastError && html`<p class="error" role="status">${p.lastError}</p>`}
    <section class="cards">
      <div class="card"><h2>About</h2><dl class="facts">
        <dt>ID</dt><dd>${id}</dd>
        <dt>Version</dt><dd>${m.version || '—'}</dd>
        <dt>Author</dt><dd>${m.author || '—'}</dd>
        ${m.website && html`<dt>Website</dt><dd>${m.website}</dd>`}
        <dt>Package</dt><dd class="mono">${p.path}</dd>
        <dt>SHA-256</dt><dd class="mono small">${p.sha256}</dd>
      </dl>${m.description && html`<p>${m.description}</p>`}</div>
      <div class="card"><h2>Capabilities</h2>${p.capabilities && p.capabilities.length
        ? html`<ul>${p.capabilities.map((c) => html`<li>${c}</li>`)}</ul>` : html`<p class="muted">None detected${p.loaded ? '' : ' (not loaded)'}.</p>`}</div>
      <div class="card"><h2>Permissions</h2><${Permissions} manifest=${m} /></div>
    </section>
    <${Scope} id=${id} canChange=${session.canChange} onSaved=${refresh} />
    <section class="card">
      <h2>Configuration</h2>
      <${ConfigForm} id=${id} canChange=${session.canChange} onSaved=${refresh} />
    </section>
    <section>
      <h2>Queues</h2>
      ${queues.data && queues.data.length ? html`<table class="grid">
        <thead><tr><th>Queue</th><th>Pending</th><th>Running</th><th>Completed</th><th>Failed</th><th>Cancelled</th><th>Concurrency</th></tr></thead>
        <tbody>${queues.data.map((q) => html`<tr key=${q.name}>
          <td data-label="Queue"><${Link} href=${`/plugins/${seg(id)}/queues/${seg(q.name)}`}>${q.name}</${Link}>
            ${q.paused && html` <${Badge} kind="muted">paused</${Badge}>`}${!q.active && html` <${Badge} kind="muted">stored</${Badge}>`}</td>
          <td data-label="Pending">${q.pending}</td><td data-label="Running">${q.running}</td>
          <td data-label="Completed">${q.completed}</td><td data-label="Failed">${q.failed}</td>
          <td data-label="Cancelled">${q.cancelled}</td><td data-label="Concurrency">${q.concurrency}</td>
        </tr>`)}</tbody></table>` : html`<p class="muted">No queues.</p>`}
    </section>
    <section>
      <h2>Manifest</h2>
      <pre class="json">${JSON.stringify(m, null, 2)}</pre>
    </section>
  </main>`;
}
