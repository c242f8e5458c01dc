/*
 * hnn_core web interface: the page's script (plain ES2020, no build step).
 *
 * The HTTP interface is the server's (hnn_core/gui/server.py, its routes):
 * every /api call carries the X-Workspace header (downloads: ?workspace=),
 * errors come back as {"error": message}, and every state-changing call
 * returns STATE, from which the page is re-rendered.
 *
 * Element ids and classes the tests rely on
 * -----------------------------------------
 * General      #status (status / error line), nav buttons #nav-<view>,
 *              views <section id="view-<view>"> for network, drives, run, dipole,
 *              raster, histogram, psd, tfr, recording, fit (one visible at a time).
 *              Plots: #plot-dipole #plot-raster #plot-histogram #plot-psd #plot-tfr
 *              #plot-compare #plot-fit, each with data-ready="0|1" and
 *              data-traces="N" (data-empty="1" while showing a text instead).
 *              Error boxes: class "error", role="alert".
 * network      #model-select #model-erp #grid-nx #grid-ny #model-load
 *              #source-file #source-upload #inplane-distance #layer-separation
 *              #grid-apply #network-summary #network-error #download-network
 * drives       #drive-table (tbody tr[data-drive=NAME], buttons .drive-edit,
 *              .drive-remove), #drives-error, #drive-add, #drive-form,
 *              #drive-name #drive-type #drive-location, #dyn-mu #dyn-sigma
 *              #dyn-numspikes #dyn-tstart #dyn-tstop #dyn-rate_constant
 *              #dyn-tstart_std #dyn-burst_rate #dyn-burst_std #dyn-spike_isi #dyn-t0
 *              #dyn-spike-file #dyn-spike-upload #dyn-spike-summary,
 *              #drive-weights (inputs named weights_ampa.<type>,
 *              weights_nmda.<type>, synaptic_delays.<type>, probability.<type>,
 *              rate_constant.<type> (poisson, optional), amplitude.<type> (tonic)),
 *              #drive-space-constant #drive-cell-specific #drive-n-drive-cells
 *              #drive-event-seed #drive-conn-seed #drive-save #drive-cancel #drive-error
 * run          #set-tstop #set-dt #set-trials #set-backend #set-jobs #run-name
 *              #run-start #run-error, #run-list (tbody tr[data-run=ID] with
 *              .run-compare checkbox, .run-name, .run-status[data-status],
 *              progress.run-progress, .run-message, .run-elapsed, .run-cancel
 *              (only while running), .run-download-network, .run-delete)
 * dipole       #dipole-layer (agg|L2|L5|all) #dipole-smooth #dipole-scale
 *              #dipole-trials #dipole-error #download-dipoles
 *              #download-figure-png #download-figure-svg
 * raster       #raster-trial #raster-error #download-spikes
 *              #download-raster-png #download-raster-svg
 * histogram    #hist-bin #hist-trial #hist-mode #histogram-error
 *              #download-histogram-png #download-histogram-svg
 * psd          #psd-layer #psd-fmin #psd-fmax #psd-error #download-psd-png/-svg
 * tfr          #tfr-layer #tfr-fmin #tfr-fmax #tfr-nfreqs #tfr-ncycles #tfr-error
 *              #download-tfr-png/-svg
 *              (all figure links: a.download-figure[data-view][data-format])
 * recording    #recording-file #recording-upload #recording-list
 *              (li[data-recording=ID] with .recording-delete) #recording-select
 *              #compare-rmse (text "RMSE 12.34 nAm", data-value = full number)
 *              #compare-rmse-more #recording-error
 * fit          #fit-recording #fit-solver #fit-max-iter #fit-tstart #fit-tstop
 *              #fit-params (tr.fit-row with input.fit-param[data-drive][data-key],
 *              input.fit-low, input.fit-high; weight rows: select.fit-weight-key)
 *              #fit-start #fit-error #fit-run-select #plot-fit #fit-result
 */

'use strict';

/* ------------------------------------------------------------------ state */

let STATE = null;         // the server's STATE, replaced after every call returning it
let WORKSPACE = null;     // this page's workspace id

const UI = {
  view: 'network',
  compare: { auto: true, ids: new Set() },  // runs drawn in the result views
  fitRun: null,             // fit run chosen in the fit view (null: newest)
  runColors: new Map(),
  nextColor: 0,
  polling: new Set(),
  drawn: {},                // view -> key of what the plot shows
  loading: {},              // view -> key being fetched
  failed: {},               // view -> key whose fetch failed (retried on a new visit)
  seq: {},                  // view -> request counter (drop stale answers)
  cache: new Map(),         // url -> JSON of a finished run's results
  driveForm: { open: false, replace: null, seedcore: null, spikeDynamics: null },
  fitParamsKey: null,
};

const VIEWS = ['network', 'drives', 'run', 'dipole', 'raster', 'histogram', 'psd',
  'tfr', 'recording', 'fit'];

const RUN_PALETTE = ['#1f5fa8', '#d1495b', '#2a9d8f', '#e39b2d', '#6a4c93',
  '#5c7080', '#b5651d', '#3a86a8', '#8a9a2a', '#c0517a'];
const CELL_COLORS = {
  L2_basket: '#4f7fd0', L2_pyramidal: '#2e9a5a',
  L5_basket: '#8e63c2', L5_pyramidal: '#d1495b',
};
const GROUP_PALETTE = ['#e0891e', '#1b9db5', '#8c6d31', '#c0517a', '#6b8e23',
  '#7f7f7f', '#b8860b', '#4b6584', '#a0522d', '#2f8f83'];

const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  scrollZoom: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d'],
};

const DRIVE_DEFAULTS = {
  evoked: { mu: 20, sigma: 3, numspikes: 1, space_constant: 3, cell_specific: true,
    n_drive_cells: 'n_cells' },
  poisson: { tstart: 0, tstop: '', rate_constant: 10, space_constant: 100,
    cell_specific: true, n_drive_cells: 'n_cells' },
  bursty: { tstart: 0, tstart_std: 0, tstop: '', burst_rate: 10, burst_std: 0,
    numspikes: 2, spike_isi: 10, space_constant: 100, cell_specific: false,
    n_drive_cells: 1 },
  spike_train: { space_constant: 3 },
  tonic: { t0: 0, tstop: '' },
};
const DYN_FIELDS = {
  evoked: ['mu', 'sigma', 'numspikes'],
  poisson: ['tstart', 'tstop', 'rate_constant'],
  bursty: ['tstart', 'tstart_std', 'tstop', 'burst_rate', 'burst_std', 'numspikes',
    'spike_isi'],
  spike_train: [],
  tonic: ['t0', 'tstop'],
};
const DYN_LABELS = {
  mu: 'Mean time', sigma: 'Std. dev.', numspikes: 'Spikes per event', tstart: 'Start',
  tstop: 'Stop', rate_constant: 'Rate', tstart_std: 'Start std. dev.',
  burst_rate: 'Burst rate', burst_std: 'Burst std. dev.', spike_isi: 'Spike interval',
  t0: 'Onset',
};
const INT_FIELDS = new Set(['numspikes']);
const OPTIONAL_FIELDS = new Set(['tstop']);

/* ---------------------------------------------------------------- helpers */

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Create an element: el('td', {class: 'x', dataset: {run: id}}, 'text', child). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A number for display: at most 6 significant digits, no trailing zeros. */
function fmt(x, digits = 6) {
  if (x === null || x === undefined || x === '') return '';
  const n = Number(x);
  if (!Number.isFinite(n)) return String(x);
  return String(Number(n.toPrecision(digits)));
}

function prettyType(cellType) {
  return String(cellType).replace(/_/g, ' ');
}

class FormError extends Error {}

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Python's json may write NaN / Infinity; read them as null.
    return JSON.parse(text.replace(/\bNaN\b|-?\bInfinity\b/g, 'null'));
  }
}

/** Call the server; resolve to the JSON answer, reject with ApiError(message). */
async function api(method, path, body) {
  const headers = {};
  if (WORKSPACE && path !== '/api/workspaces') headers['X-Workspace'] = WORKSPACE;
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload,
      credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(`Cannot reach the server (${err.message})`, 0);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = parseJSON(text); } catch (err) { data = null; }
  }
  if (!response.ok) {
    const message = data && typeof data.error === 'string' ? data.error
      : `${response.status} ${response.statusText || 'error'}`.trim();
    throw new ApiError(message, response.status);
  }
  return data;
}

/** GET a finished run's result, remembering it (results of a done run never change). */
async function getCached(url) {
  if (UI.cache.has(url)) return UI.cache.get(url);
  const data = await api('GET', url);
  UI.cache.set(url, data);
  if (UI.cache.size > 80) UI.cache.delete(UI.cache.keys().next().value);
  return data;
}

function forgetRunCache(runId) {
  const prefix = `/api/runs/${encodeURIComponent(runId)}/`;
  for (const key of Array.from(UI.cache.keys())) {
    if (key.startsWith(prefix)) UI.cache.delete(key);
  }
}

function showError(box, message) {
  if (!box) { setStatus(message, 'error'); return; }
  box.textContent = message;
  box.hidden = false;
  if (box.offsetParent) box.scrollIntoView({ block: 'nearest' });
}

function clearError(box) {
  if (!box) return;
  box.textContent = '';
  box.hidden = true;
}

let statusTimer = null;
function setStatus(message, kind = '') {
  const box = $('#status');
  box.textContent = message || '';
  box.title = message || '';
  box.className = `status ${kind}`.trim();
  box.dataset.kind = kind;
  clearTimeout(statusTimer);
  if (message && kind === '') {
    statusTimer = setTimeout(() => {
      if (box.textContent === message) box.textContent = '';
    }, 8000);
  }
}

/** Run an async action with its button disabled; errors go to errorBox. */
async function withButton(button, errorBox, action) {
  if (button && button.disabled) return undefined;
  clearError(errorBox);
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    if (err instanceof FormError || err instanceof ApiError) showError(errorBox, err.message);
    else {
      console.error(err);
      showError(errorBox, `Unexpected error: ${err.message}`);
    }
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Put a server value into an input unless the server value did not change
 * (so that what the user is typing is not overwritten by unrelated updates). */
function syncValue(input, value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (input.dataset.synced !== text) {
    input.value = text;
    input.dataset.synced = text;
  }
}

function setOptions(select, options, preferred) {
  const previous = select.value;
  const wanted = JSON.stringify(options);
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
    select.dataset.options = wanted;
  }
  const values = options.map((o) => o.value);
  if (values.includes(previous)) select.value = previous;
  else if (preferred !== undefined && values.includes(preferred)) select.value = preferred;
  else if (values.length) select.value = values[0];
}

/** Read a number input: null when empty; FormError when not a number. */
function readNumber(input, label, { required = false, integer = false } = {}) {
  const text = String(input.value).trim();
  if (text === '') {
    if (required) throw new FormError(`${label}: give a number`);
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new FormError(`${label}: ${text} is not a number`);
  if (integer && !Number.isInteger(value)) {
    throw new FormError(`${label}: give a whole number, got ${text}`);
  }
  return value;
}

function workspaceQuery() {
  return `workspace=${encodeURIComponent(WORKSPACE || '')}`;
}

/* ----------------------------------------------------------------- runs */

function runs() {
  return (STATE && STATE.runs) || [];
}

function findRun(id) {
  return runs().find((r) => r.id === id) || null;
}

function runColor(id) {
  if (!UI.runColors.has(id)) {
    UI.runColors.set(id, RUN_PALETTE[UI.nextColor % RUN_PALETTE.length]);
    UI.nextColor += 1;
  }
  return UI.runColors.get(id);
}

/** The runs the result views draw: the ticked ones, or else the newest done run. */
function selectedRuns() {
  if (UI.compare.auto) {
    const done = runs().filter((r) => r.status === 'done');
    return done.length ? [done[done.length - 1]] : [];
  }
  return runs().filter((r) => UI.compare.ids.has(r.id));
}

function shownDoneRuns() {
  return selectedRuns().filter((r) => r.status === 'done');
}

function isShown(id) {
  return selectedRuns().some((r) => r.id === id);
}

/** The run whose files the download links point at (the newest shown done run). */
function primaryRun() {
  const done = shownDoneRuns();
  return done.length ? done[done.length - 1] : null;
}

function pruneCompare() {
  if (UI.compare.auto) return;
  const ids = new Set(runs().map((r) => r.id));
  let removed = false;
  for (const id of Array.from(UI.compare.ids)) {
    if (!ids.has(id)) { UI.compare.ids.delete(id); removed = true; }
  }
  if (removed && UI.compare.ids.size === 0) UI.compare = { auto: true, ids: new Set() };
}

function onCompareToggle(id, checked) {
  const ids = new Set(selectedRuns().map((r) => r.id));
  if (checked) ids.add(id);
  else ids.delete(id);
  UI.compare = { auto: false, ids };
  renderRuns();
}

function replaceRun(run) {
  if (!STATE || !run) return;
  const index = STATE.runs.findIndex((r) => r.id === run.id);
  if (index >= 0) STATE.runs[index] = run;
  else STATE.runs.push(run);
}

function announceRun(run) {
  const what = run.kind === 'fit' ? 'Fit' : 'Run';
  const seconds = run.elapsed !== undefined && run.elapsed !== null
    ? ` in ${fmt(run.elapsed, 3)} s` : '';
  if (run.status === 'done') setStatus(`${what} "${run.name}" finished${seconds}.`);
  else if (run.status === 'failed') {
    setStatus(`${what} "${run.name}" failed: ${run.error || run.message || 'unknown error'}`, 'error');
  } else if (run.status === 'cancelled') setStatus(`${what} "${run.name}" cancelled.`);
}

function ensurePolling() {
  for (const run of runs()) {
    if (run.status === 'running' && !UI.polling.has(run.id)) pollRun(run.id);
  }
}

async function pollRun(id) {
  UI.polling.add(id);
  let failures = 0;
  try {
    for (;;) {
      await sleep(failures ? Math.min(500 * 2 ** failures, 5000) : 500);
      const current = findRun(id);
      if (!current || current.status !== 'running') break;
      let run;
      try {
        run = await api('GET', `/api/runs/${encodeURIComponent(id)}`);
        failures = 0;
      } catch (err) {
        if (err.status === 404) { await reloadState(); break; }
        failures += 1;
        setStatus(`Could not follow "${current.name}": ${err.message}`, 'error');
        continue;
      }
      const before = findRun(id);
      if (!before) break;  // deleted meanwhile
      replaceRun(run);
      if (before.status === 'running' && run.status !== 'running') announceRun(run);
      renderRuns();
      if (run.status !== 'running') break;
    }
  } finally {
    UI.polling.delete(id);
  }
}

async function reloadState() {
  try {
    setState(await api('GET', '/api/state'));
  } catch (err) {
    setStatus(`Could not read the state: ${err.message}`, 'error');
  }
}

/* ---------------------------------------------------------------- render */

function setState(state) {
  if (!state) return;
  STATE = state;
  STATE.runs = STATE.runs || [];
  STATE.drives = STATE.drives || [];
  STATE.recordings = STATE.recordings || [];
  STATE.uploads = STATE.uploads || [];
  render();
}

function render() {
  if (!STATE) return;
  renderHeader();
  renderPostproc();
  renderNetwork();
  renderDrives();
  renderSettings();
  renderRecordings();
  renderFitForm();
  renderRuns();
}

/** Everything that depends on the runs (also called after each poll). */
function renderRuns() {
  if (!STATE) return;
  pruneCompare();
  renderRunList();
  renderBadges();
  renderShownRuns();
  renderResultControls();
  renderDownloads();
  renderFitRuns();
  ensurePolling();
  refreshActiveView();
}

/** The model's own dipole post-processing (STATE.postproc, when the server gives it)
 * becomes the dipole view's default smoothing and scaling. */
function renderPostproc() {
  const post = STATE.postproc;
  if (!post) return;
  if (post.smooth !== undefined && post.smooth !== null) syncValue($('#dipole-smooth'), post.smooth);
  if (post.scale !== undefined && post.scale !== null) syncValue($('#dipole-scale'), post.scale);
}

function renderHeader() {
  const label = (STATE.source && STATE.source.label) || '';
  const box = $('#source-label');
  box.textContent = label;
  box.title = label;
}

function renderBadges() {
  $('#badge-drives').textContent = STATE.drives.length ? String(STATE.drives.length) : '';
  const sims = runs().filter((r) => r.kind !== 'fit');
  const running = sims.filter((r) => r.status === 'running').length;
  const runBadge = $('#badge-run');
  runBadge.textContent = running ? `${running} running` : (sims.length ? String(sims.length) : '');
  runBadge.classList.toggle('busy', running > 0);
  const fits = runs().filter((r) => r.kind === 'fit');
  const fitting = fits.filter((r) => r.status === 'running').length;
  const fitBadge = $('#badge-fit');
  fitBadge.textContent = fitting ? 'running' : (fits.length ? String(fits.length) : '');
  fitBadge.classList.toggle('busy', fitting > 0);
}

/* ---- network view */

function renderNetwork() {
  const models = STATE.models || [];
  const select = $('#model-select');
  const source = STATE.source || {};
  const guess = models.find((m) => source.label && (source.label.includes(m.id) ||
    (m.label && source.label.startsWith(m.label))));
  setOptions(select, models.map((m) => ({ value: m.id, label: m.label || m.id })),
    guess ? guess.id : undefined);
  if (guess && select.dataset.syncedSource !== source.label) {
    select.value = guess.id;
    select.dataset.syncedSource = source.label;
  }
  const mesh = STATE.mesh_shape || ['', ''];
  syncValue($('#grid-nx'), mesh[0]);
  syncValue($('#grid-ny'), mesh[1]);
  syncValue($('#inplane-distance'), STATE.inplane_distance);
  syncValue($('#layer-separation'), STATE.layer_separation);
  $('#grid-note').textContent = STATE.grid_editable === false
    ? 'This network comes from a network file: its grid is fixed, the spacings can change.'
    : 'Changes the current network: the grid (cells, left) and these spacings.';

  const link = $('#download-network');
  if (WORKSPACE) {
    link.href = `/api/download/network?${workspaceQuery()}`;
    link.classList.remove('disabled');
  }

  const cellTypes = STATE.cell_types || Object.keys(STATE.n_cells || {});
  const nCells = STATE.n_cells || {};
  let total = 0;
  const rows = cellTypes.map((t) => {
    total += Number(nCells[t] || 0);
    return el('tr', {}, el('td', {}, prettyType(t)), el('td', { class: 'num' }, fmt(nCells[t])));
  });
  const cellTable = el('table', { class: 'table compact', id: 'network-cells' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Cell type'), el('th', { class: 'right' }, 'Cells'))),
    el('tbody', {}, rows,
      el('tr', {}, el('td', {}, el('strong', {}, 'Total')),
        el('td', { class: 'num' }, el('strong', {}, fmt(total))))));
  const drives = STATE.drives;
  const gridText = `${mesh[0]} \u00d7 ${mesh[1]} cells per layer` +
    (STATE.grid_editable === false ? ' (fixed by the network file)' : '');
  const list = el('dl', {},
    el('dt', {}, 'Source'), el('dd', { id: 'summary-source' }, source.label || '\u2014'),
    el('dt', {}, 'Grid'), el('dd', { id: 'summary-grid' }, gridText),
    el('dt', {}, 'In-plane distance'), el('dd', {}, `${fmt(STATE.inplane_distance)} \u00b5m`),
    el('dt', {}, 'Layer separation'), el('dd', {}, `${fmt(STATE.layer_separation)} \u00b5m`),
    el('dt', {}, 'Drives'), el('dd', { id: 'summary-drives' },
      `${drives.length}` + (drives.length ? ` (${drives.map((d) => d.name).join(', ')})` : '')));
  $('#network-summary').replaceChildren(el('div', { class: 'summary-cols' },
    el('div', {}, list), el('div', {}, cellTable)));
}

async function loadModel() {
  const button = $('#model-load');
  await withButton(button, $('#network-error'), async () => {
    const model = $('#model-select').value;
    if (!model) throw new FormError('Choose a model');
    const nx = readNumber($('#grid-nx'), 'Grid', { required: true, integer: true });
    const ny = readNumber($('#grid-ny'), 'Grid', { required: true, integer: true });
    setStatus('Building the network\u2026', 'busy');
    try {
      setState(await api('POST', '/api/model', {
        model, mesh_shape: [nx, ny], erp_drives: $('#model-erp').checked }));
      setStatus('Network loaded.');
    } catch (err) {
      setStatus('');
      throw err;
    }
  });
}

async function uploadSource() {
  const button = $('#source-upload');
  await withButton(button, $('#network-error'), async () => {
    const input = $('#source-file');
    if (!input.files || !input.files.length) throw new FormError('Choose a file first');
    const file = input.files[0];
    const form = new FormData();
    form.append('file', file);
    setStatus(`Reading ${file.name}\u2026`, 'busy');
    try {
      setState(await api('POST', '/api/source', form));
      input.value = '';
      setStatus(`Network read from ${file.name}.`);
    } catch (err) {
      setStatus('');
      throw err;
    }
  });
}

async function applyGrid() {
  const button = $('#grid-apply');
  await withButton(button, $('#network-error'), async () => {
    const body = {};
    const nx = readNumber($('#grid-nx'), 'Grid', { required: true, integer: true });
    const ny = readNumber($('#grid-ny'), 'Grid', { required: true, integer: true });
    const mesh = STATE.mesh_shape || [];
    const changed = nx !== mesh[0] || ny !== mesh[1];
    // A network file's grid is fixed: only send it when the user changed it (and
    // then the server says why it cannot be done).
    if (STATE.grid_editable !== false || changed) body.mesh_shape = [nx, ny];
    const inplane = readNumber($('#inplane-distance'), 'In-plane distance');
    const separation = readNumber($('#layer-separation'), 'Layer separation');
    if (inplane !== null) body.inplane_distance = inplane;
    if (separation !== null) body.layer_separation = separation;
    try {
      setState(await api('POST', '/api/grid', body));
    } catch (err) {
      // the inputs show the network as it is, not the refused values
      setField('#grid-nx', mesh[0]);
      setField('#grid-ny', mesh[1]);
      setField('#inplane-distance', STATE.inplane_distance);
      setField('#layer-separation', STATE.layer_separation);
      throw err;
    }
    setStatus('Grid updated.');
  });
}

/* ---- drives view */

function driveTiming(drive) {
  const d = drive.dynamics || {};
  const until = (t) => (t === null || t === undefined ? 'end' : fmt(t));
  switch (drive.type) {
    case 'evoked':
      return `\u03bc ${fmt(d.mu)} ms, \u03c3 ${fmt(d.sigma)} ms` +
        (Number(d.numspikes) !== 1 ? `, ${fmt(d.numspikes)} spikes` : '');
    case 'poisson': {
      const rate = d.rate_constant && typeof d.rate_constant === 'object'
        ? Object.entries(d.rate_constant).map(([t, r]) => `${prettyType(t)} ${fmt(r)}`).join(', ')
        : fmt(d.rate_constant);
      return `${rate} Hz, ${fmt(d.tstart)}\u2013${until(d.tstop)} ms`;
    }
    case 'bursty':
      return `${fmt(d.burst_rate)} Hz bursts of ${fmt(d.numspikes)} spike${Number(d.numspikes) === 1 ? '' : 's'} ` +
        `(${fmt(d.spike_isi)} ms apart), ${fmt(d.tstart)}\u2013${until(d.tstop)} ms`;
    case 'spike_train':
      return `${fmt(d.n_sources)} sources, ${fmt(d.n_spikes)} spikes`;
    case 'tonic':
      return `${fmt(d.t0)}\u2013${until(d.tstop)} ms`;
    default:
      return '';
  }
}

function driveTargets(drive) {
  if (drive.type === 'tonic') {
    const amp = (drive.dynamics || {}).amplitude || {};
    if (typeof amp !== 'object') return `${fmt(amp)} nA`;
    return Object.entries(amp).map(([t, a]) => `${prettyType(t)} ${fmt(a)} nA`).join(', ');
  }
  const types = new Set([...Object.keys(drive.weights_ampa || {}),
    ...Object.keys(drive.weights_nmda || {})]);
  const order = STATE.cell_types || [];
  return Array.from(types).sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map(prettyType).join(', ');
}

function renderDrives() {
  const tbody = $('#drive-table tbody');
  const rows = STATE.drives.map((drive) => el('tr', {
    dataset: { drive: drive.name },
    class: UI.driveForm.open && UI.driveForm.replace === drive.name ? 'editing' : null,
  },
  el('td', { class: 'drive-name' }, el('strong', {}, drive.name)),
  el('td', { class: 'drive-type' }, drive.type === 'spike_train' ? 'spike train' : drive.type),
  el('td', { class: 'drive-location' }, drive.type === 'tonic' ? '\u2014' : (drive.location || '')),
  el('td', { class: 'drive-timing' }, driveTiming(drive)),
  el('td', { class: 'drive-targets muted' }, driveTargets(drive)),
  el('td', { class: 'actions-cell' },
    el('button', { type: 'button', class: 'small drive-edit', dataset: { drive: drive.name } }, 'Edit'),
    el('button', { type: 'button', class: 'small danger drive-remove', dataset: { drive: drive.name } },
      'Remove'))));
  if (!rows.length) {
    rows.push(el('tr', { class: 'empty' }, el('td', { colspan: '6', class: 'muted' },
      'No drives: the network gets no input. Add one below.')));
  }
  tbody.replaceChildren(...rows);

  if (UI.driveForm.open) {
    const location = $('#drive-location');
    setOptions(location, (STATE.locations || []).map((l) => ({ value: l, label: l })));
    renderSpikeUploads();
  }
}

function renderSpikeUploads(selectId) {
  const select = $('#dyn-spike-upload');
  const keep = UI.driveForm.spikeDynamics;
  const options = [];
  if (keep) {
    options.push({ value: '', label: `keep current spikes (${fmt(keep.n_sources)} sources, ${fmt(keep.n_spikes)} spikes)` });
  } else {
    options.push({ value: '', label: '\u2014 upload a spike file \u2014' });
  }
  for (const upload of STATE.uploads.filter((u) => u.kind === 'spikes')) {
    options.push({ value: upload.id, label: `${upload.name} (${upload.summary || upload.id})` });
  }
  setOptions(select, options);
  if (selectId !== undefined) select.value = selectId;
  const upload = STATE.uploads.find((u) => u.id === select.value);
  $('#dyn-spike-summary').textContent = upload ? `${upload.name}: ${upload.summary || ''}` : '';
}

function formType() {
  return $('#drive-type').value;
}

function applyTypeVisibility(type) {
  for (const node of $$('#drive-form [data-for-types]')) {
    node.hidden = !node.dataset.forTypes.split(' ').includes(type);
  }
}

/** Current values of the per-cell-type table, by input name. */
function weightValues() {
  const values = {};
  for (const input of $$('#drive-weights input')) values[input.name] = input.value;
  return values;
}

function buildWeightsTable(type, values) {
  const cellTypes = STATE.cell_types || [];
  const table = $('#drive-weights');
  let columns;
  if (type === 'tonic') {
    columns = [['amplitude', 'Amplitude (nA)']];
    $('#drive-weights-title').textContent = 'Current per cell type';
    $('#drive-weights-hint').textContent = 'Leave a cell type empty for no current.';
  } else {
    columns = [['weights_ampa', 'AMPA weight (\u00b5S)'], ['weights_nmda', 'NMDA weight (\u00b5S)'],
      ['synaptic_delays', 'Delay (ms)'], ['probability', 'Probability']];
    if (type === 'poisson') columns.push(['rate_constant', 'Rate (Hz)']);
    $('#drive-weights-title').textContent = 'Targets';
    $('#drive-weights-hint').textContent = 'An empty weight means no connection to that cell type.' +
      (type === 'poisson' ? ' A rate per cell type overrides the drive\u2019s rate.' : '');
  }
  table.tHead.replaceChildren(el('tr', {}, el('th', {}, 'Cell type'),
    columns.map(([, label]) => el('th', {}, label))));
  table.tBodies[0].replaceChildren(...cellTypes.map((cellType) => el('tr', {
    dataset: { cellType } },
  el('td', {}, prettyType(cellType)),
  columns.map(([key, label]) => {
    const name = `${key}.${cellType}`;
    let value = values[name];
    if (value === undefined || value === null) {
      if (key === 'synaptic_delays') value = 0.1;
      else if (key === 'probability') value = 1;
      else value = '';
    }
    return el('td', {}, el('input', {
      type: 'number', step: 'any', name, value: String(value),
      placeholder: key === 'rate_constant' ? 'drive rate' : (key.startsWith('weights') || key === 'amplitude' ? '\u2014' : ''),
      'aria-label': `${label} ${prettyType(cellType)}`,
    }));
  }))));
}

/** Values for the per-cell-type table from a DRIVE of STATE. */
function weightValuesFromDrive(drive) {
  const values = {};
  const cellTypes = STATE.cell_types || [];
  const put = (key, source) => {
    if (source === null || source === undefined) return;
    for (const cellType of cellTypes) {
      const value = typeof source === 'object' ? source[cellType] : source;
      if (value !== undefined && value !== null) values[`${key}.${cellType}`] = value;
    }
  };
  put('weights_ampa', drive.weights_ampa || {});
  put('weights_nmda', drive.weights_nmda || {});
  put('synaptic_delays', drive.synaptic_delays);
  put('probability', drive.probability);
  const d = drive.dynamics || {};
  if (drive.type === 'poisson' && d.rate_constant && typeof d.rate_constant === 'object') {
    put('rate_constant', d.rate_constant);
  }
  if (drive.type === 'tonic' && d.amplitude && typeof d.amplitude === 'object') {
    put('amplitude', d.amplitude);
  }
  return values;
}

function setField(id, value) {
  $(id).value = value === null || value === undefined ? '' : String(value);
}

function fillTypeDefaults(type, onlyEmpty) {
  const defaults = DRIVE_DEFAULTS[type] || {};
  for (const field of DYN_FIELDS[type] || []) {
    const input = $(`#dyn-${field}`);
    if (!onlyEmpty || input.value === '') {
      if (!(onlyEmpty && OPTIONAL_FIELDS.has(field))) setField(`#dyn-${field}`, defaults[field]);
    }
  }
}

function fillConnectionDefaults(type) {
  const defaults = DRIVE_DEFAULTS[type] || {};
  if (defaults.space_constant !== undefined) setField('#drive-space-constant', defaults.space_constant);
  if (defaults.cell_specific !== undefined) $('#drive-cell-specific').checked = defaults.cell_specific;
  if (defaults.n_drive_cells !== undefined) setField('#drive-n-drive-cells', defaults.n_drive_cells);
}

function uniqueDriveName(base) {
  const names = new Set(STATE.drives.map((d) => d.name));
  for (let i = 1; ; i += 1) {
    const name = `${base}${i}`;
    if (!names.has(name)) return name;
  }
}

function openDriveForm(drive) {
  const form = $('#drive-form');
  clearError($('#drive-error'));
  $('#dyn-spike-file').value = '';
  for (const field of Object.keys(DYN_LABELS)) setField(`#dyn-${field}`, '');
  setOptions($('#drive-location'), (STATE.locations || []).map((l) => ({ value: l, label: l })));
  if (drive) {
    UI.driveForm = { open: true, replace: drive.name, seedcore: drive.seedcore ?? null,
      spikeDynamics: drive.type === 'spike_train' ? (drive.dynamics || {}) : null };
    $('#drive-form-title').textContent = `Edit drive \u201c${drive.name}\u201d`;
    setField('#drive-name', drive.name);
    $('#drive-type').value = drive.type;
    if (drive.location) $('#drive-location').value = drive.location;
    const d = drive.dynamics || {};
    for (const field of DYN_FIELDS[drive.type] || []) {
      let value = d[field];
      if (field === 'rate_constant' && value && typeof value === 'object') value = '';
      setField(`#dyn-${field}`, value);
    }
    const defaults = DRIVE_DEFAULTS[drive.type] || {};
    setField('#drive-space-constant', drive.space_constant ?? defaults.space_constant);
    $('#drive-cell-specific').checked = drive.cell_specific ?? !!defaults.cell_specific;
    setField('#drive-n-drive-cells', drive.n_drive_cells ?? defaults.n_drive_cells);
    setField('#drive-event-seed', drive.event_seed);
    $('#drive-event-seed').placeholder = drive.seedcore !== null && drive.seedcore !== undefined
      ? `seedcore ${drive.seedcore}` : '';
    setField('#drive-conn-seed', drive.conn_seed);
    buildWeightsTable(drive.type, weightValuesFromDrive(drive));
  } else {
    UI.driveForm = { open: true, replace: null, seedcore: null, spikeDynamics: null };
    $('#drive-form-title').textContent = 'New drive';
    $('#drive-type').value = 'evoked';
    $('#drive-location').selectedIndex = 0;  // not the last drive's location
    setField('#drive-name', uniqueDriveName('drive'));
    fillTypeDefaults('evoked', false);
    fillConnectionDefaults('evoked');
    setField('#drive-event-seed', '');
    $('#drive-event-seed').placeholder = 'automatic';
    setField('#drive-conn-seed', 3);
    buildWeightsTable('evoked', {});
  }
  form.dataset.type = formType();
  applyTypeVisibility(formType());
  renderSpikeUploads('');
  form.hidden = false;
  renderDrives();
  form.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  $('#drive-name').focus({ preventScroll: true });
}

function closeDriveForm() {
  UI.driveForm = { open: false, replace: null, seedcore: null, spikeDynamics: null };
  $('#drive-form').hidden = true;
  clearError($('#drive-error'));
  if (STATE) renderDrives();
}

function onDriveTypeChange() {
  const form = $('#drive-form');
  const type = formType();
  const values = weightValues();
  // a new drive takes the new type's defaults; an edited one keeps what it has
  fillTypeDefaults(type, !!UI.driveForm.replace);
  if (!UI.driveForm.replace) fillConnectionDefaults(type);
  else if (type !== form.dataset.type && DRIVE_DEFAULTS[type].space_constant !== undefined &&
           $('#drive-space-constant').value === '') {
    setField('#drive-space-constant', DRIVE_DEFAULTS[type].space_constant);
  }
  form.dataset.type = type;
  applyTypeVisibility(type);
  buildWeightsTable(type, values);
}

/** The DRIVE the form describes (numbers as numbers, empty tstop as null). */
function collectDrive() {
  const type = formType();
  const name = $('#drive-name').value.trim();
  if (!name) throw new FormError('Give the drive a name');
  const drive = { name, type };
  const cellTypes = STATE.cell_types || [];
  const table = {};
  for (const input of $$('#drive-weights input')) {
    const [key, cellType] = [input.name.slice(0, input.name.indexOf('.')),
      input.name.slice(input.name.indexOf('.') + 1)];
    const value = readNumber(input, `${key.replace(/_/g, ' ')} of ${prettyType(cellType)}`);
    if (value !== null) (table[key] = table[key] || {})[cellType] = value;
  }
  const dyn = {};
  for (const field of DYN_FIELDS[type]) {
    const value = readNumber($(`#dyn-${field}`), DYN_LABELS[field], {
      integer: INT_FIELDS.has(field),
      required: !OPTIONAL_FIELDS.has(field) && !(type === 'poisson' && field === 'rate_constant'),
    });
    dyn[field] = value;
  }

  if (type === 'tonic') {
    const amplitude = table.amplitude || {};
    if (!Object.keys(amplitude).length) {
      throw new FormError('Give a current (nA) for at least one cell type');
    }
    drive.dynamics = { amplitude, t0: dyn.t0, tstop: dyn.tstop };
    return drive;
  }

  drive.location = $('#drive-location').value;
  const ampa = table.weights_ampa || {};
  const nmda = table.weights_nmda || {};
  drive.weights_ampa = ampa;
  drive.weights_nmda = nmda;
  const targets = cellTypes.filter((t) => t in ampa || t in nmda);
  const delays = {};
  const probability = {};
  for (const cellType of targets) {
    delays[cellType] = (table.synaptic_delays || {})[cellType] ?? 0.1;
    probability[cellType] = (table.probability || {})[cellType] ?? 1.0;
  }
  drive.synaptic_delays = delays;
  drive.probability = probability;
  drive.space_constant = readNumber($('#drive-space-constant'), 'Space constant', { required: true });
  drive.conn_seed = readNumber($('#drive-conn-seed'), 'Connection seed', { integer: true });

  if (type === 'spike_train') {
    const upload = $('#dyn-spike-upload').value;
    if (upload) drive.dynamics = { upload };
    else if (UI.driveForm.spikeDynamics && UI.driveForm.replace) drive.dynamics = {};
    else throw new FormError('Upload a spike file for a spike-train drive');
    return drive;
  }

  drive.cell_specific = $('#drive-cell-specific').checked;
  const nText = $('#drive-n-drive-cells').value.trim();
  if (nText === '' || nText === 'n_cells') {
    drive.n_drive_cells = 'n_cells';
  } else {
    const n = Number(nText);
    if (!Number.isInteger(n)) {
      throw new FormError(`Drive cells: give n_cells or a whole number, got ${nText}`);
    }
    drive.n_drive_cells = n;
  }
  drive.event_seed = readNumber($('#drive-event-seed'), 'Event seed', { integer: true });
  drive.seedcore = drive.event_seed === null ? UI.driveForm.seedcore : null;

  if (type === 'poisson') {
    const perType = table.rate_constant || {};
    if (Object.keys(perType).length) {
      const rates = {};
      for (const cellType of targets) {
        const rate = perType[cellType] ?? dyn.rate_constant;
        if (rate !== null && rate !== undefined) rates[cellType] = rate;
      }
      for (const [cellType, rate] of Object.entries(perType)) rates[cellType] = rate;
      dyn.rate_constant = rates;
    } else if (dyn.rate_constant === null) {
      throw new FormError('Rate: give a number');
    }
  }
  drive.dynamics = dyn;
  return drive;
}

async function saveDrive(event) {
  if (event) event.preventDefault();
  await withButton($('#drive-save'), $('#drive-error'), async () => {
    const drive = collectDrive();
    const replace = UI.driveForm.replace;
    const state = await api('POST', '/api/drives', { drive, replace });
    closeDriveForm();
    setState(state);
    setStatus(replace ? `Drive "${drive.name}" updated.` : `Drive "${drive.name}" added.`);
  });
}

async function removeDrive(name, button) {
  await withButton(button, $('#drives-error'), async () => {
    const state = await api('DELETE', `/api/drives/${encodeURIComponent(name)}`);
    if (UI.driveForm.open && UI.driveForm.replace === name) closeDriveForm();
    setState(state);
    setStatus(`Drive "${name}" removed.`);
  });
}

async function uploadSpikes() {
  const input = $('#dyn-spike-file');
  if (!input.files || !input.files.length) return;
  await withButton(null, $('#drive-error'), async () => {
    const form = new FormData();
    form.append('file', input.files[0]);
    form.append('kind', 'spikes');
    $('#dyn-spike-summary').textContent = 'Uploading\u2026';
    try {
      const answer = await api('POST', '/api/uploads', form);
      if (answer && answer.state) setState(answer.state);
      const upload = answer && answer.upload;
      if (upload && !STATE.uploads.some((u) => u.id === upload.id)) STATE.uploads.push(upload);
      renderSpikeUploads(upload ? upload.id : undefined);
    } catch (err) {
      renderSpikeUploads();
      throw err;
    } finally {
      input.value = '';
    }
  });
}

/* ---- run view */

function renderSettings() {
  const s = STATE.settings || {};
  syncValue($('#set-tstop'), s.tstop);
  syncValue($('#set-dt'), s.dt);
  syncValue($('#set-trials'), s.n_trials);
  const backend = $('#set-backend');
  setOptions(backend, (s.backends || []).map((b) => ({ value: b, label: b })), s.backend);
  syncValue(backend, s.backend);
  const jobs = $('#set-jobs');
  if (s.max_jobs) jobs.max = String(s.max_jobs);
  syncValue(jobs, s.n_jobs);
  syncValue($('#fit-tstop'), s.tstop);
}

async function startRun() {
  await withButton($('#run-start'), $('#run-error'), async () => {
    const settings = {
      tstop: readNumber($('#set-tstop'), 'Duration', { required: true }),
      dt: readNumber($('#set-dt'), 'Time step', { required: true }),
      n_trials: readNumber($('#set-trials'), 'Trials', { required: true, integer: true }),
      backend: $('#set-backend').value,
      n_jobs: readNumber($('#set-jobs'), 'Jobs', { required: true, integer: true }),
    };
    setState(await api('POST', '/api/settings', settings));
    const name = $('#run-name').value.trim();
    const answer = await api('POST', '/api/runs', name ? { name } : {});
    if (!UI.compare.auto && answer.run) UI.compare.ids.add(answer.run.id);
    if (answer.state) setState(answer.state);
    if (answer.run) { replaceRun(answer.run); renderRuns(); }
    $('#run-name').value = '';
    setStatus(`Started "${answer.run ? answer.run.name : 'run'}".`);
  });
}

function fillRunActions(cell, run) {
  const children = [];
  if (run.status === 'running') {
    children.push(el('button', { type: 'button', class: 'small run-cancel', dataset: { run: run.id } }, 'Cancel'));
  }
  if (WORKSPACE) {
    children.push(el('a', {
      class: 'button small run-download-network',
      href: `/api/runs/${encodeURIComponent(run.id)}/download/network?${workspaceQuery()}`,
      download: true, title: 'The network file this run simulated',
    }, 'Network'));
  }
  children.push(el('button', { type: 'button', class: 'small danger run-delete', dataset: { run: run.id } }, 'Delete'));
  cell.replaceChildren(...children);
}

function updateRunRow(tr, run) {
  const c = tr.cells;
  const box = $('.run-compare', c[0]);
  box.checked = isShown(run.id);
  $('.run-swatch', c[0]).style.background = runColor(run.id);
  $('.run-name', c[1]).textContent = run.name;
  c[2].textContent = run.kind === 'fit' ? 'fit' : 'simulation';
  const status = $('.run-status', c[3]);
  status.textContent = run.status;
  status.dataset.status = run.status;
  const progress = $('.run-progress', c[4]);
  const p = Number(run.progress);
  progress.value = Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0;
  progress.title = `${Math.round(progress.value * 100)} %`;
  const message = $('.run-message', c[4]);
  const text = run.status === 'failed' ? (run.error || run.message || 'failed') : (run.message || '');
  message.textContent = text;
  message.title = text;
  message.classList.toggle('error-text', run.status === 'failed');
  c[5].textContent = run.elapsed === null || run.elapsed === undefined ? ''
    : `${Number(run.elapsed).toFixed(1)} s`;
  if (tr.dataset.status !== run.status) {
    fillRunActions(c[6], run);
    tr.dataset.status = run.status;
  }
}

function renderRunList() {
  const tbody = $('#run-list tbody');
  const existing = new Map($$('tr[data-run]', tbody).map((tr) => [tr.dataset.run, tr]));
  const list = runs();
  list.forEach((run, index) => {
    let tr = existing.get(run.id);
    if (!tr) {
      tr = el('tr', { dataset: { run: run.id } },
        el('td', {}, el('label', { class: 'check', title: 'Show in the result views' },
          el('input', { type: 'checkbox', class: 'run-compare', dataset: { run: run.id },
            'aria-label': `Show ${run.name}` }),
          el('span', { class: 'run-swatch swatch' }))),
        el('td', {}, el('span', { class: 'run-name' })),
        el('td', { class: 'run-kind muted' }),
        el('td', {}, el('span', { class: 'run-status' })),
        el('td', {}, el('progress', { class: 'run-progress', max: '1', value: '0' }),
          el('span', { class: 'run-message' })),
        el('td', { class: 'num run-elapsed' }),
        el('td', { class: 'actions-cell' }));
    }
    existing.delete(run.id);
    updateRunRow(tr, run);
    if (tbody.children[index] !== tr) tbody.insertBefore(tr, tbody.children[index] || null);
  });
  for (const tr of existing.values()) tr.remove();
  $('#run-list-empty').hidden = list.length > 0;
}

async function cancelRun(id, button) {
  await withButton(button, $('#run-error'), async () => {
    const run = await api('POST', `/api/runs/${encodeURIComponent(id)}/cancel`);
    replaceRun(run);
    announceRun(run);
    renderRuns();
  });
}

async function deleteRun(id, button) {
  await withButton(button, $('#run-error'), async () => {
    const state = await api('DELETE', `/api/runs/${encodeURIComponent(id)}`);
    forgetRunCache(id);
    UI.compare.ids.delete(id);
    if (UI.fitRun === id) UI.fitRun = null;
    setState(state);
  });
}

/* ---- result views: shared parts */

function renderShownRuns() {
  const shown = selectedRuns();
  for (const box of $$('.shown-runs')) {
    if (!shown.length) {
      box.replaceChildren(runs().length ? 'No run shown \u2014 tick runs in the Run view' : '');
      continue;
    }
    box.replaceChildren('Showing ', ...shown.map((run, i) => el('span', { class: 'shown-run' },
      i ? ', ' : '', el('span', { class: 'swatch', style: `background:${runColor(run.id)}` }),
      run.name + (run.status === 'done' ? '' : ` (${run.status})`))));
  }
}

function renderResultControls() {
  const done = shownDoneRuns();
  const nTrials = Math.max(1, ...done.map((r) => Number(r.n_trials) ||
    Number((r.settings || {}).n_trials) || 1));
  const trials = Array.from({ length: nTrials }, (_, k) => ({ value: String(k), label: `trial ${k + 1}` }));
  setOptions($('#raster-trial'), trials);
  setOptions($('#hist-trial'), [{ value: 'all', label: 'all trials' }, ...trials]);
}

function renderDownloads() {
  const run = primaryRun();
  const base = run ? `/api/runs/${encodeURIComponent(run.id)}/` : null;
  for (const link of $$('a.run-link')) {
    setLink(link, base && `${base}${link.dataset.path}?${workspaceQuery()}`, run);
  }
  const smooth = $('#dipole-smooth').value.trim() || '0';
  const scale = $('#dipole-scale').value.trim() || '1';
  for (const link of $$('a.download-figure')) {
    const query = `view=${link.dataset.view}&format=${link.dataset.format}` +
      `&smooth=${encodeURIComponent(smooth)}&scale=${encodeURIComponent(scale)}&${workspaceQuery()}`;
    setLink(link, base && `${base}download/figure?${query}`, run);
  }
}

function setLink(link, href, run) {
  if (href) {
    link.href = href;
    link.classList.remove('disabled');
    link.removeAttribute('aria-disabled');
    link.title = `From run \u201c${run.name}\u201d`;
  } else {
    link.removeAttribute('href');
    link.classList.add('disabled');
    link.setAttribute('aria-disabled', 'true');
    link.title = 'No finished run yet';
  }
}

function baseLayout(extra) {
  const axis = { gridcolor: '#eceef1', zerolinecolor: '#c9ced6', linecolor: '#c9ced6',
    showline: true, ticks: 'outside', tickcolor: '#c9ced6', automargin: true };
  return Object.assign({
    margin: { l: 70, r: 24, t: 36, b: 56 },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#1e2329' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    hovermode: 'closest',
    dragmode: 'zoom',
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.01, xanchor: 'left', yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0)' },
    hoverlabel: { font: { size: 12 } },
    xaxis: Object.assign({}, axis),
    yaxis: Object.assign({}, axis),
  }, extra || {});
}

function axisStyle(extra) {
  return Object.assign({ gridcolor: '#eceef1', zerolinecolor: '#c9ced6', linecolor: '#c9ced6',
    showline: true, ticks: 'outside', tickcolor: '#c9ced6', automargin: true }, extra || {});
}

/** Layout for n subplots stacked vertically with a shared x axis. */
function stackedLayout(n, { xTitle, yTitles, titles, yExtra, matchY = false }) {
  const layout = {};
  const gap = n > 1 ? (titles ? 0.1 : 0.06) : 0;
  const height = (1 - gap * (n - 1)) / n;
  const annotations = [];
  for (let i = 0; i < n; i += 1) {
    const s = i ? String(i + 1) : '';
    const top = 1 - i * (height + gap);
    const x = { anchor: `y${s}`, showticklabels: i === n - 1 };
    if (i) x.matches = 'x';
    if (i === n - 1) x.title = { text: xTitle };
    layout[`xaxis${s}`] = axisStyle(x);
    const y = { anchor: `x${s}`, domain: [Math.max(0, top - height), Math.min(1, top)],
      title: { text: yTitles[Math.min(i, yTitles.length - 1)] } };
    if (i && matchY) y.matches = 'y';
    layout[`yaxis${s}`] = axisStyle(Object.assign(y, yExtra || {}));
    if (titles && n > 1) {
      annotations.push({ text: titles[i], xref: 'paper', yref: 'paper', x: 0, y: Math.min(1, top),
        xanchor: 'left', yanchor: 'bottom', showarrow: false, font: { size: 12, color: '#5f6873' } });
    }
  }
  if (annotations.length) layout.annotations = annotations;
  return layout;
}

function axisSuffix(i) {
  return i ? String(i + 1) : '';
}

function showEmpty(plot, text) {
  if (window.Plotly) Plotly.purge(plot);
  plot.replaceChildren(el('div', { class: 'plot-empty' }, text));
  plot.dataset.ready = '0';
  plot.dataset.traces = '0';
  plot.dataset.empty = '1';
}

async function drawPlot(plot, traces, layout) {
  if (!window.Plotly) throw new Error('Plotly did not load (/static/plotly.min.js)');
  const empty = $('.plot-empty', plot);
  if (empty) empty.remove();
  delete plot.dataset.empty;
  await Plotly.react(plot, traces, baseLayout(layout), PLOT_CONFIG);
  plot.dataset.traces = String(traces.length);
  plot.dataset.ready = '1';
}

function noRunText() {
  const shown = selectedRuns();
  const running = (UI.compare.auto ? runs() : shown).filter((r) => r.status === 'running');
  if (running.length) return `No finished run yet (\u201c${running[running.length - 1].name}\u201d is running)`;
  if (!shown.length && runs().length && !UI.compare.auto) return 'No run selected: tick runs in the Run view';
  return 'No finished run yet';
}

function numberParam(id, fallback) {
  const text = $(id).value.trim();
  if (text === '') return fallback;
  const value = Number(text);
  return Number.isFinite(value) ? value : fallback;
}

/* ---- result views: one plan per view
 * plan() returns {key, empty?: text, urls: [...], draw(results) -> {traces, layout},
 * after?(results)}; refreshView fetches, draws and tags the plot element. */

const VIEW_SPECS = {
  dipole: {
    plot: '#plot-dipole',
    error: '#dipole-error',
    plan() {
      const done = shownDoneRuns();
      const layer = $('#dipole-layer').value;
      const smooth = numberParam('#dipole-smooth', 0);
      const scale = numberParam('#dipole-scale', 1);
      const trials = $('#dipole-trials').checked;
      const key = JSON.stringify(['dipole', done.map((r) => r.id), layer, smooth, scale, trials]);
      if (!done.length) return { key, empty: noRunText() };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/dipole?smooth=${smooth}&scale=${scale}`);
      return {
        key, urls,
        draw(results) {
          const layers = layer === 'all' ? ['agg', 'L2', 'L5'] : [layer];
          const names = { agg: 'Aggregate', L2: 'L2/3', L5: 'L5' };
          const traces = [];
          layers.forEach((L, li) => {
            const s = axisSuffix(li);
            done.forEach((run, ri) => {
              const data = results[ri];
              const color = runColor(run.id);
              const multi = done.length > 1;
              if (trials) {
                ((data.trials || {})[L] || []).forEach((values, k) => {
                  traces.push({
                    type: 'scatter', mode: 'lines', x: data.times, y: values,
                    name: `${run.name} trial ${k + 1}`, legendgroup: run.id, showlegend: false,
                    line: { color, width: 1 }, opacity: 0.35,
                    xaxis: `x${s}`, yaxis: `y${s}`,
                    hovertemplate: `trial ${k + 1}: %{y:.3g} nAm at %{x:.1f} ms<extra>${multi ? run.name : ''}</extra>`,
                  });
                });
              }
              traces.push({
                type: 'scatter', mode: 'lines', x: data.times, y: ((data.average || {})[L]) || [],
                name: run.name, legendgroup: run.id, showlegend: li === 0,
                line: { color, width: 2.6 },
                xaxis: `x${s}`, yaxis: `y${s}`,
                hovertemplate: `average: %{y:.3g} nAm at %{x:.1f} ms<extra>${multi ? run.name : ''}</extra>`,
              });
            });
          });
          const units = (results[0] && results[0].units) || 'nAm';
          const layout = stackedLayout(layers.length, {
            xTitle: 'Time (ms)',
            yTitles: layers.map((L) => (layers.length > 1 ? `${names[L]} (${units})` : `${names[L]} dipole (${units})`)),
          });
          return { traces, layout };
        },
      };
    },
  },

  raster: {
    plot: '#plot-raster',
    error: '#raster-error',
    plan() {
      const done = shownDoneRuns();
      const trial = $('#raster-trial').value || '0';
      const key = JSON.stringify(['raster', done.map((r) => r.id), trial]);
      if (!done.length) return { key, empty: noRunText() };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/raster?trial=${encodeURIComponent(trial)}`);
      return {
        key, urls,
        draw(results) {
          const traces = [];
          const seen = new Set();
          const colors = groupColors(results.flatMap((res) => (res.groups || []).map((g) => g.name)));
          done.forEach((run, ri) => {
            const s = axisSuffix(ri);
            for (const group of results[ri].groups || []) {
              traces.push({
                type: 'scatter', mode: 'markers', x: group.times, y: group.gids,
                name: prettyType(group.name), legendgroup: group.name,
                showlegend: !seen.has(group.name),
                marker: { symbol: 'line-ns-open', size: 7, color: colors[group.name],
                  line: { width: 1.3, color: colors[group.name] } },
                xaxis: `x${s}`, yaxis: `y${s}`,
                hovertemplate: `${prettyType(group.name)}<br>gid %{y}, %{x:.2f} ms<extra>${done.length > 1 ? run.name : ''}</extra>`,
              });
              seen.add(group.name);
            }
          });
          const layout = stackedLayout(done.length, {
            xTitle: 'Time (ms)', yTitles: ['Cell (gid)'],
            titles: done.map((r) => `${r.name}, trial ${Number(trial) + 1}`),
          });
          layout.legend = { orientation: 'v', x: 1.01, y: 1, xanchor: 'left', yanchor: 'top' };
          layout.margin = { l: 70, r: 150, t: 30, b: 56 };
          return { traces, layout };
        },
      };
    },
  },

  histogram: {
    plot: '#plot-histogram',
    error: '#histogram-error',
    plan() {
      const done = shownDoneRuns();
      const bin = numberParam('#hist-bin', 5);
      const trial = $('#hist-trial').value || 'all';
      const mode = $('#hist-mode').value;
      const key = JSON.stringify(['histogram', done.map((r) => r.id), bin, trial, mode]);
      if (!done.length) return { key, empty: noRunText() };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/histogram?trial=${encodeURIComponent(trial)}&bin_ms=${bin}`);
      return {
        key, urls,
        draw(results) {
          const traces = [];
          const seen = new Set();
          const colors = groupColors(results.flatMap((res) => (res.groups || []).map((g) => g.name)));
          done.forEach((run, ri) => {
            const s = axisSuffix(ri);
            const edges = results[ri].edges || [];
            const centers = edges.slice(0, -1).map((e, i) => (e + edges[i + 1]) / 2);
            const widths = edges.slice(0, -1).map((e, i) => edges[i + 1] - e);
            for (const group of results[ri].groups || []) {
              traces.push({
                type: 'bar', x: centers, y: group.counts, width: widths,
                name: prettyType(group.name), legendgroup: group.name,
                showlegend: !seen.has(group.name),
                marker: { color: colors[group.name], line: { width: 0 } },
                opacity: mode === 'overlay' ? 0.55 : 0.9,
                xaxis: `x${s}`, yaxis: `y${s}`,
                hovertemplate: `${prettyType(group.name)}: %{y} spikes<br>%{x:.1f} ms<extra>${done.length > 1 ? run.name : ''}</extra>`,
              });
              seen.add(group.name);
            }
          });
          const layout = stackedLayout(done.length, {
            xTitle: 'Time (ms)', yTitles: ['Spikes per bin'],
            titles: done.length > 1 ? done.map((r) => r.name) : null,
          });
          layout.barmode = mode === 'overlay' ? 'overlay' : 'stack';
          layout.bargap = 0;
          layout.legend = { orientation: 'v', x: 1.01, y: 1, xanchor: 'left', yanchor: 'top' };
          layout.margin = { l: 70, r: 150, t: 30, b: 56 };
          return { traces, layout };
        },
      };
    },
  },

  psd: {
    plot: '#plot-psd',
    error: '#psd-error',
    plan() {
      const done = shownDoneRuns();
      const layer = $('#psd-layer').value;
      const fmin = numberParam('#psd-fmin', 0);
      const fmax = numberParam('#psd-fmax', 100);
      const scale = numberParam('#dipole-scale', 1);
      const key = JSON.stringify(['psd', done.map((r) => r.id), layer, fmin, fmax, scale]);
      if (!done.length) return { key, empty: noRunText() };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/psd?layer=${layer}&fmin=${fmin}&fmax=${fmax}&smooth=0&scale=${scale}`);
      return {
        key, urls,
        draw(results) {
          const traces = done.map((run, ri) => ({
            type: 'scatter', mode: 'lines', x: results[ri].freqs, y: results[ri].power,
            name: run.name, line: { color: runColor(run.id), width: 2 },
            hovertemplate: `%{y:.3g} at %{x:.1f} Hz<extra>${done.length > 1 ? run.name : ''}</extra>`,
          }));
          const units = ((results[0] && results[0].units) || 'nAm^2/Hz').replace('^2', '\u00b2');
          const layerName = { agg: 'aggregate', L2: 'L2/3', L5: 'L5' }[layer];
          return {
            traces,
            layout: {
              xaxis: axisStyle({ title: { text: 'Frequency (Hz)' } }),
              yaxis: axisStyle({ title: { text: `Power, ${layerName} (${units})` }, type: 'log',
                exponentformat: 'power' }),
            },
          };
        },
      };
    },
  },

  tfr: {
    plot: '#plot-tfr',
    error: '#tfr-error',
    plan() {
      const done = shownDoneRuns();
      const layer = $('#tfr-layer').value;
      const fmin = numberParam('#tfr-fmin', 10);
      const fmax = numberParam('#tfr-fmax', 60);
      const nFreqs = numberParam('#tfr-nfreqs', 30);
      const nCycles = numberParam('#tfr-ncycles', 7);
      const key = JSON.stringify(['tfr', done.map((r) => r.id), layer, fmin, fmax, nFreqs, nCycles]);
      if (!done.length) return { key, empty: noRunText() };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/tfr?layer=${layer}` +
        `&fmin=${fmin}&fmax=${fmax}&n_freqs=${nFreqs}&n_cycles=${nCycles}`);
      return {
        key, urls,
        draw(results) {
          const traces = done.map((run, ri) => ({
            type: 'heatmap', x: results[ri].times, y: results[ri].freqs, z: results[ri].power,
            name: run.name, coloraxis: 'coloraxis', xaxis: `x${axisSuffix(ri)}`, yaxis: `y${axisSuffix(ri)}`,
            hovertemplate: `%{x:.1f} ms, %{y:.1f} Hz<br>power %{z:.3g}<extra>${done.length > 1 ? run.name : ''}</extra>`,
          }));
          const layout = stackedLayout(done.length, {
            xTitle: 'Time (ms)', yTitles: ['Frequency (Hz)'],
            titles: done.length > 1 ? done.map((r) => r.name) : null,
          });
          layout.coloraxis = { colorscale: 'Viridis', colorbar: { title: { text: 'Power' }, thickness: 14, exponentformat: 'e' } };
          layout.showlegend = false;
          return { traces, layout };
        },
      };
    },
  },

  recording: {
    plot: '#plot-compare',
    error: '#recording-error',
    plan() {
      const done = shownDoneRuns();
      const recording = $('#recording-select').value;
      const smooth = numberParam('#dipole-smooth', 0);
      const scale = numberParam('#dipole-scale', 1);
      const key = JSON.stringify(['compare', done.map((r) => r.id), recording, smooth, scale]);
      const after = (results) => renderRmse(done, results);
      if (!recording) return { key, empty: 'Upload a recording to compare with', after };
      if (!done.length) return { key, empty: noRunText(), after };
      const urls = done.map((r) => `/api/runs/${encodeURIComponent(r.id)}/compare?recording=${encodeURIComponent(recording)}` +
        `&smooth=${smooth}&scale=${scale}&tstart=0&tstop=`);
      const rec = STATE.recordings.find((r) => r.id === recording);
      return {
        key, urls, after,
        draw(results) {
          const traces = [{
            type: 'scatter', mode: 'lines', x: results[0].recording.times, y: results[0].recording.values,
            name: `recording: ${rec ? rec.name : recording}`, line: { color: '#1e2329', width: 2 },
            hovertemplate: 'recording: %{y:.3g} nAm at %{x:.1f} ms<extra></extra>',
          }];
          done.forEach((run, ri) => {
            traces.push({
              type: 'scatter', mode: 'lines', x: results[ri].simulation.times, y: results[ri].simulation.values,
              name: `${run.name} (RMSE ${fmt(results[ri].rmse, 4)})`, line: { color: runColor(run.id), width: 2.2 },
              hovertemplate: `${run.name}: %{y:.3g} nAm at %{x:.1f} ms<extra></extra>`,
            });
          });
          return {
            traces,
            layout: {
              xaxis: axisStyle({ title: { text: 'Time (ms)' } }),
              yaxis: axisStyle({ title: { text: 'Aggregate dipole (nAm)' } }),
            },
          };
        },
      };
    },
  },

  fit: {
    plot: '#plot-fit',
    error: '#fit-error',
    plan() {
      const run = currentFitRun();
      const fit = run && run.fit;
      const rmse = (fit && fit.rmse) || [];
      const key = JSON.stringify(['fit', run && run.id, run && run.status, rmse]);
      if (!run) return { key, empty: 'No fit yet' };
      if (!rmse.length) {
        return { key, empty: run.status === 'running' ? 'Fit running\u2026 waiting for the first iteration'
          : (run.status === 'done' ? 'The fit reported no iterations' : 'No finished run yet') };
      }
      return {
        key, urls: [],
        draw() {
          const best = rmse.indexOf(Math.min(...rmse.filter((x) => x !== null)));
          const iterations = rmse.map((_, i) => i + 1);
          const traces = [{
            type: 'scatter', mode: 'lines+markers', x: iterations, y: rmse, name: 'RMSE',
            line: { color: '#1f5fa8', width: 2 },
            marker: { size: rmse.map((_, i) => (i === best ? 11 : 6)),
              color: rmse.map((_, i) => (i === best ? '#d1495b' : '#1f5fa8')) },
            hovertemplate: 'iteration %{x}: RMSE %{y:.4g} nAm<extra></extra>',
          }];
          return {
            traces,
            layout: {
              showlegend: false,
              margin: { l: 64, r: 16, t: 16, b: 48 },
              xaxis: axisStyle({ title: { text: 'Iteration' }, rangemode: 'tozero', dtick: rmse.length <= 20 ? 1 : undefined }),
              yaxis: axisStyle({ title: { text: 'RMSE (nAm)' } }),
            },
          };
        },
      };
    },
  },
};

function groupColors(names) {
  const colors = {};
  let next = 0;
  for (const name of names) {
    if (colors[name]) continue;
    if (CELL_COLORS[name]) colors[name] = CELL_COLORS[name];
    else {
      colors[name] = GROUP_PALETTE[next % GROUP_PALETTE.length];
      next += 1;
    }
  }
  return colors;
}

function refreshActiveView(force = false) {
  if (VIEW_SPECS[UI.view]) refreshView(UI.view, force);
}

async function refreshView(view, force = false) {
  const spec = VIEW_SPECS[view];
  if (!spec || !STATE) return;
  const plot = $(spec.plot);
  const errorBox = $(spec.error);
  const plan = spec.plan();
  if (!force && plan.key === UI.drawn[view]) {
    if (!plot.dataset.empty && plot.dataset.traces !== '0') plot.dataset.ready = '1';
    return;
  }
  if (!force && (plan.key === UI.loading[view] || plan.key === UI.failed[view])) return;
  const seq = (UI.seq[view] || 0) + 1;
  UI.seq[view] = seq;
  UI.drawn[view] = null;
  if (plan.empty) {
    UI.loading[view] = null;
    clearError(errorBox);
    showEmpty(plot, plan.empty);
    if (plan.after) plan.after(null);
    UI.drawn[view] = plan.key;
    return;
  }
  UI.loading[view] = plan.key;
  UI.failed[view] = null;
  plot.dataset.ready = '0';
  try {
    const results = await Promise.all(plan.urls.map(getCached));
    if (seq !== UI.seq[view]) return;
    const figure = plan.draw(results);
    if (view !== UI.view) {
      // drawn while hidden: plotly would size it wrongly; draw when shown again
      return;
    }
    await drawPlot(plot, figure.traces, figure.layout);
    if (seq !== UI.seq[view]) return;
    clearError(errorBox);
    if (plan.after) plan.after(results);
    UI.drawn[view] = plan.key;
  } catch (err) {
    if (seq !== UI.seq[view]) return;
    if (!(err instanceof ApiError)) console.error(err);
    UI.failed[view] = plan.key;  // not asked again until something changes
    showError(errorBox, err.message);
    if (plan.after) plan.after(null);
    plot.dataset.ready = '0';
  } finally {
    if (seq === UI.seq[view]) UI.loading[view] = null;
  }
}

/* ---- recording view */

function renderRecordings() {
  const recordings = STATE.recordings;
  const list = $('#recording-list');
  if (!recordings.length) {
    list.replaceChildren(el('li', { class: 'empty' }, 'No recordings yet.'));
  } else {
    list.replaceChildren(...recordings.map((rec) => el('li', { dataset: { recording: rec.id } },
      el('span', {}, el('span', { class: 'recording-name' }, rec.name),
        el('span', { class: 'meta' }, rec.n_times !== undefined ? `${fmt(rec.n_times)} samples` : '')),
      el('button', { type: 'button', class: 'small danger recording-delete', dataset: { recording: rec.id } },
        'Delete'))));
  }
  const options = recordings.map((rec) => ({ value: rec.id, label: rec.name }));
  const newest = recordings.length ? recordings[recordings.length - 1].id : undefined;
  setOptions($('#recording-select'), options, newest);
  setOptions($('#fit-recording'), options, newest);
}

function renderRmse(done, results) {
  const box = $('#compare-rmse');
  const more = $('#compare-rmse-more');
  if (!results || !results.length) {
    box.textContent = '';
    box.dataset.value = '';
    more.textContent = '';
    return;
  }
  const rmse = Number(results[0].rmse);
  box.textContent = `RMSE ${rmse.toFixed(2)} nAm`;
  box.dataset.value = String(results[0].rmse);
  box.title = `${done[0].name}: RMSE ${results[0].rmse} nAm`;
  more.textContent = done.length > 1
    ? `(${done[0].name}) \u00b7 ` + done.slice(1).map((r, i) => `${r.name}: RMSE ${Number(results[i + 1].rmse).toFixed(2)} nAm`).join(' \u00b7 ')
    : '';
}

async function uploadRecording() {
  await withButton($('#recording-upload'), $('#recording-error'), async () => {
    const input = $('#recording-file');
    if (!input.files || !input.files.length) throw new FormError('Choose a file first');
    const form = new FormData();
    form.append('file', input.files[0]);
    const answer = await api('POST', '/api/recordings', form);
    input.value = '';
    setState(answer.state);
    if (answer.recording) {
      $('#recording-select').value = answer.recording.id;
      $('#fit-recording').value = answer.recording.id;
      setStatus(`Recording "${answer.recording.name}" uploaded.`);
    }
    refreshActiveView();
  });
}

async function deleteRecording(id, button) {
  await withButton(button, $('#recording-error'), async () => {
    setState(await api('DELETE', `/api/recordings/${encodeURIComponent(id)}`));
  });
}

/* ---- fit view */

function evokedDrives() {
  return STATE.drives.filter((d) => d.type === 'evoked');
}

function round4(x) {
  return Number(Number(x).toPrecision(4));
}

function defaultBounds(key, value) {
  const v = Number(value);
  if (!Number.isFinite(v)) return ['', ''];
  if (key === 'mu') return [round4(Math.max(0, v - 10)), round4(v + 10)];
  if (key === 'sigma') return [round4(Math.max(0.1, v / 2)), round4(v > 0 ? v * 2 : 1)];
  if (v === 0) return [0, 0.1];
  return [round4(v / 2), round4(v * 2)];
}

function weightKeys(drive) {
  const keys = [];
  for (const kind of ['weights_ampa', 'weights_nmda']) {
    for (const [cellType, value] of Object.entries(drive[kind] || {})) {
      keys.push({ key: `${kind}.${cellType}`, value,
        label: `${kind === 'weights_ampa' ? 'AMPA' : 'NMDA'} ${prettyType(cellType)}` });
    }
  }
  return keys;
}

function fitRow(drive, key, label, value, extra) {
  const [low, high] = defaultBounds(key.startsWith('weights') ? 'weight' : key, value);
  return el('tr', { class: 'fit-row', dataset: { drive: drive.name, row: extra ? 'weight' : key } },
    el('td', {}, el('input', { type: 'checkbox', class: 'fit-param', dataset: { drive: drive.name, key },
      'aria-label': `Fit ${drive.name} ${key}` })),
    el('td', {}, extra || label),
    el('td', { class: 'num fit-current' }, fmt(value)),
    el('td', {}, el('input', { type: 'number', step: 'any', class: 'fit-low', value: String(low), 'aria-label': `${drive.name} ${key} low` })),
    el('td', {}, el('input', { type: 'number', step: 'any', class: 'fit-high', value: String(high), 'aria-label': `${drive.name} ${key} high` })));
}

/** The weight row of a drive: a select of its weights; the row fits the chosen one. */
function fitWeightRow(drive, weights) {
  // start with the drive's largest weight (usually the one that matters)
  const first = weights.reduce((a, b) => (Number(b.value) > Number(a.value) ? b : a));
  const select = el('select', { class: 'fit-weight-key', 'aria-label': `weight of ${drive.name} to fit` },
    weights.map((w) => el('option', { value: w.key }, w.label)));
  select.title = 'Synaptic weight (\u00b5S) to fit';
  select.value = first.key;
  const row = fitRow(drive, first.key, '', first.value,
    el('span', { class: 'fit-weight' }, select, el('span', { class: 'unit' }, ' \u00b5S')));
  const choose = (key) => {
    const chosen = weights.find((w) => w.key === key);
    if (!chosen) return;
    select.value = key;
    const box = $('.fit-param', row);
    box.dataset.key = chosen.key;
    box.setAttribute('aria-label', `Fit ${drive.name} ${chosen.key}`);
    $('.fit-current', row).textContent = fmt(chosen.value);
    const [low, high] = defaultBounds('weight', chosen.value);
    $('.fit-low', row).value = String(low);
    $('.fit-high', row).value = String(high);
  };
  select.addEventListener('change', () => choose(select.value));
  row.chooseWeight = choose;
  return row;
}

function renderFitForm() {
  const drives = evokedDrives();
  const key = JSON.stringify(drives.map((d) => [d.name, d.dynamics, d.weights_ampa, d.weights_nmda]));
  if (key === UI.fitParamsKey) return;
  UI.fitParamsKey = key;
  // keep what the user ticked and typed across re-renders
  const previous = {};
  for (const row of $$('#fit-params tr.fit-row')) {
    const box = $('.fit-param', row);
    previous[`${row.dataset.drive}|${row.dataset.row}`] = { key: box.dataset.key,
      checked: box.checked, low: $('.fit-low', row).value, high: $('.fit-high', row).value };
  }
  const rows = [];
  for (const drive of drives) {
    const d = drive.dynamics || {};
    const group = [fitRow(drive, 'mu', 'mean \u03bc (ms)', d.mu),
      fitRow(drive, 'sigma', 'std. dev. \u03c3 (ms)', d.sigma)];
    const weights = weightKeys(drive);
    if (weights.length) group.push(fitWeightRow(drive, weights));
    group[0].classList.add('fit-first');
    group[0].prepend(el('td', { class: 'fit-drive', rowspan: String(group.length) }, drive.name));
    rows.push(...group);
  }
  for (const row of rows) {
    const old = previous[`${row.dataset.drive}|${row.dataset.row}`];
    if (!old) continue;
    const box = $('.fit-param', row);
    if (row.chooseWeight && old.key !== box.dataset.key) row.chooseWeight(old.key);
    if (old.key !== box.dataset.key) continue;
    box.checked = old.checked;
    $('.fit-low', row).value = old.low;
    $('.fit-high', row).value = old.high;
  }
  $('#fit-params tbody').replaceChildren(...rows);
  $('#fit-params').hidden = rows.length === 0;
  $('#fit-params-empty').hidden = rows.length > 0;
}

function currentFitRun() {
  const fits = runs().filter((r) => r.kind === 'fit');
  if (UI.fitRun) {
    const chosen = fits.find((r) => r.id === UI.fitRun);
    if (chosen) return chosen;
  }
  return fits.length ? fits[fits.length - 1] : null;
}

function renderFitRuns() {
  const fits = runs().filter((r) => r.kind === 'fit');
  const select = $('#fit-run-select');
  const current = currentFitRun();
  setOptions(select, fits.slice().reverse().map((r) => ({ value: r.id, label: `${r.name} (${r.status})` })),
    current ? current.id : undefined);
  if (current) select.value = current.id;
  select.disabled = fits.length === 0;
  renderFitResult(current);
}

function paramEntries(value, prefix = '') {
  const out = [];
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object' && 'drive' in item && 'key' in item) {
        const v = item.value ?? item.best ?? item.initial ?? item.start;
        out.push([`${item.drive} ${item.key}`, v === undefined ? JSON.stringify(item) : v]);
      } else {
        out.push(...paramEntries(item, prefix));
      }
    }
    return out;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const label = prefix ? `${prefix} ${k}` : k;
      if (v !== null && typeof v === 'object') out.push(...paramEntries(v, label));
      else out.push([label, v]);
    }
    return out;
  }
  out.push([prefix || 'value', value]);
  return out;
}

function renderFitResult(run) {
  const box = $('#fit-result');
  if (!run) {
    box.replaceChildren(el('p', { class: 'empty-note' }, 'Start a fit to see its best parameters here.'));
    return;
  }
  const fit = run.fit || {};
  const children = [];
  if (run.status === 'failed') {
    children.push(el('p', { class: 'error', role: 'alert' }, run.error || 'The fit failed.'));
  } else if (run.status === 'running') {
    children.push(el('p', { class: 'hint small' }, run.message || 'Running\u2026'));
  } else if (run.status === 'cancelled') {
    children.push(el('p', { class: 'hint small' }, 'Cancelled.'));
  }
  const best = paramEntries(fit.best);
  const initial = new Map(paramEntries(fit.initial ?? fit.params).map(([k, v]) => [k, v]));
  if (best.length) {
    children.push(el('table', { class: 'table compact' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Parameter'),
        el('th', { class: 'right' }, initial.size ? 'Before' : ''), el('th', { class: 'right' }, 'Best'))),
      el('tbody', {}, best.map(([k, v]) => el('tr', { dataset: { param: k } },
        el('td', {}, k),
        el('td', { class: 'num muted' }, initial.has(k) && typeof initial.get(k) !== 'object' ? fmt(initial.get(k)) : ''),
        el('td', { class: 'num fit-best-value' }, typeof v === 'number' ? fmt(v) : String(v)))))));
  } else if (run.status === 'done') {
    children.push(el('p', { class: 'empty-note' }, 'The fit returned no parameters.'));
  }
  const rmse = (fit.rmse || []).filter((x) => x !== null && x !== undefined);
  if (rmse.length) {
    const lowest = fit.best_rmse ?? Math.min(...rmse);
    children.push(el('p', { class: 'small', id: 'fit-best-rmse', dataset: { value: String(lowest) } },
      `Lowest RMSE ${Number(lowest).toFixed(2)} nAm after ${rmse.length} iteration${rmse.length === 1 ? '' : 's'}.`));
  }
  if (run.status === 'done' && WORKSPACE) {
    children.push(el('a', { class: 'button small', id: 'fit-download-network', download: true,
      href: `/api/runs/${encodeURIComponent(run.id)}/download/network?${workspaceQuery()}` }, 'Download fitted network'));
  }
  const key = JSON.stringify([run.id, run.status, run.message, fit]);
  if (box.dataset.key !== key) {
    box.replaceChildren(...children);
    box.dataset.key = key;
  }
}

async function startFit() {
  await withButton($('#fit-start'), $('#fit-error'), async () => {
    const recording = $('#fit-recording').value;
    if (!recording) throw new FormError('Upload a recording first (Recording view)');
    const params = [];
    for (const box of $$('#fit-params .fit-param')) {
      if (!box.checked) continue;
      const row = box.closest('tr');
      const label = `${box.dataset.drive} ${box.dataset.key}`;
      params.push({
        drive: box.dataset.drive, key: box.dataset.key,
        low: readNumber($('.fit-low', row), `${label}, low`, { required: true }),
        high: readNumber($('.fit-high', row), `${label}, high`, { required: true }),
      });
    }
    if (!params.length) throw new FormError('Tick at least one parameter to fit');
    const body = {
      recording,
      solver: $('#fit-solver').value,
      max_iter: readNumber($('#fit-max-iter'), 'Iterations', { required: true, integer: true }),
      tstart: readNumber($('#fit-tstart'), 'From') ?? 0,
      tstop: readNumber($('#fit-tstop'), 'To'),
      smooth: numberParam('#dipole-smooth', 0),
      scale: numberParam('#dipole-scale', 1),
      params,
    };
    const answer = await api('POST', '/api/fits', body);
    UI.fitRun = null;
    if (answer.state) setState(answer.state);
    if (answer.run) { replaceRun(answer.run); renderRuns(); }
    setStatus(`Started fit "${answer.run ? answer.run.name : ''}".`);
  });
}

/* ------------------------------------------------------------ navigation */

function showView(view) {
  if (!VIEWS.includes(view)) view = 'network';
  UI.view = view;
  for (const name of VIEWS) {
    const section = $(`#view-${name}`);
    const active = name === view;
    section.hidden = !active;
    const button = $(`#nav-${name}`);
    button.classList.toggle('active', active);
    if (active) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  UI.failed[view] = null;
  if (location.hash !== `#${view}`) history.replaceState(null, '', `${location.pathname}${location.search}#${view}`);
  const spec = VIEW_SPECS[view];
  if (spec && window.Plotly) {
    const plot = $(spec.plot);
    if (plot.classList.contains('js-plotly-plot')) {
      try { Plotly.Plots.resize(plot); } catch (err) { /* not drawn yet */ }
    }
  }
  refreshActiveView();
}

/* ---------------------------------------------------------------- events */

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Inputs that change a plot: mark it loading at once, refetch shortly after. */
function bindPlotInput(selector, view) {
  const node = $(selector);
  const later = debounce(() => { renderDownloads(); refreshActiveView(); }, 350);
  const spec = VIEW_SPECS[view];
  const mark = () => {
    if (spec && UI.view === view && !$(spec.plot).dataset.empty) $(spec.plot).dataset.ready = '0';
  };
  node.addEventListener('input', () => { mark(); later(); });
  node.addEventListener('change', () => { mark(); renderDownloads(); refreshActiveView(); });
}

function bindEvents() {
  for (const view of VIEWS) {
    $(`#nav-${view}`).addEventListener('click', () => showView(view));
  }
  window.addEventListener('hashchange', () => {
    const view = location.hash.slice(1);
    if (VIEWS.includes(view) && view !== UI.view) showView(view);
  });

  // network
  $('#model-load').addEventListener('click', loadModel);
  $('#source-upload').addEventListener('click', uploadSource);
  $('#grid-apply').addEventListener('click', applyGrid);

  // drives
  $('#drive-add').addEventListener('click', () => openDriveForm(null));
  $('#drive-table').addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const name = button.dataset.drive;
    if (button.classList.contains('drive-edit')) {
      const drive = STATE.drives.find((d) => d.name === name);
      if (drive) openDriveForm(drive);
    } else if (button.classList.contains('drive-remove')) {
      removeDrive(name, button);
    }
  });
  $('#drive-type').addEventListener('change', onDriveTypeChange);
  $('#drive-form').addEventListener('submit', saveDrive);
  $('#drive-cancel').addEventListener('click', closeDriveForm);
  $('#dyn-spike-file').addEventListener('change', uploadSpikes);
  $('#dyn-spike-upload').addEventListener('change', () => renderSpikeUploads());
  $('#drive-form').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDriveForm();
  });

  // run
  $('#run-start').addEventListener('click', startRun);
  $('#run-name').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') startRun();
  });
  $('#run-list').addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const id = button.dataset.run;
    if (button.classList.contains('run-cancel')) cancelRun(id, button);
    else if (button.classList.contains('run-delete')) deleteRun(id, button);
  });
  $('#run-list').addEventListener('change', (event) => {
    const box = event.target;
    if (box.classList.contains('run-compare')) onCompareToggle(box.dataset.run, box.checked);
  });

  // result views
  bindPlotInput('#dipole-layer', 'dipole');
  bindPlotInput('#dipole-smooth', 'dipole');
  bindPlotInput('#dipole-scale', 'dipole');
  bindPlotInput('#dipole-trials', 'dipole');
  bindPlotInput('#raster-trial', 'raster');
  bindPlotInput('#hist-bin', 'histogram');
  bindPlotInput('#hist-trial', 'histogram');
  bindPlotInput('#hist-mode', 'histogram');
  bindPlotInput('#psd-layer', 'psd');
  bindPlotInput('#psd-fmin', 'psd');
  bindPlotInput('#psd-fmax', 'psd');
  bindPlotInput('#tfr-layer', 'tfr');
  bindPlotInput('#tfr-fmin', 'tfr');
  bindPlotInput('#tfr-fmax', 'tfr');
  bindPlotInput('#tfr-nfreqs', 'tfr');
  bindPlotInput('#tfr-ncycles', 'tfr');
  bindPlotInput('#recording-select', 'recording');

  // recording
  $('#recording-upload').addEventListener('click', uploadRecording);
  $('#recording-list').addEventListener('click', (event) => {
    const button = event.target.closest('button.recording-delete');
    if (button) deleteRecording(button.dataset.recording, button);
  });

  // fit
  $('#fit-start').addEventListener('click', startFit);
  $('#fit-run-select').addEventListener('change', () => {
    UI.fitRun = $('#fit-run-select').value || null;
    renderFitRuns();
    refreshActiveView();
  });
}

/* ------------------------------------------------------------------ start */

function workspaceId(answer) {
  if (!answer) return null;
  if (typeof answer === 'string') return answer;
  const w = answer.workspace;
  if (typeof w === 'string' || typeof w === 'number') return String(w);
  if (w && typeof w === 'object' && w.id !== undefined) return String(w.id);
  for (const key of ['id', 'workspace_id']) {
    if (answer[key] !== undefined && answer[key] !== null) return String(answer[key]);
  }
  return null;
}

async function init() {
  bindEvents();
  const initial = location.hash.slice(1);
  showView(VIEWS.includes(initial) ? initial : 'network');
  if (!window.Plotly) setStatus('Plotly did not load: plots are not available.', 'error');
  setStatus('Opening a workspace\u2026', 'busy');
  try {
    // a reload of this tab goes on with its workspace (its runs, uploads)
    let state = null;
    const saved = sessionStorage.getItem('hnn_core_workspace');
    if (saved) {
      WORKSPACE = saved;
      try { state = await api('GET', '/api/state'); } catch (err) { WORKSPACE = null; }
    }
    if (!state) {
      const answer = await api('POST', '/api/workspaces');
      WORKSPACE = workspaceId(answer);
      if (!WORKSPACE) throw new ApiError('The server did not give a workspace id', 0);
      state = answer.state || await api('GET', '/api/state');
    }
    sessionStorage.setItem('hnn_core_workspace', WORKSPACE);
    document.body.dataset.workspace = WORKSPACE;
    setState(state);
    setStatus('Ready.');
  } catch (err) {
    setStatus(`Could not open a workspace: ${err.message}`, 'error');
  }
}

// for the console and tests: the current STATE and the page's workspace
window.HNN = {
  get state() { return STATE; },
  get workspace() { return WORKSPACE; },
  ui: UI,
  refresh: reloadState,
};

document.addEventListener('DOMContentLoaded', init);
