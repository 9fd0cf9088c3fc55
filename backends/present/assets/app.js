// omniscope dashboard: vanilla JavaScript, no dependencies, no requests to
// anywhere but this server's JSON API. Every value from the API reaches the
// page through textContent or attributes, never as HTML; bidirectional
// control characters are shown as visible codes, so a right-to-left override
// cannot make one name look like another.
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const REFRESH_MS = 2000;
const TOKEN_KEY = 'omniscope-token';
/** Longer strings are clipped, with a button to show them whole. */
const CLIP = 240;
/** Height of a waterfall row, in pixels (app.css says the same). */
const ROW_H = 24;
/** Waterfalls with more rows draw only the rows in view. */
const VIRTUAL_FROM = 400;

// ---------- small helpers ----------

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `text` with bidirectional controls made visible (`⟦U+202E⟧`). */
function visible(text) {
  return String(text).replace(BIDI, c => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

/** An element with attributes (`class`, `dataset` entries as data-*, `onclick`, others as attributes) and children. */
function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, like h(). */
function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'onclick') el.addEventListener('click', v);
    else if (k === 'title') el.setAttribute(k, visible(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(visible(c)));
  }
  return el;
}

const $ = (sel, root = document) => root.querySelector(sel);

/** `text`, clipped to CLIP characters with a "more" button that shows the rest. */
function clip(text, limit = CLIP) {
  text = String(text ?? '');
  if (text.length <= limit) return h('span', { class: 'clip' }, text);
  const span = h('span', { class: 'clip clipped' }, text.slice(0, limit) + '…');
  const more = h('button', { type: 'button', class: 'more', 'aria-label': 'show all' }, `+${text.length - limit}`);
  more.addEventListener('click', ev => {
    ev.stopPropagation();
    span.replaceChildren(document.createTextNode(visible(text)));
    span.classList.remove('clipped');
    more.remove();
  });
  return h('span', {}, span, ' ', more);
}

function fmtMs(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '–';
  if (ms === 0) return '0';
  if (ms < 1) return (ms * 1000).toFixed(ms < 0.01 ? 2 : 0) + ' µs';
  if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(2) + ' s';
  return fmtDuration(ms / 1000);
}

function fmtNum(n) {
  if (n === null || n === undefined || !isFinite(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toPrecision(4).replace(/\.?0+$/, '');
}

function fmtRate(perSecond) {
  if (perSecond === null || perSecond === undefined || !isFinite(perSecond)) return '–';
  if (perSecond === 0) return '0/s';
  if (perSecond < 1) return fmtNum(perSecond * 60) + '/min';
  return fmtNum(Number(perSecond.toPrecision(3))) + '/s';
}

function fmtBytes(b) {
  if (!isFinite(b)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return b.toFixed(i ? 1 : 0) + ' ' + units[i];
}

function fmtDuration(sec) {
  if (!isFinite(sec)) return '–';
  const d = Math.floor(sec / 86400), hh = Math.floor(sec / 3600) % 24, mm = Math.floor(sec / 60) % 60, ss = Math.floor(sec % 60);
  if (d) return `${d}d ${hh}h`;
  if (hh) return `${hh}h ${mm}m`;
  if (mm) return `${mm}m ${ss}s`;
  return sec.toFixed(sec < 10 ? 2 : 0) + ' s';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

function fmtTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function fmtDate(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A value in the unit of its metric: seconds as durations, bytes in KiB/MiB. */
function fmtUnit(v, unit, name = '') {
  if (v === null || v === undefined) return '–';
  if (unit === 's' || name.endsWith('_seconds')) return fmtMs(v * 1000);
  if (unit === 'By' || name.endsWith('_bytes')) return fmtBytes(v);
  return fmtNum(v);
}

/** `a::b::c` → the last segment, and the module before it. */
function splitName(name) {
  const i = name.lastIndexOf('::');
  return i < 0 ? ['', name] : [name.slice(0, i + 2), name.slice(i + 2)];
}

function fieldsText(obj) {
  return Object.entries(obj || {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

function traceLink(id) {
  return id ? h('a', { class: 'trace-link mono', href: `#/traces/${id}` }, id.slice(0, 16) + '…') : '';
}

/** Rows that open something: clickable, and reachable and usable with the keyboard. */
function actionRow(attrs, open, ...cells) {
  const row = h('tr', { ...attrs, tabindex: 0, onclick: ev => { if (!ev.target.closest('a, button')) open(); } }, ...cells);
  row.classList.add('clickable');
  row.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
  return row;
}

/** The rate per second of cumulative samples `[[ms, value]]` over the last `windowS` seconds. */
function rateOver(samples, windowS) {
  if (!samples || samples.length < 2) return null;
  const last = samples[samples.length - 1];
  let first = samples[0];
  for (const p of samples) { if (p[0] >= last[0] - windowS * 1000) { first = p; break; } }
  if (first === last) first = samples[samples.length - 2];
  const dt = (last[0] - first[0]) / 1000;
  return dt > 0 ? Math.max(0, last[1] - first[1]) / dt : null;
}

// ---------- API access and the live state ----------

class Unauthorized extends Error {}
class Unreachable extends Error {}

let pending = 0;
function loading(delta) {
  pending += delta;
  // Visibility, not display: the header keeps its size.
  $('#loading').style.visibility = pending === 0 ? 'hidden' : 'visible';
}

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  loading(1);
  let res;
  try {
    res = await fetch(path, { headers, cache: 'no-store' });
  } catch (e) {
    throw new Unreachable(`the server does not answer (${e.message || e})`);
  } finally {
    loading(-1);
  }
  if (res.status === 401) {
    $('#token-form').hidden = false;
    throw new Unauthorized('a bearer token is needed');
  }
  const body = await res.json().catch(() => ({ error: `${path}: answer is not JSON (HTTP ${res.status})` }));
  if (!res.ok) throw new Error(body.error || `${path}: HTTP ${res.status}`);
  return body;
}

let unreachableSince = null;
let lastUpdated = null;
let hovering = false;

function showError(e) {
  const banner = $('#error-banner');
  if (e instanceof Unreachable) {
    unreachableSince = unreachableSince || Date.now();
    banner.textContent = `Server unreachable since ${fmtTime(unreachableSince)}: ${e.message}. Retrying every ${REFRESH_MS / 1000} s; the data below is from ${lastUpdated ? fmtTime(lastUpdated) : 'never'}.`;
    banner.hidden = false;
  } else if (!e || e instanceof Unauthorized) {
    banner.hidden = true;
  } else {
    banner.textContent = String(e.message || e);
    banner.hidden = false;
  }
  if (!e) unreachableSince = null;
  showLiveState();
}

function isPaused() {
  return !$('#auto-refresh').checked || hovering;
}

function showLiveState() {
  const el = $('#live-state');
  let state, text;
  if (unreachableSince) { state = 'unreachable'; text = 'server unreachable'; }
  else if (!$('#auto-refresh').checked) { state = 'paused'; text = 'paused'; }
  else if (hovering) { state = 'paused'; text = 'paused (pointer)'; }
  else { state = 'live'; text = 'live'; }
  el.dataset.state = state;
  el.textContent = text + (lastUpdated ? ` · updated ${fmtTime(lastUpdated).slice(0, 8)}` : '');
}

// ---------- routing: every view's state is in the hash ----------

/** The route of location.hash: `#/traces/<id>?span=x` → {view, arg, params}. */
function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const i = raw.indexOf('?');
  const path = i < 0 ? raw : raw.slice(0, i);
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(i < 0 ? '' : raw.slice(i + 1));
  if (parts[0] === 'traces' && parts[1]) return { view: 'trace', arg: decodeURIComponent(parts[1]), params, path };
  return { view: parts[0] || 'functions', arg: null, params, path: parts[0] || 'functions' };
}

/** Replaces the hash's parameters (`null` or '' removes one); `push` adds a history entry. */
function setParams(changes, push = false) {
  const route = currentRoute();
  const params = route.params;
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '' || v === false) params.delete(k);
    else params.set(k, v === true ? '1' : String(v));
  }
  const path = route.view === 'trace' ? `traces/${route.arg}` : route.path;
  const hash = `#/${path}` + (params.toString() ? `?${params}` : '');
  if (hash === location.hash) return;
  if (push) location.hash = hash;
  else { history.replaceState(null, '', hash); render(); }
}

const views = {};
let refreshTimer = null;
let renderSeq = 0;

async function render() {
  const started = performance.now();
  const route = currentRoute();
  const view = views[route.view] ? route.view : 'functions';
  const section = $(`#view-${view}`);
  for (const el of document.querySelectorAll('.view')) {
    const active = el === section;
    el.classList.toggle('active', active);
    if (!active) el.removeAttribute('data-state');
  }
  const navView = view === 'trace' ? 'traces' : view;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === navView);
  const seq = ++renderSeq;
  try {
    await Promise.all([views[view](route, section), header()]);
    if (seq === renderSeq) {
      section.dataset.state = 'loaded';
      lastUpdated = Date.now();
      showError(null);
      // For the browser tests and the curious: how long a redraw took, fetching included.
      const ms = performance.now() - started;
      window.omniscopeRedraw = { view, ms };
      document.body.dataset.redrawMs = ms.toFixed(1);
    }
  } catch (e) {
    if (seq === renderSeq) showError(e);
  }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const route = currentRoute();
    // A complete trace does not change; everything else is live.
    const still = route.view === 'trace' && $('#view-trace').dataset.complete === 'true';
    if (!isPaused() && !document.hidden && !still) await render();
    showLiveState();
    scheduleRefresh();
  }, REFRESH_MS);
}

// ---------- header: service, process stats, drops ----------

let lastStatus = null;
let processValues = {};

async function header() {
  // Only the process metrics: the header must not fetch every metric each refresh.
  const [status, metrics] = await Promise.all([api('api/status'), api('api/metrics?q=process_')]);
  $('#service-name').textContent = visible(status.service + (status.service_version ? ' ' + status.service_version : ''));
  document.title = status.service + ' · omniscope';
  processValues = metricValues(metrics);
  for (const stat of document.querySelectorAll('#process-stats .stat[data-metric]')) {
    const name = stat.dataset.metric;
    $('dd', stat).textContent = processText(name, processValues[name]);
  }
  const startS = processValues.process_start_time_seconds;
  if (startS) $('#process-stats [data-metric=process_uptime_seconds]').title = `started ${fmtDate(startS * 1000)}`;
  const dropped = status.pipelines.reduce((sum, p) => sum + p.dropped_total, 0);
  $('#drops-total').textContent = fmtNum(dropped);
  $('#drops-stat').classList.toggle('bad', dropped > 0);
  lastStatus = status;
}

/** A process metric with its unit: CPU time and uptime as durations, the start as a date. */
function processText(name, v) {
  if (v === undefined || v === null) return '–';
  if (name === 'process_start_time_seconds') return fmtDate(v * 1000);
  if (name === 'process_cpu_seconds_total') return fmtDuration(v);
  if (name.endsWith('_seconds')) return fmtDuration(v);
  if (name.endsWith('_bytes')) return fmtBytes(v);
  return fmtNum(v);
}

/** Unlabelled metric values by name. */
function metricValues(metrics) {
  const out = {};
  for (const f of metrics.families) {
    const series = f.series.find(x => Object.keys(x.labels).length === 0);
    if (series) out[f.name] = series.value;
  }
  return out;
}

// ---------- functions ----------

function nested(obj, key) {
  return key.split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), obj);
}

views.functions = async (route, section) => {
  const p = route.params;
  const sort = p.get('sort') || 'calls';
  const desc = p.get('desc') !== '0';
  const windowS = Number(p.get('w')) || 60;
  $('#fn-window').value = String(windowS);
  const [data, calls] = await Promise.all([api('api/funcs'), api('api/metrics?names=function.calls')]);
  const samples = {};
  for (const f of calls.families) for (const sr of f.series) samples[sr.labels.function] = sr.recent;
  for (const f of data.functions) f.rate = rateOver(samples[f.name], windowS);
  const rows = data.functions.slice().sort((a, b) => {
    const x = nested(a, sort), y = nested(b, sort);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return desc ? -c : c;
  });
  for (const th of section.querySelectorAll('th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === sort ? (desc ? 'descending' : 'ascending') : 'none');
    th.classList.toggle('sorted', th.dataset.sort === sort);
  }
  const num = (v, cls) => {
    const td = h('td', { class: `num ${cls}` }, fmtNum(v));
    if (!v) td.classList.add('zero');
    return td;
  };
  const lat = (l, key) => h('td', { class: `num lat-${key}` }, l ? fmtMs(l[key + '_ms']) : '–');
  $('tbody', section).replaceChildren(...rows.map(f => {
    const [module, short] = splitName(f.name);
    const errors = num(f.errors_total, 'fn-errors');
    if (f.errors_total) { errors.classList.add('bad'); errors.title = fieldsText(f.errors); }
    const expected = num(f.user_errors_total, 'fn-user-errors');
    if (f.user_errors_total) expected.title = fieldsText(f.user_errors);
    const panics = num(f.panics, 'fn-panics');
    if (f.panics) panics.classList.add('bad');
    const fn = encodeURIComponent(f.name);
    const chart = `#/metrics?chart=function.duration&labels=${encodeURIComponent(`function=${f.name},outcome=ok`)}`;
    return h('tr', { class: 'function-row', dataset: { function: f.name } },
      h('td', { class: 'fn-name', title: f.name }, h('a', { class: 'fn-chart', href: chart }, h('span', { class: 'module' }, module), h('span', { class: 'short' }, short))),
      h('td', { class: 'num fn-rate', title: `over the last ${windowS / 60} min` }, fmtRate(f.rate)),
      num(f.calls, 'fn-calls'), errors, expected, panics, num(f.in_flight, 'fn-inflight'), num(f.high_water, 'fn-highwater'),
      ...['p50', 'p90', 'p99', 'max'].map(k => lat(f.success, k)),
      ...['p50', 'p90', 'p99', 'max'].map(k => lat(f.failure, k)),
      h('td', { class: 'fn-traces' },
        h('a', { class: 'fn-slowest', href: `#/traces?function=${fn}` }, 'slowest'), ' · ',
        h('a', { class: 'fn-failed' + (f.errors_total || f.panics ? ' bad' : ''), href: `#/traces?function=${fn}&errors=1` }, 'errors')));
  }));
  $('.empty', section).hidden = rows.length > 0;
};

for (const th of document.querySelectorAll('#functions-table th[data-sort]')) {
  th.tabIndex = 0;
  const sortBy = () => {
    const p = currentRoute().params;
    const key = th.dataset.sort;
    const current = p.get('sort') || 'calls';
    const desc = current === key ? p.get('desc') === '0' : key !== 'name';
    setParams({ sort: key, desc: desc ? null : '0' });
  };
  th.addEventListener('click', sortBy);
  th.addEventListener('keydown', ev => { if (ev.key === 'Enter') sortBy(); });
}
$('#fn-window').addEventListener('change', ev => setParams({ w: ev.target.value }));

// ---------- call graph ----------

views.callgraph = async (route, section) => {
  const data = await api('api/callgraph');
  drawCallGraph($('#callgraph-svg'), data);
};

/** Lays the graph out in layers by call depth (left to right) and draws it. */
function drawCallGraph(svg, data) {
  const ENTRY = '\u0000entry';
  const nodes = new Map(data.nodes.map(n => [n.name, n]));
  const out = new Map();
  for (const e of data.edges) {
    const from = e.caller === null ? ENTRY : e.caller;
    if (!out.has(from)) out.set(from, []);
    out.get(from).push(e.callee);
  }
  // Depth by breadth-first search from the entry (and from nodes nobody calls).
  const depth = new Map([[ENTRY, 0]]);
  const called = new Set(data.edges.map(e => e.callee));
  const queue = [ENTRY, ...data.nodes.filter(n => !called.has(n.name)).map(n => { depth.set(n.name, 1); return n.name; })];
  while (queue.length) {
    const n = queue.shift();
    for (const m of out.get(n) || []) {
      if (!depth.has(m)) { depth.set(m, depth.get(n) + 1); queue.push(m); }
    }
  }
  for (const n of nodes.keys()) if (!depth.has(n)) depth.set(n, 1);
  const layers = [];
  for (const [name, d] of depth) {
    if (name === ENTRY && !out.has(ENTRY)) continue;
    (layers[d] = layers[d] || []).push(name);
  }
  // The entry point sits alone at the left; each further layer is a column.
  const W = 200, H = 40, GAP = 110, ROW = 64, PAD = 20, FIRST = 80;
  const pos = new Map();
  layers.forEach((names, d) => {
    names.sort().forEach((name, i) => {
      pos.set(name, { x: d === 0 ? PAD : PAD + FIRST + (d - 1) * (W + GAP), y: PAD + i * ROW });
    });
  });
  const width = Math.max(400, ...[...pos.values()].map(p => p.x + W + PAD));
  const height = Math.max(120, ...[...pos.values()].map(p => p.y + H + PAD));
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const defs = s('defs', {}, s('marker', { id: 'cg-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z' })));
  const edges = data.edges.map(e => {
    const from = pos.get(e.caller === null ? ENTRY : e.caller), to = pos.get(e.callee);
    if (!from || !to) return null;
    const fromEntry = e.caller === null;
    const x1 = fromEntry ? from.x + 6 : from.x + W, y1 = from.y + H / 2;
    const x2 = to.x, y2 = to.y + H / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const d = e.caller === e.callee
      ? `M ${x1 - 30} ${from.y} C ${x1 - 30} ${from.y - 30}, ${x1 + 30} ${from.y - 30}, ${x1} ${from.y + 8}`
      : `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
    return s('g', { class: 'cg-edge-group' },
      s('path', { class: 'cg-edge', d, 'marker-end': 'url(#cg-arrow)', dataset: { caller: e.caller || '', callee: e.callee } }),
      // Beside the arrow head: each callee's incoming labels stay apart.
      s('text', { class: 'cg-edge-label', x: x2 - 10, y: y2 - 5, 'text-anchor': 'end' }, fmtNum(e.calls)));
  });
  const boxes = [...pos.entries()].map(([name, p]) => {
    if (name === ENTRY) return s('circle', { class: 'cg-entry', cx: p.x + 3, cy: p.y + H / 2, r: 5 }, s('title', {}, 'calls from outside instrumented code'));
    const n = nodes.get(name) || { calls: 0, errors: 0 };
    const [, short] = splitName(name);
    return s('g', { class: 'cg-node' + (n.errors ? ' has-errors' : ''), dataset: { function: name }, transform: `translate(${p.x} ${p.y})` },
      s('title', {}, name),
      s('rect', { width: W, height: H, rx: 6 }),
      s('text', { x: 8, y: 16 }, short.length > 28 ? short.slice(0, 27) + '…' : short),
      s('text', { class: 'cg-counts', x: 8, y: 32 }, `calls ${fmtNum(n.calls)} · errors ${fmtNum(n.errors)}`));
  });
  svg.replaceChildren(defs, ...edges.filter(Boolean), ...boxes);
}

// ---------- traces: scatter, filters, slowest first ----------

const openTrace = id => { location.hash = `#/traces/${id}`; };

function traceRows(list) {
  return list.map(t => actionRow({ class: 'trace-row' + (t.errors ? ' failed' : ''), dataset: { traceId: t.trace_id } }, () => openTrace(t.trace_id),
    h('td', {}, fmtTime(t.start_ms)),
    h('td', { class: 'mono name' }, clip(t.root || '?', 80), t.complete ? '' : ' (running)'),
    h('td', { class: 'num' }, fmtMs(t.duration_ms)),
    h('td', { class: 'num' }, fmtNum(t.span_count), t.dropped_spans ? ` (+${fmtNum(t.dropped_spans)} dropped)` : ''),
    h('td', { class: 'num' + (t.errors ? ' bad' : '') }, fmtNum(t.errors)),
    h('td', {}, h('a', { class: 'trace-link mono', href: `#/traces/${t.trace_id}` }, t.trace_id))));
}

const TRACE_FILTERS = { root: '#tf-root', min_ms: '#tf-min', attr: '#tf-attr' };

views.traces = async (route, section) => {
  const p = route.params;
  for (const [k, sel] of Object.entries(TRACE_FILTERS)) if (document.activeElement !== $(sel)) $(sel).value = p.get(k) || '';
  $('#tf-errors').checked = p.get('errors') === '1';
  const fn = p.get('function');
  $('#tf-function').hidden = !fn;
  $('#tf-function-name').textContent = fn ? visible(fn) : '';
  const query = new URLSearchParams({ limit: '1000' });
  for (const k of ['root', 'function', 'min_ms', 'errors', 'attr']) if (p.get(k)) query.set(k, p.get(k));
  const [traces, inflight] = await Promise.all([api(`api/traces?${query}`), api('api/inflight?limit=100')]);
  drawScatter($('#traces-scatter'), traces.matching);
  const shown = traces.matching.slice(0, 20);
  $('#matching-count').textContent = `${fmtNum(shown.length)} of ${fmtNum(traces.matched)} kept`;
  $('#traces-matching tbody').replaceChildren(...traceRows(shown));
  $('#traces-failed tbody').replaceChildren(...traceRows(traces.failed));
  $('#traces-recent tbody').replaceChildren(...traceRows(traces.recent.slice(0, 100)));
  $('#traces-slowest tbody').replaceChildren(...traceRows(traces.slowest));
  $('#inflight-table tbody').replaceChildren(...inflight.spans.map(sp => h('tr', { class: 'inflight-row' },
    h('td', { class: 'mono' }, clip(sp.name, 80)),
    h('td', { class: 'mono' }, sp.function || ''),
    h('td', { class: 'num' }, fmtMs(sp.elapsed_ms)),
    h('td', {}, traceLink(sp.trace_id)))));
};

/** Axis ticks: `n` values from `lo` to `hi`. */
function ticks(lo, hi, n) {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Each trace a dot: start time across, duration up (a log scale when durations spread widely); errors red. */
function drawScatter(svg, list) {
  const W = Math.max(300, svg.parentElement.clientWidth - 2), H = 220;
  const L = 64, R = 12, T = 10, B = 26;
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!list.length) {
    svg.replaceChildren(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty-text' }, 'no trace kept matches'));
    $('#scatter-legend').textContent = '';
    return;
  }
  const xs = list.map(t => t.start_ms), ys = list.map(t => Math.max(t.duration_ms, 0.001));
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const y0 = Math.min(...ys), y1 = Math.max(...ys);
  const log = y1 / y0 > 50;
  const fy = log ? v => Math.log10(v) : v => v;
  const lo = log ? fy(y0) : 0, hi = fy(y1) === lo ? lo + 1 : fy(y1);
  const sx = x => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = y => H - B - ((fy(y) - lo) / (hi - lo)) * (H - T - B);
  const grid = ticks(lo, hi, 4).map(v => {
    const y = H - B - ((v - lo) / (hi - lo)) * (H - T - B);
    return s('g', { class: 'grid' }, s('line', { x1: L, x2: W - R, y1: y, y2: y }),
      s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, fmtMs(log ? 10 ** v : v)));
  });
  const xlabels = (x1 > x0 ? ticks(x0, x1, 3) : [x0]).map((v, i, all) => s('text', {
    class: 'axis', x: sx(v), y: H - 8, 'text-anchor': all.length === 1 ? 'middle' : i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle',
  }, x1 - x0 < 10000 ? fmtTime(v) : fmtTime(v).slice(0, 8)));
  // Slowest last, so it is drawn on top.
  const order = list.map((t, i) => i).sort((a, b) => list[a].duration_ms - list[b].duration_ms);
  const slowest = order[order.length - 1];
  const dots = order.map(i => {
    const t = list[i];
    const dot = s('circle', {
      class: 'scatter-dot' + (t.errors ? ' error' : '') + (i === slowest ? ' slowest' : '') + (t.complete ? '' : ' running'),
      cx: sx(t.start_ms).toFixed(1), cy: sy(Math.max(t.duration_ms, 0.001)).toFixed(1), r: i === slowest ? 6 : 4,
      tabindex: 0, role: 'link', dataset: { traceId: t.trace_id },
    }, s('title', {}, `${t.root || '?'} · ${fmtMs(t.duration_ms)} · ${fmtTime(t.start_ms)}${t.errors ? ` · ${t.errors} errors` : ''}`));
    dot.addEventListener('click', () => openTrace(t.trace_id));
    dot.addEventListener('keydown', ev => { if (ev.key === 'Enter') openTrace(t.trace_id); });
    return dot;
  });
  svg.replaceChildren(...grid, s('line', { class: 'axis-line', x1: L, x2: L, y1: T, y2: H - B }), ...xlabels, ...dots);
  $('#scatter-legend').textContent = `${fmtNum(list.length)} traces · duration${log ? ' (log scale)' : ''} over start time · red: with errors · the largest dot is the slowest`;
}

let filterTimer = null;
function debounced(fn) {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(fn, 300);
}

function applyTraceFilters() {
  const min = $('#tf-min').value.trim();
  setParams({
    root: $('#tf-root').value.trim(),
    min_ms: min && isFinite(Number(min)) ? min : null,
    errors: $('#tf-errors').checked,
    attr: $('#tf-attr').value.trim(),
  });
}
for (const sel of Object.values(TRACE_FILTERS)) $(sel).addEventListener('input', () => debounced(applyTraceFilters));
$('#tf-errors').addEventListener('change', applyTraceFilters);
$('#trace-filters').addEventListener('submit', ev => { ev.preventDefault(); applyTraceFilters(); });
$('#tf-clear').addEventListener('click', () => { location.hash = '#/traces'; });
$('#tf-function-clear').addEventListener('click', () => setParams({ function: null }));

$('#capture-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const name = $('#capture-name').value;
  const status = $('#capture-status');
  status.textContent = 'waiting for a matching trace (up to 60 s)…';
  try {
    const trace = await api(`api/traces/capture?timeout=60s&name=${encodeURIComponent(name)}`);
    status.textContent = '';
    openTrace(trace.trace_id);
  } catch (e) {
    status.textContent = String(e.message || e);
  }
});

// ---------- one trace: the waterfall ----------

/** The open trace: its spans, tree and what is collapsed. */
let wf = null;

views.trace = async (route, section) => {
  const id = route.arg;
  // A complete trace does not change: fetch it once.
  if (!wf || wf.trace.trace_id !== id || !wf.trace.complete) {
    const trace = await api(`api/traces/${encodeURIComponent(id)}`);
    const keep = wf && wf.trace.trace_id === id ? wf.collapsed : new Set();
    wf = prepareTrace(trace, keep);
  }
  const trace = wf.trace;
  section.dataset.complete = String(trace.complete);
  $('#trace-id').textContent = trace.trace_id;
  $('#trace-summary').textContent = visible(`${trace.root || '?'} · ${fmtMs(trace.duration_ms)} · ${fmtNum(trace.span_count)} spans`
    + (trace.dropped_spans ? ` (${fmtNum(trace.dropped_spans)} more dropped: past the span limit, the slowest and failed spans were kept)` : '')
    + (trace.errors ? ` · ${trace.errors} with errors` : '')
    + ` · started ${fmtTime(trace.start_ms)}` + (trace.complete ? '' : ' · still running'));
  $('#trace-logs-link').href = `#/logs?trace=${trace.trace_id}`;
  $('#trace-errors-link').href = `#/errors?trace=${trace.trace_id}`;
  const q = route.params.get('q') || '';
  if (document.activeElement !== $('#trace-search')) $('#trace-search').value = q;
  wf.search = q.toLowerCase();
  wf.matches = wf.search ? trace.spans.filter(sp => spanText(sp).includes(wf.search)).map(sp => sp.span_id) : [];
  $('#trace-search-count').textContent = wf.search ? `${fmtNum(wf.matches.length)} found` : '';
  const selected = route.params.get('span');
  if (selected && wf.byId.has(selected)) reveal(selected);
  drawWaterfall();
  showSpan(selected);
  if (selected) scrollToSpan(selected);
};

/** A span's time not spent in its children (overlapping children counted once each, so at least 0). */
function selfTime(sp) {
  return Math.max(0, sp.duration_ms - (wf.childTime.get(sp.span_id) || 0));
}

function spanText(sp) {
  return (sp.name + ' ' + (sp.function || '') + ' ' + fieldsText(sp.attributes)).toLowerCase();
}

function prepareTrace(trace, collapsed) {
  const byId = new Map(trace.spans.map(sp => [sp.span_id, sp]));
  const children = new Map();
  for (const sp of trace.spans) {
    if (sp.parent_span_id && byId.has(sp.parent_span_id)) {
      if (!children.has(sp.parent_span_id)) children.set(sp.parent_span_id, 0);
      children.set(sp.parent_span_id, children.get(sp.parent_span_id) + 1);
    }
  }
  const total = Math.max(trace.duration_ms, ...trace.spans.map(sp => sp.offset_ms + sp.duration_ms), 0.001);
  const childTime = new Map();
  for (const sp of trace.spans) {
    if (sp.parent_span_id && byId.has(sp.parent_span_id)) childTime.set(sp.parent_span_id, (childTime.get(sp.parent_span_id) || 0) + sp.duration_ms);
  }
  return { trace, byId, children, childTime, collapsed, total, rows: [], search: '', matches: [] };
}

/** Expands the ancestors of `spanId`, so its row is shown. */
function reveal(spanId) {
  let sp = wf.byId.get(spanId);
  const seen = new Set();
  while (sp && sp.parent_span_id && wf.byId.has(sp.parent_span_id) && !seen.has(sp.span_id)) {
    seen.add(sp.span_id);
    wf.collapsed.delete(sp.parent_span_id);
    sp = wf.byId.get(sp.parent_span_id);
  }
}

/** The rows shown: the spans in tree order, without the descendants of collapsed ones. */
function visibleRows() {
  const rows = [];
  let hideBelow = null;
  for (const sp of wf.trace.spans) {
    if (hideBelow !== null) {
      if (sp.depth > hideBelow) continue;
      hideBelow = null;
    }
    rows.push(sp);
    if (wf.collapsed.has(sp.span_id) && wf.children.has(sp.span_id)) hideBelow = sp.depth;
  }
  return rows;
}

function drawWaterfall() {
  const total = wf.total;
  const axis = ticks(0, 1, 5).map((f, i, all) => {
    const t = h('span', { class: 'tick' + (i === 0 ? ' first' : i === all.length - 1 ? ' last' : '') }, fmtMs(total * f));
    t.style.left = `${f * 100}%`;
    return t;
  });
  $('#waterfall-axis').replaceChildren(...axis);
  wf.rows = visibleRows();
  const container = $('#waterfall-rows');
  container.classList.toggle('virtual', wf.rows.length >= VIRTUAL_FROM);
  container.style.height = wf.rows.length >= VIRTUAL_FROM ? `${wf.rows.length * ROW_H}px` : '';
  wf.drawn = null;
  drawRowsInView(true);
}

/** Draws the rows in view (all of them for a small trace). */
function drawRowsInView(force) {
  const container = $('#waterfall-rows');
  const scroller = $('#waterfall-scroll');
  let from = 0, to = wf.rows.length;
  if (wf.rows.length >= VIRTUAL_FROM) {
    from = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - 30);
    to = Math.min(wf.rows.length, from + Math.ceil(scroller.clientHeight / ROW_H) + 60);
  }
  if (!force && wf.drawn && wf.drawn[0] === from && wf.drawn[1] === to) return;
  wf.drawn = [from, to];
  const selected = currentRoute().params.get('span');
  const matches = new Set(wf.matches);
  const rows = [];
  for (let i = from; i < to; i++) {
    const row = spanRow(wf.rows[i], selected, matches);
    if (wf.rows.length >= VIRTUAL_FROM) row.style.top = `${i * ROW_H}px`;
    rows.push(row);
  }
  container.replaceChildren(...rows);
}

function spanRow(sp, selected, matches) {
  const total = wf.total;
  const pct = ms => `${Math.min(100, Math.max(0, (ms / total) * 100))}%`;
  const bar = h('div', { class: 'span-bar' + (sp.status === 'error' ? ' error' : ''), title: `${sp.name}: ${fmtMs(sp.duration_ms)}` });
  bar.style.left = pct(sp.offset_ms);
  bar.style.width = pct(sp.duration_ms);
  for (const ev of sp.events.slice(0, 20)) {
    const mark = h('span', { class: 'event-mark', title: ev.name });
    mark.style.left = sp.duration_ms > 0 ? `${((ev.offset_ms - sp.offset_ms) / sp.duration_ms) * 100}%` : '0';
    bar.append(mark);
  }
  // The duration goes after the bar, else before it, else inside it.
  const start = (sp.offset_ms / total) * 100, end = ((sp.offset_ms + sp.duration_ms) / total) * 100;
  const duration = h('span', { class: 'span-duration' }, fmtMs(sp.duration_ms));
  if (end < 85) duration.style.left = `calc(${pct(sp.offset_ms + sp.duration_ms)} + 2px)`;
  else if (start > 15) duration.style.right = `calc(${100 - start}% + 2px)`;
  else { duration.classList.add('inside'); duration.style.right = `calc(${Math.max(0, 100 - end)}% + 4px)`; }
  const kids = wf.children.get(sp.span_id) || 0;
  const collapsed = wf.collapsed.has(sp.span_id);
  const toggle = kids
    ? h('button', { type: 'button', class: 'span-toggle', 'aria-expanded': String(!collapsed), 'aria-label': (collapsed ? 'expand ' : 'collapse ') + sp.name, tabindex: -1 }, collapsed ? '▸' : '▾')
    : h('span', { class: 'span-toggle-space' });
  if (kids) toggle.addEventListener('click', ev => { ev.stopPropagation(); toggleSpan(sp.span_id); });
  // Spans received over OTLP carry their service: shown when it is not this one.
  const service = sp.attributes['service.name'];
  const label = h('div', { class: 'span-label', title: sp.function || sp.name }, toggle,
    typeof service === 'string' && service !== (lastStatus && lastStatus.service) ? h('span', { class: 'span-service' }, service) : '',
    h('span', { class: 'span-name' }, sp.name),
    collapsed ? h('span', { class: 'hidden-count' }, ` +${fmtNum(descendants(sp))}`) : '');
  label.style.paddingLeft = `${4 + Math.min(sp.depth, 40) * 14}px`;
  const row = h('div', {
    class: 'span-row' + (sp.span_id === selected ? ' selected' : '') + (matches.has(sp.span_id) ? ' match' : '') + (sp.status === 'error' ? ' failed' : ''),
    dataset: { spanId: sp.span_id, depth: sp.depth, parentSpanId: sp.parent_span_id || '' },
    tabindex: 0, role: 'button',
    onclick: () => selectSpan(sp.span_id),
  }, label, h('div', { class: 'span-track' }, bar, duration));
  row.addEventListener('keydown', ev => spanKey(ev, sp));
  return row;
}

function descendants(sp) {
  const spans = wf.trace.spans;
  let i = spans.indexOf(sp) + 1, n = 0;
  while (i < spans.length && spans[i].depth > sp.depth) { n++; i++; }
  return n;
}

/** Keys on a span row: Enter selects, ←/→ collapse and expand, ↑/↓ move. */
function spanKey(ev, sp) {
  const i = wf.rows.indexOf(sp);
  const move = j => { const next = wf.rows[j]; if (next) selectSpan(next.span_id, true); };
  if (ev.key === 'Enter' || ev.key === ' ') selectSpan(sp.span_id);
  else if (ev.key === 'ArrowLeft' && wf.children.has(sp.span_id) && !wf.collapsed.has(sp.span_id)) toggleSpan(sp.span_id);
  else if (ev.key === 'ArrowRight' && wf.collapsed.has(sp.span_id)) toggleSpan(sp.span_id);
  else if (ev.key === 'ArrowDown') move(i + 1);
  else if (ev.key === 'ArrowUp') move(i - 1);
  else return;
  ev.preventDefault();
}

function toggleSpan(spanId) {
  if (wf.collapsed.has(spanId)) wf.collapsed.delete(spanId); else wf.collapsed.add(spanId);
  drawWaterfall();
}

function selectSpan(spanId, focus = false) {
  if (!wf || !wf.byId.has(spanId)) return;
  const hidden = !wf.rows.some(sp => sp.span_id === spanId);
  if (hidden) { reveal(spanId); }
  const route = currentRoute();
  route.params.set('span', spanId);
  history.replaceState(null, '', `#/traces/${wf.trace.trace_id}?${route.params}`);
  if (hidden) drawWaterfall();
  for (const row of document.querySelectorAll('#waterfall-rows .span-row')) row.classList.toggle('selected', row.dataset.spanId === spanId);
  showSpan(spanId);
  scrollToSpan(spanId);
  if (focus) {
    drawRowsInView(false);
    const row = $(`#waterfall-rows .span-row[data-span-id="${CSS.escape(spanId)}"]`);
    if (row) row.focus({ preventScroll: true });
  }
}

function scrollToSpan(spanId) {
  const i = wf.rows.findIndex(sp => sp.span_id === spanId);
  if (i < 0) return;
  const scroller = $('#waterfall-scroll');
  const top = i * ROW_H;
  if (top < scroller.scrollTop || top + ROW_H > scroller.scrollTop + scroller.clientHeight) {
    scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 2);
  }
  drawRowsInView(false);
}

$('#waterfall-scroll').addEventListener('scroll', () => {
  if (wf && wf.rows.length >= VIRTUAL_FROM) requestAnimationFrame(() => drawRowsInView(false));
});

function showSpan(spanId) {
  const panel = $('#span-details');
  const sp = spanId && wf.byId.get(spanId);
  $('#trace-layout').classList.toggle('with-details', Boolean(sp));
  if (!sp) { panel.hidden = true; return; }
  panel.hidden = false;
  panel.dataset.spanId = spanId;
  $('#span-details-name').textContent = visible(sp.name);
  const kv = rows => rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
  const status = h('span', { class: `status-${sp.status}` }, sp.status, sp.status_message ? ': ' : '', sp.status_message ? clip(sp.status_message) : '');
  const share = wf.total > 0 ? ` (${((sp.duration_ms / wf.total) * 100).toFixed(1)}% of the trace)` : '';
  $('#span-details-fields').replaceChildren(...kv([
    ['duration', fmtMs(sp.duration_ms) + share],
    ['self time', wf.children.has(sp.span_id) ? fmtMs(selfTime(sp)) + ' (not in child spans)' : null],
    ['status', status],
    ['start', `+${fmtMs(sp.offset_ms)} (${fmtTime(sp.start_ms)})`],
    ['kind', sp.kind],
    ['function', sp.function],
    ['target', sp.target],
    ['source', sp.file ? `${sp.file}:${sp.line}` : null],
    ['span id', sp.span_id],
    ['parent', sp.parent_span_id ? sp.parent_span_id + (sp.parent_is_remote ? ' (remote)' : '') : 'none (root)'],
    ['dropped', sp.dropped_attributes || sp.dropped_events || sp.dropped_links ? `${sp.dropped_attributes} attributes, ${sp.dropped_events} events, ${sp.dropped_links} links` : null],
  ]));
  const attrs = Object.entries(sp.attributes);
  $('#span-details-attributes').replaceChildren(...(attrs.length ? kv(attrs.map(([k, v]) => [k, clip(typeof v === 'string' ? v : JSON.stringify(v))])) : [h('tr', {}, h('td', {}, 'none'))]));
  $('#span-details-events').replaceChildren(...(sp.events.length ? sp.events.map(ev => h('li', { class: 'span-event' + (ev.name === 'exception' || ev.name === 'panic' ? ' status-error' : '') },
    `+${fmtMs(ev.offset_ms)} `, h('b', {}, ev.name), ' ', h('span', { class: 'mono' }, clip(fieldsText(ev.attributes))))) : [h('li', {}, 'none')]));
  $('#span-details-links').replaceChildren(...(sp.links.length ? sp.links.map(l => h('li', {}, traceLink(l.trace_id), ' span ', h('span', { class: 'mono' }, l.span_id), ' ', fieldsText(l.attributes))) : [h('li', {}, 'none')]));
}

$('#trace-search').addEventListener('input', () => debounced(() => setParams({ q: $('#trace-search').value.trim() })));
$('#trace-tools').addEventListener('submit', ev => {
  ev.preventDefault();
  setParams({ q: $('#trace-search').value.trim() });
  // Enter: the next match after the selected span.
  if (!wf || !wf.matches.length) return;
  const selected = currentRoute().params.get('span');
  const order = wf.trace.spans.map(sp => sp.span_id).filter(id => wf.matches.includes(id));
  const next = order[(order.indexOf(selected) + 1) % order.length];
  selectSpan(next, true);
});
$('#trace-slowest').addEventListener('click', () => {
  if (!wf) return;
  // Where the time went: the span with the most time of its own (its
  // duration less its children's), so not merely the root or a parent.
  const slowest = wf.trace.spans.reduce((a, b) => (selfTime(b) > selfTime(a) ? b : a));
  selectSpan(slowest.span_id, true);
});
$('#trace-next-error').addEventListener('click', () => {
  if (!wf) return;
  const failed = wf.trace.spans.filter(sp => sp.status === 'error').map(sp => sp.span_id);
  if (!failed.length) return;
  const selected = currentRoute().params.get('span');
  selectSpan(failed[(failed.indexOf(selected) + 1) % failed.length], true);
});
$('#trace-collapse').addEventListener('click', () => {
  if (!wf) return;
  // Every subtree below the first level.
  for (const sp of wf.trace.spans) if (sp.depth >= 1 && wf.children.has(sp.span_id)) wf.collapsed.add(sp.span_id);
  drawWaterfall();
});
$('#trace-expand').addEventListener('click', () => { if (wf) { wf.collapsed.clear(); drawWaterfall(); } });

// ---------- logs ----------

views.logs = async (route, section) => {
  const p = route.params;
  $('#log-level').value = p.get('level') || '';
  if (document.activeElement !== $('#log-text')) $('#log-text').value = p.get('q') || '';
  if (document.activeElement !== $('#log-trace')) $('#log-trace').value = p.get('trace') || '';
  const query = new URLSearchParams({ limit: '500' });
  for (const k of ['level', 'q', 'trace']) if (p.get(k)) query.set(k, p.get(k));
  const data = await api(`api/logs?${query}`);
  $('#logs-count').textContent = `${fmtNum(data.logs.length)} shown · ${fmtNum(data.kept)} kept of ${fmtNum(data.capacity)} · ${fmtNum(data.received)} received`
    + (data.evicted ? ` · ${fmtNum(data.evicted)} evicted to make room` : '');
  $('#logs-evicted').hidden = !(data.evicted && (data.logs.length === 0 || p.get('trace')));
  $('#logs-evicted').textContent = evictedNotice('log record', data, p.get('trace'), data.logs.length);
  $('#logs-table tbody').replaceChildren(...data.logs.map(l => h('tr', { class: 'log-row', dataset: { level: l.level, traceId: l.trace_id || '' } },
    h('td', { class: 'mono' }, fmtTime(l.time_ms)),
    h('td', {}, h('span', { class: `level level-${l.level}` }, l.level)),
    h('td', { class: 'mono' }, l.target),
    h('td', { class: 'log-message' }, clip(l.message)),
    h('td', { class: 'fields' }, clip(fieldsText(l.fields))),
    h('td', {}, traceLink(l.trace_id)))));
};

/** What the view says when the store moved past what is asked: never a bare "0 shown". */
function evictedNotice(what, data, trace, shown) {
  const oldest = data.oldest_ms ? ` (the oldest kept is from ${fmtTime(data.oldest_ms)})` : '';
  if (trace) {
    return `${shown ? 'Some' : 'No'} ${what}s of this trace may have been evicted: ${fmtNum(data.evicted)} older ${what}s were forgotten to make room${oldest}. `
      + `Those of the slowest and failed traces kept are saved past that (${fmtNum(data.pinned.kept)} of ${fmtNum(data.pinned.capacity)} saved`
      + (data.pinned.dropped ? `, ${fmtNum(data.pinned.dropped)} refused when full` : '') + ').';
  }
  return `Nothing matches among the ${what}s kept; ${fmtNum(data.evicted)} older ones were evicted to make room${oldest}.`;
}

function applyLogFilters() {
  const q = new URLSearchParams();
  const level = $('#log-level').value, text = $('#log-text').value.trim(), trace = $('#log-trace').value.trim();
  if (level) q.set('level', level);
  if (text) q.set('q', text);
  if (trace) q.set('trace', trace);
  const hash = '#/logs' + (q.toString() ? '?' + q : '');
  if (location.hash !== hash) location.hash = hash;
}

$('#log-level').addEventListener('change', applyLogFilters);
for (const id of ['#log-text', '#log-trace']) $(id).addEventListener('input', () => debounced(applyLogFilters));
$('#log-filters').addEventListener('submit', ev => { ev.preventDefault(); applyLogFilters(); });
$('#log-clear').addEventListener('click', () => { location.hash = '#/logs'; });

// ---------- errors: grouped, then the recent ones ----------

views.errors = async (route, section) => {
  const p = route.params;
  const query = new URLSearchParams({ limit: '200' });
  for (const k of ['trace', 'type', 'site']) if (p.get(k)) query.set(k, p.get(k));
  const data = await api(`api/errors?${query}`);
  $('#groups-count').textContent = `${fmtNum(data.groups.length)} groups, every error since the start` + (data.ungrouped ? ` · ${fmtNum(data.ungrouped)} past the group limit` : '');
  $('#error-groups tbody').replaceChildren(...data.groups.map(g => actionRow(
    { class: 'error-group-row' + (g.kind === 'panic' ? ' panic' : ''), dataset: { type: g.type, site: g.site || '' } },
    () => { location.hash = `#/errors?${new URLSearchParams({ type: g.type, ...(g.site ? { site: g.site } : {}) })}`; },
    h('td', { class: 'mono error-type' }, g.kind === 'panic' ? 'panic: ' : '', g.type),
    h('td', { class: 'mono' }, g.site || '–'),
    h('td', {}, clip(g.message, 120)),
    h('td', { class: 'num bad' }, fmtNum(g.count)),
    h('td', { class: 'mono' }, fmtTime(g.first_ms)),
    h('td', { class: 'mono' }, fmtTime(g.last_ms)),
    h('td', {}, ...g.traces.slice(0, 3).flatMap((t, i) => [i ? ' ' : '', traceLink(t)])))));
  const filters = ['trace', 'type', 'site'].filter(k => p.get(k)).map(k => `${k} ${p.get(k)}`);
  $('#errors-filter').replaceChildren(...(filters.length ? [visible(filters.join(' · ')) + ' ', h('a', { href: '#/errors' }, 'show all')] : []));
  $('#errors-count').textContent = `${fmtNum(data.errors.length)} shown · ${fmtNum(data.kept)} kept of ${fmtNum(data.capacity)} · ${fmtNum(data.received)} received`
    + (data.evicted ? ` · ${fmtNum(data.evicted)} evicted to make room` : '');
  $('#errors-evicted').hidden = !(data.evicted && data.errors.length === 0);
  $('#errors-evicted').textContent = evictedNotice('error', data, p.get('trace'), data.errors.length);
  $('#errors-list').replaceChildren(...data.errors.map(e => {
    // The chain without its first link when that is the headline itself.
    const chain = e.chain.length && e.chain[0].message === e.message ? e.chain.slice(1) : e.chain;
    return h('div', { class: 'error-item' + (e.kind === 'panic' ? ' panic' : ''), dataset: { traceId: e.trace_id || '' } },
      h('div', { class: 'error-head' },
        h('span', { class: 'error-type' }, e.type),
        h('span', { class: 'error-message' }, clip(e.message)),
        h('span', { class: 'error-meta' }, `${e.kind} · ${fmtTime(e.time_ms)}`, e.location ? ` · ${e.location}` : '', e.thread ? ` · thread ${e.thread}` : ''),
        e.trace_id ? h('span', { class: 'error-meta' }, 'trace ', traceLink(e.trace_id), ' · ', h('a', { href: `#/logs?trace=${e.trace_id}` }, 'logs')) : ''),
      chain.length ? h('ol', { class: 'error-chain' }, ...chain.map(c => h('li', {}, 'caused by ', h('b', {}, c.type), ': ', clip(c.message)))) : '',
      Object.keys(e.fields).length ? h('div', { class: 'fields' }, clip(fieldsText(e.fields))) : '',
      e.backtrace ? h('details', {}, h('summary', {}, 'backtrace'), h('pre', { class: 'error-backtrace' }, e.backtrace)) : '');
  }));
};

// ---------- metrics: readable values, rates, charts ----------

function sparkline(points) {
  const W = 120, H = 24;
  if (points.length < 2) return s('svg', { class: 'sparkline', width: W, height: H });
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = x => ((x - x0) / (x1 - x0 || 1)) * (W - 2) + 1;
  const sy = y => H - 2 - ((y - y0) / (y1 - y0 || 1)) * (H - 4);
  return s('svg', { class: 'sparkline', width: W, height: H, viewBox: `0 0 ${W} ${H}` },
    s('title', {}, `${fmtNum(y0)} … ${fmtNum(y1)}`),
    s('polyline', { points: points.map(p => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ') }));
}

/** Per-interval rates of cumulative samples. */
function rates(points) {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i][0] - points[i - 1][0]) / 1000;
    if (dt > 0) out.push([points[i][0], Math.max(0, points[i][1] - points[i - 1][1]) / dt]);
  }
  return out;
}

const labelsText = labels => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
const MAX_METRIC_ROWS = 300;

views.metrics = async (route, section) => {
  const p = route.params;
  const filter = p.get('q') || '';
  const windowS = Number(p.get('w')) || 60;
  if (document.activeElement !== $('#metric-filter')) $('#metric-filter').value = filter;
  $('#metric-window').value = String(windowS);
  const chart = p.get('chart');
  const [data, charted] = await Promise.all([
    // The server cuts the list: only what is drawn crosses the wire.
    api(`api/metrics?limit=${MAX_METRIC_ROWS}` + (filter ? `&q=${encodeURIComponent(filter)}` : '')),
    chart ? api(`api/metrics?names=${encodeURIComponent(chart)}`) : null,
  ]);
  const rows = [];
  const total = data.series_total;
  for (const f of data.families) {
    for (const sr of f.series) {
      const href = `#/metrics?${new URLSearchParams({ ...(filter ? { q: filter } : {}), ...(p.get('w') ? { w: p.get('w') } : {}), chart: f.name, labels: labelsText(sr.labels) })}`;
      rows.push(actionRow({ class: 'metric-row', dataset: { metric: f.name } }, () => { location.hash = href; },
        h('td', { class: 'mono', title: f.description }, h('a', { href }, f.name), h('small', { class: 'hint' }, ` ${f.kind}${f.unit ? ' · ' + f.unit : ''}`)),
        h('td', { class: 'labels' }, ...Object.entries(sr.labels).map(([k, v]) => h('div', { class: 'label' }, clip(`${k}=${v}`, 120)))),
        h('td', { class: 'num metric-value' }, metricValue(f, sr, windowS)),
        h('td', { class: 'metric-recent' }, sparkline(f.kind === 'counter' ? rates(sr.recent) : sr.recent))));
    }
  }
  $('#metrics-table tbody').replaceChildren(...rows);
  $('#metrics-count').textContent = total > rows.length ? `${fmtNum(rows.length)} of ${fmtNum(total)} series shown: narrow the filter` : `${fmtNum(total)} series`;
  drawChart(chart, p.get('labels') || '', charted);
};

/** A series' value as people read it: counters as a rate with the total, seconds as durations, histograms as percentiles. */
function metricValue(f, sr, windowS) {
  if (f.kind === 'histogram' && sr.histogram) {
    const hg = sr.histogram;
    const fmt = v => fmtUnit(v, f.unit, f.name);
    return `p50 ${fmt(hg.p50)} · p90 ${fmt(hg.p90)} · p99 ${fmt(hg.p99)} · max ${fmt(hg.max)} · n=${fmtNum(hg.count)}`;
  }
  if (f.kind === 'counter') {
    const rate = rateOver(sr.recent, windowS);
    const totalText = f.unit === 's' || f.name.endsWith('_seconds_total') ? fmtDuration(sr.value) : fmtNum(sr.value);
    return `${rate === null ? '–' : fmtRate(rate)} · total ${totalText}`;
  }
  return fmtUnit(sr.value, f.unit, f.name) + (sr.high_water !== undefined ? ` (max ${fmtNum(sr.high_water)})` : '');
}

/** The chart of one series: rate for a counter, p50/p90/p99 for a histogram (with exemplar dots that open their trace), else the value. */
function drawChart(name, labels, data) {
  const panel = $('#chart-panel');
  const family = data && data.families.find(f => f.name === name);
  const series = family && family.series.find(sr => labelsText(sr.labels) === labels);
  panel.hidden = !name;
  if (!name) return;
  $('#chart-title').textContent = visible(`${name}${labels ? ` {${labels}}` : ''}`);
  const svg = $('#chart');
  const W = Math.max(300, panel.clientWidth - 24), H = 240, L = 70, R = 12, T = 10, B = 26;
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!series) {
    svg.replaceChildren(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty-text' }, 'no such series (yet)'));
    $('#chart-legend').textContent = '';
    return;
  }
  const isSeconds = family.unit === 's' || name.endsWith('_seconds');
  const scale = isSeconds ? 1000 : 1;
  const fmt = isSeconds ? fmtMs : fmtNum;
  let lines, legend;
  if (family.kind === 'histogram' && series.recent_quantiles) {
    const q = series.recent_quantiles;
    lines = [1, 2, 3].map(i => q.filter(x => x[i] !== null).map(x => [x[0], x[i] * scale]));
    legend = 'p50 (blue) · p90 (amber) · p99 (red) of each interval between samplings';
  } else if (family.kind === 'counter') {
    lines = [rates(series.recent)];
    legend = 'rate per second';
  } else {
    lines = [series.recent.map(x => [x[0], x[1] * scale])];
    legend = 'value';
  }
  const exemplars = (series.exemplars || []).map(e => ({ ...e, y: e.value * scale }));
  const pts = lines.flat().concat(exemplars.map(e => [e.time_ms, e.y]));
  if (!pts.length) {
    svg.replaceChildren(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty-text' }, 'no samples yet: the server samples every few seconds'));
    $('#chart-legend').textContent = '';
    return;
  }
  const x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]));
  const y1 = Math.max(...pts.map(p => p[1]), 1e-9);
  const sx = x => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = y => H - B - (y / y1) * (H - T - B);
  const grid = ticks(0, y1, 4).map(v => s('g', { class: 'grid' }, s('line', { x1: L, x2: W - R, y1: sy(v), y2: sy(v) }),
    s('text', { x: L - 6, y: sy(v) + 4, 'text-anchor': 'end' }, family.kind === 'counter' ? fmtRate(v) : fmt(v))));
  const xlabels = (x1 > x0 ? ticks(x0, x1, 3) : [x0]).map((v, i, all) => s('text', {
    class: 'axis', x: sx(v), y: H - 8, 'text-anchor': all.length === 1 ? 'middle' : i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle',
  }, x1 - x0 < 10000 ? fmtTime(v) : fmtTime(v).slice(0, 8)));
  const paths = lines.map((line, i) => s('polyline', { class: `chart-line line-${i}`, points: line.map(p => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ') }));
  // A point per sample too: an interval alone makes no line.
  const marks = lines.flatMap((line, i) => line.map(p => s('circle', { class: `chart-point line-${i}`, cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 2.5 },
    s('title', {}, `${family.kind === 'counter' ? fmtRate(p[1]) : fmt(p[1])} at ${fmtTime(p[0])}`))));
  const dots = exemplars.map(e => {
    const dot = s('circle', { class: 'exemplar-dot', cx: sx(e.time_ms).toFixed(1), cy: sy(e.y).toFixed(1), r: 5, tabindex: 0, role: 'link', dataset: { traceId: e.trace_id, spanId: e.span_id } },
      s('title', {}, `${fmt(e.y)} at ${fmtTime(e.time_ms)}: open its trace`));
    const open = () => { location.hash = `#/traces/${e.trace_id}?span=${e.span_id}`; };
    dot.addEventListener('click', open);
    dot.addEventListener('keydown', ev => { if (ev.key === 'Enter') open(); });
    return dot;
  });
  svg.replaceChildren(...grid, ...xlabels, ...paths, ...marks, ...dots);
  $('#chart-legend').textContent = `${legend}${exemplars.length ? ` · ${exemplars.length} exemplars (dots): samples recorded in a trace, click to open it` : ''} · the last ${fmtNum(series.recent.length)} samples`;
}

$('#metric-filter').addEventListener('input', () => debounced(() => setParams({ q: $('#metric-filter').value.trim() })));
$('#metric-window').addEventListener('change', ev => setParams({ w: ev.target.value }));

// ---------- status ----------

views.status = async (route, section) => {
  const status = await api('api/status');
  $('#pipelines-table tbody').replaceChildren(...status.pipelines.map(p => h('tr', { class: 'pipeline-row', dataset: { signal: p.signal, exporter: p.exporter } },
    h('td', {}, p.signal), h('td', {}, p.exporter),
    h('td', { class: 'num' }, fmtNum(p.exported)),
    h('td', { class: 'num' + (p.dropped_total ? ' bad' : ''), title: `queue full ${p.dropped_queue_full}, export failed ${p.dropped_export_failed}, rejected ${p.dropped_rejected}, shutdown ${p.dropped_shutdown}` }, fmtNum(p.dropped_total)),
    h('td', { class: 'num' }, fmtNum(p.queued)), h('td', { class: 'num' }, fmtNum(p.capacity)),
    h('td', { class: 'num' }, fmtNum(p.errors)), h('td', { class: 'num' }, fmtNum(p.retries)),
    h('td', { class: 'mono' }, clip(p.last_error || '', 160)))));
  const st = status.stores;
  const kv = rows => rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
  $('#stores-table').replaceChildren(...kv([
    ['traces kept', fmtNum(st.traces)], ['spans kept', fmtNum(st.spans)],
    ['spans received', fmtNum(st.spans_received)], ['spans dropped (trace full)', fmtNum(st.spans_dropped)],
    ['logs kept / received', `${fmtNum(st.logs)} / ${fmtNum(st.logs_received)}`],
    ['errors kept / received', `${fmtNum(st.errors)} / ${fmtNum(st.errors_received)}`],
    ['failed traces kept', fmtNum(st.failed_traces)],
    ['logs / errors kept for slowest and failed traces', `${fmtNum(st.pinned_logs)} / ${fmtNum(st.pinned_errors)}`],
    ['strings cut to the length limit', fmtNum(st.strings_truncated)],
    ['OTLP requests taken / refused', `${fmtNum(st.otlp_accepted)} / ${fmtNum(st.otlp_refused)}`],
    ['dashboard started', fmtDate(status.started_ms)],
  ]));
  $('#process-table').replaceChildren(...kv(Object.keys(processValues).filter(k => k.startsWith('process_')).sort().map(k => [k, processText(k, processValues[k])])));
};

// ---------- start ----------

$('#token-form').addEventListener('submit', ev => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('#token-input').value);
  $('#token-form').hidden = true;
  render();
});

// Pause on hover: rows do not move under the pointer.
document.addEventListener('mouseover', ev => {
  const over = Boolean(ev.target.closest && ev.target.closest('table.data tbody, #waterfall, #scatter, #chart-panel, #errors-list'));
  if (over !== hovering) { hovering = over; showLiveState(); }
});
document.addEventListener('mouseleave', () => { hovering = false; showLiveState(); });

window.addEventListener('hashchange', render);
window.addEventListener('online', render);
$('#auto-refresh').addEventListener('change', () => { showLiveState(); render(); });
render();
scheduleRefresh();
