"""The web interface's server, through HTTP (no browser): access, uploads, runs."""

import json
import os
import os.path as op
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip('starlette', reason="the gui extra (pip install 'hnn_core[gui]')")
from starlette.testclient import TestClient  # noqa: E402

from hnn_core import neymotin_2020_model, read_network_configuration, simulate_dipole  # noqa: E402
from hnn_core.gui.server import create_app  # noqa: E402
from hnn_core.gui.workspace import MAX_UPLOAD  # noqa: E402

TOKEN = 'test-token'
RECORDING = op.join(op.dirname(__file__), '..', 'hnn_core', 'data', 'S1_SupraT.txt')


@pytest.fixture
def client():
    app = create_app(token=TOKEN)
    with TestClient(app) as client:
        client.get(f'/?token={TOKEN}')
        page = client.post('/api/workspaces').json()['workspace']
        client.headers['X-Workspace'] = page
        client.page_folder = app.state.pages.get(page)[0].folder
        client.post('/api/model', json={'model': 'neymotin_2020', 'mesh_shape': [3, 3]})
        yield client


def _wait(client, run_id, timeout=300):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = client.get(f'/api/runs/{run_id}').json()
        if run['status'] != 'running':
            return run
        time.sleep(0.2)
    raise AssertionError(f'run {run_id} still running after {timeout} s')


def _run(client, **settings):
    assert client.post('/api/settings', json=settings).status_code == 200
    run = client.post('/api/runs', json={}).json()['run']
    return _wait(client, run['id'])


def test_every_request_needs_the_token():
    app = create_app(token=TOKEN)
    with TestClient(app) as anonymous:
        for path in ('/', '/static/app.js', '/static/plotly.min.js', '/api/state',
                     '/api/runs/run1/download/network', '/?token=wrong'):
            response = anonymous.get(path)
            assert response.status_code == 403, path
            assert 'access token' in response.text
        assert anonymous.post('/api/workspaces').status_code == 403
        page = anonymous.get(f'/?token={TOKEN}')
        assert page.status_code == 200 and '<html' in page.text.lower()
        cookie = page.headers['set-cookie']
        assert 'httponly' in cookie.lower() and 'samesite=strict' in cookie.lower()
        # the cookie now stands for the token, as for the page's own requests
        assert anonymous.get('/static/plotly.min.js').status_code == 200
        assert anonymous.post('/api/workspaces').status_code == 200


def test_unknown_page_and_run_get_named_errors(client):
    response = client.get('/api/state', headers={'X-Workspace': 'nope'})
    assert response.status_code == 404 and 'reload the page' in response.json()['error']
    response = client.get('/api/runs/run99')
    assert response.status_code == 404 and 'run99' in response.json()['error']


def _state(client):
    return client.get('/api/state').json()


@pytest.mark.parametrize('name', ['../../evil.json', 'a/b.json', '..\\..\\b.json',
                                  '/etc/passwd', '..'])
def test_path_tricks_in_names_are_refused(client, name):
    before = _state(client)
    response = client.post('/api/source', files={'file': (name, b'{}')})
    assert response.status_code == 400
    assert 'not a plain file name' in response.json()['error']
    assert _state(client) == before
    assert not [f for f in os.listdir(client.page_folder) if f.startswith('upload')]


@pytest.mark.parametrize('route,name,content,message', [
    ('/api/source', 'model.exe', b'MZ', "Allowed values are '.json', '.param'"),
    ('/api/source', 'model.json', b'\xff\xfe{not json', 'is not a JSON file'),
    ('/api/source', 'net.json', b'{"object_type": "Network"}', 'celsius'),
    ('/api/source', 'p.param', b'tstop: abc\n', 'p.param'),
    ('/api/uploads', 'spikes.txt', b'hello world\n', 'not a spike file'),
    ('/api/recordings', 'rec.txt', b'1 2 3\nfoo\n', 'not a dipole file'),
    ('/api/recordings', 'rec.txt', b'', 'is empty'),
])
def test_malformed_uploads_change_nothing(client, route, name, content, message):
    before = _state(client)
    response = client.post(route, files={'file': (name, content)},
                           data={'kind': 'spikes'} if route == '/api/uploads' else {})
    assert response.status_code == 400, response.text
    assert message in response.json()['error']
    assert _state(client) == before


def test_an_upload_over_50_mb_is_refused(client):
    before = _state(client)
    big = b'0.0 0.0\n' * (MAX_UPLOAD // 8 + 1)
    response = client.post('/api/recordings', files={'file': ('big.txt', big)})
    assert response.status_code == 413
    assert 'larger than the 50 MB' in response.json()['error']
    assert _state(client) == before
    assert not [f for f in os.listdir(client.page_folder) if f.startswith('upload')]


def _drive(**changes):
    drive = {'name': 'evx', 'type': 'evoked', 'location': 'proximal',
             'weights_ampa': {'L5_pyramidal': 0.1}, 'synaptic_delays': {'L5_pyramidal': 1.},
             'dynamics': {'mu': 10., 'sigma': 2., 'numspikes': 1}}
    drive.update(changes)
    return drive


@pytest.mark.parametrize('changes,call', [
    ({'dynamics': {'mu': 10., 'sigma': -1., 'numspikes': 1}},
     dict(mu=10., sigma=-1., numspikes=1)),
    ({'dynamics': {'mu': 10., 'sigma': 1., 'numspikes': 0}},
     dict(mu=10., sigma=1., numspikes=0)),
    ({'location': 'elsewhere'}, dict(mu=10., sigma=2., numspikes=1, location='elsewhere')),
    ({'weights_ampa': {'L7_pyramidal': 1.}},
     dict(mu=10., sigma=2., numspikes=1, weights_ampa={'L7_pyramidal': 1.})),
    ({'name': 'evprox1'}, dict(mu=10., sigma=2., numspikes=1, name='evprox1')),
])
def test_drive_errors_are_the_python_apis(client, changes, call):
    before = _state(client)
    response = client.post('/api/drives', json={'drive': _drive(**changes)})
    assert response.status_code == 400
    net = neymotin_2020_model(mesh_shape=(3, 3))
    from hnn_core.network_models import add_erp_drives_to_jones_model
    add_erp_drives_to_jones_model(net)
    args = dict(name='evx', location='proximal', weights_ampa={'L5_pyramidal': 0.1},
                synaptic_delays={'L5_pyramidal': 1.})
    args.update(call)
    with pytest.raises((ValueError, TypeError)) as err:
        net.add_evoked_drive(args.pop('name'), **args)
    assert response.json()['error'] == str(err.value)
    assert _state(client) == before


def test_drives_of_every_type_are_added_edited_and_removed(client):
    spikes = b'1.0\t0\tsource\n5.5\t1\tsource\n9.0\t0\tsource\n'
    upload = client.post('/api/uploads', files={'file': ('trains.txt', spikes)},
                         data={'kind': 'spikes'}).json()['upload']
    assert upload['summary'] == '2 sources, 3 spikes'
    weights = {'weights_ampa': {'L5_pyramidal': 0.05}}
    drives = [
        _drive(name='ev'),
        dict(_drive(name='po', type='poisson', **weights),
             dynamics={'tstart': 5., 'tstop': None, 'rate_constant': 20.}),
        dict(_drive(name='bu', type='bursty', location='distal', **weights),
             cell_specific=False, n_drive_cells=2,
             dynamics={'tstart': 5., 'tstart_std': 0., 'tstop': 25., 'burst_rate': 40.,
                       'burst_std': 0., 'numspikes': 2, 'spike_isi': 5.}),
        dict(_drive(name='st', type='spike_train', **weights),
             dynamics={'upload': upload['id']}),
        {'name': 'tb', 'type': 'tonic',
         'dynamics': {'amplitude': {'L5_pyramidal': 0.1}, 't0': 2., 'tstop': 20.}},
    ]
    for drive in drives:
        response = client.post('/api/drives', json={'drive': drive})
        assert response.status_code == 200, response.text
    state = _state(client)
    by_name = {d['name']: d for d in state['drives']}
    assert by_name['po']['dynamics']['rate_constant'] == 20.
    assert by_name['bu']['n_drive_cells'] == 2
    assert by_name['st']['dynamics'] == {'n_sources': 2, 'n_spikes': 3}
    assert by_name['tb']['dynamics']['amplitude'] == {'L5_pyramidal': 0.1}
    # edit: the spike train keeps its spikes, the tonic bias gets a new amplitude
    edited = dict(by_name['st'], location='distal', dynamics={})
    assert client.post('/api/drives', json={'drive': edited, 'replace': 'st'}
                       ).status_code == 200
    tonic = dict(by_name['tb'], dynamics=dict(by_name['tb']['dynamics'],
                                              amplitude={'L2_pyramidal': 0.2}))
    assert client.post('/api/drives', json={'drive': tonic, 'replace': 'tb'}
                       ).status_code == 200
    by_name = {d['name']: d for d in _state(client)['drives']}
    assert by_name['st']['location'] == 'distal'
    assert by_name['st']['dynamics'] == {'n_sources': 2, 'n_spikes': 3}
    assert by_name['tb']['dynamics']['amplitude'] == {'L2_pyramidal': 0.2}
    for name in ('ev', 'po', 'bu', 'st', 'tb'):
        assert client.delete(f'/api/drives/{name}').status_code == 200
    assert {d['name'] for d in _state(client)['drives']} == {
        'evprox1', 'evdist1', 'evprox2'}
    assert client.delete('/api/drives/nothere').status_code == 404


def test_grid_and_positions(client, tmp_path):
    state = client.post('/api/grid', json={'mesh_shape': [4, 2], 'inplane_distance': 2.,
                                           'layer_separation': 1000.}).json()
    assert state['mesh_shape'] == [4, 2] and state['n_cells']['L5_pyramidal'] == 8
    assert state['inplane_distance'] == 2. and state['layer_separation'] == 1000.
    assert [d['name'] for d in state['drives']] == ['evdist1', 'evprox1', 'evprox2']
    response = client.post('/api/grid', json={'mesh_shape': [0, 3]})
    assert response.status_code == 400 and 'mesh_shape' in response.json()['error']
    # a network file: its grid is fixed, its spacings are not
    network = client.get('/api/download/network').content
    state = client.post('/api/source', files={'file': ('mine.json', network)}).json()
    assert state['source']['kind'] == 'network' and not state['grid_editable']
    response = client.post('/api/grid', json={'mesh_shape': [5, 5]})
    assert response.status_code == 400 and 'fixed' in response.json()['error']
    assert client.post('/api/grid', json={'layer_separation': 900.}).json()[
        'layer_separation'] == 900.


def test_parameter_files_are_read_as_the_command_line_does(client):
    with open(op.join(op.dirname(__file__), '..', 'hnn_core', 'param',
                      'default.json')) as fid:
        params = json.load(fid)
    params.update(dipole_smooth_win=20, dipole_scalefctr=1500, tstop=120, N_trials=3)
    state = client.post('/api/source', files={'file': (
        'mine.json', json.dumps(params).encode())}).json()
    assert state['source'] == {'kind': 'params', 'label': 'parameter file mine.json'}
    assert state['mesh_shape'] == [10, 10]
    assert state['settings']['tstop'] == 120. and state['settings']['n_trials'] == 3
    # the dipole is shown as HNN shows it: the file's smoothing and scaling
    assert state['postproc'] == {'smooth': 20., 'scale': 1500.}
    assert {d['name'] for d in state['drives']} >= {'evprox1', 'evdist1', 'evprox2'}
    # a file whose run settings cannot be used changes nothing
    params.update(tstop=-5)
    response = client.post('/api/source', files={'file': (
        'bad.json', json.dumps(params).encode())})
    assert response.status_code == 400
    assert response.json()['error'] == 'bad.json: tstop must be a positive number (ms), got -5'
    assert _state(client) == state


def test_downloaded_network_simulates_to_the_pages_dipole(client, tmp_path):
    run = _run(client, tstop=30., dt=0.025, n_trials=2)
    assert run['status'] == 'done', run
    shown = client.get(f"/api/runs/{run['id']}/dipole?smooth=0&scale=1").json()
    fname = tmp_path / 'network.json'
    fname.write_bytes(client.get(f"/api/runs/{run['id']}/download/network").content)
    net = read_network_configuration(fname)
    dpls = simulate_dipole(net, tstop=30., dt=0.025, n_trials=2, verbose=False)
    for k, dpl in enumerate(dpls):
        for layer in ('agg', 'L2', 'L5'):
            np.testing.assert_array_equal(shown['trials'][layer][k], dpl.data[layer])
    # the current network, downloaded from the network view, is the same file
    assert client.get('/api/download/network').content == fname.read_bytes()


def test_results_of_a_run(client, tmp_path):
    run = _run(client, tstop=40., n_trials=2)
    rid = run['id']
    dipole = client.get(f'/api/runs/{rid}/dipole?smooth=5&scale=3000').json()
    assert len(dipole['trials']['agg']) == 2
    assert np.allclose(np.mean(dipole['trials']['L5'], axis=0), dipole['average']['L5'])
    raster = client.get(f'/api/runs/{rid}/raster?trial=1').json()
    names = {g['name'] for g in raster['groups']}
    assert {'evprox1'} <= names and names & {'L2_basket', 'L5_pyramidal', 'L2_pyramidal'}
    hist = client.get(f'/api/runs/{rid}/histogram?bin_ms=10').json()
    assert hist['edges'] == [0., 10., 20., 30., 40.]
    n_spikes = sum(len(group['times']) for trial in (0, 1) for group in client.get(
        f'/api/runs/{rid}/raster?trial={trial}').json()['groups'])
    assert sum(sum(g['counts']) for g in hist['groups']) == n_spikes
    psd = client.get(f'/api/runs/{rid}/psd?fmax=200').json()
    assert max(psd['freqs']) <= 200 and len(psd['power']) == len(psd['freqs'])
    tfr = client.get(f'/api/runs/{rid}/tfr?fmin=20&fmax=80&n_freqs=5').json()
    assert np.array(tfr['power']).shape == (5, len(tfr['times']))
    bad = client.get(f'/api/runs/{rid}/tfr?fmin=80&fmax=20')
    assert bad.status_code == 400 and 'fmin < fmax' in bad.json()['error']
    for view in ('dipole', 'raster', 'histogram', 'psd', 'tfr'):
        png = client.get(f'/api/runs/{rid}/download/figure?view={view}&format=png')
        assert png.status_code == 200 and png.content.startswith(b'\x89PNG')
    svg = client.get(f'/api/runs/{rid}/download/figure?view=dipole&format=svg')
    assert b'<svg' in svg.content
    import io
    import zipfile
    archive = zipfile.ZipFile(io.BytesIO(client.get(
        f'/api/runs/{rid}/download/dipoles').content))
    assert archive.namelist() == [
        'dipole_0.txt', 'dipole_0.npz', 'dipole_1.txt', 'dipole_1.npz',
        'dipole_average.txt', 'dipole_average.npz']
    raw = client.get(f'/api/runs/{rid}/dipole').json()
    from hnn_core import read_dipole
    archive.extract('dipole_1.npz', tmp_path)
    np.testing.assert_array_equal(read_dipole(tmp_path / 'dipole_1.npz').data['agg'],
                                  raw['trials']['agg'][1])


def test_recording_comparison_and_fit(client):
    client.post('/api/settings', json={'tstop': 100., 'n_trials': 1})
    with open(RECORDING, 'rb') as fid:
        rec = client.post('/api/recordings',
                          files={'file': ('S1_SupraT.txt', fid)}).json()['recording']
    run = _run(client)
    compare = client.get(f"/api/runs/{run['id']}/compare?recording={rec['id']}"
                         '&smooth=30&scale=3000').json()
    from hnn_core import read_dipole, rmse
    from hnn_core.gui import results
    arrays = client.app.state.pages.get(client.headers['X-Workspace'])[0].runs[
        run['id']].results()
    dpl = results.dipoles(arrays, 30, 3000)[0]
    assert compare['rmse'] == rmse(dpl, read_dipole(RECORDING))
    fit = client.post('/api/fits', json={
        'recording': rec['id'], 'solver': 'cobyla', 'max_iter': 3, 'smooth': 30,
        'scale': 3000, 'tstop': 60., 'params': [{'drive': 'evprox1', 'key': 'mu',
                                                  'low': 20., 'high': 30.}]})
    assert fit.status_code == 200, fit.text
    done = _wait(client, fit.json()['run']['id'])
    assert done['status'] == 'done', done
    assert done['name'] == 'fit 1'
    # the fit's own tstop (the settings say 100 ms)
    assert done['settings']['tstop'] == 60.
    assert client.get(f"/api/runs/{done['id']}/dipole").json()['times'][-1] == (
        pytest.approx(60., abs=1e-9))
    assert len(done['fit']['rmse']) == 3
    assert 20. <= done['fit']['best']['evprox1.mu'] <= 30.
    assert done['fit']['best_rmse'] == min(done['fit']['rmse'])
    for body, message in [
            ({'params': []}, 'choose at least one'),
            ({'params': [{'drive': 'evprox1', 'key': 'tau', 'low': 1, 'high': 2}]},
             "the key must be 'mu'"),
            ({'params': [{'drive': 'evprox1', 'key': 'mu', 'low': 30, 'high': 20}]},
             'evprox1.mu'),
            ({'tstop': -5, 'params': [{'drive': 'evprox1', 'key': 'mu', 'low': 20,
                                       'high': 30}]}, 'tstop must be a positive'),
            ({'tstop': 500, 'params': [{'drive': 'evprox1', 'key': 'mu', 'low': 20,
                                        'high': 30}]}, 'set a shorter tstop'),
            ({'solver': 'newton', 'params': [{'drive': 'evprox1', 'key': 'mu',
                                              'low': 20, 'high': 30}]}, 'solver')]:
        response = client.post('/api/fits', json=dict({'recording': rec['id']}, **body))
        assert response.status_code == 400 and message in response.json()['error'], (
            response.text)


def _process_tree(pid):
    from hnn_core.backends import _descendants, _process_table
    table = _process_table()
    return {p for p, _ in _descendants(table, {(pid, table[pid][1])})} | {pid}


def _alive(pids):
    alive = set()
    for pid in pids:
        try:
            with open(f'/proc/{pid}/stat') as fid:
                if fid.read().split(') ')[-1][0] != 'Z':
                    alive.add(pid)
        except OSError:
            pass
    return alive


@pytest.mark.parametrize('backend,n_jobs', [('joblib', 1), ('mpi', 2)])
def test_cancel_ends_every_process_of_the_run(client, backend, n_jobs, monkeypatch):
    import hnn_core.gui.workspace as workspace
    monkeypatch.setattr(workspace, '_max_jobs', lambda: 2)
    client.post('/api/model', json={'model': 'neymotin_2020', 'mesh_shape': [5, 5]})
    client.post('/api/settings', json={'tstop': 2000., 'n_trials': 2, 'backend': backend,
                                       'n_jobs': n_jobs})
    run = client.post('/api/runs', json={}).json()['run']
    page = client.app.state.pages.get(client.headers['X-Workspace'])[0]
    end = time.monotonic() + 300
    while client.get(f"/api/runs/{run['id']}").json()['progress'] <= 0:
        assert time.monotonic() < end
        time.sleep(0.2)
    tree = _process_tree(page.runs[run['id']].process_id)
    assert len(tree) >= (3 if backend == 'mpi' else 1)
    t0 = time.monotonic()
    cancelled = client.post(f"/api/runs/{run['id']}/cancel").json()
    assert cancelled['status'] == 'cancelled'
    assert time.monotonic() - t0 < 15
    assert not _alive(tree)
    assert client.get(f"/api/runs/{run['id']}/dipole").status_code == 409


def test_the_server_answers_during_a_run(client):
    client.post('/api/model', json={'model': 'neymotin_2020', 'mesh_shape': [10, 10]})
    client.post('/api/settings', json={'tstop': 170., 'n_trials': 1})
    run = client.post('/api/runs', json={}).json()['run']
    latencies = []
    while True:
        t0 = time.monotonic()
        status = client.get(f"/api/runs/{run['id']}").json()
        client.get('/api/state')
        latencies.append(time.monotonic() - t0)
        if status['status'] != 'running':
            break
        time.sleep(0.1)
    assert status['status'] == 'done'
    assert len(latencies) > 5 and max(latencies) < 5.


def test_the_core_package_does_not_need_the_gui_extra(tmp_path):
    code = ('import sys, hnn_core, hnn_core.cli\n'
            'assert not {"starlette", "uvicorn", "plotly"} & set(sys.modules)\n'
            'import hnn_core.gui\n'
            'assert not {"starlette", "uvicorn", "plotly"} & set(sys.modules)\n')
    subprocess.run([sys.executable, '-c', code], check=True)
    # without the extra, the command says how to get it
    blocker = tmp_path / 'sitecustomize.py'
    blocker.write_text('import sys\nsys.modules["starlette"] = None\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, '-m', 'hnn_core.cli', 'gui', '--no-browser'],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 1
    assert "pip install 'hnn_core[gui]'" in out.stderr


def test_command_prints_an_address_with_a_token():
    proc = subprocess.Popen([sys.executable, '-m', 'hnn_core.cli', 'gui', '--no-browser',
                             '--port', '0'], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('hnn-core gui: http://127.0.0.1:')
        url = line.split(': ', 1)[1].strip()
        import urllib.error
        import urllib.request
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url.split('?')[0], timeout=10)
        assert err.value.code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_pages_opened_longest_ago_make_room(monkeypatch):
    import hnn_core.gui.server as server
    monkeypatch.setattr(server, 'MAX_PAGES', 2)
    app = create_app(token=TOKEN)
    with TestClient(app) as client:
        client.get(f'/?token={TOKEN}')
        first, second, third = (client.post('/api/workspaces').json()['workspace']
                                for _ in range(3))
        folder = app.state.pages.get(second)[0].folder
        # using the second makes the third the older one of the two kept
        assert client.get('/api/state', headers={'X-Workspace': second}).status_code == 200
        response = client.get('/api/state', headers={'X-Workspace': first})
        assert response.status_code == 404 and 'reload' in response.json()['error']
        client.post('/api/workspaces')
        assert client.get('/api/state', headers={'X-Workspace': second}).status_code == 200
        assert client.get('/api/state', headers={'X-Workspace': third}
                          ).status_code == 404
        assert op.isdir(folder)


def test_ctrl_c_ends_the_runs_and_removes_the_pages_files(tmp_path):
    import http.cookiejar
    import signal
    import urllib.request
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, '-m', 'hnn_core.cli', 'gui', '--no-browser'],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        url = proc.stdout.readline().split(': ', 1)[1].strip()
        base = url.split('/?')[0]
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
            http.cookiejar.CookieJar()))
        opener.open(url, timeout=10).read()

        def call(path, body=None, page=None):
            request = urllib.request.Request(
                base + path, data=None if body is None else json.dumps(body).encode(),
                headers={'Content-Type': 'application/json',
                         **({'X-Workspace': page} if page else {})},
                method='GET' if body is None else 'POST')
            with opener.open(request, timeout=60) as response:
                return json.loads(response.read())

        page = call('/api/workspaces', {})['workspace']
        call('/api/model', {'model': 'neymotin_2020', 'mesh_shape': [3, 3]}, page)
        call('/api/settings', {'tstop': 5000., 'n_trials': 1}, page)
        run = call('/api/runs', {}, page)['run']
        end = time.monotonic() + 120
        while call(f"/api/runs/{run['id']}", page=page)['progress'] <= 0:
            assert time.monotonic() < end
            time.sleep(0.2)
        assert [f for f in os.listdir(tmp_path) if f.startswith('hnn_core_gui_')]
        tree = _process_tree(proc.pid) - {proc.pid}
        assert tree
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert not _alive(tree)
        assert not [f for f in os.listdir(tmp_path) if f.startswith('hnn_core_gui_')]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
