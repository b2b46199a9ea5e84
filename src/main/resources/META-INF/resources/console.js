// Kiln's web console: jobs, tables, snapshots, check history, pins, lineage and rejects, read from the /v1 API.
'use strict';

const main = document.getElementById('main');
let refresh = null;

function apiKey() {
  return sessionStorage.getItem('kiln.api-key') || '';
}

document.getElementById('key-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem('kiln.api-key', document.getElementById('api-key').value.trim());
  document.getElementById('api-key').value = '';
  route();
});

async function api(path) {
  const headers = { Accept: 'application/json' };
  if (apiKey()) {
    headers.Authorization = 'Bearer ' + apiKey();
  }
  const response = await fetch(path, { headers });
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = { text }; }
  if (!response.ok) {
    const message = body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + response.status;
    throw new Error(message);
  }
  return body;
}

function esc(value) {
  return String(value == null ? '' : value).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function when(value) {
  return value ? new Date(typeof value === 'number' ? value : Date.parse(value)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function reasons(byReason) {
  return Object.entries(byReason || {}).map(([reason, count]) => esc(reason) + ' ' + count).join('<br>');
}

function show(html) {
  main.innerHTML = html;
}

function failed(error) {
  show('<p class="error" id="error">' + esc(error.message) + '</p>'
    + (/UNAUTHENTICATED|FORBIDDEN/.test(error.message) ? '<p>Enter an API key above (one with the reader role is enough to browse).</p>' : ''));
}

async function jobsPage() {
  const { jobs } = await api('/v1/jobs?limit=100');
  const rows = jobs.map(job => {
    const progress = job.progress || {};
    const fraction = Math.round(100 * (progress.fraction || 0));
    return '<tr class="job" data-id="' + esc(job.id) + '">'
      + '<td><code>' + esc(job.id) + '</code></td>'
      + '<td class="state state-' + esc(job.state) + '">' + esc(job.state) + '</td>'
      + '<td><a href="#/table/' + esc(job.table) + '">' + esc(job.table) + '</a></td>'
      + '<td>' + esc(progress.phase || '') + ' <span class="bar"><span style="width:' + fraction + '%"></span></span> ' + fraction + '%</td>'
      + '<td class="read">' + job.counts.read + (job.counts.merged ? ' <span class="muted">(' + job.counts.merged + ' merged)</span>' : '') + '</td><td class="written">' + job.counts.written + '</td><td class="rejected">' + job.counts.rejected + '</td>'
      + '<td>' + reasons(job.rejectedByReason) + '</td>'
      + '<td>' + esc(job.submittedBy || '') + '</td><td>' + when(job.createdAt) + '</td></tr>';
  }).join('');
  show('<h1>Jobs</h1><table id="jobs"><tr><th>job</th><th>state</th><th>table</th><th>progress</th><th>read</th><th>written</th><th>rejected</th>'
    + '<th>rejects by reason</th><th>submitted by</th><th>created</th></tr>' + rows + '</table>'
    + (jobs.length ? '' : '<p class="muted">No jobs yet.</p>'));
  refresh = setTimeout(() => route(true), 2000);
}

async function tablesPage() {
  const { tables } = await api('/v1/tables');
  const own = tables.filter(table => !table.endsWith('__rejects'));
  show('<h1>Tables</h1><ul id="tables">' + own.map(table => '<li><a href="#/table/' + esc(table) + '">' + esc(table) + '</a></li>').join('') + '</ul>'
    + (own.length ? '' : '<p class="muted">No tables yet.</p>'));
}

// one small line plot per check metric, from the checks the table's jobs recorded, oldest first
function plots(jobs) {
  const series = {};
  jobs.slice().reverse().forEach(job => (job.checks || []).forEach(check => Object.entries(check.metrics || {}).forEach(([metric, value]) => {
    const name = check.rule + ' · ' + metric;
    (series[name] = series[name] || []).push({ value, at: job.finishedAt, job: job.id });
  })));
  return Object.entries(series).map(([name, points]) => {
    const width = 260, height = 70, pad = 6;
    const values = points.map(point => point.value);
    const low = Math.min(...values), high = Math.max(...values), span = high - low || 1;
    const xy = points.map((point, i) => [pad + (points.length === 1 ? (width - 2 * pad) / 2 : i * (width - 2 * pad) / (points.length - 1)),
      height - pad - (point.value - low) / span * (height - 2 * pad)]);
    return '<figure class="metric"><figcaption>' + esc(name) + ' <span class="muted">(' + values.length + ' runs, last ' + esc(values[values.length - 1]) + ')</span></figcaption>'
      + '<svg class="plot" width="' + width + '" height="' + height + '"><polyline fill="none" stroke="#d9822b" stroke-width="2" points="'
      + xy.map(p => p.join(',')).join(' ') + '"/>' + xy.map(p => '<circle r="2.5" fill="#2b2118" cx="' + p[0] + '" cy="' + p[1] + '"/>').join('') + '</svg></figure>';
  }).join('');
}

async function tablePage(table) {
  const [snapshots, pins, jobs] = await Promise.all([api('/v1/tables/' + table + '/snapshots'), api('/v1/tables/' + table + '/pins'),
    api('/v1/jobs?limit=1000')]);
  const ofTable = jobs.jobs.filter(job => job.table === table && (job.checks || []).length);
  const rows = snapshots.snapshots.slice().reverse().map(snapshot => {
    const summary = snapshot.summary || {};
    return '<tr class="snapshot"><td><a href="#/table/' + esc(table) + '/snapshot/' + esc(snapshot.snapshotId) + '">' + esc(snapshot.snapshotId) + '</a></td>'
      + '<td>' + when(snapshot.timestampMillis) + '</td><td>' + esc(summary['kiln.rows-written'] || '') + '</td><td>' + esc(summary['kiln.rows-rejected'] || '') + '</td>'
      + '<td>' + esc(summary['kiln.checks.outcome'] || '') + '</td><td>' + esc((snapshot.refs || []).join(', ')) + '</td></tr>';
  }).join('');
  const pinRows = pins.pins.map(pin => '<tr class="pin"><td>' + esc(pin.name) + '</td><td>' + esc(pin.snapshotId) + '</td><td>' + esc(pin.owner) + '</td><td>'
    + esc(pin.reason) + '</td></tr>').join('');
  show('<h1>' + esc(table) + '</h1><p><a href="#/table/' + esc(table) + '/rejects" id="rejects-link">Rejects</a></p>'
    + '<h2>Snapshots</h2><table id="snapshots"><tr><th>snapshot</th><th>time</th><th>rows written</th><th>rejected</th><th>checks</th><th>refs</th></tr>' + rows + '</table>'
    + '<h2>Pins</h2><table id="pins"><tr><th>pin</th><th>snapshot</th><th>owner</th><th>reason</th></tr>' + pinRows + '</table>'
    + '<h2>Check metrics over time</h2><div id="plots">' + (plots(ofTable) || '<p class="muted">No checks recorded yet.</p>') + '</div>');
}

async function snapshotPage(table, id) {
  const [snapshot, lineage] = await Promise.all([api('/v1/tables/' + table + '/snapshots/' + id), api('/v1/tables/' + table + '/snapshots/' + id + '/lineage')]);
  const summary = snapshot.summary || {};
  let results = [];
  try { results = JSON.parse(summary['kiln.checks.results'] || '[]'); } catch (e) { results = []; }
  const checks = results.map(result => '<tr class="check"><td>' + esc(result.rule) + '</td><td class="state-' + (result.outcome === 'PASSED' ? 'PUBLISHED' : 'FAILED') + '">'
    + esc(result.outcome) + '</td><td>' + esc(result.message) + '</td></tr>').join('');
  show('<h1><a href="#/table/' + esc(table) + '">' + esc(table) + '</a> · snapshot ' + esc(id) + '</h1>'
    + '<h2>Checks</h2><table id="checks"><tr><th>rule</th><th>outcome</th><th>message</th></tr>' + checks + '</table>'
    + '<h2>Lineage</h2><pre id="lineage">' + esc(JSON.stringify(lineage, null, 2)) + '</pre>'
    + '<h2>Summary</h2><table>' + Object.entries(summary).map(([key, value]) => '<tr><td><code>' + esc(key) + '</code></td><td>' + esc(value).slice(0, 400) + '</td></tr>').join('') + '</table>');
}

async function rejectsPage(table, reason) {
  const rejects = table + '__rejects';
  const { snapshots } = await api('/v1/tables/' + rejects + '/snapshots');
  const current = snapshots.filter(snapshot => snapshot.onMain).pop();
  if (!current) {
    show('<h1>Rejects of ' + esc(table) + '</h1><p class="muted">No rejects.</p>');
    return;
  }
  const headers = { Accept: 'application/x-ndjson' };
  if (apiKey()) {
    headers.Authorization = 'Bearer ' + apiKey();
  }
  const filter = reason ? '&filter=' + encodeURIComponent("reason = '" + reason.replace(/'/g, "''") + "'") : '';
  const response = await fetch('/v1/tables/' + rejects + '/snapshots/' + current.snapshotId + '/rows?limit=200' + filter, { headers });
  if (!response.ok) {
    throw new Error('HTTP ' + response.status);
  }
  const rows = (await response.text()).split('\n').filter(line => line).map(line => JSON.parse(line));
  const counts = {};
  rows.forEach(row => { counts[row.reason] = (counts[row.reason] || 0) + 1; });
  show('<h1>Rejects of <a href="#/table/' + esc(table) + '">' + esc(table) + '</a></h1>'
    + '<p>' + Object.keys(counts).map(name => '<a class="reason" href="#/table/' + esc(table) + '/rejects/' + encodeURIComponent(name) + '">' + esc(name) + '</a>').join(' · ')
    + (reason ? ' · <a href="#/table/' + esc(table) + '/rejects">all</a>' : '') + '</p>'
    + '<table id="rejects"><tr><th>step</th><th>reason</th><th>detail</th><th>record</th><th>source</th></tr>' + rows.map(row => '<tr class="reject"><td>' + esc(row.step)
    + '</td><td>' + esc(row.reason) + '</td><td>' + esc(row.detail) + '</td><td><code>' + esc(String(row.record || '').slice(0, 300)) + '</code></td><td>'
    + esc(row._kiln_source_uri) + ' ' + esc(row._kiln_source_pos) + '</td></tr>').join('') + '</table>');
}

async function route(again) {
  clearTimeout(refresh);
  const parts = (location.hash || '#/jobs').slice(2).split('/').map(decodeURIComponent);
  try {
    if (parts[0] === 'tables') {
      await tablesPage();
    }
    else if (parts[0] === 'table' && parts[2] === 'snapshot') {
      await snapshotPage(parts[1], parts[3]);
    }
    else if (parts[0] === 'table' && parts[2] === 'rejects') {
      await rejectsPage(parts[1], parts[3]);
    }
    else if (parts[0] === 'table') {
      await tablePage(parts[1]);
    }
    else {
      await jobsPage();
    }
  }
  catch (error) {
    failed(error);
  }
}

window.addEventListener('hashchange', () => route());
route();
