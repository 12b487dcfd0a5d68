// A queue's last hour or day as two small uPlot charts: tasks completed and
// failed per step, and the mean wait and run time (from /api/.../chart, the
// server's own ring of the /metrics counters).
import uPlot from './vendor/uplot/uPlot.esm.js';
import { api } from './api.js';
import { html, useEffect, useRef, useState, usePoll } from './ui.js';

function Plot({ data, series, title }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    if (!box.current) return undefined;
    const width = Math.max(280, box.current.clientWidth || 600);
    const opts = {
      title, width, height: 160,
      scales: { x: { time: true } },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
    };
    plot.current = new uPlot(opts, data, box.current);
    return () => { plot.current.destroy(); plot.current = null; };
  }, [series.length, title]);
  useEffect(() => { if (plot.current) plot.current.setData(data); }, [data]);
  return html`<div class="chart" ref=${box}></div>`;
}

export function QueueCharts({ base }) {
  const [windowName, setWindow] = useState('hour');
  const { data } = usePoll(() => api.get(`${base}/chart?window=${windowName}`), 10000, [base, windowName]);
  const t = data ? data.t.map((ms) => ms / 1000) : [];
  const empty = !data || t.length === 0;
  return html`<section class="card charts">
    <div class="page-head">
      <h2>Last ${windowName}</h2>
      <label>Window <select value=${windowName} onChange=${(e) => setWindow(e.target.value)}>
        <option value="hour">hour (10 s steps)</option><option value="day">day (1 min steps)</option></select></label>
    </div>
    ${empty ? html`<p class="muted">No points yet: the server adds one every ${windowName === 'hour' ? '10 seconds' : 'minute'}.</p>`
      : html`<div class="chart-row">
        <${Plot} title="Tasks per step" data=${[t, data.completed, data.failed]}
          series=${[{ label: 'completed', color: '#1a7f37' }, { label: 'failed', color: '#cf222e' }]} />
        <${Plot} title="Mean time (ms)" data=${[t, data.waitAvgMs, data.runAvgMs]}
          series=${[{ label: 'wait', color: '#9a6700' }, { label: 'run', color: '#0969da' }]} />
      </div>`}
  </section>`;
}
