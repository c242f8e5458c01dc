"""The NEURON engine on tiny networks: isolated cells, events, spike timing."""
import numpy as np
import pytest

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.drives import emitted_times

DT = 0.025


def raw_dipoles(dpl):
    """Undo the baseline renormalisation of a 1x1 network: per-cell dipoles (fAm)."""
    t = dpl.times
    l2 = dpl.data['L2'] / 1e-6 + 0.0443
    l5 = dpl.data['L5'] / 1e-6
    l5 = np.where(t <= 37., l5 - 49.0502, l5 + (3.4770508e-3 * t - 51.231085))
    return l2, l5


def at(times, values, t):
    return values[int(round(t / DT))]


def test_isolated_cells():
    """No drive: the 1x1 network's cells never spike, so each is isolated.

    Values from the model document (section 11.2), measured with hnn-core 0.6.1.
    """
    net = neymotin_2020_model(mesh_shape=(1, 1))
    (dpl,) = simulate_dipole(net, tstop=50., verbose=False)
    assert net.cell_response.spike_times == [[]]
    l2, l5 = raw_dipoles(dpl)
    for t, q2, q5 in ((0.025, 0.000668804, -61.211334840),
                      (1., 0.028136150, -58.685760146),
                      (10., 0.047743526, -49.541194552),
                      (50., 0.045905491, -51.133078408)):
        np.testing.assert_allclose(at(dpl.times, l2, t), q2, rtol=2e-6, atol=1e-9)
        np.testing.assert_allclose(at(dpl.times, l5, t), q5, rtol=1e-8)
    # the t = 0 sample is recorded as 0 before the baseline is applied
    assert l2[0] == pytest.approx(0., abs=1e-12) and l5[0] == pytest.approx(0., abs=1e-9)


def test_single_tuft_event_on_l5():
    """One AMPA event of 0.01 uS on the L5 apical tuft at 5.1 ms (section 11.2)."""
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('tuft', mu=5.0, sigma=0., numspikes=1, location='distal',
                         weights_ampa={'L5_pyramidal': 0.01}, synaptic_delays=0.1)
    (dpl,) = simulate_dipole(net, tstop=10., verbose=False)
    _, l5 = raw_dipoles(dpl)
    for t, q5 in ((6., -93.155464), (8., -1213.757001), (10., 204.103917)):
        np.testing.assert_allclose(at(dpl.times, l5, t), q5, rtol=1e-8)


def test_spike_times_on_the_step_grid():
    """Real cells spike at t_n + 1e-10; drive cells at their (emitted) times."""
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=20., sigma=4., numspikes=5, location='proximal',
                         weights_ampa={'L2_basket': 0.5, 'L5_pyramidal': 0.05},
                         event_seed=11)
    (dpl,) = simulate_dipole(net, tstop=40., verbose=False)
    cr = net.cell_response
    times, gids = np.array(cr.spike_times[0]), np.array(cr.spike_gids[0])
    real = gids < net.n_cells
    assert real.sum() > 0
    for t in times[real]:
        n = int(round(t / DT))
        assert dpl.times[n] + 1e-10 == t
    for k, gid in enumerate(net.gid_ranges['ev']):
        draws = np.random.RandomState(11 + k).normal(20., 4., 5)
        expected = emitted_times(np.sort(draws[(draws > 0) & (draws <= 40.)]))
        np.testing.assert_array_equal(np.sort(times[gids == gid]), expected)
    assert set(cr.spike_types[0]) <= {'ev', 'L2_basket', 'L2_pyramidal',
                                      'L5_basket', 'L5_pyramidal'}
    assert list(times) == sorted(times)


def test_long_spike_trains_are_split_over_sources():
    """More spikes than one DriveSource holds still all fire, under one gid."""
    from hnn_core.engine.model import _MAX_SPIKES_PER_SOURCE
    n = 2 * _MAX_SPIKES_PER_SOURCE + 7
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('many', mu=50., sigma=20., numspikes=n, location='distal',
                         weights_ampa={'L2_pyramidal': 1e-6}, cell_specific=False,
                         n_drive_cells=1, event_seed=3)
    simulate_dipole(net, tstop=100., verbose=False)
    cr = net.cell_response
    gid = net.gid_ranges['many'][0]
    mine = np.array([t for t, g in zip(cr.spike_times[0], cr.spike_gids[0]) if g == gid])
    draws = np.random.RandomState(3).normal(50., 20., n)
    expected = emitted_times(np.sort(draws[(draws > 0) & (draws <= 100.)]))
    assert len(expected) > _MAX_SPIKES_PER_SOURCE
    np.testing.assert_array_equal(np.sort(mine), expected)


def test_chunks_are_longer_over_ranks_for_the_same_memory(monkeypatch):
    """CoreNEURON's chunks: N ranks each record 1/N of the values, so N times longer."""
    from hnn_core.engine import run
    from hnn_core.engine.run import CORENEURON_CHUNK, _chunk_ends, _values_per_step
    from hnn_core.simulation_plan import make_plan
    net = neymotin_2020_model(mesh_shape=(3, 3))
    plan, _ = make_plan(net, tstop=170., dt=DT, n_trials=1)
    counts = {}
    for n_ranks in (1, 2, 3, 5):
        ends = np.array(_chunk_ends(plan, n_ranks))
        assert ends[-1] == 170.
        np.testing.assert_allclose(ends / DT, np.round(ends / DT), atol=1e-9)
        lengths = np.diff(ends, prepend=0.)
        assert lengths.max() - lengths.min() <= DT + 1e-9
        # a rank's chunk lasts about CORENEURON_CHUNK ms per rank (at most tstop)
        target = min(CORENEURON_CHUNK * n_ranks, 170.)
        assert 0.7 * target <= lengths.mean() <= 1.5 * target
        counts[n_ranks] = len(ends)
    assert counts == {1: 4, 2: 2, 3: 1, 5: 1}

    # electrode arrays read every segment: a rank's chunk holds at most
    # CHUNK_VALUES values (lowered here so that this small network reaches it)
    net.add_electrode_array('point', (0., 0., 0.))
    plan, _ = make_plan(net, tstop=170., dt=DT, n_trials=1)
    monkeypatch.setattr(run, 'CHUNK_VALUES', 4e5)
    for n_ranks in (1, 2):
        lengths = np.diff(_chunk_ends(plan, n_ranks), prepend=0.)
        per_chunk = _values_per_step(plan, n_ranks) * lengths / DT
        assert 0.8 * 4e5 < per_chunk.max() <= 4e5 * 1.01


def test_trials_are_reproducible_and_replace_results():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=10., sigma=3., numspikes=2, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05})
    first = simulate_dipole(net, tstop=30., n_trials=2, verbose=False)
    spikes_first = net.cell_response.spike_times
    second = simulate_dipole(net, tstop=30., n_trials=2, verbose=False)
    assert len(net.cell_response.spike_times) == 2  # replaced, not appended
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.data['agg'], b.data['agg'])
    assert net.cell_response.spike_times == spikes_first
    # different seeds per trial
    assert not np.array_equal(first[0].data['agg'], first[1].data['agg'])


def test_progress_output(capsys):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    simulate_dipole(net, tstop=30., verbose=True)
    out = capsys.readouterr().out.splitlines()
    out = [line for line in out if not line.startswith('Loading custom mechanism')]
    assert out == ['joblib will run over 1 jobs', 'Building the NEURON model', '[Done]',
                   'running trial 1 on 1 cores', 'Simulation time: 0.03 ms...',
                   'Simulation time: 10.0 ms...', 'Simulation time: 20.0 ms...']
    simulate_dipole(net, tstop=30., verbose=False)
    assert capsys.readouterr().out == ''


def test_progress_callback(capsys):
    """A callback hears every step instead of the printed lines."""
    from hnn_core.progress import ProgressEvent
    net = neymotin_2020_model(mesh_shape=(1, 1))
    events = []
    simulate_dipole(net, tstop=30., n_trials=2, progress=events.append)
    assert capsys.readouterr().out == ''
    assert all(isinstance(e, ProgressEvent) for e in events)
    kinds = [e.kind for e in events if e.kind != 'mechanisms']
    assert kinds == ['build', 'built', 'start', 'time', 'time', 'time', 'done'] * 2
    times = [e.t for e in events if e.kind == 'time']
    assert times == [0.025, 10., 20.] * 2
    assert [e.trial for e in events if e.kind == 'done'] == [0, 1]
    fractions = [e.fraction for e in events if e.kind != 'mechanisms']
    assert fractions == sorted(fractions) and fractions[-1] == 1.
    with pytest.raises(TypeError, match='progress must be an instance of a function or None'):
        simulate_dipole(net, tstop=30., progress='bar')


@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_a_finished_trial_leaves_no_model_behind(engine):
    # Sections left over from earlier trials would be integrated again by every
    # later one, each run slower than the one before.
    from neuron import h
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05})
    for _ in range(2):
        simulate_dipole(net, tstop=10., n_trials=2, engine=engine, verbose=False)
        assert sum(1 for _ in h.allsec()) == 0
        assert len(h.List('NetCon')) == 0


RECORD_ALL = {'vsec': 'all', 'isec': 'all', 'ca': 'all'}


def _one_event_plan(engine, mesh, mu, tstop, record=None):
    """The plan of one trial: one evoked event at ``mu`` ms into L5 pyramidal cells."""
    from hnn_core.simulation_plan import make_plan
    net = neymotin_2020_model(mesh_shape=(mesh, mesh))
    net.add_evoked_drive('ev', mu=mu, sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05})
    plan, _ = make_plan(net, tstop=tstop, dt=DT, n_trials=1, engine=engine,
                        record=record)
    return plan


def _tracked_objects(*ignore):
    """Python objects the garbage collector tracks (but ``ignore``), by type."""
    import collections
    import gc
    gc.collect()
    skip = {id(o) for o in ignore} | {id(ignore)}
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects()
                               if id(o) not in skip)


@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_repeated_trials_hold_no_python_objects(engine):
    # A fit runs thousands of trials in one process: whatever a trial leaves
    # behind (per recorded segment, per connection) adds up to gigabytes. Two
    # CoreNEURON chunks and every kind of trace, so each way samples leave
    # NEURON is taken more than once per trial.
    from hnn_core.engine import run_trial
    plan = _one_event_plan(engine, mesh=1, mu=5., tstop=60., record=RECORD_ALL)
    # First-use caches fill up in the first trial, and some (weak ones) once
    # more after the first full collection.
    for _ in range(2):
        run_trial(plan, 0, verbose=False)
        _tracked_objects()
    before = _tracked_objects()
    n_runs = 2
    for _ in range(n_runs):
        result = run_trial(plan, 0, verbose=False)
    del result
    after = _tracked_objects(before)
    grown = {name: after[name] - before[name] for name in after
             if after[name] > before[name]}
    assert grown == {}, f'objects left behind by {n_runs} trials: {grown}'


@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_repeated_trials_hold_no_python_memory(engine):
    # Objects the garbage collector does not track (NEURON's object wrappers
    # among them) escape the count above; tracemalloc sees every Python
    # allocation. A 1x1 trial recording everything makes ~180 NEURON objects,
    # so a leak of one small object each shows as kilobytes per trial.
    import gc
    import tracemalloc
    from hnn_core.engine import run_trial
    plan = _one_event_plan(engine, mesh=1, mu=5., tstop=60., record=RECORD_ALL)
    tracemalloc.start()
    try:
        for _ in range(2):
            run_trial(plan, 0, verbose=False)
            gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        n_runs = 3
        for _ in range(n_runs):
            result = run_trial(plan, 0, verbose=False)
        del result
        gc.collect()
        grown = (tracemalloc.get_traced_memory()[0] - before) / n_runs
    finally:
        tracemalloc.stop()
    # NEURON's own CoreNEURON driver keeps a few small objects per chunk (about
    # 0.8 kB per trial here), out of reach of this package.
    assert grown < 2500, f'{grown:.0f} bytes of Python memory kept per trial'


def _malloc_in_use():
    """Bytes glibc's malloc has handed out and not had back (None elsewhere)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks',
            'uordblks', 'fordblks', 'keepcost')]
    try:
        mallinfo2 = ctypes.CDLL('libc.so.6').mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_repeated_trials_hold_no_native_memory(engine):
    # What NEURON allocates for a trial must go back when the trial ends. Two
    # ways it did not (~10 kB per trial here): a spike source still recording
    # into a vector outlived its cell, and NEURON 9 keeps 32 bytes for every
    # pointer Python took to data of a deleted section. NEURON 8.2 has small
    # leaks of its own, so this is checked with the newest NEURON only. One
    # CoreNEURON chunk: chunk boundaries keep memory inside NEURON (see
    # benchmarks/bench_memory.py).
    import gc
    import neuron
    from hnn_core.engine import run_trial
    if _malloc_in_use() is None:
        pytest.skip('needs glibc (mallinfo2)')
    if int(neuron.__version__.split('.')[0]) < 9:
        pytest.skip('NEURON 8.2 leaks a little by itself')
    plan = _one_event_plan(engine, mesh=3, mu=2., tstop=5.)
    for _ in range(5):
        run_trial(plan, 0, verbose=False)
    # malloc's bytes in use move by a few hundred bytes per trial either way
    # (caches, pools); a leak shows in every block of trials, noise does not
    per_block = []
    n_runs = 6
    for _ in range(3):
        gc.collect()
        before = _malloc_in_use()
        for _ in range(n_runs):
            run_trial(plan, 0, verbose=False)
        gc.collect()
        per_block.append((_malloc_in_use() - before) / n_runs)
    grown = min(per_block)
    assert grown < 800, (f'{grown:.0f} bytes of native memory kept per trial at '
                         f'least (blocks of {n_runs} trials: {per_block})')


@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_a_failed_build_leaves_nothing_behind(engine, monkeypatch):
    # An error (or a signal) while the model is being built must not leave its
    # gids registered: the next run of the process would fail on them.
    from neuron import h
    from hnn_core.engine import model
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05})

    def interrupted(self, *args):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(model.NeuronNetwork, '_add_biases', interrupted)
        with pytest.raises(KeyboardInterrupt):
            simulate_dipole(net, tstop=10., n_trials=1, engine=engine, verbose=False)
    assert sum(1 for _ in h.allsec()) == 0
    dpl = simulate_dipole(net, tstop=10., n_trials=1, engine=engine, verbose=False)[0]
    assert np.isfinite(dpl.data['agg']).all() and np.abs(dpl.data['agg']).max() > 0


def _resident_bytes():
    with open('/proc/self/statm') as fid:
        import os
        return int(fid.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_a_trial_gives_its_freed_heap_back(engine):
    # Freed native memory that malloc keeps for itself still counts as the
    # process's memory; over a fit's thousands of trials it looked like a leak
    # (RSS growing while malloc's in-use bytes stayed flat).
    import ctypes
    try:
        malloc_trim = ctypes.CDLL('libc.so.6').malloc_trim
    except (OSError, AttributeError):
        pytest.skip('needs glibc (malloc_trim)')
    from hnn_core.engine import run_trial
    plan = _one_event_plan(engine, mesh=3, mu=2., tstop=20.)
    run_trial(plan, 0, verbose=False)
    before = _resident_bytes()
    malloc_trim(0)
    kept = before - _resident_bytes()
    assert kept < 256 * 1024, f'{kept / 2**20:.2f} MiB of freed heap kept after a trial'
