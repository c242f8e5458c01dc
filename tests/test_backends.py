"""Trials scheduled by JoblibBackend give the same results as a serial run."""
import numpy as np
import pytest

from hnn_core import simulate_dipole, JoblibBackend

from conftest import small_evoked_net


def run(n_jobs, capsys=None):
    net = small_evoked_net()
    with JoblibBackend(n_jobs=n_jobs) as backend:
        assert backend.n_jobs == n_jobs
        dpls = simulate_dipole(net, tstop=40., n_trials=2, verbose=False)
    return dpls, net.cell_response


def test_joblib_matches_serial(capsys):
    serial, cr_serial = run(1)
    assert capsys.readouterr().out == 'joblib will run over 1 jobs\n'
    parallel, cr_parallel = run(2)
    assert capsys.readouterr().out == 'joblib will run over 2 jobs\n'
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.times, b.times)
        for layer in ('agg', 'L2', 'L5'):
            np.testing.assert_array_equal(a.data[layer], b.data[layer])
    assert cr_serial.spike_times == cr_parallel.spike_times
    assert cr_serial.spike_gids == cr_parallel.spike_gids
    assert cr_serial.spike_types == cr_parallel.spike_types
    assert len(serial) == 2 and not np.array_equal(serial[0].data['agg'],
                                                   serial[1].data['agg'])


def test_joblib_multiprocessing_backend():
    """JoblibBackend runs on whatever joblib backend is active."""
    from joblib import parallel_config
    serial, cr_serial = run(1)
    with parallel_config(backend='multiprocessing'):
        parallel, cr_parallel = run(2)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.data['agg'], b.data['agg'])
    assert cr_serial.spike_times == cr_parallel.spike_times


def test_joblib_on_a_local_dask_cluster():
    """Trials spread over dask workers (the way to use a cluster)."""
    distributed = pytest.importorskip('distributed')
    from joblib import parallel_config
    serial, cr_serial = run(1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        with parallel_config(backend='dask'):
            parallel, cr_parallel = run(2)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.data['agg'], b.data['agg'])
    assert cr_serial.spike_gids == cr_parallel.spike_gids


def test_joblib_n_jobs(capsys):
    from joblib import effective_n_jobs
    backend = JoblibBackend(n_jobs=-1)  # joblib's "every core"
    assert backend.n_jobs == effective_n_jobs(-1) >= 1
    assert capsys.readouterr().out == f'joblib will run over {backend.n_jobs} jobs\n'
    with pytest.raises(ValueError, match='n_jobs must be an integer >= 1, or -1'):
        JoblibBackend(n_jobs=0)
    with pytest.raises(TypeError, match='n_jobs must be'):
        JoblibBackend(n_jobs='2')


def test_joblib_workers_report_each_finished_trial(capsys):
    events = []
    with JoblibBackend(n_jobs=2):
        simulate_dipole(small_evoked_net(), tstop=10., n_trials=3,
                        progress=events.append)
    assert [(e.kind, e.trial, e.fraction) for e in events] == [
        ('done', 0, 1 / 3), ('done', 1, 2 / 3), ('done', 2, 1.)]
