// The admin API from the page: same origin, the session cookie, JSON both ways.
// Every error becomes an Error whose message is the server's own words.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;  // the parsed answer, e.g. {errors: [{field, message}]}
  }
}

const listeners = new Set();
// Called with the status when a request is refused for want of a session (401).
export function onUnauthorized(f) { listeners.add(f); return () => listeners.delete(f); }

// The last answer to each GET, by path: polls send its ETag and the server
// answers 304 when nothing changed (no body, no parse, no re-render work).
const lastAnswer = new Map();
const MAX_REMEMBERED = 200;

async function request(method, path, body) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  const remembered = method === 'GET' ? lastAnswer.get(path) : undefined;
  if (remembered) init.headers['If-None-Match'] = remembered.etag;
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.body = body === undefined ? '' : JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 304 && remembered) return remembered.data;
  const text = await res.text();
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('ndjson')) {
    // Long operations: progress lines, the result last.
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    data = lines[lines.length - 1] || {};
  } else if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text }; }
  }
  if (res.status === 401) listeners.forEach((f) => f(401));
  if (!res.ok || (data && data.ok === false)) {
    throw new ApiError(res.status, (data && data.error) || `${res.status} ${res.statusText}`, data);
  }
  const etag = res.headers.get('ETag');
  if (method === 'GET' && etag) {
    if (lastAnswer.size >= MAX_REMEMBERED) lastAnswer.delete(lastAnswer.keys().next().value);
    lastAnswer.set(path, { etag, data });
  }
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  del: (path) => request('DELETE', path),
};

// A path segment: every character but unreserved ones escaped (a queue named "a/b" stays one segment).
export const seg = (s) => encodeURIComponent(s);

// Task payloads travel as base64 (Go's []byte).
export function encodePayload(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  bytes.forEach((b) => { bin += String.fromCharCode(b); });
  return btoa(bin);
}

// The payload as text when it is UTF-8, else as hex; never as markup.
export function decodePayload(b64) {
  try {
    const bin = atob(b64 || '');
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return 'hex: ' + Array.from(atob(b64 || ''), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
    } catch {
      return '(not base64)';
    }
  }
}

// A refused save's problems by field ("a/b" → "message; message"), for the controls to show under each.
export function fieldErrors(err) {
  const byField = {};
  for (const p of (err.body && err.body.errors) || []) {
    byField[p.field] = byField[p.field] ? byField[p.field] + '; ' + p.message : p.message;
  }
  return byField;
}
