"""Extracellular potentials against hnn-core 0.6.1 (the oracle), and what must hold
around them: MPI, unchanged dipoles, min_distance, bad input, network files and
the sections a trial leaves behind.

The networks come from ``tests/data/extracellular_cases.py`` (hnn-core 0.6.1's public
API only), the very code ``tests/data/make_extracellular_cases.py`` ran in the oracle.
Each contact trace must agree with the oracle's to a relative RMS error of 1e-9
(``rms(ours - ref) / rms(ref)``); run with ``-s`` to see the worst error per array.
"""
import gc
import os.path as op

import matplotlib.pyplot as plt
import numpy as np
import pytest

from hnn_core import (neymotin_2020_model, simulate_dipole, JoblibBackend, MPIBackend,
                      read_network_configuration, write_network_configuration)
from hnn_core.backends import _find_mpiexec
from hnn_core.cell_template import compile_cell
from hnn_core.extracellular import calculate_csd2d
from hnn_core.extracellular_geometry import section_end_points, transfer_matrix

from conftest import DATA, rel_rms, assert_same_spikes
from test_model_reference import check_against_oracle
import extracellular_cases

RTOL_LFP = 1e-9  # relative RMS per contact trace, against the oracle
RTOL_MPI = 1e-12  # relative RMS per contact trace, MPI against one process


def _engines():
    from hnn_core.engine import available_engines
    return available_engines()


ENGINES = pytest.mark.parametrize('engine', _engines())
BOTH_ENGINES = pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])


def _skip_unless_available(engine):
    if engine not in _engines():
        pytest.skip(f'{engine} is not available')


def _worst_rel_rms(mine, ref):
    """Largest relative RMS error over the traces (last axis) of mine against ref."""
    mine, ref = np.asarray(mine), np.asarray(ref)
    assert mine.shape == ref.shape, (mine.shape, ref.shape)
    traces = zip(mine.reshape(-1, mine.shape[-1]), ref.reshape(-1, ref.shape[-1]))
    return max(rel_rms(x, r) for x, r in traces)


def _run_case(name, engine, arrays=extracellular_cases.ARRAY_NAMES, backend=None,
              **overrides):
    net, sim_kwargs = extracellular_cases.build_extracellular_case(name, arrays=arrays)
    sim_kwargs.update(overrides)
    if backend is None:
        dpls = simulate_dipole(net, verbose=False, engine=engine, **sim_kwargs)
    else:
        with backend:
            dpls = simulate_dipole(net, verbose=False, engine=engine, **sim_kwargs)
    return net, dpls


def _check_lfp_against_oracle(name, engine, net, dpls):
    """Every trace of every array within RTOL_LFP, times equal, dipoles and spikes."""
    import neuron
    ref = np.load(op.join(DATA, f'{name}.npz'))
    check_against_oracle(net, dpls, ref, engine)
    assert list(net.rec_arrays) == list(extracellular_cases.ARRAY_NAMES)
    worst = {}
    for array, rec in net.rec_arrays.items():
        np.testing.assert_array_equal(rec.times, ref['lfp_times'])
        worst[array] = _worst_rel_rms(rec.voltages, ref[f'lfp_{array}'])
    report = ', '.join(f'{array} {err:.2g}' for array, err in worst.items())
    print(f'\n{name} {engine} (NEURON {neuron.__version__}): worst relative RMS '
          f'per array: {report}')
    assert max(worst.values()) <= RTOL_LFP, report
    return ref


@pytest.fixture(scope='module')
def mesh3x3_runs():
    """The 3x3 case simulated once per engine (a test's first use runs it)."""
    runs = {}

    def get(engine):
        if engine not in runs:
            runs[engine] = _run_case('extracellular_mesh3x3', engine)
        return runs[engine]
    yield get
    runs.clear()


@pytest.mark.reference
@ENGINES
def test_mesh3x3_matches_hnn_core_061(engine, mesh3x3_runs):
    net, dpls = mesh3x3_runs(engine)
    _check_lfp_against_oracle('extracellular_mesh3x3', engine, net, dpls)


@pytest.mark.reference
@ENGINES
def test_csd_of_our_lfp_matches_hnn_core_061(engine, mesh3x3_runs):
    net, _ = mesh3x3_runs(engine)
    ref = np.load(op.join(DATA, 'extracellular_mesh3x3.npz'))
    shank = net.rec_arrays['shank_psa']
    csd = calculate_csd2d(shank.voltages[0], delta=extracellular_cases.SHANK_SPACING)
    err = _worst_rel_rms(csd, ref['csd_shank_psa'])
    print(f'\nCSD of shank_psa, {engine}: worst relative RMS per row {err:.2g}')
    assert err <= RTOL_LFP, err
    fig = shank.plot_csd(show=False)
    try:
        assert len(fig.axes) == 2  # the image and its colour bar
    finally:
        plt.close(fig)


@pytest.mark.reference
@pytest.mark.slow
def test_mesh10x10_matches_hnn_core_061():
    engine = _engines()[0]
    net, dpls = _run_case('extracellular_mesh10x10', engine)
    _check_lfp_against_oracle('extracellular_mesh10x10', engine, net, dpls)


@pytest.mark.slow  # launches MPI
@pytest.mark.skipif(_find_mpiexec('mpiexec') is None,
                    reason='no MPI launcher (pip install mpich)')
@BOTH_ENGINES
def test_mpi_gives_the_serial_potentials(engine):
    _skip_unless_available(engine)
    short = dict(n_trials=1, tstop=40.)
    serial, serial_dpls = _run_case('extracellular_mesh3x3', engine,
                                    backend=JoblibBackend(1), **short)
    mpi, mpi_dpls = _run_case('extracellular_mesh3x3', engine,
                              backend=MPIBackend(n_procs=2), **short)
    worst = {}
    for array, rec in serial.rec_arrays.items():
        theirs = mpi.rec_arrays[array]
        assert theirs.voltages.shape == rec.voltages.shape == (1, rec.n_contacts, 1601)
        np.testing.assert_array_equal(theirs.times, rec.times)
        worst[array] = _worst_rel_rms(theirs.voltages, rec.voltages)
    report = ', '.join(f'{array} {err:.2g}' for array, err in worst.items())
    print(f'\nMPI (2 ranks) against one process, {engine}: worst relative RMS '
          f'per array: {report}')
    assert max(worst.values()) <= RTOL_MPI, report
    assert_same_spikes(mpi.cell_response.spike_times[0],
                       mpi.cell_response.spike_gids[0],
                       serial.cell_response.spike_times[0],
                       serial.cell_response.spike_gids[0], atol=1e-9)


@pytest.mark.both_neurons
@BOTH_ENGINES
def test_arrays_leave_dipoles_and_spikes_unchanged(engine):
    _skip_unless_available(engine)
    short = dict(n_trials=1, tstop=40.)
    bare, bare_dpls = _run_case('extracellular_mesh3x3', engine, arrays=(), **short)
    full, full_dpls = _run_case('extracellular_mesh3x3', engine, **short)
    assert bare.rec_arrays == {} and len(full.rec_arrays) == 4
    for layer in ('agg', 'L2', 'L5'):
        np.testing.assert_array_equal(full_dpls[0].data[layer], bare_dpls[0].data[layer],
                                      err_msg=layer)
    assert len(bare.cell_response.spike_times[0]) > 0
    np.testing.assert_array_equal(full.cell_response.spike_times[0],
                                  bare.cell_response.spike_times[0])
    np.testing.assert_array_equal(full.cell_response.spike_gids[0],
                                  bare.cell_response.spike_gids[0])


# -- min_distance: a contact on the axis of the 1x1 L5 pyramidal cell -------------
CLAMPED_SECTION, CLAMPED_SEGMENT = 'apical_trunk', 1


def _one_cell_net():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.05})
    return net


def _segment_centre(template, pos, sec_name, k):
    """The centre (um) of segment k of a section, computed as the engine does."""
    names = [sec.name for sec in template.sections]
    idx = names.index(sec_name)
    start, end = section_end_points(template, pos)[idx]
    nseg = template.sections[idx].nseg
    return start + ((k + 0.5) / nseg) * (end - start), idx


def _on_axis_contact():
    net = _one_cell_net()
    template = compile_cell(net.cell_types['L5_pyramidal']['cell_object'],
                            'L5_pyramidal')
    pos = net.pos_dict['L5_pyramidal'][0]
    centre, idx = _segment_centre(template, pos, CLAMPED_SECTION, CLAMPED_SEGMENT)
    # the apical trunk is vertical: the centre lies on the cell's axis
    assert centre[0] == pos[0] and centre[1] == pos[1]
    seg = sum(sec.nseg for sec in template.sections[:idx]) + CLAMPED_SEGMENT
    return net, template, pos, tuple(centre), seg


@pytest.mark.parametrize('min_distance', [0.5, 5.0])
def test_min_distance_bounds_the_transfer_resistance(min_distance):
    _, template, pos, contact, seg = _on_axis_contact()
    R = transfer_matrix(template, pos, [contact], conductivity=0.3, method='psa',
                        min_distance=min_distance)
    np.testing.assert_allclose(R[0, seg], 1000. / (4 * np.pi * 0.3 * min_distance),
                               rtol=1e-14)
    others = np.delete(R[0], seg)
    assert np.all(np.isfinite(R)) and others.max() < R[0, seg]


@pytest.mark.both_neurons
@pytest.mark.parametrize('method', ['psa', 'lsa'])
def test_min_distance_changes_only_the_near_contact(method):
    contact = _on_axis_contact()[3]
    far = (contact[0] + 1000., contact[1], contact[2])
    traces = {}
    for min_distance in (0.5, 5.0):
        net = _one_cell_net()
        net.add_electrode_array('e', [contact, far], method=method,
                                min_distance=min_distance)
        simulate_dipole(net, tstop=20., n_trials=1, verbose=False)
        traces[min_distance] = net.rec_arrays['e'].voltages[0]
    near_a, far_a = traces[0.5]
    near_b, far_b = traces[5.0]
    assert np.all(np.isfinite(traces[0.5])) and np.ptp(near_a) > 0
    assert rel_rms(near_b, near_a) > 1e-3, rel_rms(near_b, near_a)
    np.testing.assert_array_equal(far_b, far_a)
    assert np.ptp(far_a) > 0


# -- bad input through the Network --------------------------------------------------
@pytest.mark.parametrize('kwargs, error, match', [
    (dict(electrode_pos=[(0., 0.)]), ValueError,
     r'positions\[0\] must be an \(x, y, z\) triplet'),
    (dict(electrode_pos=[(0., 0., 1.), (1., 2., 3., 4.)]), ValueError,
     r'positions\[1\] must be an \(x, y, z\) triplet'),
    (dict(electrode_pos='shank'), TypeError, 'positions must be'),
    (dict(conductivity=0.), ValueError, 'conductivity must be > 0'),
    (dict(conductivity=-0.3), ValueError, 'conductivity must be > 0'),
    (dict(min_distance=-1.), ValueError, 'min_distance must be > 0'),
    (dict(method='PSA'), ValueError, "'method'.*'psa', 'lsa'"),
])
def test_bad_arrays_are_refused_by_the_network(kwargs, error, match):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    call = dict(electrode_pos=[(0., 0., 100.)])
    call.update(kwargs)
    with pytest.raises(error, match=match):
        net.add_electrode_array('e', **call)
    assert net.rec_arrays == {}


def test_an_array_without_method_is_refused_before_the_run():
    # hnn-core 0.6.1 lets an array have method=None (a testing hook); such an
    # array cannot be simulated, and must say so before anything runs
    net = _one_cell_net()
    net.add_electrode_array('untyped', [(0., 0., 90.)], method=None)
    with pytest.raises(ValueError, match=r"rec_arrays\['untyped'\]\.method must be "
                                         r"'psa' or 'lsa'"):
        simulate_dipole(net, tstop=10., n_trials=1, verbose=False)
    assert net.cell_response is None


def test_cells_without_end_points_are_refused_before_the_run():
    # the transfer resistances need every section's 3-d end points
    net = _one_cell_net()
    net.cell_types['L5_pyramidal']['cell_object'].sections['apical_tuft']._end_pts = []
    net.add_electrode_array('shank', [(0., 0., 90.)])
    # when the run is planned, before any process builds a cell
    from hnn_core.simulation_plan import make_plan
    with pytest.raises(ValueError, match=r"'apical_tuft' of L5_pyramidal have none"):
        make_plan(net, tstop=10., dt=0.025, n_trials=1)


def test_adding_arrays_after_a_run_keeps_the_recorded_ones():
    net = _one_cell_net()
    net.add_electrode_array('first', [(0., 0., 90.), (0., 0., 500.)])
    simulate_dipole(net, tstop=10., n_trials=1, verbose=False)
    recorded = net.rec_arrays['first'].voltages
    assert recorded.shape == (1, 2, 401)
    with pytest.raises(ValueError, match="'first' already exists"):
        net.add_electrode_array('first', [(0., 0., 0.)])
    net.add_electrode_array('second', (10., 0., 0.))
    assert list(net.rec_arrays) == ['first', 'second']
    np.testing.assert_array_equal(net.rec_arrays['first'].voltages, recorded)
    assert net.rec_arrays['first'].positions == [(0., 0., 90.), (0., 0., 500.)]
    assert len(net.rec_arrays['second']) == 0
    # the next run records both, the first as before
    simulate_dipole(net, tstop=10., n_trials=1, verbose=False)
    np.testing.assert_array_equal(net.rec_arrays['first'].voltages, recorded)
    assert net.rec_arrays['second'].voltages.shape == (1, 1, 401)


# -- network files ------------------------------------------------------------------
def test_network_file_round_trip_gives_the_same_potentials(tmp_path):
    net, _ = extracellular_cases.build_extracellular_case(
        'extracellular_mesh3x3', arrays=('shank_lsa', 'off_column'))
    fname = tmp_path / 'net.json'
    write_network_configuration(net, fname)
    read = read_network_configuration(fname)
    assert list(read.rec_arrays) == ['shank_lsa', 'off_column']
    for this in (net, read):
        simulate_dipole(this, tstop=20., n_trials=1, verbose=False)
    for array, rec in net.rec_arrays.items():
        assert np.ptp(rec.voltages) > 0
        np.testing.assert_array_equal(read.rec_arrays[array].voltages, rec.voltages,
                                      err_msg=array)
        np.testing.assert_array_equal(read.rec_arrays[array].times, rec.times)


# -- no section outlives its trial ----------------------------------------------------
@pytest.mark.both_neurons
@BOTH_ENGINES
def test_no_section_survives_a_trial_without_the_garbage_collector(engine):
    # A reference cycle once kept a trial's sections alive until the collector
    # ran, so they joined the next trial's model (and changed CoreNEURON's
    # rounding); they must go when run_trial returns, cycles or not.
    import neuron
    from hnn_core.engine import run_trial
    from hnn_core.simulation_plan import make_plan
    _skip_unless_available(engine)
    net = _one_cell_net()
    net.add_electrode_array('shank', [(0., 0., z) for z in (-200., 300., 800.)])
    net.add_electrode_array('line', [(50., 0., 500.)], method='lsa')
    plan, _ = make_plan(net, tstop=10., dt=0.025, n_trials=1, engine=engine,
                        record={'vsec': 'all'})
    gc.collect()
    assert len(list(neuron.h.allsec())) == 0
    gc.disable()
    try:
        result = run_trial(plan, 0, verbose=False)
        n_left = len(list(neuron.h.allsec()))
    finally:
        gc.enable()
    assert n_left == 0, f'{n_left} sections left after the trial'
    assert set(result.extracellular) == {'shank', 'line'}
    assert result.extracellular['shank'].shape == (3, len(result.times))
    assert result.vsec
