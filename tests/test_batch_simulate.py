"""BatchSimulate: parameter sweeps over a network (hnn-core 0.6.1's API)."""

import inspect
import os

import numpy as np
import pytest

from hnn_core import neymotin_2020_model, simulate_dipole, JoblibBackend
from hnn_core.batch_simulate import BatchSimulate

TSTOP = 30.  # ms: the proximal drive at 10 ms makes the cells fire by then


@pytest.fixture(scope='module')
def base_net():
    return neymotin_2020_model(mesh_shape=(3, 3))


def set_weight(param_values, net):
    """0.6.1's set_params: one proximal evoked drive of the swept weight (µS)."""
    weight = param_values['weight']
    net.add_evoked_drive(
        'evprox', mu=param_values.get('mu', 10.), sigma=1., numspikes=1,
        location='proximal',
        weights_ampa={'L2_basket': weight, 'L2_pyramidal': weight,
                      'L5_basket': weight, 'L5_pyramidal': weight},
        synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                         'L5_basket': 1., 'L5_pyramidal': 1.})


class Counting:
    """A set_params that counts its calls; raises ``error`` at call ``fail_at``."""

    def __init__(self, fail_at=None, error=KeyboardInterrupt):
        self.calls = []
        self.fail_at = fail_at
        self.error = error

    def __call__(self, param_values, net):
        self.calls.append(dict(param_values))
        if self.fail_at is not None and len(self.calls) == self.fail_at:
            raise self.error('stopped here')
        set_weight(param_values, net)


def flat(results):
    return [point for batch in results['simulated_data'] for point in batch]


def assert_same_dipoles(dpls, ref):
    assert len(dpls) == len(ref)
    for dpl, dpl_ref in zip(dpls, ref):
        assert set(dpl.data) == set(dpl_ref.data)
        np.testing.assert_array_equal(dpl.times, dpl_ref.times)
        for layer in dpl_ref.data:
            np.testing.assert_array_equal(dpl.data[layer], dpl_ref.data[layer])


GRID = {'weight': [0.005, 0.02, 0.1]}


def test_points_equal_simulate_dipole(base_net):
    """Each point's dipoles and spikes are those of simulate_dipole, bit for bit,
    on one job, on two, and on a backend the user made active."""
    batch = BatchSimulate(set_weight, net=base_net, tstop=TSTOP, n_trials=2,
                          batch_size=2, save_spiking=True)
    serial = batch.run(GRID, n_jobs=1, verbose=False)
    assert [len(b) for b in serial['simulated_data']] == [2, 1]
    assert serial['summary_statistics'] == []
    points = flat(serial)
    assert [p['param_values'] for p in points] == [{'weight': w} for w in
                                                    GRID['weight']]
    n_spikes = []
    for point in points:
        net = base_net.copy()
        set_weight(point['param_values'], net)
        ref = simulate_dipole(net, tstop=TSTOP, n_trials=2, verbose=False)
        assert_same_dipoles(point['dpl'], ref)
        assert point['spiking']['spike_times'] == net.cell_response.spike_times
        assert point['spiking']['spike_gids'] == net.cell_response.spike_gids
        assert point['spiking']['spike_types'] == net.cell_response.spike_types
        assert point['net'].cell_response == net.cell_response
        n_spikes.append(len(net.cell_response.spike_times[0]))
    # the points differ: the sweep really changes the network
    assert n_spikes[0] < n_spikes[-1], n_spikes
    assert base_net.external_drives == {}  # the base network is left alone

    parallel = batch.run(GRID, n_jobs=2, verbose=False)
    with JoblibBackend(n_jobs=2, _verbose=False):
        active = batch.run(GRID, verbose=False)
    for other in (parallel, active):
        for point, ref in zip(flat(other), points):
            assert point['param_values'] == ref['param_values']
            assert_same_dipoles(point['dpl'], ref['dpl'])
            assert point['spiking'] == ref['spiking']


def test_grid_combinations(base_net):
    batch = BatchSimulate(set_weight, net=base_net)
    grid = {'weight': [1, 2], 'mu': np.array([10., 20., 30.])}
    points = batch._generate_param_combinations(grid, combinations=True)
    assert points == [{'weight': w, 'mu': m} for w in (1, 2) for m in (10, 20, 30)]
    grid = {'weight': [1, 2, 3], 'mu': (10., 20., 30.)}
    points = batch._generate_param_combinations(grid, combinations=False)
    assert points == [{'weight': 1, 'mu': 10.}, {'weight': 2, 'mu': 20.},
                      {'weight': 3, 'mu': 30.}]
    with pytest.raises(ValueError, match=r"as many values; got \{'weight': 2, 'mu': 3"):
        batch._generate_param_combinations({'weight': [1, 2], 'mu': [1, 2, 3]},
                                           combinations=False)


def test_run_without_combinations(base_net):
    calls = Counting()
    batch = BatchSimulate(calls, net=base_net, tstop=20.)
    out = batch.run({'weight': [0.01, 0.02], 'mu': [5., 8.]}, combinations=False,
                    verbose=False)
    expected = [{'weight': 0.01, 'mu': 5.}, {'weight': 0.02, 'mu': 8.}]
    assert [p['param_values'] for p in flat(out)] == expected
    assert calls.calls == expected
    # the drive of each point has its own values
    for point, values in zip(flat(out), expected):
        drive = point['net'].external_drives['evprox']
        assert drive['dynamics']['mu'] == values['mu']
        assert drive['weights_ampa']['L5_pyramidal'] == values['weight']


def test_summary_func_and_what_is_returned(base_net, capsys):
    seen = []

    def summary_func(results):
        seen.append([r['param_values']['weight'] for r in results])
        return [float(np.max(r['dpl'][0].data['agg'])) for r in results]

    batch = BatchSimulate(set_weight, net=base_net, tstop=TSTOP, batch_size=2,
                          summary_func=summary_func)
    out = batch.run(GRID)  # verbose: a line per point and per batch
    lines = capsys.readouterr().out.splitlines()
    assert sum('point' in line and 'done' in line for line in lines) == 3, lines
    assert seen == [[0.005, 0.02], [0.1]]
    peaks = [max(r['dpl'][0].data['agg']) for r in flat(out)]
    assert out['summary_statistics'] == [peaks[:2], peaks[2:]]

    seen.clear()
    batch.clear_cache = True
    out = batch.run(GRID, verbose=False)
    assert set(out) == {'summary_statistics'} and len(seen) == 2
    assert out['summary_statistics'] == [peaks[:2], peaks[2:]]
    batch.clear_cache = False
    assert batch.run(GRID, return_output=False, verbose=False) is None
    assert capsys.readouterr().out == ''


def _equal(a, b):
    """Deep equality of saved data (dicts, lists, arrays, Dipoles, arrays' data)."""
    if isinstance(a, dict):
        return (isinstance(b, dict) and set(a) == set(b) and
                all(_equal(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if hasattr(a, 'data') and hasattr(a, 'times') and hasattr(a, 'nave'):  # Dipole
        return (np.array_equal(a.times, b.times) and _equal(a.data, b.data) and
                a.nave == b.nave)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def test_saved_files_round_trip(base_net, tmp_path):
    net = base_net.copy()
    net.add_electrode_array('probe', [(0., 0., 100.), (0., 0., 1000.)])
    batch = BatchSimulate(set_weight, net=net, tstop=20., n_trials=2, batch_size=2,
                          save_folder=tmp_path / 'out', save_outputs=True,
                          save_spiking=True, save_lfp=True, save_voltages=True,
                          record_vsec='soma')
    out = batch.run(GRID, verbose=False)
    assert sorted(os.listdir(tmp_path / 'out')) == ['sim_run_0-2.npz',
                                                   'sim_run_2-3.npz']
    loaded = batch.load_all_results()
    assert len(loaded) == 2
    for batch_results, from_file in zip(out['simulated_data'], loaded):
        assert set(from_file) == {'param_values', 'dpl', 'spiking', 'lfp',
                                  'voltages'}
        for kind in from_file:
            saved = [r[kind] for r in batch_results]
            assert _equal(from_file[kind], saved), kind
    # the LFP and voltages were recorded (not empty) and differ between points
    lfp = [r['lfp']['probe'] for r in flat(out)]
    assert np.asarray(lfp[0]._data).shape[:2] == (2, 2)
    assert not np.array_equal(lfp[0]._data, lfp[2]._data)
    assert len(flat(out)[0]['voltages'][0]) == net._n_gids
    # only what is asked for; the metadata
    only = batch.load_results(tmp_path / 'out' / 'sim_run_2-3.npz',
                              return_data=['dpl', 'metadata'])
    assert set(only) == {'param_values', 'dpl', 'metadata'}
    assert only['metadata'] == {'batch_size': 2, 'n_trials': 2, 'tstop': 20.,
                                'dt': 0.025}
    with pytest.raises(ValueError, match="'return_data'.*'dpl', 'spiking'"):
        batch.load_results(tmp_path / 'out' / 'sim_run_2-3.npz', return_data=['dpls'])


def test_resume_after_interruption(base_net, tmp_path):
    """An interrupted sweep resumes from its saved batches, redoing none of them."""
    grid = {'weight': [0.005, 0.01, 0.02, 0.05, 0.1]}
    kwargs = dict(net=base_net, tstop=20., batch_size=2, save_outputs=True,
                  save_spiking=True, save_folder=tmp_path, overwrite=False)
    # Ctrl-C while the 4th network is made; on one job, so that the first batch
    # is done by then (on two, the 4th network is made as the first ones start)
    calls = Counting(fail_at=4)
    with pytest.raises(KeyboardInterrupt):
        BatchSimulate(calls, **kwargs).run(grid, n_jobs=1, verbose=False)
    # the first batch was saved; nothing else (no partial file either)
    assert os.listdir(tmp_path) == ['sim_run_0-2.npz']
    first_file = (tmp_path / 'sim_run_0-2.npz').read_bytes()

    calls = Counting()  # resumed on every core (the default)
    out = BatchSimulate(calls, **kwargs).run(grid, verbose=False)
    assert calls.calls == [{'weight': w} for w in grid['weight'][2:]]
    assert (tmp_path / 'sim_run_0-2.npz').read_bytes() == first_file
    assert sorted(os.listdir(tmp_path)) == ['sim_run_0-2.npz', 'sim_run_2-4.npz',
                                            'sim_run_4-5.npz']
    # the same results as a run that was never interrupted
    ref = BatchSimulate(set_weight, **dict(kwargs, overwrite=True,
                                           save_outputs=False)).run(grid,
                                                                    verbose=False)
    for point, ref_point in zip(flat(out), flat(ref)):
        assert point['param_values'] == ref_point['param_values']
        assert_same_dipoles(point['dpl'], ref_point['dpl'])
        assert point['spiking'] == ref_point['spiking']
    assert 'net' not in flat(out)[0] and 'net' in flat(out)[2]

    # all done: a third run simulates nothing
    calls = Counting()
    BatchSimulate(calls, **kwargs).run(grid, verbose=False)
    assert calls.calls == []
    # a saved file that holds other points is not taken for them
    with pytest.raises(FileExistsError, match='sim_run_0-2.npz already exists and '
                                              'holds other results.*overwrite=True'):
        BatchSimulate(calls, **kwargs).run({'weight': [0.3, 0.4, 0.5]}, verbose=False)
    with pytest.raises(FileExistsError, match=r'tstop=20\.0, not 25\.0'):
        BatchSimulate(calls, **dict(kwargs, tstop=25.)).run(grid, verbose=False)
    # overwrite=True simulates again
    BatchSimulate(calls, **dict(kwargs, overwrite=True)).run(grid, verbose=False)
    assert len(calls.calls) == 5


def test_interrupted_write_leaves_no_file(base_net, tmp_path, monkeypatch):
    def savez_interrupted(fid, **data):
        fid.write(b'PK partial')
        raise KeyboardInterrupt

    monkeypatch.setattr(np, 'savez', savez_interrupted)
    batch = BatchSimulate(set_weight, net=base_net, tstop=20., save_outputs=True,
                          save_folder=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        batch.run({'weight': [0.01]}, verbose=False)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('n_jobs', [1, 2])
def test_set_params_error_names_the_point(base_net, tmp_path, n_jobs):
    calls = Counting(fail_at=3, error=ValueError)
    batch = BatchSimulate(calls, net=base_net, tstop=20., batch_size=2,
                          save_outputs=True, save_folder=tmp_path)
    with pytest.raises(ValueError, match=r"set_params failed at point 2 of the grid, "
                                         r"param_values=\{'weight': 0.03\}: "
                                         "stopped here"):
        batch.run({'weight': [0.01, 0.02, 0.03, 0.04]}, n_jobs=n_jobs, verbose=False)
    # the batch before the failing point was finished and saved
    assert os.listdir(tmp_path) == ['sim_run_0-2.npz']


def test_default_network_and_signature():
    params = inspect.signature(BatchSimulate).parameters
    assert list(params) == [
        'set_params', 'net', 'tstop', 'dt', 'n_trials', 'save_folder', 'batch_size',
        'overwrite', 'save_outputs', 'save_dpl', 'save_spiking', 'save_lfp',
        'save_voltages', 'save_currents', 'save_calcium', 'record_vsec',
        'record_isec', 'postproc', 'clear_cache', 'summary_func']
    assert params['tstop'].default == 170 and params['batch_size'].default == 100
    assert params['save_folder'].default == './sim_results'
    run = inspect.signature(BatchSimulate.run).parameters
    assert list(run)[:7] == ['self', 'param_grid', 'return_output', 'combinations',
                             'n_jobs', 'backend', 'verbose']
    # every core unless the user says otherwise (0.6.1: one job)
    assert run['n_jobs'].default == -1
    batch = BatchSimulate(set_weight)
    assert batch.net == neymotin_2020_model()
    assert batch.net is not BatchSimulate(set_weight).net


@pytest.mark.parametrize('kwargs, error, match', [
    (dict(set_params=1), TypeError, 'set_params must be an instance of a function'),
    (dict(net='net'), TypeError, 'net must be an instance of Network'),
    (dict(tstop=-1.), ValueError, 'tstop must be > 0'),
    (dict(dt=0.), ValueError, 'dt must be > 0'),
    (dict(dt=50., tstop=20.), ValueError, r'dt must be at most tstop \(20.0 ms\)'),
    (dict(n_trials=0), ValueError, 'n_trials must be an integer >= 1'),
    (dict(batch_size=2.), TypeError, 'batch_size must be an instance of int'),
    (dict(save_folder=3), TypeError, 'save_folder must be an instance of path-like'),
    (dict(save_outputs='yes'), TypeError, 'save_outputs must be an instance of bool'),
    (dict(overwrite=None), TypeError, 'overwrite must be an instance of bool'),
    (dict(record_vsec='dend'), ValueError,
     "'record_vsec' parameter: 'dend'. Allowed values are False, 'soma', 'all'"),
    (dict(record_isec=True), ValueError, "'record_isec' parameter: True"),
    (dict(summary_func='max'), TypeError, 'summary_func must be an instance of a '
                                          'function or None'),
])
def test_bad_arguments(base_net, kwargs, error, match):
    kwargs = dict(dict(set_params=set_weight, net=base_net), **kwargs)
    with pytest.raises(error, match=match):
        BatchSimulate(**kwargs)


@pytest.mark.parametrize('grid, kwargs, error, match', [
    ([0.1], {}, TypeError, 'param_grid must be an instance of dict'),
    ({}, {}, ValueError, 'param_grid must name at least one parameter'),
    ({'weight': 0.1}, {}, TypeError, r"param_grid\['weight'\] must be an instance of "
                                     'list, tuple, range or 1-d array'),
    ({'weight': []}, {}, ValueError, r"param_grid\['weight'\] must hold at least one"),
    (GRID, dict(n_jobs=0), ValueError, 'n_jobs must be an integer >= 1, or -1'),
    (GRID, dict(n_jobs=1.5), TypeError, 'n_jobs must be an instance of int'),
    (GRID, dict(backend='ray'), ValueError,
     "'backend' parameter: 'ray'. Allowed values are 'loky', 'multiprocessing', "
     "'dask'"),
    (GRID, dict(backend='threading'), ValueError, 'NEURON runs one model per '
                                                  'process.*Allowed values are'),
    (GRID, dict(dask_client=object()), ValueError,
     "dask_client is used only with backend='dask'"),
    (GRID, dict(verbose=2), TypeError, 'verbose must be an instance of bool'),
    (GRID, dict(combinations=1), TypeError, 'combinations must be an instance of bool'),
])
def test_bad_run_arguments(base_net, grid, kwargs, error, match):
    calls = Counting()
    batch = BatchSimulate(calls, net=base_net, tstop=20.)
    with pytest.raises(error, match=match):
        batch.run(grid, **kwargs)
    assert calls.calls == []  # refused before anything ran


def test_simulate_batch(base_net):
    batch = BatchSimulate(set_weight, net=base_net, tstop=20.)
    results = batch.simulate_batch([{'weight': 0.02}, {'weight': 0.05}])
    ref = batch.run({'weight': [0.02, 0.05]}, verbose=False)
    for point, ref_point in zip(results, flat(ref)):
        assert point['param_values'] == ref_point['param_values']
        assert_same_dipoles(point['dpl'], ref_point['dpl'])
    with pytest.raises(TypeError, match=r'param_combinations\[1\] must be an '
                                        'instance of dict'):
        batch.simulate_batch([{'weight': 0.02}, 0.05])


@pytest.mark.slow  # a dask cluster
def test_dask_backend(base_net):
    distributed = pytest.importorskip('distributed')
    batch = BatchSimulate(set_weight, net=base_net, tstop=20.)
    ref = batch.run(GRID, verbose=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        out = batch.run(GRID, n_jobs=-1, backend='dask', dask_client=client,
                        verbose=False)
    for point, ref_point in zip(flat(out), flat(ref)):
        assert_same_dipoles(point['dpl'], ref_point['dpl'])
