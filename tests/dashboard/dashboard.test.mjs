// The dashboard in real Chromium (Debian's), driven by playwright-core, against
// a real `pier serve` on loopback with real plugins: sign-in from the login
// URL, every page without console errors or CSP violations, enable/disable,
// a task enqueued with curl showing up within a second, deep links and the
// back button, plugin-supplied markup shown as text, the read-only token, and
// a page on another loopback origin that tries to change things.
// Screenshots of every page (light, dark, 390 px) go to $PIER_DASHBOARD_OUT.
//
// Run by tests/dashboard/run.sh (ctest: dashboard_browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const { chromium } = await import(process.env.PIER_PLAYWRIGHT);
const PIER = process.env.PIER_BINARY;
const PLUGINS = process.env.PIER_PLUGIN_DIR;
const OUT = process.env.PIER_DASHBOARD_OUT;
fs.mkdirSync(OUT, { recursive: true });

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-dashboard-'));
const MARKUP = '<img src=x onerror="window.__pwned=1">';
let serve, log = '', base, token, readOnlyToken, browser;

function pier(...args) {
  return execFileSync(PIER, [...args, '--config', path.join(root, 'pier.toml')], { encoding: 'utf8' });
}

function writePackage(name, manifest, wasm) {
  const dir = fs.mkdtempSync(path.join(root, 'pkg-'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  fs.copyFileSync(path.join(PLUGINS, wasm), path.join(dir, 'plugin.wasm'));
  execFileSync('zip', ['-q', '-j', path.join(root, 'plugins', `${name}.ndp`), path.join(dir, 'manifest.json'),
    path.join(dir, 'plugin.wasm')]);
}

async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The admin API with the full token, as curl would use it.
async function adminGet(p) {
  const res = await fetch(base + p, { headers: { Authorization: `Bearer ${token}` } });
  return res.json();
}

before(async () => {
  fs.mkdirSync(path.join(root, 'plugins'));
  fs.mkdirSync(path.join(root, 'music'));
  fs.writeFileSync(path.join(root, 'pier.toml'),
    'plugins_folder = "plugins"\ndata_folder = "data"\nadmin_listen = "127.0.0.1:0"\nlog_level = "info"\n' +
    `[[library]]\nid = 1\nname = "Music"\npath = "${path.join(root, 'music')}"\n` +
    '[[user]]\nuser_name = "alice"\nname = "Alice"\n[[user]]\nuser_name = "bob"\nname = "Bob"\n');
  writePackage('scoped', { name: 'Scoped', author: 'Pier', version: '1', description: 'Acts for users.',
    permissions: { users: { reason: 'their plays' }, library: { reason: 'their music', filesystem: true } } }, 'hello.wasm');
  writePackage('hello', { name: 'Hello', author: 'Pier', version: '1.0.0', description: 'Says hello.' }, 'hello.wasm');
  writePackage('worker', {
    name: 'Worker', author: 'Pier', version: '2.0.0', description: 'Runs tasks.',
    permissions: { taskqueue: { reason: 'work', maxConcurrency: 2 } },
    config: { schema: { type: 'object', properties: { queue: { type: 'string' } } } },
  }, 'cpp_task_worker.wasm');
  writePackage('markup', { name: MARKUP, author: '<b>me</b>', version: '1', description: MARKUP }, 'hello.wasm');
  writePackage('configured', {
    name: 'Configured', author: 'Pier', version: '1', description: 'A form to fill.',
    config: {
      schema: {
        type: 'object', required: ['apiKey', 'mode'],
        properties: {
          apiKey: { type: 'string', title: 'API key', format: 'password', description: 'From your account page' },
          mode: { type: 'string', title: 'Mode', enum: ['fast', 'careful'], default: 'careful' },
          limit: { type: 'integer', title: 'Limit', minimum: 1, maximum: 100, default: 10 },
          verbose: { type: 'boolean', title: 'Verbose' },
          endpoints: { type: 'array', title: 'Endpoints', items: { type: 'object', required: ['name'],
            properties: { name: { type: 'string', title: 'Name' }, url: { type: 'string', title: 'URL' } } } },
        },
      },
      uiSchema: { type: 'VerticalLayout', elements: [
        { type: 'Group', label: 'Account', elements: [{ type: 'Control', scope: '#/properties/apiKey' }] },
        { type: 'HorizontalLayout', elements: [{ type: 'Control', scope: '#/properties/mode' },
          { type: 'Control', scope: '#/properties/limit' }] },
        { type: 'Control', scope: '#/properties/verbose' },
        { type: 'Control', scope: '#/properties/endpoints', options: { detail: { type: 'HorizontalLayout', elements: [
          { type: 'Control', scope: '#/properties/name' }, { type: 'Control', scope: '#/properties/url' }] } } },
      ] },
    },
  }, 'hello.wasm');
  writePackage('tabs', {
    name: 'Tabs', author: 'Pier', version: '1',
    config: {
      schema: { type: 'object', properties: { city: { type: 'string', title: 'City' } } },
      uiSchema: { type: 'Categorization', elements: [{ type: 'Category', label: 'Where',
        elements: [{ type: 'Control', scope: '#/properties/city' }] }] },
    },
  }, 'hello.wasm');
  // The bundled example with a schedule, a queue, a KVStore and log lines.
  fs.copyFileSync(process.env.PIER_HEARTBEAT_PACKAGE, path.join(root, 'plugins', 'heartbeat.ndp'));
  for (const id of ['hello', 'worker', 'markup', 'heartbeat']) pier('plugins', 'enable', id);
  serve = spawn(PIER, ['serve', '--config', path.join(root, 'pier.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout.on('data', (d) => { log += d; });
  serve.stderr.on('data', (d) => { log += d; });
  await waitFor(() => /pier serve: ready/.test(log), 20000, 'pier serve to be ready');
  const m = /dashboard at (http:\/\/[^/\s]+)\/#token=(\S+)/.exec(log);
  assert.ok(m, 'pier serve prints a login URL:\n' + log);
  base = m[1];
  token = m[2];
  readOnlyToken = fs.readFileSync(path.join(root, 'data', 'pier.admin'), 'utf8').split('\n')[2];
  browser = await chromium.launch({
    executablePath: process.env.PIER_CHROMIUM || '/usr/bin/chromium',
    // Loopback only: every name but localhost and 127.0.0.1 fails to resolve.
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (serve) serve.kill('SIGTERM');
  fs.rmSync(root, { recursive: true, force: true });
});

// A page that records console errors, uncaught exceptions and CSP violations.
async function open(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => page.problems.push('exception: ' + e.message));
  page.on('dialog', (d) => d.accept());
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective));
  });
  return page;
}

async function signedIn(contextOptions = {}, who = token) {
  const context = await browser.newContext(contextOptions);
  const page = await open(context);
  await page.goto(`${base}/#token=${who}`);
  await page.getByRole('heading', { name: 'Plugins' }).waitFor();
  return { context, page };
}

async function shots(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}-light.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(OUT, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(OUT, `${name}-narrow.png`), fullPage: true });
  await page.setViewportSize(size);
}

test('the login URL signs in and leaves no token in the address bar', async () => {
  const { context, page } = await signedIn();
  assert.equal(new URL(page.url()).hash, '');
  await page.getByRole('link', { name: 'Worker' }).waitFor();
  await page.getByRole('link', { name: 'Hello' }).waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'pier_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');
  await shots(page, 'overview');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('plugin-supplied markup is shown as text and never runs', async () => {
  const { context, page } = await signedIn();
  await page.getByText(MARKUP).first().waitFor();
  assert.equal(await page.evaluate(() => document.querySelectorAll('main img').length), 0);
  await page.getByRole('link', { name: MARKUP }).click();
  await page.getByRole('heading', { name: MARKUP }).waitFor();
  assert.ok((await page.locator('main').innerText()).includes('<b>me</b>'));
  // A task payload with markup, on the queue page.
  execFileSync('curl', ['-sf', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '-d',
    JSON.stringify([{ payload: Buffer.from('sleep:1 <script>window.__pwned=2</script>').toString('base64') }]),
    `${base}/api/plugins/worker/queues/work/tasks`]);
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByText('<script>window.__pwned=2</script>', { exact: false }).first().waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('disable and enable from the plugin page', async () => {
  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Hello' }).click();
  await page.getByRole('heading', { name: /Hello/ }).waitFor();
  await shots(page, 'plugin');
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('button', { name: 'Enable' }).waitFor();
  await page.locator('h1 .badge', { hasText: 'disabled' }).waitFor();
  assert.equal((await adminGet('/api/plugins/hello')).loaded, false);
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.locator('h1 .badge', { hasText: 'running' }).waitFor();
  assert.equal((await adminGet('/api/plugins/hello')).loaded, true);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('users and libraries a plugin may act for: chosen on its page, checked by the server', async () => {
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // Declaring users and library, it cannot run before they are chosen.
  assert.equal((await adminGet('/api/plugins/scoped')).loaded, false);
  const refused = await fetch(`${base}/api/plugins/scoped/enable`, { method: 'POST', headers: auth, body: '' });
  assert.notEqual(refused.status, 200);
  assert.match((await refused.json()).error, /users permission requires configuration/);

  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/scoped`);
  await page.getByRole('heading', { name: 'Access' }).waitFor();
  await page.getByLabel(/Alice/).check();
  await page.getByLabel('All libraries').check();
  await page.getByLabel('May write to the library folders').check();
  await shots(page, 'plugin-access');
  await page.getByRole('button', { name: 'Save access' }).click();
  await page.getByText('Saved.').waitFor();
  const scope = await adminGet('/api/plugins/scoped/scope');
  assert.deepEqual(scope.users.selected, ['alice']);
  assert.equal(scope.users.all, false);
  assert.equal(scope.libraries.all, true);
  assert.equal(scope.libraries.writeAccess, true);
  assert.deepEqual(scope.known.users.map((u) => u.name), ['Alice', 'Bob']);

  // IDs the server does not know are refused by field, and nothing changes.
  const bad = await fetch(`${base}/api/plugins/scoped/scope`, { method: 'POST', headers: auth,
    body: JSON.stringify({ users: ['alice', 'mallory'], libraries: [7], allUsers: 'yes' }) });
  assert.equal(bad.status, 400);
  const fields = (await bad.json()).errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['allUsers', 'libraries', 'users']);
  assert.deepEqual((await adminGet('/api/plugins/scoped/scope')).users.selected, ['alice']);

  await page.getByRole('button', { name: 'Enable' }).click();
  await page.locator('h1 .badge', { hasText: 'running' }).waitFor();
  assert.equal((await adminGet('/api/plugins/scoped')).loaded, true);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a task enqueued with curl shows up within a second', async () => {
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  await shots(page, 'queue');
  const payload = `from-curl-${Date.now()}`;
  const started = Date.now();
  execFileSync('curl', ['-sf', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '-d',
    JSON.stringify([{ payload: Buffer.from(payload).toString('base64') }]), `${base}/api/plugins/worker/queues/work/tasks`]);
  await page.getByText(payload).first().waitFor({ timeout: 1000 });
  console.log(`enqueue -> shown in ${Date.now() - started} ms`);
  // Its own page.
  await page.getByText(payload).first().locator('xpath=ancestor::tr').locator('a').first().click();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  await shots(page, 'task');
  assert.deepEqual(page.problems, []);
  await context.close();
});

// One unlabelled series of /metrics (0 when absent).
async function metric(name) {
  const text = await (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : 0;
}

test('the overview is pushed as it changes; ten tabs share one stream; past the cap, pages poll', async () => {
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const context = await browser.newContext();
  const first = await open(context);
  await first.goto(`${base}/#token=${token}`);
  await first.getByText('live', { exact: true }).waitFor();
  const rate = async (ms) => {
    const before = await metric('pier_dashboard_snapshots_total');
    await new Promise((r) => setTimeout(r, ms));
    return ((await metric('pier_dashboard_snapshots_total')) - before) / (ms / 1000);
  };
  const one = await rate(3000);
  const tabs = [first];
  for (let i = 1; i < 10; i++) {
    const page = await open(context);
    await page.goto(`${base}/`);
    await page.getByText('live', { exact: true }).waitFor();
    tabs.push(page);
  }
  // One stream for the browser (a shared worker), however many tabs: a stream per tab would use up the
  // six connections a browser opens to one host.
  assert.equal(await metric('pier_dashboard_streams'), 1);
  const ten = await rate(3000);
  console.log(`overview builds per second: ${one.toFixed(2)} with one tab, ${ten.toFixed(2)} with ten`);
  assert.ok(ten <= 2.5, `at most two builds a second however many tabs (${ten})`);

  // A change reaches every tab by the stream, with no request of theirs.
  let asked = 0;
  for (const t of tabs) t.on('request', (r) => { if (r.url().includes('/api/overview')) asked++; });
  const q = `${base}/api/plugins/worker/queues/work`;
  await fetch(`${q}/pause`, { method: 'POST', headers: auth, body: '' });
  const started = Date.now();
  const added = await fetch(`${q}/tasks`, { method: 'POST', headers: auth,
    body: JSON.stringify(Array(7).fill({ payload: Buffer.from('pushed').toString('base64') })) });
  assert.equal(added.status, 200);
  const pending = (await adminGet('/api/plugins/worker/queues/work')).pending;
  for (const t of tabs) await t.getByText(`${pending} pending`).first().waitFor({ timeout: 2000 });
  console.log(`enqueue -> on ten overview tabs in ${Date.now() - started} ms`);
  assert.equal(asked, 0, 'pushed, not polled');
  await fetch(`${q}/purge`, { method: 'POST', headers: auth, body: '' });
  const ids = (await (await fetch(`${q}/search?q=payload%3Apushed`, { headers: auth })).json()).tasks.map((t) => t.id);
  for (const id of ids) await fetch(`${base}/api/plugins/worker/tasks/${id}/delete`, { method: 'POST', headers: auth, body: '' });
  await fetch(`${q}/resume`, { method: 'POST', headers: auth, body: '' });

  // Fill the cap from outside; the next stream is refused and a new tab polls instead. Open streams hold no
  // handler thread: the API still answers at once.
  const held = [];
  for (;;) {
    const c = new AbortController();
    const res = await fetch(`${base}/api/events`, { headers: { Authorization: `Bearer ${token}` }, signal: c.signal });
    if (res.status !== 200) {
      assert.equal(res.status, 503);
      break;
    }
    held.push(c);
    assert.ok(held.length <= 16, 'a cap on streams');
  }
  assert.equal(held.length, 15, 'sixteen streams in all');
  const t0 = Date.now();
  assert.equal((await adminGet('/api/health')).status, 'ok');
  assert.ok(Date.now() - t0 < 1000);
  const other = await browser.newContext();  // another browser profile: its own worker, refused a stream
  const late = await open(other);
  await late.goto(`${base}/#token=${token}`);
  await late.getByText('polling', { exact: true }).waitFor();
  await late.getByRole('link', { name: 'Worker' }).first().waitFor();
  await shots(late, 'overview-polling');
  for (const t of tabs) assert.deepEqual(t.problems, []);

  // Closed tabs and dropped connections free their streams.
  held.forEach((c) => c.abort());
  await other.close();
  await context.close();
  await waitFor(async () => (await metric('pier_dashboard_streams')) === 0, 5000, 'every stream to be released');
});

test('deep links, reloads and the back button', async () => {
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker`);
  await page.getByRole('heading', { name: /Worker/ }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: /Worker/ }).waitFor();
  await page.locator('main table').getByRole('link', { name: 'work', exact: true }).click();
  await page.waitForURL(`${base}/plugins/worker/queues/work`);
  await page.goBack();
  await page.waitForURL(`${base}/plugins/worker`);
  await page.getByRole('heading', { name: /Worker/ }).waitFor();
  await page.goto(`${base}/no/such/page`);
  assert.equal((await page.request.get(`${base}/no/such/page`)).status(), 404);
  assert.deepEqual(page.problems.filter((p) => !p.includes('404')), []);
  await context.close();
});

test('the read-only token shows no actions and a forged POST is refused', async () => {
  const { context, page } = await signedIn({}, readOnlyToken);
  await page.getByText('read-only').first().waitFor();
  await page.goto(`${base}/plugins/hello`);
  await page.getByRole('heading', { name: /Hello/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Disable' }).count(), 0);
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Enqueue' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0);
  assert.deepEqual(page.problems, []);
  const status = await page.evaluate(async () => (await fetch('/api/plugins/hello/disable',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '' })).status);
  assert.equal(status, 403);
  assert.equal((await adminGet('/api/plugins/hello')).loaded, true);
  await context.close();
});

test('a page on another loopback origin cannot change anything', async () => {
  const { context, page } = await signedIn();  // the victim is signed in
  const target = `${base}/api/plugins/hello/disable`;
  const evil = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><form id="f" method="POST" action="${target}"></form>
      <script>
        fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' });
        fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}' }).catch(() => {});
        setTimeout(() => document.getElementById('f').submit(), 300);
      </script>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const attacker = await context.newPage();
  await attacker.goto(`http://127.0.0.1:${evil.address().port}/`);
  await attacker.waitForTimeout(1500);
  evil.close();
  assert.equal((await adminGet('/api/plugins/hello')).loaded, true, 'hello is still loaded');
  assert.equal((await adminGet('/api/plugins/hello')).enabled, true);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('schedules: plain words, the next five firings, run now', async () => {
  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Schedules' }).click();
  await page.getByRole('heading', { name: 'Schedules' }).waitFor();
  await page.getByText('every 2s').first().waitFor();
  assert.equal(await page.locator('ol.upcoming').first().locator('li').count(), 5);
  const before = (await adminGet('/api/schedules')).find((s) => s.plugin === 'heartbeat').runs;
  await page.getByRole('button', { name: 'Run now' }).first().click();
  await waitFor(async () => (await adminGet('/api/schedules')).find((s) => s.plugin === 'heartbeat').runs > before,
    3000, 'the schedule to run');
  await page.locator('td[data-label="Last run"] .badge', { hasText: 'ok' }).first().waitFor();
  await shots(page, 'schedules');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('running now lists a long call and interrupts it', async () => {
  const { context, page } = await signedIn();
  execFileSync('curl', ['-sf', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '-d',
    JSON.stringify([{ payload: Buffer.from('spin').toString('base64') }]), `${base}/api/plugins/worker/queues/work/tasks`]);
  await page.getByRole('link', { name: 'Running' }).click();
  await page.getByText(/queue work, task/).first().waitFor({ timeout: 5000 });
  await shots(page, 'running');
  await page.getByRole('button', { name: 'Interrupt' }).first().click();
  await page.getByText('No call is running.').waitFor({ timeout: 5000 });
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('logs tail the plugins live, by plugin and level', async () => {
  const { context, page } = await signedIn();
  await page.goto(`${base}/logs?plugin=heartbeat&level=info`);
  await page.locator('.log .line').first().waitFor({ timeout: 5000 });
  const first = await page.locator('.log .line').count();
  await waitFor(async () => (await page.locator('.log .line').count()) > first, 6000, 'a new heartbeat line');
  assert.equal(await page.locator('.log .line', { hasNotText: 'heartbeat' }).count(), 0);
  await shots(page, 'logs');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the audit page shows who changed what', async () => {
  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('heading', { name: 'Audit' }).waitFor();
  await page.getByText('POST /api/plugins/hello/disable').first().waitFor();
  await page.getByText('admin (session)').first().waitFor();
  await page.getByText('POST /api/plugins/worker/queues/work/tasks').first().waitFor();
  await shots(page, 'audit');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the config form follows the uiSchema, shows the server\'s errors by field and never sends a secret back', async () => {
  const SECRET = 's3cret-value-' + Date.now();
  const { context, page } = await signedIn();
  const bodies = [];
  page.on('response', async (r) => { if (r.url().includes('/api/')) { try { bodies.push(await r.text()); } catch { /* */ } } });
  await page.goto(`${base}/plugins/configured`);
  await page.getByRole('heading', { name: 'Configuration' }).waitFor();
  const labels = await page.locator('.config-form label[for], .config-form legend').allInnerTexts();
  assert.deepEqual(labels.map((l) => l.trim()), ['Account', 'API key *', 'Mode *', 'Limit', 'Verbose', 'Endpoints']);
  assert.equal(await page.getByLabel('Mode').inputValue(), 'careful', 'the default');
  await page.locator('.config-form .help', { hasText: 'From your account page' }).waitFor();
  // Out of range: the server says so under the field, and nothing is stored.
  await page.getByLabel('API key').fill(SECRET);
  await page.getByLabel('Limit').fill('500');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.field.invalid', { has: page.getByLabel('Limit') }).locator('.field-error').waitFor();
  assert.deepEqual((await adminGet('/api/plugins/configured/config')).secretsSet, []);
  // Fixed, with an endpoint: saved; the secret is set and never comes back.
  await page.getByLabel('Limit').fill('5');
  await page.getByRole('button', { name: 'Add' }).click();
  await page.getByLabel('Name').fill('primary');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByLabel('API key').and(page.locator('[placeholder^="set"]')).waitFor();
  const view = await adminGet('/api/plugins/configured/config');
  assert.deepEqual(view.secretsSet, ['/apiKey']);
  assert.equal(view.config.limit, 5);
  assert.deepEqual(view.config.endpoints, [{ name: 'primary' }]);
  // Saved again untouched: the stored secret stays.
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  assert.deepEqual((await adminGet('/api/plugins/configured/config')).secretsSet, ['/apiKey']);
  for (const p of ['/api/plugins/configured', '/api/plugins/configured/config', '/api/overview', '/api/audit', '/api/logs']) {
    bodies.push(await (await fetch(base + p, { headers: { Authorization: `Bearer ${token}` } })).text());
  }
  for (const b of bodies) assert.ok(!b.includes(SECRET), 'a response carried the secret: ' + b.slice(0, 200));
  await shots(page, 'config');
  assert.deepEqual(page.problems.filter((p) => !p.includes('400')), []);
  await context.close();
});

test('a uiSchema with elements Pier does not draw falls back to every field, with a notice', async () => {
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/tabs`);
  await page.getByText('which Pier does not draw').waitFor();
  await page.getByLabel('City').waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('"retry all matching" on 10,000 failed tasks, refused when the count changed', async () => {
  // 10,000 failing tasks and 50 that succeed, in a paused queue so nothing runs meanwhile.
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const q = `${base}/api/plugins/worker/queues/work`;
  assert.equal((await fetch(`${q}/pause`, { method: 'POST', headers: auth, body: '' })).status, 200);
  const fail = Buffer.from('fail').toString('base64');
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${q}/tasks`, { method: 'POST', headers: auth, body: JSON.stringify(Array(1000).fill({ payload: fail })) });
    assert.equal(r.status, 200);
  }
  assert.equal((await fetch(`${q}/resume`, { method: 'POST', headers: auth, body: '' })).status, 200);
  await waitFor(async () => (await adminGet('/api/plugins/worker/queues/work')).failed >= 10000, 120000, '10,000 failures');
  // Earlier tests left failures of their own (an interrupted call); the query matches only these 10,000.
  const before = (await adminGet('/api/plugins/worker/queues/work')).failed;
  const failed = 10000;
  await fetch(`${q}/pause`, { method: 'POST', headers: auth, body: '' });  // retried tasks stay pending

  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  await page.getByLabel('Search tasks').fill('status:failed error:"as instructed"');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: 'Count all matching' }).click();
  await page.getByRole('button', { name: `Retry all ${failed} matching` }).waitFor();
  // A forged bulk with another count is refused and changes nothing.
  const forged = await fetch(`${q}/bulk`, { method: 'POST', headers: auth,
    body: JSON.stringify({ action: 'retry', q: 'status:failed error:"as instructed"', expect: failed - 1 }) });
  assert.equal(forged.status, 409);
  assert.equal((await adminGet('/api/plugins/worker/queues/work')).failed, before);
  const started = Date.now();
  await page.getByRole('button', { name: `Retry all ${failed} matching` }).click();
  await page.getByText(`${failed} of ${failed} retried`).waitFor({ timeout: 120000 });
  console.log(`retried ${failed} tasks in ${Date.now() - started} ms`);
  const after = await adminGet('/api/plugins/worker/queues/work');
  assert.equal(after.failed, before - failed, 'only the matching tasks were retried');
  assert.ok(after.pending >= failed, JSON.stringify(after));
  // Audited with how many.
  const audit = await adminGet('/api/audit');
  assert.ok(audit.some((e) => e.path.endsWith('/bulk') && e.status === 200), JSON.stringify(audit.slice(0, 3)));
  await shots(page, 'bulk');
  assert.deepEqual(page.problems, []);
  await context.close();
  // Leave the queue empty for anything after.
  await fetch(`${q}/resume`, { method: 'POST', headers: auth, body: '' });
});

test('task pages go on by cursor; delete one task, then all matching', async () => {
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const q = `${base}/api/plugins/worker/queues/work`;
  assert.equal((await fetch(`${q}/pause`, { method: 'POST', headers: auth, body: '' })).status, 200);
  const specs = Array.from({ length: 120 }, (_, i) => ({ payload: Buffer.from(`doomed-${i}`).toString('base64') }));
  const added = await fetch(`${q}/tasks`, { method: 'POST', headers: auth, body: JSON.stringify(specs) });
  assert.equal(added.status, 200);
  const ids = (await added.json()).ids;

  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/queues/work?q=payload%3Adoomed`);
  const rows = page.locator('table.tasks tbody tr');
  await page.getByText('page 1').waitFor();
  await page.locator('table.tasks').getByText(ids[119]).waitFor();  // newest first
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: 'Older →' }).click();
  await page.getByText('page 2').waitFor();
  await page.locator('table.tasks').getByText(ids[69]).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: 'Older →' }).click();
  await page.getByText('page 3').waitFor();
  await page.locator('table.tasks').getByText(ids[0]).waitFor();
  assert.equal(await rows.count(), 20);
  assert.ok(await page.getByRole('button', { name: 'Older →' }).isDisabled(), 'the last page has no older one');
  await page.getByRole('button', { name: '← Newer' }).click();
  await page.getByRole('button', { name: '← Newer' }).click();
  await page.getByText('page 1').waitFor();
  await page.locator('table.tasks').getByText(ids[119]).waitFor();

  // One task, from its row.
  await rows.filter({ hasText: ids[119] }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('table.tasks').getByText(ids[119]).waitFor({ state: 'detached' });
  assert.equal((await fetch(`${base}/api/plugins/worker/tasks/${ids[119]}`, { headers: auth })).status, 404);
  // A running task is refused, saying why (none runs here: an unknown ID is a 404 instead).
  assert.equal((await fetch(`${base}/api/plugins/worker/tasks/nope/delete`, { method: 'POST', headers: auth, body: '' })).status, 404);

  // Every other match, with the count confirmed.
  await page.getByRole('button', { name: 'Count all matching' }).click();
  await page.getByRole('button', { name: 'Delete all 119 matching' }).click();
  await page.getByText('119 of 119 deleted').waitFor({ timeout: 30000 });
  const left = await (await fetch(`${q}/search?q=payload%3Adoomed`, { headers: auth })).json();
  assert.deepEqual(left.tasks, []);
  const audit = await adminGet('/api/audit');
  assert.ok(audit.some((e) => e.path.endsWith('/bulk') && e.count === 119), JSON.stringify(audit.slice(0, 3)));
  assert.ok(audit.some((e) => e.path.endsWith(`/tasks/${ids[119]}/delete`) && e.status === 200));
  assert.deepEqual(page.problems, []);
  await context.close();
  await fetch(`${q}/resume`, { method: 'POST', headers: auth, body: '' });
});

test('run now: a task delayed by an hour runs at once from its page', async () => {
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const q = `${base}/api/plugins/worker/queues/work`;
  const added = await fetch(`${q}/tasks`, { method: 'POST', headers: auth,
    body: JSON.stringify([{ payload: Buffer.from('later').toString('base64'), delayMs: 3600000 }]) });
  const [id] = (await added.json()).ids;
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/tasks/${id}`);
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  assert.equal((await adminGet(`/api/plugins/worker/tasks/${id}`)).status, 'pending');
  await page.getByRole('button', { name: 'Run now' }).click();
  await waitFor(async () => (await adminGet(`/api/plugins/worker/tasks/${id}`)).status === 'completed', 10000, 'the task to run');
  await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
  // Only a pending task can.
  const again = await fetch(`${base}/api/plugins/worker/tasks/${id}/run`, { method: 'POST', headers: auth, body: '' });
  assert.equal(again.status, 409);
  assert.match((await again.json()).error, /only a pending task can \(status: completed\)/);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('queue settings within the manifest\'s budget: set on the queue page, kept across reloads', async () => {
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const q = `${base}/api/plugins/worker/queues/work`;
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  // Beyond the budget (maxConcurrency 2): refused under its field, nothing changes.
  await page.getByLabel('Concurrency').fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('.field-error', { hasText: 'concurrency must be a whole number from 1 to 2' }).waitFor();
  assert.deepEqual((await adminGet('/api/plugins/worker/queues/work/settings')).override, {});
  await page.getByLabel('Concurrency').fill('1');
  await page.getByLabel('Retries').fill('4');
  await page.getByLabel('Rate limit (ms)').fill('5');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved; the plugin was reloaded with them.').waitFor();
  await shots(page, 'queue-settings');
  await waitFor(async () => {
    const st = await adminGet('/api/plugins/worker/queues/work');
    return st.active && st.concurrency === 1 && st.maxRetries === 4 && st.delayMs === 5;
  }, 10000, 'the reloaded queue to use the settings');
  // Kept with the plugin: a disable and enable (a new load) applies them again.
  assert.equal((await fetch(`${base}/api/plugins/worker/disable`, { method: 'POST', headers: auth, body: '' })).status, 200);
  assert.equal((await fetch(`${base}/api/plugins/worker/enable`, { method: 'POST', headers: auth, body: '' })).status, 200);
  await waitFor(async () => (await adminGet('/api/plugins/worker/queues/work')).maxRetries === 4, 10000, 'settings after a reload');
  // A forged value of the wrong type is refused by field; null gives a field back to the plugin.
  const bad = await fetch(`${q}/settings`, { method: 'POST', headers: auth, body: JSON.stringify({ backoffMs: 'slow', speed: 1 }) });
  assert.equal(bad.status, 400);
  assert.deepEqual((await bad.json()).errors.map((e) => e.field).sort(), ['backoffMs', 'speed']);
  const cleared = await fetch(`${q}/settings`, { method: 'POST', headers: auth,
    body: JSON.stringify({ concurrency: null, maxRetries: null, delayMs: null }) });
  assert.equal(cleared.status, 200);
  assert.deepEqual((await cleared.json()).override, {});
  await waitFor(async () => {
    const st = await adminGet('/api/plugins/worker/queues/work');
    return st.active && st.delayMs === 0 && st.maxRetries !== 4;
  }, 10000, 'the plugin\'s own settings back');
  assert.deepEqual(page.problems.filter((p) => !p.includes('status of 400')), [], 'only the refused save');
  await context.close();
});

test('the queue page charts the last hour from the same counters as /metrics', async () => {
  const { context, page } = await signedIn();
  await page.goto(`${base}/plugins/worker/queues/work`);
  await page.getByRole('heading', { name: 'Last hour' }).waitFor();
  await page.locator('.chart canvas').first().waitFor({ timeout: 30000 });
  // The 10,000 failures of the bulk test happened after the first sample (the starting line); the
  // sampler takes a point every 10 s, so they are charted by the next one at the latest.
  let chart = null;
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  await waitFor(async () => {
    chart = await adminGet('/api/plugins/worker/queues/work/chart?window=hour');
    return sum(chart.failed) >= 10000;
  }, 15000, 'the bulk test\'s failures in the chart');
  const charted = sum(chart.failed);
  const text = await (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
  const m = /pier_task_finished_total\{plugin="worker",queue="work",status="failed"\} (\d+)/.exec(text);
  assert.ok(m, 'the counter is scraped');
  assert.ok(charted >= 10000 && charted <= Number(m[1]), `charted ${charted}, counter ${m[1]}`);
  await shots(page, 'queue-chart');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('signed out: the sign-in page, a bad token refused, a good one signs in', async () => {
  const context = await browser.newContext();
  const page = await open(context);
  let apiCalls = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) apiCalls++; });
  await page.goto(`${base}/plugins/hello`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.waitForTimeout(1000);
  assert.ok(apiCalls <= 3, `a signed-out page keeps asking the server (${apiCalls} requests)`);
  await page.getByLabel('Token').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('wrong admin token').waitFor();
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Hello/ }).waitFor();
  await shots(page, 'signin-after');
  assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
  await context.close();
});
