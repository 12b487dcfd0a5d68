// The configuration form of a plugin, drawn from its manifest's config.schema
// and uiSchema (the JSON Forms subset Navidrome's plugins use: vertical and
// horizontal layouts, groups, labels, controls with a scope, arrays of
// objects with a detail layout, format, enums, defaults, descriptions as
// help text). A uiSchema with elements Pier does not draw falls back to a
// generated layout of every field, with a notice: never a blank form.
// Secrets (format password, writeOnly) are never sent to the page; the
// server keeps the stored one when the field is left empty. The server
// validates; its problems show under the field they concern.
import { api, seg } from '../api.js';
import { html, useEffect, useState, useSave } from '../ui.js';

const KNOWN = new Set(['VerticalLayout', 'HorizontalLayout', 'Group', 'Control', 'Label']);

function unknownTypes(el, out = new Set()) {
  if (!el || typeof el !== 'object') return out;
  if (el.type && !KNOWN.has(el.type)) out.add(el.type);
  (el.elements || []).forEach((e) => unknownTypes(e, out));
  if (el.options && el.options.detail) unknownTypes(el.options.detail, out);
  return out;
}

// "#/properties/a/properties/b" -> ['a', 'b']
function scopePath(scope) {
  return (scope || '').replace(/^#\/?/, '').split('/').filter((p, i) => i % 2 === 1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}
function subSchema(schema, path) {
  let s = schema;
  for (const p of path) s = s && s.properties ? s.properties[p] : undefined;
  return s || {};
}
function getAt(data, path) { return path.reduce((d, p) => (d == null ? undefined : d[p]), data); }
function setAt(data, path, value) {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const copy = Array.isArray(data) ? data.slice() : { ...(data || {}) };
  if (value === undefined && !rest.length) delete copy[head];
  else copy[head] = setAt(copy[head], rest, value);
  return copy;
}
const titleOf = (name) => String(name).replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
const isSecret = (s) => s.format === 'password' || s.writeOnly === true;

// A vertical layout of every property (no uiSchema, or one Pier cannot draw).
function generated(schema, prefix = '#') {
  return {
    type: 'VerticalLayout',
    elements: Object.keys((schema && schema.properties) || {}).map((k) => ({ type: 'Control', scope: `${prefix}/properties/${k}` })),
  };
}

// Fills defaults for properties the stored config lacks.
function withDefaults(schema, data) {
  if (!schema || schema.type !== 'object' || !schema.properties) return data;
  const out = { ...(data || {}) };
  for (const [k, s] of Object.entries(schema.properties)) {
    if (out[k] === undefined && s.default !== undefined && !isSecret(s)) out[k] = s.default;
    if (s.type === 'object' && out[k] !== undefined) out[k] = withDefaults(s, out[k]);
  }
  return out;
}

function Field({ ctx, schema, path, label, required, options }) {
  const value = getAt(ctx.data, path);
  const set = (v) => ctx.setData((d) => setAt(d, path, v));
  const key = path.join('/');
  const error = ctx.errors[key];
  const id = 'cfg-' + key.replace(/[^A-Za-z0-9_-]/g, '_');
  const help = schema.description;
  const labelText = label === false ? null : (label || schema.title || titleOf(path[path.length - 1] || ''));
  const head = labelText && html`<label for=${id}>${labelText}${required && html`<span class="required" title="required"> *</span>`}</label>`;
  let input;
  if (schema.type === 'boolean') {
    input = html`<input id=${id} type="checkbox" checked=${!!value} onChange=${(e) => set(e.target.checked)} />`;
    return html`<div class=${'field checkbox' + (error ? ' invalid' : '')}>${input}${head}
      ${help && html`<div class="help">${help}</div>`}${error && html`<div class="field-error" role="alert">${error}</div>`}</div>`;
  }
  if (schema.type === 'array' && schema.items && schema.items.type === 'object') {
    const items = Array.isArray(value) ? value : [];
    const detail = (options && options.detail) || generated(schema.items);
    return html`<fieldset class=${'field array' + (error ? ' invalid' : '')}><legend>${labelText}${required && html`<span class="required"> *</span>`}</legend>
      ${help && html`<div class="help">${help}</div>`}
      ${items.map((_, i) => html`<div class="array-item" key=${i}>
        <${Element} ctx=${{ ...ctx, root: schema.items, base: [...path, i] }} el=${detail} />
        <button type="button" class="danger" onClick=${() => set(items.filter((__, j) => j !== i))}>Remove</button>
      </div>`)}
      <button type="button" onClick=${() => set([...items, withDefaults(schema.items, {})])}>Add</button>
      ${error && html`<div class="field-error" role="alert">${error}</div>`}
    </fieldset>`;
  }
  if (schema.type === 'array') {
    const items = Array.isArray(value) ? value : [];
    const itemEnum = schema.items && schema.items.enum;
    if (itemEnum) {
      input = html`<div class="choices">${itemEnum.map((opt) => html`<label class="choice">
        <input type="checkbox" checked=${items.includes(opt)}
          onChange=${(e) => set(e.target.checked ? [...items, opt] : items.filter((x) => x !== opt))} /> ${String(opt)}</label>`)}</div>`;
    } else {
      input = html`<textarea id=${id} rows="3" value=${items.join('\n')} placeholder="one per line"
        onInput=${(e) => set(e.target.value.split('\n').filter((l) => l !== ''))}></textarea>`;
    }
  } else if (schema.type === 'object') {
    return html`<fieldset class="field group"><legend>${labelText}</legend>
      <${Element} ctx=${ctx} el=${generated(schema, '#' + path.map((p) => '/properties/' + p).join(''))} /></fieldset>`;
  } else if (schema.enum || schema.oneOf) {
    const choices = schema.enum ? schema.enum.map((v) => ({ v, t: String(v) })) : schema.oneOf.map((o) => ({ v: o.const, t: o.title || String(o.const) }));
    input = html`<select id=${id} value=${value === undefined ? '' : String(value)}
      onChange=${(e) => { const c = choices.find((x) => String(x.v) === e.target.value); set(c ? c.v : undefined); }}>
      ${!required && html`<option value="">—</option>`}
      ${choices.map((c) => html`<option value=${String(c.v)}>${c.t}</option>`)}</select>`;
  } else if (schema.type === 'number' || schema.type === 'integer') {
    input = html`<input id=${id} type="number" step=${schema.type === 'integer' ? 1 : 'any'} min=${schema.minimum} max=${schema.maximum}
      value=${value === undefined ? '' : value}
      onInput=${(e) => set(e.target.value === '' ? undefined : Number(e.target.value))} />`;
  } else if (isSecret(schema)) {
    const isSet = ctx.secretsSet.includes('/' + path.join('/'));
    input = html`<input id=${id} type="password" autocomplete="new-password" value=${value || ''}
      placeholder=${isSet ? 'set — leave empty to keep it' : 'not set'} onInput=${(e) => set(e.target.value)} />`;
  } else if (options && options.multi) {
    input = html`<textarea id=${id} rows="4" value=${value || ''} onInput=${(e) => set(e.target.value)}></textarea>`;
  } else {
    const type = { email: 'email', uri: 'url', date: 'date', time: 'time', 'date-time': 'datetime-local' }[schema.format] || 'text';
    input = html`<input id=${id} type=${type} value=${value || ''} maxLength=${schema.maxLength}
      onInput=${(e) => set(e.target.value === '' ? undefined : e.target.value)} />`;
  }
  return html`<div class=${'field' + (error ? ' invalid' : '')}>${head}${input}
    ${help && html`<div class="help">${help}</div>`}${error && html`<div class="field-error" role="alert">${error}</div>`}</div>`;
}

function Element({ ctx, el }) {
  if (!el) return null;
  const children = () => (el.elements || []).map((e, i) => html`<${Element} key=${i} ctx=${ctx} el=${e} />`);
  switch (el.type) {
    case 'VerticalLayout': return html`<div class="layout vertical">${children()}</div>`;
    case 'HorizontalLayout': return html`<div class="layout horizontal">${children()}</div>`;
    case 'Group': return html`<fieldset class="layout group"><legend>${el.label || ''}</legend>${children()}</fieldset>`;
    case 'Label': return html`<p class="form-label">${el.text || ''}</p>`;
    case 'Control': {
      const rel = scopePath(el.scope);
      const schema = subSchema(ctx.root, rel);
      const parent = subSchema(ctx.root, rel.slice(0, -1));
      const required = Array.isArray(parent.required) && parent.required.includes(rel[rel.length - 1]);
      return html`<${Field} ctx=${ctx} schema=${schema} path=${[...ctx.base, ...rel]} label=${el.label}
        required=${required} options=${el.options} />`;
    }
    default: return null;
  }
}

export function ConfigForm({ id, canChange, onSaved }) {
  const [view, setView] = useState(null);
  const [data, setData] = useState({});
  const form = useSave();
  const { errors, message, failure, busy } = form;
  const load = async () => {
    try {
      const v = await api.get(`/api/plugins/${seg(id)}/config`);
      setView(v);
      setData(withDefaults(v.schema, v.config));
    } catch (e) {
      form.fail(e);
    }
  };
  useEffect(() => { load(); }, [id]);
  if (failure && !view) return html`<p class="error">${failure.message}</p>`;
  if (!view) return html`<p class="loading">Loading…</p>`;
  if (!view.schema || !view.schema.properties) return html`<p class="muted">This plugin takes no configuration.</p>`;
  const unknown = view.uiSchema ? [...unknownTypes(view.uiSchema)] : [];
  const layout = view.uiSchema && !unknown.length ? view.uiSchema : generated(view.schema);
  const save = (e) => {
    e.preventDefault();
    form.run(async () => {
      await api.post(`/api/plugins/${seg(id)}/config`, { config: data });
      await load();
      onSaved && onSaved();
    }, 'Saved.');
  };
  const ctx = { data, setData, errors, root: view.schema, base: [], secretsSet: view.secretsSet || [] };
  // The server validates (its rules are the schema's), so the browser's own checks stay out of the way.
  return html`<form class="config-form" noValidate onSubmit=${save}>
    ${unknown.length > 0 && html`<p class="notice" role="status">This plugin's form uses ${unknown.join(', ')}, which Pier does not draw;
      every field is shown instead.</p>`}
    <fieldset disabled=${!canChange || busy} class="plain"><${Element} ctx=${ctx} el=${layout} /></fieldset>
    ${canChange && html`<div class="actions"><button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save'}</button>
      ${message && html`<span class="ok-text" role="status">${message}</span>`}</div>`}
    ${failure && html`<p class="error" role="alert">${failure.message}</p>`}
  </form>`;
}
