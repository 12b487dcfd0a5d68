// One event stream for every dashboard tab of this browser, in a shared
// worker: a browser gives a host six HTTP/1.1 connections, so a stream per
// tab would leave the seventh tab unable to load. Tabs tell the worker when
// they are visible; the stream is open only while at least one is. Each
// event goes to every tab; when the server refuses the stream (its cap) or
// it keeps failing, the tabs are told to poll instead.
const tabs = new Map();  // port -> visible
let source = null;
let last = null;         // the latest overview document, for a tab that arrives
let failed = false;
let failures = 0;

function send(port, message) {
  try { port.postMessage(message); } catch { tabs.delete(port); }
}
function toAll(message) {
  for (const port of [...tabs.keys()]) send(port, message);
}
function giveUp() {
  if (source) { source.close(); source = null; }
  failed = true;
  toAll({ type: 'poll' });
}
function update() {
  const wanted = !failed && [...tabs.values()].some(Boolean);
  if (wanted && !source) {
    source = new EventSource('/api/events');
    source.addEventListener('overview', (e) => { failures = 0; last = e.data; toAll({ type: 'overview', data: e.data }); });
    source.addEventListener('full', giveUp);
    source.onerror = () => { if (source && (source.readyState === EventSource.CLOSED || ++failures >= 3)) giveUp(); };
  } else if (!wanted && source) {
    source.close();
    source = null;
    last = null;  // stale once nobody listens
  }
}

self.onconnect = (e) => {
  const port = e.ports[0];
  tabs.set(port, false);
  port.onmessage = (m) => {
    if (m.data.type === 'visible') {
      tabs.set(port, m.data.visible);
      if (failed) return send(port, { type: 'poll' });
      update();
      if (m.data.visible && last) send(port, { type: 'overview', data: last });
    } else if (m.data.type === 'bye') {
      tabs.delete(port);
      update();
    }
  };
  port.start();
};
