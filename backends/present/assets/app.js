// omniscope dashboard: vanilla JavaScript, no dependencies, no requests to
// anywhere but this server's JSON API. Every value from the API reaches the
// page through textContent or attributes, never as HTML.
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
const REFRESH_MS = 2000;
const TOKEN_KEY = 'omniscope-token';

// ---------- small helpers ----------

/** An element with attributes (`class`, `dataset` entries as data-*, others as attributes) and children. */
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
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (sel, root = document) => root.querySelector(sel);

function fmtMs(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '–';
  if (ms < 1) return (ms * 1000).toFixed(ms < 0.01 ? 2 : 0) + ' µs';
  if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + ' ms';
  return (ms / 1000).toFixed(2) + ' s';
}

function fmtNum(n) {
  if (n === null || n === undefined || !isFinite(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toPrecision(4).replace(/\.?0+$/, '');
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
  return sec.toFixed(sec < 10 ? 1 : 0) + ' s';
}

function fmtTime(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
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

// ---------- API access ----------

class Unauthorized extends Error {}

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch(path, { headers, cache: 'no-store' });
  if (res.status === 401) {
    $('#token-form').hidden = false;
    throw new Unauthorized('a bearer token is needed');
  }
  const body = await res.json().catch(() => ({ error: `${path}: answer is not JSON (HTTP ${res.status})` }));
  if (!res.ok) throw new Error(body.error || `${path}: HTTP ${res.status}`);
  return body;
}

function showError(e) {
  const banner = $('#error-banner');
  if (!e || e instanceof Unauthorized) { banner.hidden = true; return; }
  banner.textContent = String(e.message || e);
  banner.hidden = false;
}

// ---------- routing ----------

/** The route of location.hash: `#/traces/<id>?span=x` → {view, arg, params}. */
function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query || '');
  if (parts[0] === 'traces' && parts[1]) return { view: 'trace', arg: parts[1], params };
  return { view: parts[0] || 'functions', arg: null, params };
}

const views = {};
let refreshTimer = null;
let renderSeq = 0;

async function render() {
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
      showError(null);
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
    const live = $('#auto-refresh').checked && !document.hidden && !(route.view === 'trace' && $('#view-trace').dataset.complete === 'true');
    if (live) await render();
    scheduleRefresh();
  }, REFRESH_MS);
}

// ---------- header: service, process stats, drops ----------

async function header() {
  const [status, metrics] = await Promise.all([api('api/status'), api('api/metrics')]);
  $('#service-name').textContent = status.service + (status.service_version ? ' ' + status.service_version : '');
  document.title = status.service + ' · omniscope';
  const values = metricValues(metrics);
  for (const stat of document.querySelectorAll('#process-stats .stat[data-metric]')) {
    const name = stat.dataset.metric;
    const v = values[name];
    $('dd', stat).textContent = v === undefined ? '–'
      : name.endsWith('_bytes') ? fmtBytes(v)
      : name === 'process_cpu_seconds_total' ? v.toFixed(2) + ' s'
      : name === 'process_uptime_seconds' ? fmtDuration(v)
      : fmtNum(v);
  }
  const dropped = status.pipelines.reduce((sum, p) => sum + p.dropped_total, 0);
  $('#drops-total').textContent = fmtNum(dropped);
  $('#drops-stat').classList.toggle('bad', dropped > 0);
  lastStatus = status;
  lastMetrics = metrics;
}

let lastStatus = null;
let lastMetrics = null;

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

let functionSort = { key: 'calls', desc: true };

views.functions = async (route, section) => {
  const data = await api('api/funcs');
  const rows = data.functions.slice().sort((a, b) => {
    const x = a[functionSort.key], y = b[functionSort.key];
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return functionSort.desc ? -c : c;
  });
  const num = (v, cls) => {
    const td = h('td', { class: `num ${cls}` }, fmtNum(v));
    if (!v) td.classList.add('zero');
    return td;
  };
  const lat = (l, key) => h('td', { class: `num lat-${key}` }, l ? fmtMs(l[key + '_ms']) : '–');
  const tbody = $('tbody', section);
  tbody.replaceChildren(...rows.map(f => {
    const [module, short] = splitName(f.name);
    const errors = num(f.errors_total, 'fn-errors');
    if (f.errors_total) { errors.classList.add('bad'); errors.title = fieldsText(f.errors); }
    const panics = num(f.panics, 'fn-panics');
    if (f.panics) panics.classList.add('bad');
    return h('tr', { class: 'function-row', dataset: { function: f.name } },
      h('td', { class: 'fn-name', title: f.name }, h('span', { class: 'module' }, module), h('span', { class: 'short' }, short)),
      num(f.calls, 'fn-calls'), errors, panics, num(f.in_flight, 'fn-inflight'), num(f.high_water, 'fn-highwater'),
      ...['p50', 'p90', 'p99', 'max'].map(k => lat(f.success, k)),
      ...['p50', 'p90', 'p99', 'max'].map(k => lat(f.failure, k)));
  }));
  $('.empty', section).hidden = rows.length > 0;
};

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
    const x1 = fromEntry ? from.x + 6 : from.x + W, y1 = fromEntry ? from.y + H / 2 : from.y + H / 2;
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

// ---------- traces ----------

function traceRows(list) {
  return list.map(t => h('tr', { class: 'trace-row clickable', dataset: { traceId: t.trace_id }, onclick: () => { location.hash = `#/traces/${t.trace_id}`; } },
    h('td', {}, fmtTime(t.start_ms)),
    h('td', { class: 'mono' }, t.root || '?', t.complete ? '' : ' (running)'),
    h('td', { class: 'num' }, fmtMs(t.duration_ms)),
    h('td', { class: 'num' }, fmtNum(t.span_count), t.dropped_spans ? ` (+${t.dropped_spans} dropped)` : ''),
    h('td', { class: 'num' + (t.errors ? ' bad' : '') }, fmtNum(t.errors)),
    h('td', {}, h('a', { class: 'trace-link mono', href: `#/traces/${t.trace_id}` }, t.trace_id))));
}

views.traces = async (route, section) => {
  const [traces, inflight] = await Promise.all([api('api/traces?limit=100'), api('api/inflight?limit=100')]);
  $('#traces-recent tbody').replaceChildren(...traceRows(traces.recent));
  $('#traces-slowest tbody').replaceChildren(...traceRows(traces.slowest));
  $('#inflight-table tbody').replaceChildren(...inflight.spans.map(sp => h('tr', { class: 'inflight-row' },
    h('td', { class: 'mono' }, sp.name),
    h('td', { class: 'mono' }, sp.function || ''),
    h('td', { class: 'num' }, fmtMs(sp.elapsed_ms)),
    h('td', {}, traceLink(sp.trace_id)))));
};

$('#capture-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const name = $('#capture-name').value;
  const status = $('#capture-status');
  status.textContent = 'waiting for a matching trace (up to 60 s)…';
  try {
    const trace = await api(`api/traces/capture?timeout=60s&name=${encodeURIComponent(name)}`);
    status.textContent = '';
    location.hash = `#/traces/${trace.trace_id}`;
  } catch (e) {
    status.textContent = String(e.message || e);
  }
});

// ---------- one trace: the waterfall ----------

views.trace = async (route, section) => {
  const id = route.arg;
  const trace = await api(`api/traces/${encodeURIComponent(id)}`);
  section.dataset.complete = String(trace.complete);
  $('#trace-id').textContent = trace.trace_id;
  $('#trace-summary').textContent = `${trace.root || '?'} · ${fmtMs(trace.duration_ms)} · ${trace.span_count} spans`
    + (trace.dropped_spans ? ` (+${trace.dropped_spans} dropped)` : '')
    + (trace.errors ? ` · ${trace.errors} with errors` : '')
    + ` · started ${fmtTime(trace.start_ms)}` + (trace.complete ? '' : ' · still running');
  $('#trace-logs-link').href = `#/logs?trace=${trace.trace_id}`;
  $('#trace-errors-link').href = `#/errors?trace=${trace.trace_id}`;
  drawWaterfall(trace, route.params.get('span'));
};

function drawWaterfall(trace, selected) {
  const total = Math.max(trace.duration_ms, ...trace.spans.map(sp => sp.offset_ms + sp.duration_ms), 0.001);
  const pct = ms => `${Math.min(100, Math.max(0, (ms / total) * 100))}%`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f, i, all) => h('span', { class: 'tick' + (i === 0 ? ' first' : i === all.length - 1 ? ' last' : '') }, fmtMs(total * f)));
  ticks.forEach((t, i) => { t.style.left = `${i * 25}%`; });
  $('#waterfall-axis').replaceChildren(...ticks);
  const rows = trace.spans.map(sp => {
    const bar = h('div', { class: 'span-bar' + (sp.status === 'error' ? ' error' : ''), title: `${sp.name}: ${fmtMs(sp.duration_ms)}` });
    bar.style.left = pct(sp.offset_ms);
    bar.style.width = pct(sp.duration_ms);
    for (const ev of sp.events) {
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
    const label = h('div', { class: 'span-label', title: sp.function || sp.name }, h('span', { class: 'span-name' }, sp.name));
    label.style.paddingLeft = `${8 + sp.depth * 16}px`;
    const row = h('div', {
      class: 'span-row',
      dataset: { spanId: sp.span_id, depth: sp.depth, parentSpanId: sp.parent_span_id || '' },
      onclick: () => selectSpan(trace, sp.span_id),
    }, label, h('div', { class: 'span-track' }, bar, duration));
    return row;
  });
  $('#waterfall-rows').replaceChildren(...rows);
  if (selected) selectSpan(trace, selected, false);
  else $('#span-details').hidden = true;
}

function selectSpan(trace, spanId, updateHash = true) {
  const sp = trace.spans.find(x => x.span_id === spanId);
  if (!sp) return;
  for (const row of document.querySelectorAll('#waterfall-rows .span-row')) row.classList.toggle('selected', row.dataset.spanId === spanId);
  if (updateHash) history.replaceState(null, '', `#/traces/${trace.trace_id}?span=${spanId}`);
  const panel = $('#span-details');
  panel.hidden = false;
  panel.dataset.spanId = spanId;
  $('#span-details-name').textContent = sp.name;
  const kv = (rows) => rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
  const status = h('span', { class: `status-${sp.status}` }, sp.status + (sp.status_message ? `: ${sp.status_message}` : ''));
  $('#span-details-fields').replaceChildren(...kv([
    ['span id', sp.span_id],
    ['parent', sp.parent_span_id ? sp.parent_span_id + (sp.parent_is_remote ? ' (remote)' : '') : 'none (root)'],
    ['status', status],
    ['start', `+${fmtMs(sp.offset_ms)} (${fmtTime(sp.start_ms)})`],
    ['duration', fmtMs(sp.duration_ms)],
    ['kind', sp.kind],
    ['function', sp.function],
    ['target', sp.target],
    ['source', sp.file ? `${sp.file}:${sp.line}` : null],
    ['dropped', sp.dropped_attributes || sp.dropped_events || sp.dropped_links ? `${sp.dropped_attributes} attributes, ${sp.dropped_events} events, ${sp.dropped_links} links` : null],
  ]));
  const attrs = Object.entries(sp.attributes);
  $('#span-details-attributes').replaceChildren(...(attrs.length ? kv(attrs.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) : [h('tr', {}, h('td', {}, 'none'))]));
  $('#span-details-events').replaceChildren(...(sp.events.length ? sp.events.map(ev => h('li', { class: 'span-event' + (ev.name === 'exception' || ev.name === 'panic' ? ' status-error' : '') },
    `+${fmtMs(ev.offset_ms)} `, h('b', {}, ev.name), ' ', h('span', { class: 'mono' }, fieldsText(ev.attributes)))) : [h('li', {}, 'none')]));
  $('#span-details-links').replaceChildren(...(sp.links.length ? sp.links.map(l => h('li', {}, traceLink(l.trace_id), ' span ', h('span', { class: 'mono' }, l.span_id), ' ', fieldsText(l.attributes))) : [h('li', {}, 'none')]));
}

// ---------- logs ----------

views.logs = async (route, section) => {
  const p = route.params;
  $('#log-level').value = p.get('level') || '';
  if (document.activeElement !== $('#log-text')) $('#log-text').value = p.get('q') || '';
  if (document.activeElement !== $('#log-trace')) $('#log-trace').value = p.get('trace') || '';
  const query = new URLSearchParams({ limit: '500' });
  for (const k of ['level', 'q', 'trace']) if (p.get(k)) query.set(k, p.get(k));
  const data = await api(`api/logs?${query}`);
  $('#logs-count').textContent = `${data.logs.length} shown · ${data.kept} kept of ${data.capacity} · ${data.received} received`;
  $('#logs-table tbody').replaceChildren(...data.logs.map(l => h('tr', { class: 'log-row', dataset: { level: l.level, traceId: l.trace_id || '' } },
    h('td', { class: 'mono' }, fmtTime(l.time_ms)),
    h('td', {}, h('span', { class: `level level-${l.level}` }, l.level)),
    h('td', { class: 'mono' }, l.target),
    h('td', { class: 'log-message' }, l.message),
    h('td', { class: 'fields' }, fieldsText(l.fields)),
    h('td', {}, traceLink(l.trace_id)))));
};

/** Writes the log filters into the hash, so filtered views are links. */
function applyLogFilters() {
  const q = new URLSearchParams();
  const level = $('#log-level').value, text = $('#log-text').value.trim(), trace = $('#log-trace').value.trim();
  if (level) q.set('level', level);
  if (text) q.set('q', text);
  if (trace) q.set('trace', trace);
  const hash = '#/logs' + (q.toString() ? '?' + q : '');
  if (location.hash !== hash) location.hash = hash;
}

let filterTimer = null;
$('#log-level').addEventListener('change', applyLogFilters);
for (const id of ['#log-text', '#log-trace']) {
  $(id).addEventListener('input', () => { clearTimeout(filterTimer); filterTimer = setTimeout(applyLogFilters, 300); });
}
$('#log-filters').addEventListener('submit', ev => { ev.preventDefault(); applyLogFilters(); });
$('#log-clear').addEventListener('click', () => { location.hash = '#/logs'; });

// ---------- errors ----------

views.errors = async (route, section) => {
  const trace = route.params.get('trace');
  const data = await api('api/errors?limit=200' + (trace ? `&trace=${encodeURIComponent(trace)}` : ''));
  $('#errors-count').textContent = `${data.errors.length} shown · ${data.kept} kept of ${data.capacity} · ${data.received} received`
    + (trace ? ` · trace ${trace}` : '');
  $('#errors-list').replaceChildren(...data.errors.map(e => h('div', { class: 'error-item' + (e.kind === 'panic' ? ' panic' : ''), dataset: { traceId: e.trace_id || '' } },
    h('div', { class: 'error-head' },
      h('span', { class: 'error-type' }, e.type),
      h('span', { class: 'error-message' }, e.message),
      h('span', { class: 'error-meta' }, `${e.kind} · ${fmtTime(e.time_ms)}`, e.location ? ` · ${e.location}` : '', e.thread ? ` · thread ${e.thread}` : ''),
      e.trace_id ? h('span', { class: 'error-meta' }, 'trace ', traceLink(e.trace_id), ' · ', h('a', { href: `#/logs?trace=${e.trace_id}` }, 'logs')) : ''),
    e.chain.length > 1 ? h('ol', { class: 'error-chain' }, ...e.chain.map(c => h('li', {}, h('b', {}, c.type), ': ', c.message))) : '',
    Object.keys(e.fields).length ? h('div', { class: 'fields' }, fieldsText(e.fields)) : '',
    e.backtrace ? h('details', {}, h('summary', {}, 'backtrace'), h('pre', { class: 'error-backtrace' }, e.backtrace)) : '')));
};

// ---------- metrics ----------

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

views.metrics = async (route, section) => {
  const data = await api('api/metrics');
  const filter = $('#metric-filter').value.trim().toLowerCase();
  const rows = [];
  for (const f of data.families) {
    if (filter && !f.name.toLowerCase().includes(filter)) continue;
    // Values in seconds read better as durations.
    const fmt = f.unit === 's' ? v => (v === null ? '–' : fmtMs(v * 1000)) : fmtNum;
    for (const sr of f.series) {
      const value = f.kind === 'histogram' && sr.histogram
        ? `n=${fmtNum(sr.histogram.count)} p50=${fmt(sr.histogram.p50)} p99=${fmt(sr.histogram.p99)} max=${fmt(sr.histogram.max)}`
        : (f.kind === 'counter' ? fmtNum(sr.value) : fmt(sr.value)) + (sr.high_water !== undefined ? ` (max ${fmtNum(sr.high_water)})` : '');
      rows.push(h('tr', { class: 'metric-row', dataset: { metric: f.name } },
        h('td', { class: 'mono', title: f.description }, f.name, h('small', { class: 'hint' }, ` ${f.kind}${f.unit ? ' · ' + f.unit : ''}`)),
        h('td', { class: 'labels' }, ...Object.entries(sr.labels).map(([k, v]) => h('div', { class: 'label' }, `${k}=${v}`))),
        h('td', { class: 'num metric-value' }, value),
        h('td', { class: 'metric-recent' }, sparkline(sr.recent))));
    }
  }
  $('#metrics-table tbody').replaceChildren(...rows);
};
$('#metric-filter').addEventListener('input', () => render());

// ---------- status ----------

views.status = async (route, section) => {
  const status = await api('api/status');
  $('#pipelines-table tbody').replaceChildren(...status.pipelines.map(p => h('tr', { class: 'pipeline-row', dataset: { signal: p.signal, exporter: p.exporter } },
    h('td', {}, p.signal), h('td', {}, p.exporter),
    h('td', { class: 'num' }, fmtNum(p.exported)),
    h('td', { class: 'num' + (p.dropped_total ? ' bad' : ''), title: `queue full ${p.dropped_queue_full}, export failed ${p.dropped_export_failed}, rejected ${p.dropped_rejected}, shutdown ${p.dropped_shutdown}` }, fmtNum(p.dropped_total)),
    h('td', { class: 'num' }, fmtNum(p.queued)), h('td', { class: 'num' }, fmtNum(p.capacity)),
    h('td', { class: 'num' }, fmtNum(p.errors)), h('td', { class: 'num' }, fmtNum(p.retries)),
    h('td', { class: 'mono' }, p.last_error || ''))));
  const st = status.stores;
  const kv = rows => rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
  $('#stores-table').replaceChildren(...kv([
    ['traces kept', fmtNum(st.traces)], ['spans kept', fmtNum(st.spans)],
    ['spans received', fmtNum(st.spans_received)], ['spans dropped (trace full)', fmtNum(st.spans_dropped)],
    ['logs kept / received', `${fmtNum(st.logs)} / ${fmtNum(st.logs_received)}`],
    ['errors kept / received', `${fmtNum(st.errors)} / ${fmtNum(st.errors_received)}`],
  ]));
  const values = lastMetrics ? metricValues(lastMetrics) : {};
  $('#process-table').replaceChildren(...kv(Object.keys(values).filter(k => k.startsWith('process_')).sort().map(k => [k, k.endsWith('_bytes') ? fmtBytes(values[k]) : fmtNum(values[k])])));
};

// ---------- start ----------

$('#token-form').addEventListener('submit', ev => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('#token-input').value);
  $('#token-form').hidden = true;
  render();
});

for (const th of document.querySelectorAll('#functions-table th[data-sort]')) {
  th.addEventListener('click', () => {
    const key = th.dataset.sort;
    functionSort = { key, desc: functionSort.key === key ? !functionSort.desc : key !== 'name' };
    render();
  });
}

window.addEventListener('hashchange', render);
$('#auto-refresh').addEventListener('change', render);
render();
scheduleRefresh();
