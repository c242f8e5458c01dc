"""The web interface end to end, in Debian's headless Chromium, as a person uses it.

One server (``hnn-core gui --no-browser``) and one browser page serve the whole
module: the tests are the steps of one workflow and pytest runs them in file
order, each starting from the page the previous ones left. Run the file as a
whole (a test run alone lacks the page state of the steps before it):

1. ``test_network``: the 3x3 neymotin_2020 model, a parameter file, the
   downloaded network read back (its grid cannot change), the 3x3 model again,
   then a 4x3 grid with other spacings. Leaves the 4x3 network.
2. ``test_drives``: one drive of each type added through the form, one edited,
   one removed, a bad value refused with the API's message. Leaves them.
3. ``test_two_runs_are_compared``: the 3x3 model again; runs "first" and
   "second" (60 ms, 2 trials), both drawn in the dipole view.
4. ``test_page_answers_during_a_long_run_and_cancel_ends_it``: run "long"
   (2000 ms); views and /api/state answer while it runs; cancelled, no process
   of it remains.
5. ``test_result_views``: run "erp" (170 ms, 2 trials), the only one shown from
   now on; every result view and the dipole values against the downloaded .npz.
6. ``test_downloads_and_the_network_file_reproduce_the_plot``: every download;
   the run's network simulated here gives the plotted dipoles bit for bit.
7. ``test_recording``: S1_SupraT.txt against "erp", RMSE as hnn_core.rmse;
   malformed and oversized uploads refused.
8. ``test_fit``: a 3-iteration COBYLA fit of evprox1's mu in [20, 30].
9. ``test_screenshots``: a 1280x800 screenshot of every view with data, written
   to $HNN_CORE_GUI_SCREENSHOTS (else a temporary folder) with
   gui_screenshots.json, each checked for data.
10. ``test_fit_view_to_field_is_the_fits_tstop``: a 1-iteration fit with "To (ms)"
    100 ends at 100 ms.
11. ``test_page_without_the_token_is_refused`` (drops the page's cookie).

``test_committed_screenshots`` only reads doc/_static/gui_<view>.png and
gui_screenshots.json (written by
``HNN_CORE_GUI_SCREENSHOTS=doc/_static pytest tests/test_gui_browser.py``).
"""

import copy
import json
import os
import os.path as op
import time
import zipfile

import numpy as np
import pytest

# no skipping: without selenium, the gui extra or the browser, the tests fail
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from gui_browser import (HEIGHT, PLOT_BOX_JS, PLOT_COLORS_JS, WIDTH, Served,
                         check_screenshot, make_browser, wait_for_file)

pytestmark = pytest.mark.slow

ROOT = op.dirname(op.dirname(op.abspath(__file__)))
RECORDING = op.join(ROOT, 'hnn_core', 'data', 'S1_SupraT.txt')
PARAMS = op.join(ROOT, 'hnn_core', 'param', 'default.json')
COMMITTED = op.join(ROOT, 'doc', '_static')
VIEWS = ('network', 'drives', 'run', 'dipole', 'raster', 'histogram', 'psd', 'tfr',
         'recording', 'fit')
PLOTS = {'dipole': 'plot-dipole', 'raster': 'plot-raster', 'histogram': 'plot-histogram',
         'psd': 'plot-psd', 'tfr': 'plot-tfr', 'recording': 'plot-compare',
         'fit': 'plot-fit'}
TEXT_BOXES = {'network': 'network-summary', 'drives': 'drive-table', 'run': 'run-list'}
LAYERS = ('agg', 'L2', 'L5')
TSTOP, DT, N_TRIALS = 170., 0.025, 2  # the run "erp" of steps 5 to 9


# -- fixtures --------------------------------------------------------------------------------
class Page:
    """The served interface, the browser showing it, and what the steps found."""

    def __init__(self, served, driver, downloads):
        self.served = served
        self.driver = driver
        self.downloads = downloads
        self.found = {}  # run ids, file paths, ... handed from a step to the next


@pytest.fixture(scope='module')
def page(tmp_path_factory):
    downloads = tmp_path_factory.mktemp('downloads')
    served = Served()
    try:
        driver = make_browser(str(downloads))
    except BaseException:
        served.stop()
        raise
    try:
        driver.set_script_timeout(60)
        driver.get(served.url)
        wait(driver, lambda d: d.execute_script(
            'return window.HNN && window.HNN.workspace && window.HNN.state !== null'),
            message='the page did not open a workspace')
        yield Page(served, driver, str(downloads))
    finally:
        driver.quit()
        served.stop()


@pytest.fixture(scope='module')
def shot_folder(tmp_path_factory):
    folder = os.environ.get('HNN_CORE_GUI_SCREENSHOTS')
    if folder:
        folder = op.abspath(folder)
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp('screenshots'))


# -- helpers ---------------------------------------------------------------------------------
def wait(driver, condition, timeout=60, message=''):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message)


def by_id(driver, element_id):
    return driver.find_element(By.ID, element_id)


def type_into(element, text):
    element.clear()
    element.send_keys(str(text))


def set_checkbox(element, checked):
    if element.is_selected() != checked:
        element.click()


def show(driver, view):
    """Click the view's button in the side bar; the view's section is shown."""
    by_id(driver, f'nav-{view}').click()
    wait(driver, lambda d: by_id(d, f'view-{view}').is_displayed(), 10,
         f'the {view} view did not show')


def visible_error(driver, box_id):
    box = by_id(driver, box_id)
    return box.text if box.is_displayed() else None


def summary(driver):
    """The network summary: {term: text} and {cell type: number of cells}."""
    return driver.execute_script("""
        const terms = {};
        for (const dt of document.querySelectorAll('#network-summary dt'))
          terms[dt.textContent] = dt.nextElementSibling.textContent;
        const cells = {};
        for (const tr of document.querySelectorAll('#network-cells tbody tr'))
          cells[tr.cells[0].textContent] = Number(tr.cells[1].textContent);
        return [terms, cells];""")


def drive_rows(driver):
    """{name: {type, location, timing, targets}} of the drive table."""
    return driver.execute_script("""
        const rows = {};
        for (const tr of document.querySelectorAll('#drive-table tbody tr[data-drive]'))
          rows[tr.dataset.drive] = {
            type: tr.querySelector('.drive-type').textContent,
            location: tr.querySelector('.drive-location').textContent,
            timing: tr.querySelector('.drive-timing').textContent,
            targets: tr.querySelector('.drive-targets').textContent};
        return rows;""")


RUNS_JS = """return Array.from(document.querySelectorAll('#run-list tbody tr[data-run]')).map(
  tr => ({id: tr.dataset.run, name: tr.querySelector('.run-name').textContent,
          status: tr.querySelector('.run-status').dataset.status,
          text: tr.querySelector('.run-status').textContent,
          progress: tr.querySelector('.run-progress').value,
          message: tr.querySelector('.run-message').textContent,
          shown: tr.querySelector('.run-compare').checked,
          cancel: tr.querySelector('.run-cancel') !== null}));"""


def run_rows(driver):
    return {row['name']: row for row in driver.execute_script(RUNS_JS)}


def start_run(driver, name, tstop, n_trials, dt=DT):
    """Fill the run view's settings and start a run; its id."""
    show(driver, 'run')
    type_into(by_id(driver, 'set-tstop'), tstop)
    type_into(by_id(driver, 'set-dt'), dt)
    type_into(by_id(driver, 'set-trials'), n_trials)
    Select(by_id(driver, 'set-backend')).select_by_value('joblib')
    type_into(by_id(driver, 'set-jobs'), 1)
    type_into(by_id(driver, 'run-name'), name)
    by_id(driver, 'run-start').click()
    wait(driver, lambda d: name in run_rows(d) or visible_error(d, 'run-error'), 30)
    assert visible_error(driver, 'run-error') is None, visible_error(driver, 'run-error')
    return run_rows(driver)[name]['id']


def wait_run(driver, name, timeout=180):
    """The row of run ``name`` once it is no longer running."""
    wait(driver, lambda d: run_rows(d)[name]['status'] != 'running', timeout,
         f'run {name!r} still running after {timeout} s')
    return run_rows(driver)[name]


def show_only(driver, run_id):
    """Tick the run's Show box and untick every other."""
    show(driver, 'run')
    for tr in driver.find_elements(By.CSS_SELECTOR, '#run-list tbody tr[data-run]'):
        set_checkbox(tr.find_element(By.CSS_SELECTOR, '.run-compare'),
                     tr.get_attribute('data-run') == run_id)
    rows = driver.execute_script(RUNS_JS)
    assert [r['id'] for r in rows if r['shown']] == [run_id], rows


TRACES_JS = """
const plot = document.getElementById(arguments[0]);
return (plot.data || []).map(t => ({name: t.name, type: t.type, x: t.x, y: t.y, z: t.z,
  xaxis: t.xaxis || 'x', color: t.line ? t.line.color : null}));"""


def traces(driver, plot_id):
    return driver.execute_script(TRACES_JS, plot_id)


def wait_plot(driver, view, matches=lambda key: True, timeout=60):
    """The traces of the view's plot once it is drawn (data-ready 1) for a key that
    ``matches``: the page's key of what the plot shows (view, runs, controls)."""
    plot_id = PLOTS[view]
    error_box = {'recording': 'recording-error'}.get(view, f'{view}-error')

    def drawn(d):
        error = visible_error(d, error_box)
        if error:
            raise AssertionError(f'the {view} view shows an error: {error}')
        key = d.execute_script("""
            const plot = document.getElementById(arguments[1]);
            return plot.dataset.ready === '1' ? window.HNN.ui.drawn[arguments[0]] : null;""",
                               view, plot_id)
        return key is not None and matches(json.loads(key))
    wait(driver, drawn, timeout, f'the {view} plot was not drawn')
    assert by_id(driver, plot_id).get_attribute('data-ready') == '1'
    return traces(driver, plot_id)


def set_dipole_view(driver, layer, smooth, scale, trials):
    """The dipole view's controls, as typed; the plot's traces once redrawn."""
    show(driver, 'dipole')
    Select(by_id(driver, 'dipole-layer')).select_by_value(layer)
    type_into(by_id(driver, 'dipole-smooth'), smooth)
    type_into(by_id(driver, 'dipole-scale'), scale)
    set_checkbox(by_id(driver, 'dipole-trials'), trials)
    return wait_plot(driver, 'dipole', lambda key: (
        key[2] == layer and key[3] == float(smooth) and key[4] == float(scale) and
        key[5] == trials))


def fetch_state_ms(driver):
    """Time (ms) of one fetch('/api/state') from the page, and the runs it lists."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const t0 = performance.now();
        fetch('/api/state', {headers: {'X-Workspace': window.HNN.workspace}})
          .then(r => r.json())
          .then(s => done([performance.now() - t0, s.runs.map(r => [r.name, r.status])]))
          .catch(e => done([null, String(e)]));""")


def click_download(page, element, name):
    """Click a download link or button; the path of the file the browser saved."""
    assert 'disabled' not in (element.get_attribute('class') or ''), name
    element.click()
    return wait_for_file(page.downloads, name)


def read_npz_dipoles(zip_path, folder):
    from hnn_core import read_dipole
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
        names = archive.namelist()
    trials = sorted((n for n in names if n.endswith('.npz') and 'average' not in n),
                    key=lambda n: int(n[len('dipole_'):-len('.npz')]))
    return names, [read_dipole(op.join(folder, n)) for n in trials]


# -- 1. network ------------------------------------------------------------------------------
def test_network(page, tmp_path):
    from hnn_core.gui.workspace import Workspace
    d = page.driver
    show(d, 'network')
    # the published model on a 3x3 grid with HNN's ERP drives
    Select(by_id(d, 'model-select')).select_by_value('neymotin_2020')
    set_checkbox(by_id(d, 'model-erp'), True)
    type_into(by_id(d, 'grid-nx'), 3)
    type_into(by_id(d, 'grid-ny'), 3)
    by_id(d, 'model-load').click()
    wait(d, lambda d: summary(d)[0].get('Grid', '').startswith('3 \u00d7 3'))
    terms, cells = summary(d)
    model_label = terms['Source']
    assert 'Neymotin et al. 2020' in model_label and "ERP drives" in model_label
    assert cells['L5 pyramidal'] == 9 and cells['L2 pyramidal'] == 9
    assert terms['Drives'] == '3 (evdist1, evprox1, evprox2)'
    assert by_id(d, 'source-label').text == model_label

    # a parameter file
    by_id(d, 'source-file').send_keys(PARAMS)
    by_id(d, 'source-upload').click()
    wait(d, lambda d: by_id(d, 'source-label').text == 'parameter file default.json')
    assert summary(d)[0]['Source'] == 'parameter file default.json'
    assert visible_error(d, 'network-error') is None

    # its network downloaded, and read back as a network file
    saved = click_download(page, by_id(d, 'download-network'), 'network.json')
    by_id(d, 'source-file').send_keys(saved)
    by_id(d, 'source-upload').click()
    wait(d, lambda d: by_id(d, 'source-label').text == 'network file network.json')
    terms, cells = summary(d)
    assert terms['Grid'] == '10 \u00d7 10 cells per layer (fixed by the network file)'
    # its grid is fixed: the server says so, and nothing changes
    before = (d.execute_script('return JSON.stringify(window.HNN.state)'),
              by_id(d, 'network-summary').text)
    type_into(by_id(d, 'grid-nx'), 4)
    type_into(by_id(d, 'grid-ny'), 4)
    by_id(d, 'grid-apply').click()
    wait(d, lambda d: visible_error(d, 'network-error'), 30)
    workspace = Workspace(root=str(tmp_path))
    try:
        workspace.load_file(saved, 'network.json')
        with pytest.raises(ValueError) as err:
            workspace.set_grid(mesh_shape=[4, 4])
    finally:
        workspace.close()
    assert visible_error(d, 'network-error') == str(err.value)
    assert (d.execute_script('return JSON.stringify(window.HNN.state)'),
            by_id(d, 'network-summary').text) == before
    # and the grid inputs show the network's grid again, not the refused one
    assert [by_id(d, f'grid-n{axis}').get_attribute('value') for axis in 'xy'] == [
        '10', '10']

    # the 3x3 model again, then a 4x3 grid and other spacings
    Select(by_id(d, 'model-select')).select_by_value('neymotin_2020')
    type_into(by_id(d, 'grid-nx'), 3)
    type_into(by_id(d, 'grid-ny'), 3)
    by_id(d, 'model-load').click()
    wait(d, lambda d: by_id(d, 'source-label').text == model_label)
    assert visible_error(d, 'network-error') is None
    assert summary(d)[1]['L5 pyramidal'] == 9
    type_into(by_id(d, 'grid-nx'), 4)
    type_into(by_id(d, 'grid-ny'), 3)
    type_into(by_id(d, 'inplane-distance'), 2.5)
    type_into(by_id(d, 'layer-separation'), 1200)
    by_id(d, 'grid-apply').click()
    wait(d, lambda d: summary(d)[0]['Grid'].startswith('4 \u00d7 3'))
    terms, cells = summary(d)
    assert terms['Grid'] == '4 \u00d7 3 cells per layer'
    assert terms['In-plane distance'] == '2.5 \u00b5m'
    assert terms['Layer separation'] == '1200 \u00b5m'
    assert cells['L5 pyramidal'] == 12 and cells['L2 pyramidal'] == 12
    assert terms['Drives'] == '3 (evdist1, evprox1, evprox2)'
    assert by_id(d, 'inplane-distance').get_attribute('value') == '2.5'
    assert by_id(d, 'layer-separation').get_attribute('value') == '1200'


# -- 2. drives -------------------------------------------------------------------------------
def _new_drive(d, name, kind, location='proximal'):
    by_id(d, 'drive-add').click()
    wait(d, lambda d: by_id(d, 'drive-form').is_displayed(), 10)
    assert by_id(d, 'drive-form-title').text == 'New drive'
    type_into(by_id(d, 'drive-name'), name)
    if kind != 'evoked':
        Select(by_id(d, 'drive-type')).select_by_value(kind)
    if kind != 'tonic':  # the form keeps the location chosen last
        Select(by_id(d, 'drive-location')).select_by_value(location)


def _cell_input(d, key, cell_type):
    return d.find_element(By.CSS_SELECTOR, f'#drive-weights input[name="{key}.{cell_type}"]')


def _save_drive(d, name):
    by_id(d, 'drive-save').click()
    wait(d, lambda d: not by_id(d, 'drive-form').is_displayed() or
         visible_error(d, 'drive-error'), 30)
    assert visible_error(d, 'drive-error') is None, visible_error(d, 'drive-error')
    wait(d, lambda d: name in drive_rows(d), 10)


def test_drives(page, tmp_path):
    from hnn_core import neymotin_2020_model
    d = page.driver
    show(d, 'drives')
    assert set(drive_rows(d)) == {'evdist1', 'evprox1', 'evprox2'}

    # one drive of each type
    _new_drive(d, 'evx', 'evoked')
    type_into(by_id(d, 'dyn-mu'), 12)
    type_into(by_id(d, 'dyn-sigma'), 2)
    type_into(_cell_input(d, 'weights_ampa', 'L5_pyramidal'), 0.1)
    _save_drive(d, 'evx')

    _new_drive(d, 'pois', 'poisson')
    type_into(by_id(d, 'dyn-tstart'), 5)
    type_into(by_id(d, 'dyn-rate_constant'), 20)
    type_into(_cell_input(d, 'weights_ampa', 'L2_basket'), 0.05)
    _save_drive(d, 'pois')

    _new_drive(d, 'burst', 'bursty', 'distal')
    type_into(by_id(d, 'dyn-tstart'), 5)
    type_into(by_id(d, 'dyn-tstop'), 25)
    type_into(by_id(d, 'dyn-burst_rate'), 40)
    type_into(by_id(d, 'dyn-spike_isi'), 5)
    type_into(by_id(d, 'drive-n-drive-cells'), 2)
    type_into(_cell_input(d, 'weights_ampa', 'L5_pyramidal'), 0.05)
    _save_drive(d, 'burst')

    spikes = tmp_path / 'trains.txt'
    spikes.write_text('1.0\t0\tsource\n5.5\t1\tsource\n9.0\t0\tsource\n')
    _new_drive(d, 'train', 'spike_train')
    by_id(d, 'dyn-spike-file').send_keys(str(spikes))
    wait(d, lambda d: '2 sources, 3 spikes' in by_id(d, 'dyn-spike-summary').text, 30)
    assert Select(by_id(d, 'dyn-spike-upload')).first_selected_option.get_attribute('value')
    type_into(_cell_input(d, 'weights_ampa', 'L5_pyramidal'), 0.05)
    _save_drive(d, 'train')

    _new_drive(d, 'bias', 'tonic')
    type_into(by_id(d, 'dyn-t0'), 2)
    type_into(by_id(d, 'dyn-tstop'), 50)
    type_into(_cell_input(d, 'amplitude', 'L5_pyramidal'), 0.1)
    _save_drive(d, 'bias')

    rows = drive_rows(d)
    assert set(rows) == {'evdist1', 'evprox1', 'evprox2', 'evx', 'pois', 'burst', 'train',
                         'bias'}
    assert rows['evx'] == {'type': 'evoked', 'location': 'proximal',
                           'timing': '\u03bc 12 ms, \u03c3 2 ms', 'targets': 'L5 pyramidal'}
    assert rows['pois'] == {'type': 'poisson', 'location': 'proximal',
                            'timing': '20 Hz, 5\u2013end ms', 'targets': 'L2 basket'}
    assert rows['burst']['type'] == 'bursty' and rows['burst']['location'] == 'distal'
    assert rows['burst']['timing'] == '40 Hz bursts of 2 spikes (5 ms apart), 5\u201325 ms'
    assert rows['train'] == {'type': 'spike train', 'location': 'proximal',
                             'timing': '2 sources, 3 spikes', 'targets': 'L5 pyramidal'}
    assert rows['bias'] == {'type': 'tonic', 'location': '\u2014',
                            'timing': '2\u201350 ms', 'targets': 'L5 pyramidal 0.1 nA'}
    drives = {x['name']: x for x in d.execute_script('return window.HNN.state.drives')}
    assert drives['burst']['n_drive_cells'] == 2
    assert drives['bias']['dynamics']['amplitude'] == {'L5_pyramidal': 0.1}

    # edit: evx's mean time
    d.find_element(By.CSS_SELECTOR, 'tr[data-drive="evx"] .drive-edit').click()
    wait(d, lambda d: by_id(d, 'drive-form').is_displayed(), 10)
    assert by_id(d, 'drive-form-title').text == 'Edit drive \u201cevx\u201d'
    assert by_id(d, 'dyn-mu').get_attribute('value') == '12'
    type_into(by_id(d, 'dyn-mu'), 42)
    by_id(d, 'drive-save').click()
    wait(d, lambda d: drive_rows(d)['evx']['timing'].startswith('\u03bc 42 ms'), 30)
    assert drive_rows(d)['evx']['timing'] == '\u03bc 42 ms, \u03c3 2 ms'
    assert d.execute_script("return window.HNN.state.drives.find(x => x.name === 'evx')"
                            ".dynamics.mu") == 42

    # remove: the poisson drive
    d.find_element(By.CSS_SELECTOR, 'tr[data-drive="pois"] .drive-remove').click()
    wait(d, lambda d: 'pois' not in drive_rows(d), 30)
    assert set(drive_rows(d)) == {'evdist1', 'evprox1', 'evprox2', 'evx', 'burst', 'train',
                                  'bias'}

    # a bad value: the Python API's message, and the table as it was
    before = (by_id(d, 'drive-table').text,
              d.execute_script('return JSON.stringify(window.HNN.state.drives)'))
    _new_drive(d, 'bad', 'evoked')
    type_into(by_id(d, 'dyn-mu'), 20)
    type_into(by_id(d, 'dyn-sigma'), -1)
    type_into(by_id(d, 'dyn-numspikes'), 1)
    type_into(_cell_input(d, 'weights_ampa', 'L5_pyramidal'), 0.1)
    by_id(d, 'drive-save').click()
    wait(d, lambda d: visible_error(d, 'drive-error'), 30)
    net = neymotin_2020_model(mesh_shape=(4, 3))
    # the form's values as the page sends them (JSON numbers: 20, -1, 0.1, ...)
    with pytest.raises(ValueError) as err:
        net.add_evoked_drive('bad', mu=20, sigma=-1, numspikes=1, location='proximal',
                             weights_ampa={'L5_pyramidal': 0.1},
                             synaptic_delays={'L5_pyramidal': 0.1},
                             probability={'L5_pyramidal': 1}, space_constant=3,
                             cell_specific=True, n_drive_cells='n_cells', conn_seed=3)
    assert visible_error(d, 'drive-error') == str(err.value)
    assert by_id(d, 'drive-form').is_displayed()
    assert (by_id(d, 'drive-table').text,
            d.execute_script('return JSON.stringify(window.HNN.state.drives)')) == before
    by_id(d, 'drive-cancel').click()
    wait(d, lambda d: not by_id(d, 'drive-form').is_displayed(), 10)


# -- 3. runs ---------------------------------------------------------------------------------
def test_two_runs_are_compared(page):
    d = page.driver
    show(d, 'network')
    Select(by_id(d, 'model-select')).select_by_value('neymotin_2020')
    set_checkbox(by_id(d, 'model-erp'), True)
    type_into(by_id(d, 'grid-nx'), 3)
    type_into(by_id(d, 'grid-ny'), 3)
    by_id(d, 'model-load').click()
    wait(d, lambda d: summary(d)[0]['Grid'] == '3 \u00d7 3 cells per layer' and
         summary(d)[0]['Drives'] == '3 (evdist1, evprox1, evprox2)')

    ids = {}
    for name in ('first', 'second'):
        ids[name] = start_run(d, name, 60, 2)
        row = wait_run(d, name)
        assert row['status'] == 'done' and row['text'] == 'done', row
        assert row['progress'] == 1 and row['message'] == 'done'
    rows = run_rows(d)
    assert [rows[n]['status'] for n in ('first', 'second')] == ['done', 'done']
    assert by_id(d, 'badge-run').text == '2'
    settings = d.execute_script('return window.HNN.state.settings')
    assert (settings['tstop'], settings['dt'], settings['n_trials'], settings['backend'],
            settings['n_jobs']) == (60, 0.025, 2, 'joblib', 1)
    # tick both: the dipole plot draws both runs (2 trials and their average each)
    for name in ('first', 'second'):
        set_checkbox(d.find_element(By.CSS_SELECTOR,
                                    f'tr[data-run="{ids[name]}"] .run-compare'), True)
    assert all(r['shown'] for r in run_rows(d).values())
    show(d, 'dipole')
    shown = wait_plot(d, 'dipole', lambda key: sorted(key[1]) == sorted(ids.values()))
    names = [t['name'] for t in shown]
    assert sorted(names) == sorted(['first trial 1', 'first trial 2', 'first',
                                    'second trial 1', 'second trial 2', 'second'])
    assert all(len(t['x']) == len(t['y']) == 2401 for t in shown)
    assert 'first' in by_id(d, 'view-dipole').find_element(
        By.CSS_SELECTOR, '.shown-runs').text
    page.found['runs'] = ids


# -- 4. responsiveness and cancel ------------------------------------------------------------
def _live(tree):
    """Those of (pid, start time) still running (a zombie has ended)."""
    from hnn_core.backends import _process_table
    table = _process_table()
    return {(pid, start) for pid, start in tree if pid in table and table[pid][1] == start}


def test_page_answers_during_a_long_run_and_cancel_ends_it(page):
    from hnn_core.backends import _descendants, _process_table
    d = page.driver
    run_id = start_run(d, 'long', 2000, 2)
    # once it simulates (the model is built): its processes, from the server's
    wait(d, lambda d: run_rows(d)['long']['message'].startswith('trial 1 of 2:') or
         run_rows(d)['long']['status'] != 'running', 120)
    assert run_rows(d)['long']['status'] == 'running'
    pid = page.served.proc.pid
    table = _process_table()
    tree = _descendants(table, {(pid, table[pid][1])})
    assert tree, 'the run started no process'

    latencies, view_times = [], {}
    for view in ('dipole', 'raster', 'network', 'histogram', 'psd', 'drives', 'tfr',
                 'recording', 'fit', 'run'):
        t0 = time.monotonic()
        show(d, view)
        if view in ('dipole', 'raster', 'histogram', 'psd', 'tfr'):
            # the finished runs "first" and "second" are drawn meanwhile
            shown = wait_plot(d, view, timeout=30)
            assert shown and any(t['x'] or t['z'] for t in shown)
        view_times[view] = time.monotonic() - t0
        if view in ('raster', 'psd', 'tfr', 'run'):
            elapsed, runs = fetch_state_ms(d)
            assert elapsed is not None, runs
            assert ['long', 'running'] in runs
            latencies.append(elapsed)
    for _ in range(3):
        elapsed, runs = fetch_state_ms(d)
        assert elapsed is not None and ['long', 'running'] in runs, runs
        latencies.append(elapsed)
    print(f'/api/state from the page during the run: {[round(t) for t in latencies]} ms; '
          f'views drawn in {[round(t, 2) for t in view_times.values()]} s')
    assert len(latencies) >= 7 and max(latencies) < 5000, latencies
    assert max(view_times.values()) < 30, view_times
    row = run_rows(d)['long']
    assert row['status'] == 'running' and row['cancel'], row
    assert 0 < row['progress'] < 1

    d.find_element(By.CSS_SELECTOR, f'tr[data-run="{run_id}"] .run-cancel').click()
    wait(d, lambda d: run_rows(d)['long']['status'] == 'cancelled', 60)
    row = run_rows(d)['long']
    assert row['text'] == 'cancelled' and not row['cancel'], row
    assert not _live(tree), f'processes of the run left: {_live(tree)}'
    assert visible_error(d, 'run-error') is None
    page.found['runs']['long'] = run_id


# -- 5. result views -------------------------------------------------------------------------
def test_result_views(page, tmp_path):
    d = page.driver
    run_id = start_run(d, 'erp', TSTOP, N_TRIALS)
    row = wait_run(d, 'erp')
    assert row['status'] == 'done', row
    page.found['erp'] = run_id
    show_only(d, run_id)

    # the run's dipoles, downloaded (full precision .npz)
    show(d, 'dipole')
    zip_path = click_download(page, by_id(d, 'download-dipoles'), f'{run_id}_dipoles.zip')
    names, dpls = read_npz_dipoles(zip_path, tmp_path)
    assert names == ['dipole_0.txt', 'dipole_0.npz', 'dipole_1.txt', 'dipole_1.npz',
                     'dipole_average.txt', 'dipole_average.npz']
    assert len(dpls) == N_TRIALS
    page.found['dipoles'] = dpls

    # raw (smoothing 0, scaling 1): the trials bit for bit, the average as their mean
    for layer in LAYERS:
        shown = set_dipole_view(d, layer, 0, 1, True)
        assert [t['name'] for t in shown] == ['erp trial 1', 'erp trial 2', 'erp']
        for k, dpl in enumerate(dpls):
            np.testing.assert_array_equal(shown[k]['x'], dpl.times)
            np.testing.assert_array_equal(shown[k]['y'], dpl.data[layer])
        np.testing.assert_array_equal(
            shown[2]['y'], np.mean([dpl.data[layer] for dpl in dpls], axis=0))
    # the number of traces follows the layer and trial controls
    for layer, trials, count in [('agg', False, 1), ('all', True, 9), ('all', False, 3),
                                 ('L2', False, 1), ('agg', True, 3)]:
        shown = set_dipole_view(d, layer, 0, 1, trials)
        assert len(shown) == count, (layer, trials, [t['name'] for t in shown])
        assert by_id(d, 'plot-dipole').get_attribute('data-traces') == str(count)
        assert all(len(t['y']) == len(dpls[0].times) for t in shown)
    # smoothing 30 ms, scaling 3000: Dipole.smooth(30) then .scale(3000)
    processed = [copy.deepcopy(dpl).smooth(30).scale(3000) for dpl in dpls]
    shown = set_dipole_view(d, 'all', 30, 3000, True)
    for li, layer in enumerate(LAYERS):
        group = shown[3 * li:3 * li + 3]
        assert [t['name'] for t in group] == ['erp trial 1', 'erp trial 2', 'erp']
        assert {t['xaxis'] for t in group} == {'x' + (str(li + 1) if li else '')}
        for k, dpl in enumerate(processed):
            np.testing.assert_allclose(group[k]['y'], dpl.data[layer], rtol=1e-12)
        np.testing.assert_allclose(
            group[2]['y'], np.mean([dpl.data[layer] for dpl in processed], axis=0),
            rtol=1e-12)

    # raster: the run's spikes, by cell type and drive, for the chosen trial
    show(d, 'raster')
    Select(by_id(d, 'raster-trial')).select_by_value('0')
    shown = wait_plot(d, 'raster', lambda key: key[1] == [run_id] and key[2] == '0')
    assert sum(len(t['x']) for t in shown) > 0
    names = {t['name'] for t in shown}
    assert 'evprox1' in names and names & {'L2 basket', 'L5 pyramidal', 'L2 pyramidal'}
    first = sorted((g, x) for t in shown for x, g in zip(t['x'], t['y']))
    Select(by_id(d, 'raster-trial')).select_by_value('1')
    shown = wait_plot(d, 'raster', lambda key: key[2] == '1')
    second = sorted((g, x) for t in shown for x, g in zip(t['x'], t['y']))
    assert second and second != first
    Select(by_id(d, 'raster-trial')).select_by_value('0')
    wait_plot(d, 'raster', lambda key: key[2] == '0')
    page.found['raster'] = first

    # histogram: counts per 5 ms bin, both trials
    show(d, 'histogram')
    shown = wait_plot(d, 'histogram', lambda key: key[1] == [run_id])
    assert shown and all(t['type'] == 'bar' for t in shown)
    assert all(len(t['x']) == len(t['y']) == TSTOP / 5 for t in shown)
    page.found['histogram_total'] = sum(sum(t['y']) for t in shown)
    assert page.found['histogram_total'] > len(first)
    # power spectrum and time-frequency: the run's, not empty
    show(d, 'psd')
    shown = wait_plot(d, 'psd', lambda key: key[1] == [run_id])
    assert [t['name'] for t in shown] == ['erp']
    assert len(shown[0]['x']) == len(shown[0]['y']) > 5 and max(shown[0]['y']) > 0
    assert 0 <= min(shown[0]['x']) and max(shown[0]['x']) <= 100
    show(d, 'tfr')
    shown = wait_plot(d, 'tfr', lambda key: key[1] == [run_id])
    assert [t['type'] for t in shown] == ['heatmap']
    z = np.array(shown[0]['z'], float)
    assert z.shape == (len(shown[0]['y']), len(shown[0]['x'])) and z.shape[0] == 30
    assert np.all(np.isfinite(z)) and z.max() > 0


# -- 6. downloads ----------------------------------------------------------------------------
def test_downloads_and_the_network_file_reproduce_the_plot(page, tmp_path):
    from hnn_core import read_network_configuration, simulate_dipole
    d = page.driver
    run_id = page.found['erp']
    show(d, 'raster')
    spikes = click_download(page, by_id(d, 'download-spikes'), f'{run_id}_spikes.zip')
    with zipfile.ZipFile(spikes) as archive:
        assert archive.namelist() == ['spikes_0.txt', 'spikes_1.txt']
        lines = archive.read('spikes_0.txt').decode().splitlines()
        n_spikes = len(lines) + len(archive.read('spikes_1.txt').decode().splitlines())
    # the histogram counted the spikes of both trials
    assert page.found['histogram_total'] == n_spikes
    # the raster's first trial is the file's
    from_file = sorted((int(gid), float(t)) for t, gid, _ in
                       (line.split('\t') for line in lines))
    shown = [(g, round(x, 3)) for g, x in page.found['raster']]
    assert sorted(shown) == from_file
    svg = click_download(page, by_id(d, 'download-raster-svg'), f'{run_id}_raster.svg')
    with open(svg, 'rb') as fid:
        assert b'<svg' in fid.read()

    dipole_view = set_dipole_view(d, 'all', 0, 1, True)
    png = click_download(page, by_id(d, 'download-figure-png'), f'{run_id}_dipole.png')
    import matplotlib.image
    with open(png, 'rb') as fid:
        assert fid.read(8) == b'\x89PNG\r\n\x1a\n'
    assert matplotlib.image.imread(png).shape[:2] == (500, 800)
    svg = click_download(page, by_id(d, 'download-figure-svg'), f'{run_id}_dipole.svg')
    with open(svg, 'rb') as fid:
        assert b'<svg' in fid.read()

    # the run's network, from its row in the run list
    show(d, 'run')
    network = click_download(page, d.find_element(
        By.CSS_SELECTOR, f'tr[data-run="{run_id}"] .run-download-network'),
        f'{run_id}_network.json')
    net = read_network_configuration(network)
    dpls = simulate_dipole(net, tstop=TSTOP, dt=DT, n_trials=N_TRIALS, verbose=False)
    assert len(dpls) == N_TRIALS
    for li, layer in enumerate(LAYERS):
        group = dipole_view[3 * li:3 * li + 3]
        for k, dpl in enumerate(dpls):
            assert group[k]['name'] == f'erp trial {k + 1}'
            np.testing.assert_array_equal(group[k]['x'], dpl.times)
            np.testing.assert_array_equal(group[k]['y'], dpl.data[layer])
        # and the downloaded .npz files are these dipoles
        for k, dpl in enumerate(page.found['dipoles']):
            np.testing.assert_array_equal(dpl.data[layer], dpls[k].data[layer])


# -- 7. recording ----------------------------------------------------------------------------
def _recordings(d):
    return d.execute_script("""return [
        Array.from(document.querySelectorAll('#recording-list li')).map(li => li.textContent),
        Array.from(document.querySelectorAll('#recording-select option')).map(o => o.value)];""")


def _upload_recording(d, path):
    """Upload the recording at ``path``; its id (the newest item of the list)."""
    before = [li.get_attribute('data-recording') for li in
              d.find_elements(By.CSS_SELECTOR, '#recording-list li[data-recording]')]
    by_id(d, 'recording-file').send_keys(path)
    by_id(d, 'recording-upload').click()
    wait(d, lambda d: len(d.find_elements(
        By.CSS_SELECTOR, '#recording-list li[data-recording]')) > len(before) or
        visible_error(d, 'recording-error'), 30)
    assert visible_error(d, 'recording-error') is None, visible_error(d, 'recording-error')
    item = d.find_elements(By.CSS_SELECTOR, '#recording-list li[data-recording]')[-1]
    assert item.find_element(By.CSS_SELECTOR, '.recording-name').text == op.basename(path)
    rec_id = item.get_attribute('data-recording')
    assert rec_id not in before
    # the page compares with the recording just uploaded
    assert Select(by_id(d, 'recording-select')).first_selected_option.get_attribute(
        'value') == rec_id
    return rec_id


def _check_comparison(d, run_id, rec_id, dpls):
    """The comparison plot and RMSE of run ``run_id`` (its dipoles ``dpls``) with
    S1_SupraT.txt, as the page shows them with smoothing 30 and scaling 3000."""
    from hnn_core import average_dipoles, read_dipole, rmse
    shown = wait_plot(d, 'recording', lambda key: key[1] == [run_id] and key[2] == rec_id
                      and key[3] == 30 and key[4] == 3000)
    assert len(shown) == 2 and shown[0]['name'] == 'recording: S1_SupraT.txt'
    assert shown[1]['name'].startswith('erp (RMSE ')
    recording = read_dipole(RECORDING)
    np.testing.assert_array_equal(shown[0]['x'], recording.times)
    np.testing.assert_array_equal(shown[0]['y'], recording.data['agg'])
    average = average_dipoles([copy.deepcopy(dpl).smooth(30).scale(3000) for dpl in dpls])
    np.testing.assert_array_equal(shown[1]['x'], average.times)
    np.testing.assert_allclose(shown[1]['y'], average.data['agg'], rtol=1e-12)
    expected = rmse(average, recording)
    value = float(by_id(d, 'compare-rmse').get_attribute('data-value'))
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert by_id(d, 'compare-rmse').text == f'RMSE {expected:.2f} nAm'


def test_recording(page, tmp_path):
    d = page.driver
    run_id = page.found['erp']
    # the comparison uses the dipole view's smoothing and scaling
    set_dipole_view(d, 'agg', 30, 3000, True)
    show(d, 'recording')
    rec_id = _upload_recording(d, RECORDING)
    _check_comparison(d, run_id, rec_id, page.found['dipoles'])

    # a file that is no dipole: a message, and the list as it was
    before = _recordings(d)
    garbage = tmp_path / 'rec.txt'
    garbage.write_text('this is not\na dipole file at all\n')
    by_id(d, 'recording-file').send_keys(str(garbage))
    by_id(d, 'recording-upload').click()
    wait(d, lambda d: visible_error(d, 'recording-error'), 30)
    assert 'rec.txt: not a dipole file' in visible_error(d, 'recording-error')
    assert _recordings(d) == before
    # a file over 50 MB: the size message
    big = tmp_path / 'big.txt'
    line = b'0.0 0.0\n'
    with open(big, 'wb') as fid:
        fid.write(line * (51 * 2 ** 20 // len(line)))
    by_id(d, 'recording-file').send_keys(str(big))
    by_id(d, 'recording-upload').click()
    wait(d, lambda d: 'MB' in (visible_error(d, 'recording-error') or ''), 60)
    assert visible_error(d, 'recording-error').endswith(
        'is larger than the 50 MB the page accepts')
    assert _recordings(d) == before

    # the recording deleted, and uploaded again: the same comparison
    d.find_element(By.CSS_SELECTOR, f'li[data-recording="{rec_id}"] .recording-delete').click()
    wait(d, lambda d: not d.find_elements(By.CSS_SELECTOR, f'li[data-recording="{rec_id}"]'),
         30)
    assert visible_error(d, 'recording-error') is None
    assert _recordings(d) == [['No recordings yet.'], []]
    rec_id = _upload_recording(d, RECORDING)
    _check_comparison(d, run_id, rec_id, page.found['dipoles'])
    page.found['recording'] = rec_id


# -- 8. fit ----------------------------------------------------------------------------------
def test_fit(page):
    d = page.driver
    show(d, 'fit')
    Select(by_id(d, 'fit-recording')).select_by_value(page.found['recording'])
    Select(by_id(d, 'fit-solver')).select_by_value('cobyla')
    type_into(by_id(d, 'fit-max-iter'), 3)
    box = d.find_element(By.CSS_SELECTOR,
                         'input.fit-param[data-drive="evprox1"][data-key="mu"]')
    set_checkbox(box, True)
    row = box.find_element(By.XPATH, './ancestor::tr[1]')
    type_into(row.find_element(By.CSS_SELECTOR, '.fit-low'), 20)
    type_into(row.find_element(By.CSS_SELECTOR, '.fit-high'), 30)
    by_id(d, 'fit-start').click()
    wait(d, lambda d: any(r['status'] == 'running' or r['status'] == 'done'
                          for r in run_rows(d).values() if r['name'].startswith('fit'))
         or visible_error(d, 'fit-error'), 30)
    assert visible_error(d, 'fit-error') is None, visible_error(d, 'fit-error')
    name = [n for n in run_rows(d) if n.startswith('fit')][0]
    row = wait_run(d, name, 300)
    assert row['status'] == 'done', row
    page.found['fit'] = row['id']
    show(d, 'fit')
    assert Select(by_id(d, 'fit-run-select')).first_selected_option.text == f'{name} (done)'
    shown = wait_plot(d, 'fit', lambda key: key[1] == row['id'] and key[2] == 'done')
    assert len(shown) == 1 and shown[0]['x'] == [1, 2, 3] and len(shown[0]['y']) == 3
    best = float(d.find_element(
        By.CSS_SELECTOR, '#fit-result tr[data-param="evprox1.mu"] .fit-best-value').text)
    assert 20 <= best <= 30
    lowest = float(by_id(d, 'fit-best-rmse').get_attribute('data-value'))
    assert lowest == min(shown[0]['y'])
    assert by_id(d, 'fit-download-network').is_displayed()


# -- 9. screenshots --------------------------------------------------------------------------
# what each view without a plot shows at screenshot time
def _view_texts(d, view):
    if view == 'network':
        terms, cells = summary(d)
        assert terms['Grid'] == '3 \u00d7 3 cells per layer' and cells['L5 pyramidal'] == 9
        return [terms['Source'], terms['Grid'], terms['Drives']]
    if view == 'drives':
        rows = drive_rows(d)
        assert set(rows) == {'evdist1', 'evprox1', 'evprox2'}
        return [f"{n}: {r['type']}, {r['location']}, {r['timing']}" for n, r in rows.items()]
    rows = run_rows(d)
    assert rows['erp']['status'] == 'done' and rows['long']['status'] == 'cancelled'
    return [f"{n}: {r['status']}" for n, r in rows.items()]


def test_screenshots(page, shot_folder):
    d = page.driver
    show_only(d, page.found['erp'])
    set_dipole_view(d, 'agg', 30, 3000, True)
    index = {'width': WIDTH, 'height': HEIGHT, 'views': {}}
    for view in VIEWS:
        show(d, view)
        if view == 'drives':  # a drive's form, open under the table
            d.find_element(By.CSS_SELECTOR, 'tr[data-drive="evprox1"] .drive-edit').click()
            wait(d, lambda d: by_id(d, 'drive-form').is_displayed(), 10)
        if view in PLOTS:
            wanted = page.found['fit'] if view == 'fit' else [page.found['erp']]
            assert wait_plot(d, view, lambda key: key[1] == wanted)
        # the mouse away from the plots (no hover label, no tool bar), the page at its top
        ActionChains(d).move_to_element(by_id(d, 'source-label')).perform()
        time.sleep(0.3)  # the form's smooth scrolling, plotly's transitions
        d.execute_script('window.scrollTo(0, 0)')
        wait(d, lambda d: d.execute_script('return window.scrollY') == 0, 10)
        path = op.join(shot_folder, f'gui_{view}.png')
        d.save_screenshot(path)
        if view in PLOTS:
            info = {'plot': PLOTS[view], 'box': d.execute_script(PLOT_BOX_JS, PLOTS[view]),
                    'colors': d.execute_script(PLOT_COLORS_JS, PLOTS[view])}
        else:
            info = {'plot': None, 'box': None, 'colors': [],
                    'text_box': d.execute_script(PLOT_BOX_JS, TEXT_BOXES[view]),
                    'texts': _view_texts(d, view)}
        info['file'] = f'gui_{view}.png'
        info['pixels'] = check_screenshot(path, info)
        index['views'][view] = info
        if view == 'drives':
            by_id(d, 'drive-cancel').click()
    with open(op.join(shot_folder, 'gui_screenshots.json'), 'w') as fid:
        json.dump(index, fid, indent=1)
    # an empty frame fails the check
    import matplotlib.image
    blank = op.join(page.downloads, 'blank.png')
    matplotlib.image.imsave(blank, np.ones((HEIGHT, WIDTH, 3)))
    for info in index['views'].values():
        with pytest.raises(AssertionError):
            check_screenshot(blank, info)
    # and so does the dipole view with no run shown
    show(d, 'run')
    set_checkbox(d.find_element(
        By.CSS_SELECTOR, f'tr[data-run="{page.found["erp"]}"] .run-compare'), False)
    show(d, 'dipole')
    wait(d, lambda d: by_id(d, 'plot-dipole').get_attribute('data-empty') == '1', 30)
    assert by_id(d, 'plot-dipole').text == 'No run selected: tick runs in the Run view'
    empty = op.join(page.downloads, 'empty_dipole.png')
    d.save_screenshot(empty)
    with pytest.raises(AssertionError, match='the plot shows no data'):
        check_screenshot(empty, index['views']['dipole'])


# -- 10. the fit's end -----------------------------------------------------------------------
def test_fit_view_to_field_is_the_fits_tstop(page):
    """The fit view's "To (ms)" ends the fit and the simulation of the fitted network,
    whatever the run view's duration (170 ms here)."""
    d = page.driver
    show(d, 'fit')
    Select(by_id(d, 'fit-recording')).select_by_value(page.found['recording'])
    Select(by_id(d, 'fit-solver')).select_by_value('cobyla')
    type_into(by_id(d, 'fit-max-iter'), 1)
    box = d.find_element(By.CSS_SELECTOR,
                         'input.fit-param[data-drive="evprox1"][data-key="mu"]')
    set_checkbox(box, True)
    type_into(by_id(d, 'fit-tstart'), 0)
    type_into(by_id(d, 'fit-tstop'), 100)
    before = set(run_rows(d))
    by_id(d, 'fit-start').click()
    wait(d, lambda d: set(run_rows(d)) - before or visible_error(d, 'fit-error'), 30)
    assert visible_error(d, 'fit-error') is None
    name, = set(run_rows(d)) - before
    row = wait_run(d, name, 300)
    assert row['status'] == 'done', row
    tstop = d.execute_script('return window.HNN.state.runs.find(r => r.id === arguments[0])'
                             '.settings.tstop', row['id'])
    assert tstop == 100, (f'the fit ran to {tstop} ms, not to the 100 ms of the fit '
                          'view\'s "To (ms)"')


# -- 11. access ------------------------------------------------------------------------------
def test_page_without_the_token_is_refused(page):
    from hnn_core.gui.server import _FORBIDDEN
    d = page.driver
    d.delete_all_cookies()  # a visitor who was never given the token
    d.get(page.served.base + '/')
    wait(d, lambda d: d.find_element(By.TAG_NAME, 'body').text.strip(), 30)
    assert d.find_element(By.TAG_NAME, 'body').text.strip() == _FORBIDDEN
    assert d.execute_script('return typeof window.HNN') == 'undefined'


# -- the committed screenshots -----------------------------------------------------------------
def test_committed_screenshots():
    """doc/_static/gui_<view>.png: one per view, 1280x800, showing data."""
    index_path = op.join(COMMITTED, 'gui_screenshots.json')
    assert op.isfile(index_path), f'{index_path} is missing'
    with open(index_path) as fid:
        index = json.load(fid)
    missing = [view for view in VIEWS
               if not op.isfile(op.join(COMMITTED, f'gui_{view}.png'))]
    assert not missing, f'no screenshot of {missing} in {COMMITTED}'
    for view in VIEWS:
        info = index['views'][view]
        assert info['file'] == f'gui_{view}.png'
        assert (info['box'] is None) == (view not in PLOTS), view
        check_screenshot(op.join(COMMITTED, info['file']), info)
