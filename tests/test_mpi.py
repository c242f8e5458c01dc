"""MPIBackend: same results as serial, failures reported, nothing left behind."""
import signal
import subprocess
import sys

import numpy as np
import pytest

from hnn_core import neymotin_2020_model, simulate_dipole, JoblibBackend, MPIBackend
from hnn_core.backends import _find_mpiexec
from hnn_core.simulation_plan import make_plan

from conftest import small_evoked_net
from test_backends import _processes_of_run, assert_ended_cleanly, signal_during_run

pytestmark = pytest.mark.skipif(_find_mpiexec('mpiexec') is None,
                                reason='no MPI launcher (pip install mpich)')


def run(backend, engine='neuron'):
    net = small_evoked_net(distal=True)
    with backend:
        dpls = simulate_dipole(net, tstop=40., n_trials=2, record_vsec='soma',
                               verbose=False, engine=engine)
    return dpls, net.cell_response


def assert_same(a, b, rtol=0.):
    """Equal dipoles, spikes and somatic voltages (bit for bit when rtol=0)."""
    (dpls_a, cr_a), (dpls_b, cr_b) = a, b
    for x, y in zip(dpls_a, dpls_b):
        np.testing.assert_array_equal(x.times, y.times)
        for layer in ('agg', 'L2', 'L5'):
            if rtol:
                scale = np.abs(x.data[layer]).max()
                np.testing.assert_allclose(x.data[layer], y.data[layer], rtol=0,
                                           atol=rtol * scale)
            else:
                np.testing.assert_array_equal(x.data[layer], y.data[layer])
    assert cr_a.spike_gids == cr_b.spike_gids
    assert cr_a.spike_types == cr_b.spike_types
    for times_a, times_b in zip(cr_a.spike_times, cr_b.spike_times):
        np.testing.assert_allclose(times_a, times_b, rtol=0, atol=1e-9 if rtol else 0)
    for trial_a, trial_b in zip(cr_a.vsec, cr_b.vsec):
        assert list(trial_a) == list(trial_b)
        for gid in trial_a:
            # voltages cross 0 mV, so compare them in absolute terms (mV)
            np.testing.assert_allclose(trial_a[gid]['soma'], trial_b[gid]['soma'],
                                       rtol=0, atol=1e-6 if rtol else 0)


@pytest.mark.slow  # launches MPI
def test_same_results_whatever_the_backend(capsys):
    """Bit-identical with NEURON whatever the number of jobs or ranks."""
    serial = run(JoblibBackend(1))
    assert sum(len(s) for s in serial[1].spike_times) > 20  # the network is active
    assert_same(serial, run(JoblibBackend(2)))
    out = capsys.readouterr().out
    assert 'joblib will run over 2 jobs' in out
    mpi2 = run(MPIBackend(n_procs=2))
    assert_same(serial, mpi2)
    assert_same(serial, run(MPIBackend(n_procs=3)))
    # more ranks than cells of some types, and than cores
    assert_same(serial, run(MPIBackend(n_procs=5)))
    out = capsys.readouterr().out
    assert 'MPI will run over 3 processes' in out


@pytest.mark.slow  # launches MPI
@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_more_ranks_than_cells(engine):
    # 4 cells and 2 drive cells over 8 ranks: ranks 4 and 5 hold a drive cell
    # only, ranks 6 and 7 nothing at all
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=1., numspikes=2, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05, 'L2_basket': 0.05})
    assert net.gid_ranges['ev'] == range(4, 6)

    def one_run(backend):
        this_net = net.copy()
        with backend:
            dpls = simulate_dipole(this_net, tstop=20., n_trials=1, verbose=False,
                                   engine=engine, record_vsec='soma')
        return dpls, this_net.cell_response

    serial = one_run(JoblibBackend(1))
    assert len(serial[1].spike_times[0]) > 2  # cells fire, not only drive cells
    assert_same(serial, one_run(MPIBackend(n_procs=8)),
                rtol=1e-9 if engine == 'coreneuron' else 0.)


@pytest.mark.slow  # launches MPI
def test_coreneuron_over_ranks():
    """CoreNEURON over MPI: same spikes, dipoles within ~1e-11.

    Spread over ranks, CoreNEURON's vectorised arithmetic and event exchange
    round a few operations differently, so bit equality holds only in one
    process (joblib).
    """
    from hnn_core.engine import available_engines
    if 'coreneuron' not in available_engines():
        pytest.skip('this NEURON has no CoreNEURON')
    serial = run(JoblibBackend(1), engine='coreneuron')
    assert_same(serial, run(JoblibBackend(2), engine='coreneuron'))
    assert_same(serial, run(MPIBackend(n_procs=2), engine='coreneuron'), rtol=1e-9)
    assert_same(serial, run(MPIBackend(n_procs=3), engine='coreneuron'), rtol=1e-9)
    # and CoreNEURON agrees with NEURON
    assert_same(serial, run(JoblibBackend(1)), rtol=1e-9)


@pytest.mark.slow  # launches MPI
def test_progress_is_reported(capsys):
    with MPIBackend(n_procs=2):
        simulate_dipole(small_evoked_net(distal=True), tstop=15., n_trials=1)
    out = capsys.readouterr().out.splitlines()
    assert ('MPI will run 1 trial(s) sequentially by distributing network neurons '
            'over 2 processes.') in out
    assert 'running trial 1 on 2 cores' in out
    assert 'Simulation time: 10.0 ms...' in out
    assert not any('numprocs' in line for line in out)
    # a callback hears rank 0's steps instead
    events = []
    with MPIBackend(n_procs=2):
        simulate_dipole(small_evoked_net(), tstop=15., n_trials=1,
                        progress=events.append)
    assert not any('Simulation time' in line
                   for line in capsys.readouterr().out.splitlines())
    assert [e.kind for e in events if e.kind != 'mechanisms'] == [
        'build', 'built', 'start', 'time', 'time', 'done']
    assert [e.n_ranks for e in events if e.kind == 'start'] == [2]


def test_fallback_without_mpi(capsys):
    backend = MPIBackend(n_procs=2, mpi_cmd='no-such-mpiexec')
    assert 'not found' in capsys.readouterr().out
    assert_same(run(JoblibBackend(1)), run(backend))
    MPIBackend(n_procs=1)
    assert 'set to use 1 process' in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(ValueError, match='n_procs must be an integer >= 1'):
        MPIBackend(n_procs=0)
    with pytest.raises(TypeError, match='mpi_cmd must be'):
        MPIBackend(mpi_cmd=3)


@pytest.mark.slow  # launches MPI
def test_failing_rank_is_reported_and_others_untouched(monkeypatch):
    import uuid
    bystander = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
    # the ranks inherit the environment: this finds them whoever their parent is
    run_id = uuid.uuid4().hex
    monkeypatch.setenv('HNN_CORE_SIGNAL_TEST', run_id)
    try:
        net = neymotin_2020_model(mesh_shape=(1, 1))  # gids 0..3: rank 1 gets gid 1
        plan, _ = make_plan(net, tstop=20., dt=0.025, n_trials=1)
        broken = plan.templates['L2_pyramidal'].sections[0].mechanisms
        broken['no_such_mechanism'] = {}
        backend = MPIBackend(n_procs=3)
        with pytest.raises(RuntimeError) as err:
            backend.simulate(plan, verbose=False)
        message = str(err.value)
        assert 'MPI simulation failed' in message
        assert '--- rank 1 ---' in message and 'no_such_mechanism' in message
        assert '--- rank 0 ---' not in message
        assert bystander.poll() is None  # not touched
        assert _processes_of_run(f'HNN_CORE_SIGNAL_TEST={run_id}') == {}
    finally:
        bystander.kill()
        bystander.wait()


@pytest.mark.slow
def test_interrupt_with_progress_leaves_nothing(tmp_path):
    """Ctrl-C while rank 0's progress flows back ends the run as well."""
    result = signal_during_run('mpi', signal.SIGINT, str(tmp_path), verbose=True)
    assert_ended_cleanly(signal.SIGINT, *result)


@pytest.mark.slow  # launches MPI
def test_edited_network_over_mpi_equals_serial():
    """Named-section locations, pruned drive cells, per-cell thresholds and a
    user-defined cell type spread over ranks as in one process."""
    import model_cases

    def make():
        net, _ = model_cases.build_case('connectivity_mesh3x3')
        cell = net.cell_types['L2_basket']['cell_object'].copy()
        net.add_cell_type('L2_basket_copy', cell, [(0., 1., 1000.), (2., 1., 1000.)],
                          cell_metadata={'electro_type': 'inhibitory'})
        net.add_connection('L2_pyramidal', 'L2_basket_copy', 'soma', 'ampa', 0.01, 1.,
                           3., threshold=-10.)
        return net

    results = []
    for backend in (JoblibBackend(1), MPIBackend(n_procs=2), MPIBackend(n_procs=3)):
        net = make()
        with backend:
            dpls = simulate_dipole(net, tstop=60., n_trials=1, verbose=False,
                                   engine='neuron')
        results.append((dpls, net.cell_response))
    assert 'L2_basket_copy' in results[0][1].spike_types[0]
    for other in results[1:]:
        assert_same(results[0], other)


@pytest.mark.slow
@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_ends_every_rank(sig, tmp_path):
    """SIGTERM (timeout, batch schedulers), Ctrl-C and a closed terminal end
    mpiexec and its ranks within seconds, remove the run's folder, and end the
    parent as the signal would have."""
    assert_ended_cleanly(sig, *signal_during_run('mpi', sig, str(tmp_path)))


@pytest.mark.slow
def test_interrupt_ends_a_stuck_rank(tmp_path):
    """A rank that never answers (stopped) does not keep the run alive."""
    result = signal_during_run('mpi', signal.SIGINT, str(tmp_path), stop_worker=True)
    assert_ended_cleanly(signal.SIGINT, *result)
