// A cron expression in plain words, for the schedules page. Covers the
// dialect Pier's scheduler reads (5 fields, or 6 with seconds first;
// @every, @hourly, @daily, @weekly, @monthly, @yearly; an optional TZ=
// prefix, shown apart); anything else is shown as written.
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

const pad = (n) => String(n).padStart(2, '0');
const isNum = (s) => /^\d+$/.test(s);

function list(field, names) {
  return field.split(',').map((part) => {
    const [a, b] = part.split('-');
    const name = (x) => (names && isNum(x) ? names[Number(x)] || x : x);
    return b !== undefined ? `${name(a)} to ${name(b)}` : name(a);
  }).join(', ');
}

export function describeCron(text) {
  let expr = (text || '').trim();
  let zone = '';
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(expr);
  if (tz) { zone = tz[1]; expr = tz[2]; }
  const words = describe(expr);
  return zone ? `${words} (${zone})` : words;
}

function describe(expr) {
  const every = /^@every\s+(\S+)$/.exec(expr);
  if (every) return `every ${every[1]}`;
  const named = { '@hourly': 'every hour, on the hour', '@daily': 'every day at midnight', '@midnight': 'every day at midnight',
    '@weekly': 'every Sunday at midnight', '@monthly': 'on the 1st of every month at midnight',
    '@yearly': 'every 1 January at midnight', '@annually': 'every 1 January at midnight' };
  if (named[expr]) return named[expr];
  let f = expr.split(/\s+/);
  let seconds = '0';
  if (f.length === 6) { seconds = f[0]; f = f.slice(1); }
  if (f.length !== 5) return expr;
  const [min, hour, dom, mon, dow] = f;
  let when;
  if (min === '*' && hour === '*') when = seconds === '0' ? 'every minute' : `every minute at second ${seconds}`;
  else if (/^\*\/\d+$/.test(min) && hour === '*') when = `every ${min.slice(2)} minutes`;
  else if (isNum(min) && hour === '*') when = `at minute ${min} of every hour`;
  else if (isNum(min) && /^\*\/\d+$/.test(hour)) when = `at minute ${min} of every ${hour.slice(2)} hours`;
  else if (isNum(min) && isNum(hour)) when = `at ${pad(hour)}:${pad(min)}`;
  else if (isNum(min)) when = `at minute ${min} past hour ${list(hour)}`;
  else return expr;
  const parts = [when];
  if (dom !== '*') parts.push(`on day ${list(dom)} of the month`);
  if (mon !== '*') parts.push(`in ${list(mon, MONTHS)}`);
  if (dow !== '*') parts.push(`on ${list(dow, DAYS)}`);
  if (dom === '*' && dow === '*' && isNum(hour)) parts.push('every day');
  return parts.join(' ');
}
