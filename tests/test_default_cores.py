"""Without a backend, one large trial uses every core as MPI ranks, several large
trials run side by side on joblib's workers (with the results of a run in this
process); small trials, and any process or thread that is itself a worker, run
in this process."""
import os
import warnings

import numpy as np
import pytest

from hnn_core import simulate_dipole, JoblibBackend, neymotin_2020_model
from hnn_core import backends
from hnn_core.backends import (_default_backend, _DefaultJobs, _DefaultRanks,
                               _inside_worker)
from hnn_core.simulation import _prepare_run
from hnn_core.simulation_plan import make_plan

from conftest import small_evoked_net
from test_mpi import assert_same

WORKER_ENV = ('PMI_RANK', 'PMI_SIZE', 'PMIX_RANK', 'OMPI_COMM_WORLD_SIZE')


def _plan(net, tstop=40., n_trials=1):
    return _prepare_run(net, tstop, 0.025, n_trials, False, False, False, None,
                        False, False, False, 'neuron', None).plan


@pytest.fixture
def two_cores(monkeypatch):
    """A machine with two usable cores, in a main process that is nobody's worker."""
    monkeypatch.setattr(backends, '_usable_cores', lambda: 2)
    monkeypatch.delenv('HNN_CORE_CORES', raising=False)
    for name in WORKER_ENV:
        monkeypatch.delenv(name, raising=False)


def test_one_large_trial_gets_every_core(two_cores, monkeypatch):
    net = small_evoked_net()
    plan = _plan(net)
    # a 3x3 network for 40 ms is too little work to pay for starting MPI
    assert backends._trial_work(plan) < backends._MIN_WORK_FOR_CORES
    assert _default_backend(plan).n_jobs == 1
    assert _default_backend(_plan(net, n_trials=4)).n_jobs == 1
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)
    chosen = _default_backend(plan)
    assert isinstance(chosen, _DefaultRanks) and chosen.n_procs == 2
    # several trials run side by side, one per core
    many = _default_backend(_plan(net, n_trials=5))
    assert isinstance(many, _DefaultJobs) and many.n_jobs == 2
    monkeypatch.setattr(backends, '_usable_cores', lambda: 8)
    assert _default_backend(_plan(net, n_trials=3)).n_jobs == 3
    # no more ranks than cells
    monkeypatch.setattr(backends, '_usable_cores', lambda: 64)
    assert _default_backend(plan).n_procs == plan.n_cells


def test_cores_chosen_by_the_environment(two_cores, monkeypatch):
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)
    plan = _plan(small_evoked_net())
    monkeypatch.setenv('HNN_CORE_CORES', '1')
    assert _default_backend(plan).n_jobs == 1
    assert _default_backend(_plan(small_evoked_net(), n_trials=4)).n_jobs == 1
    monkeypatch.setenv('HNN_CORE_CORES', '3')
    assert _default_backend(plan).n_procs == 3
    for bad in ('0', 'all', '-2', '1.5'):
        monkeypatch.setenv('HNN_CORE_CORES', bad)
        with pytest.raises(ValueError, match=f"HNN_CORE_CORES must be .*{bad!r}"):
            _default_backend(plan)


@pytest.mark.parametrize('name', WORKER_ENV)
def test_an_mpi_rank_does_not_start_ranks(two_cores, monkeypatch, name):
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)
    monkeypatch.setenv(name, '0')
    assert _inside_worker()
    for n_trials in (1, 3):
        plan = _plan(small_evoked_net(), n_trials=n_trials)
        assert _default_backend(plan).n_jobs == 1


def _worker_check():
    return os.getpid(), _inside_worker()


@pytest.mark.parametrize('joblib_backend', ['loky', 'multiprocessing'])
def test_a_joblib_worker_does_not_start_ranks(joblib_backend):
    from joblib import Parallel, delayed, parallel_config
    assert not _inside_worker()  # pytest's own process
    with parallel_config(backend=joblib_backend):
        found = Parallel(n_jobs=2)(delayed(_worker_check)() for _ in range(2))
    assert all(pid != os.getpid() and inside for pid, inside in found)


def test_a_worker_thread_does_not_start_ranks(two_cores, monkeypatch):
    import threading
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)
    plan = _plan(small_evoked_net())
    many = _plan(small_evoked_net(), n_trials=3)
    found = []
    thread = threading.Thread(target=lambda: found.extend(
        [_default_backend(plan), _default_backend(many)]))
    thread.start()
    thread.join()
    assert [backend.n_jobs for backend in found] == [1, 1]
    assert isinstance(_default_backend(plan), _DefaultRanks)  # the main thread


@pytest.mark.slow  # launches MPI
def test_default_ranks_give_the_results_of_one_process(two_cores, monkeypatch,
                                                       capsys):
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)

    def one_trial(backend=None):
        net = small_evoked_net(distal=True)
        kwargs = dict(tstop=40., n_trials=1, record_vsec='soma', engine='neuron')
        if backend is None:
            dpls = simulate_dipole(net, **kwargs)
        else:
            with backend:
                dpls = simulate_dipole(net, verbose=False, **kwargs)
        return dpls, net.cell_response

    capsys.readouterr()
    default = one_trial()
    out = capsys.readouterr().out
    assert 'running trial 1 on 2 cores' in out  # the progress says where it ran
    assert 'MPI will run' not in out and 'joblib will run' not in out
    serial = one_trial(JoblibBackend(1))
    assert sum(len(s) for s in serial[1].spike_times) > 20  # the network is active
    assert_same(serial, default)  # bit for bit with NEURON


def test_mpi_that_cannot_start_falls_back_to_this_process(tmp_path):
    broken = tmp_path / 'mpiexec'
    broken.write_text('#!/bin/sh\n'
                      'echo "cannot reach the process manager" >&2\nexit 7\n')
    broken.chmod(0o755)
    net = small_evoked_net()
    with JoblibBackend(1):
        dpls = simulate_dipole(net, tstop=20., n_trials=1, verbose=False)
    expected = dpls[0].data['agg']
    net = small_evoked_net()
    with pytest.warns(RuntimeWarning, match=r'(?s)could not run the trial over 2 '
                      r'cores.*HNN_CORE_CORES=1.*exit code 7.*process manager'):
        with _DefaultRanks(n_procs=2, mpi_cmd=str(broken), _verbose=False):
            dpls = simulate_dipole(net, tstop=20., n_trials=1, verbose=False)
    np.testing.assert_array_equal(dpls[0].data['agg'], expected)


@pytest.mark.slow  # launches MPI
def test_a_model_error_on_the_ranks_is_not_retried(monkeypatch):
    """A failure inside the ranks is the model's: raised, not run again here."""
    net = neymotin_2020_model(mesh_shape=(1, 1))  # gids 0..3: rank 1 gets gid 1
    plan, _ = make_plan(net, tstop=20., dt=0.025, n_trials=1)
    plan.templates['L2_pyramidal'].sections[0].mechanisms['no_such_mechanism'] = {}
    in_process = []
    monkeypatch.setattr(backends, '_run_one', lambda *args: in_process.append(args))
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no fallback warning either
        with pytest.raises(RuntimeError, match=r'(?s)rank 1.*no_such_mechanism'):
            _DefaultRanks(n_procs=2, _verbose=False).simulate(plan, verbose=False)
    assert in_process == []


def test_fits_and_sweeps_use_their_own_jobs(two_cores, monkeypatch):
    """Many runs (fits, BatchSimulate) go to joblib's jobs, each trial on the core
    of its job: never MPI ranks of their own."""
    from hnn_core.simulation import _simulate_many
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)

    def no_ranks(*args, **kwargs):
        raise AssertionError('a trial of a many-run started MPI ranks')
    monkeypatch.setattr(_DefaultRanks, 'simulate', no_ranks)
    real = backends.JoblibBackend.simulate_plans
    seen = []

    def spy(self, plans, verbose=False):
        seen.append(self.n_jobs)
        return real(self, plans, verbose=verbose)
    monkeypatch.setattr(backends.JoblibBackend, 'simulate_plans', spy)
    nets = [small_evoked_net(), small_evoked_net()]
    done = list(_simulate_many(nets, tstop=20., n_trials=1))
    assert [idx for idx, _ in done] == [0, 1]
    np.testing.assert_array_equal(done[0][1][0].data['agg'], done[1][1][0].data['agg'])
    assert seen == [backends._default_many_backend().n_jobs]  # joblib's jobs


@pytest.mark.slow  # starts joblib's workers
def test_default_jobs_tell_when_each_trial_is_done(two_cores, monkeypatch, capsys):
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)
    net = small_evoked_net()
    capsys.readouterr()
    dpls = simulate_dipole(net, tstop=20., n_trials=3)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'joblib will run over 2 jobs'
    assert out[1:] == [f'trial {k} of 3 done' for k in (1, 2, 3)]
    with JoblibBackend(1, _verbose=False):
        serial = simulate_dipole(small_evoked_net(), tstop=20., n_trials=3,
                                 verbose=False)
    for mine, theirs in zip(dpls, serial):  # bit for bit: one trial per process
        np.testing.assert_array_equal(mine.data['agg'], theirs.data['agg'])
