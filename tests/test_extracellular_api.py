"""Extracellular arrays as data: validation, trials, smoothing, CSD, plots, network
files (no simulation; synthetic voltages)."""
import json
import os
import os.path as op
import subprocess
import sys
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from scipy.signal import decimate
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import ListedColormap, to_rgba
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from hnn_core import (neymotin_2020_model, read_network_configuration,
                      network_to_dict, dict_to_network, Dipole)
from hnn_core.extracellular import (ExtracellularArray, calculate_csd2d,
                                    _get_laminar_z_coords)
from hnn_core.viz import plot_laminar_csd, plot_laminar_lfp

ORACLE = '/root/.cache/hnn-oracle/venv/bin/python'
DEPTHS = [-100., 200., 500., 800., 1100.]
SHANK = [(0., 0., z) for z in DEPTHS]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close('all')


def _recorded(n_trials=3, n_times=201, dt=0.025, seed=0):
    """An array on SHANK holding random voltages (uV) sampled every dt ms."""
    rng = np.random.default_rng(seed)
    times = np.arange(n_times) * dt
    voltages = rng.standard_normal((n_trials, len(SHANK), n_times)) * 20
    return ExtracellularArray(SHANK, times=times, voltages=voltages)


# -- construction and validation ----------------------------------------------------
def test_an_array_keeps_its_electrodes_and_defaults():
    arr = ExtracellularArray(SHANK)
    assert arr.positions == SHANK
    assert arr.n_contacts == 5
    assert (arr.conductivity, arr.method, arr.min_distance) == (0.3, 'psa', 0.5)
    assert len(arr) == 0 and arr.sfreq is None
    assert arr.times.shape == (0,) and arr.voltages.size == 0
    assert 'no data recorded yet' in repr(arr)


def test_one_triplet_is_one_contact_and_ints_are_accepted():
    arr = ExtracellularArray((1, 2, 3), conductivity=1, min_distance=2)
    assert arr.positions == [(1., 2., 3.)] and arr.n_contacts == 1
    assert arr.conductivity == 1. and isinstance(arr.conductivity, float)
    assert arr.min_distance == 2. and isinstance(arr.min_distance, float)
    arr = ExtracellularArray(np.array([[0, 0, 1], [0, 0, 2]]))
    assert arr.positions == [(0., 0., 1.), (0., 0., 2.)]


@pytest.mark.parametrize('positions, error, match', [
    ('abc', TypeError, 'positions must be'),
    ([], ValueError, 'at least one'),
    ([(0, 0)], ValueError, r'positions\[0\] must be an \(x, y, z\) triplet'),
    ([(0, 0, 0), (0, 0, 0, 0)], ValueError, r'positions\[1\] must be an \(x, y, z\)'),
    ([(0, 0, np.nan)], ValueError, r'positions\[0\]\[2\] must be a finite number'),
    ([(0, np.inf, 0)], ValueError, r'positions\[0\]\[1\] must be a finite number'),
    ([(0, 0, '1')], TypeError, r'positions\[0\]\[2\] must be an instance of float'),
    ([(True, 0, 1)], TypeError, r'positions\[0\]\[0\] must be an instance of float'),
    ([0, 0, 1, 2], ValueError, 'triplet'),
    ([{0, 1, 2}], TypeError, r'positions\[0\] must be'),
])
def test_positions_must_be_triplets_of_finite_numbers(positions, error, match):
    with pytest.raises(error, match=match):
        ExtracellularArray(positions)


@pytest.mark.parametrize('name', ['conductivity', 'min_distance'])
@pytest.mark.parametrize('value, error, match', [
    (0, ValueError, 'must be > 0'), (-0.3, ValueError, 'must be > 0'),
    (np.inf, ValueError, 'finite'), (np.nan, ValueError, 'finite'),
    (True, TypeError, 'must be an instance of float'),
    ('0.3', TypeError, 'must be an instance of float'),
])
def test_conductivity_and_min_distance_must_be_positive_finite(name, value, error,
                                                               match):
    with pytest.raises(error, match=f'{name} must'):
        ExtracellularArray(SHANK, **{name: value})
    with pytest.raises(error, match=match):
        ExtracellularArray(SHANK, **{name: value})


@pytest.mark.parametrize('method', ['PSA', 'line', ''])
def test_an_unknown_method_names_the_known_ones(method):
    with pytest.raises(ValueError, match="'method'.*'psa', 'lsa'"):
        ExtracellularArray(SHANK, method=method)
    with pytest.raises(TypeError, match='method must be'):
        ExtracellularArray(SHANK, method=1)
    assert ExtracellularArray(SHANK, method='lsa').method == 'lsa'


@pytest.mark.parametrize('times, voltages, match', [
    (np.arange(4.), np.zeros((1, 4, 4)), 'one trace per contact'),
    (np.arange(4.), np.zeros((1, 5, 3)), 'same number of samples'),
    (np.arange(4.), np.zeros((5, 4)), '3-dimensional'),
    (np.zeros((2, 2)), np.zeros((1, 5, 2)), '1-dimensional'),
    (np.arange(4.), None, 'both times and voltages'),
    (None, np.zeros((1, 5, 4)), 'both times and voltages'),
    ([0., np.nan, 2.], np.zeros((1, 5, 3)), 'times must be finite'),
    (np.arange(3.), np.full((1, 5, 3), np.inf), 'voltages must be finite'),
])
def test_inconsistent_data_is_refused(times, voltages, match):
    with pytest.raises(ValueError, match=match):
        ExtracellularArray(SHANK, times=times, voltages=voltages)


def test_set_data_validates_and_reset_clears():
    arr = ExtracellularArray(SHANK)
    with pytest.raises(ValueError, match='one trace per contact'):
        arr._set_data(np.arange(3.), np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match='same number of samples'):
        arr._set_data(np.arange(3.), np.zeros((2, 5, 4)))
    with pytest.raises(TypeError, match='voltages must be an array of real'):
        arr._set_data(np.arange(3.), np.full((2, 5, 3), 'a'))
    assert len(arr) == 0  # failed calls store nothing
    volts = np.arange(30.).reshape(2, 5, 3)
    arr._set_data([0., 0.5, 1.], volts)
    np.testing.assert_array_equal(arr.voltages, volts)
    np.testing.assert_array_equal(arr.times, [0., 0.5, 1.])
    assert len(arr) == 2 and arr.sfreq == 2000.
    arr.voltages[0, 0, 0] = 99  # a copy: the array's data do not change
    assert arr.voltages[0, 0, 0] == 0
    arr._reset()
    assert len(arr) == 0 and arr.sfreq is None and arr.times.size == 0
    assert arr.n_contacts == 5 and arr.positions == SHANK


def test_sfreq_needs_evenly_spaced_samples():
    arr = ExtracellularArray(SHANK, times=[1.], voltages=np.zeros((1, 5, 1)))
    with pytest.raises(RuntimeError, match='single sample'):
        arr.sfreq
    times = np.arange(10) * 0.1
    arr._set_data(times, np.zeros((1, 5, 10)))
    assert arr.sfreq == pytest.approx(10000.)
    times[5] += 0.0005  # within 1 us: rounding of the sample times
    arr._set_data(times, np.zeros((1, 5, 10)))
    assert arr.sfreq == pytest.approx(10000.)
    times[5] += 0.002
    arr._set_data(times, np.zeros((1, 5, 10)))
    with pytest.raises(RuntimeError, match='not evenly spaced'):
        arr.sfreq


# -- trials, equality, copies -------------------------------------------------------
@pytest.mark.parametrize('index, trials', [
    (1, [1]), (-1, [3]), (np.int64(2), [2]), (slice(1, 3), [1, 2]),
    (slice(None, None, 2), [0, 2]), ([3, 0], [3, 0]), ((1, 1), [1, 1]),
])
def test_indexing_by_trial_returns_a_new_array(index, trials):
    arr = _recorded(n_trials=4)
    arr.method = 'lsa'
    arr.min_distance = 2.
    sub = arr[index]
    assert isinstance(sub, ExtracellularArray) and sub is not arr
    assert len(sub) == len(trials)
    np.testing.assert_array_equal(sub.voltages, arr.voltages[trials])
    np.testing.assert_array_equal(sub.times, arr.times)
    assert (sub.positions, sub.method, sub.min_distance) == (SHANK, 'lsa', 2.)


@pytest.mark.parametrize('index, error', [
    (4, IndexError), (-5, IndexError), ([0, 7], IndexError),
    (1.5, TypeError), ('0', TypeError), (True, TypeError), ([0, 'a'], TypeError),
])
def test_a_bad_trial_index_is_named(index, error):
    with pytest.raises(error, match='trial_no'):
        _recorded(n_trials=4)[index]


def test_equality_and_copy():
    arr = _recorded()
    twin = arr.copy()
    assert twin == arr and twin is not arr
    twin._data[0, 0, 0] += 1e-9  # the copy owns its data
    assert twin != arr
    assert arr != arr[:2]
    for attr, value in [('method', 'lsa'), ('min_distance', 1.),
                        ('conductivity', 0.2), ('positions', SHANK[::-1])]:
        other = arr.copy()
        setattr(other, attr, value)
        assert other != arr, attr
    assert arr.__eq__('array') is NotImplemented


def test_repr_and_to_dict():
    arr = _recorded(n_trials=2, n_times=11)
    assert repr(arr) == ('<ExtracellularArray | 5 electrodes, conductivity=0.3, '
                         'method=psa | 2 trials, 11 times>')
    data = arr.to_dict()
    assert sorted(data) == ['conductivity', 'method', 'min_distance', 'positions',
                            'times', 'voltages']
    assert data['positions'] == SHANK
    np.testing.assert_array_equal(data['voltages'], arr.voltages)
    np.testing.assert_array_equal(data['times'], arr.times)


# -- smoothing and CSD against the formulas -------------------------------------------
def test_smooth_matches_dipole_smooth_and_works_in_place():
    arr = _recorded(n_trials=2)
    before = arr.voltages
    assert arr.smooth(2.) is arr
    for trial in range(2):
        for contact in range(5):
            dpl = Dipole(arr.times, before[trial, contact]).smooth(2.)
            np.testing.assert_allclose(arr.voltages[trial, contact], dpl.data['agg'],
                                       rtol=0, atol=1e-12)
    assert not np.allclose(arr.voltages, before)
    with pytest.raises(ValueError, match='window_len must be at least 1 ms'):
        arr.smooth(0.5)
    with pytest.raises(ValueError, match='spans'):
        arr.smooth(1e4)
    with pytest.raises(TypeError, match='window_len'):
        arr.smooth('2')
    with pytest.raises(RuntimeError, match='no data'):
        ExtracellularArray(SHANK).smooth(2.)


def test_csd_is_the_negative_second_difference_with_extrapolated_borders():
    rng = np.random.default_rng(1)
    lfp = rng.standard_normal((6, 7))
    csd = calculate_csd2d(lfp, delta=2.5)
    assert csd.shape == lfp.shape
    for k in range(1, 5):
        expected = -(lfp[k - 1] - 2 * lfp[k] + lfp[k + 1]) / 2.5 ** 2
        np.testing.assert_allclose(csd[k], expected, rtol=1e-12)
    np.testing.assert_allclose(csd[0], 2 * csd[1] - csd[2], rtol=1e-12)
    np.testing.assert_allclose(csd[-1], 2 * csd[-2] - csd[-3], rtol=1e-12)
    # a potential linear in depth has no sources
    linear = np.outer(np.arange(5.), np.ones(3))
    np.testing.assert_allclose(calculate_csd2d(linear), 0, atol=1e-12)


@pytest.mark.parametrize('kwargs, error, match', [
    (dict(lfp_data=np.zeros((3, 5))), ValueError, 'at least 4 contacts'),
    (dict(lfp_data=np.zeros(5)), ValueError, '2-dimensional'),
    (dict(lfp_data=np.zeros((4, 5)), delta=0), ValueError, 'delta must be > 0'),
    (dict(lfp_data=np.zeros((4, 5)), delta='1'), TypeError, 'delta'),
])
def test_csd_input_is_checked(kwargs, error, match):
    with pytest.raises(error, match=match):
        calculate_csd2d(**kwargs)


def test_laminar_coordinates_must_be_equispaced_colinear_along_z():
    depths, delta = _get_laminar_z_coords(SHANK)
    np.testing.assert_array_equal(depths, DEPTHS)
    assert delta == 300.
    # slanted but straight and equispaced: the z step is the spacing
    depths, delta = _get_laminar_z_coords([(0, 0, 0), (10, 0, 100), (20, 0, 200)])
    assert delta == 100.
    for bad in ([(0, 0, 0), (0, 0, 100), (0, 0, 300)],  # not equispaced
                [(0, 0, 0), (0, 0, 100), (100, 0, 100)],  # not colinear
                [(0, 0, 0), (100, 0, 0), (200, 0, 0)]):  # horizontal
        with pytest.raises(ValueError, match='equispaced and colinear'):
            _get_laminar_z_coords(bad)
    with pytest.raises(ValueError, match='at least 2 contacts'):
        _get_laminar_z_coords([(0, 0, 0)])


# -- plots -----------------------------------------------------------------------------
def test_plot_lfp_draws_one_labelled_trace_per_contact_with_a_scale_bar():
    arr = _recorded(n_trials=2)
    fig = arr.plot_lfp(trial_no=0, show=False)
    ax = fig.axes[0]
    assert len(ax.lines) == 5
    assert ax.get_xlabel() == 'Time (ms)'
    assert ax.get_ylabel() == 'Electrode depth (µm)'
    assert [t.get_text() for t in ax.get_yticklabels()] == [f'{d:g}' for d in DEPTHS]
    # contact k is drawn voltage_offset * k higher
    np.testing.assert_allclose(ax.lines[3].get_ydata(), arr.voltages[0, 3] + 150)
    bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert len(bars) == 1 and bars[0].txt_label.get_text() == '200 µV'
    # the default colormap, from the first contact to the last
    assert ax.lines[0].get_color() != ax.lines[-1].get_color()
    fig = arr.plot_lfp(trial_no=1, contact_no=[0, 2], tmin=1., tmax=3., decim=2,
                       color='k', voltage_offset=None, voltage_scalebar=None,
                       show=False)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and ax.get_ylabel() == 'Potential (µV)'
    assert not [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert ax.get_xlim() == (1., 3.)
    mask = (arr.times >= 1.) & (arr.times <= 3.)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), arr.times[mask][::2])
    # decim as hnn-core 0.6.1: scipy's decimate (low-pass, then every 2nd sample)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(),
                                  decimate(arr.voltages[1, 2][mask], 2))
    assert to_rgba(ax.lines[0].get_color()) == to_rgba('k')
    plt.close(fig)
    assert not plt.fignum_exists(fig.number)


def test_plot_lfp_overlays_all_trials_in_one_axes():
    arr = _recorded(n_trials=3)
    fig, ax = plt.subplots()
    assert arr.plot_lfp(ax=ax, show=False) is fig
    assert len(ax.lines) == 15
    assert len(plt.get_fignums()) == 1


def test_plot_laminar_lfp_colors_and_checks():
    times, data = np.arange(10.), np.zeros((3, 10))
    cmap = ListedColormap(['r', 'g', 'b'])
    ax = plot_laminar_lfp(times, data, ['a', 'b', 'c'], color=cmap,
                          show=False).axes[0]
    assert [to_rgba(line.get_color()) for line in ax.lines] == \
        [to_rgba(c) for c in 'rgb']
    assert ax.get_ylabel() == 'Electrode contact'
    rows = np.array([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]])
    ax = plot_laminar_lfp(times, data, [0, 1, 2], color=rows, show=False).axes[0]
    assert [to_rgba(line.get_color()) for line in ax.lines] == \
        [to_rgba(tuple(r)) for r in rows]
    for kwargs, error, match in [
            (dict(color=ListedColormap(['r', 'g'])), ValueError, '3 contacts'),
            (dict(color=np.ones((2, 3))), ValueError, r'\(3, 3 or 4\)'),
            (dict(color='not a colour'), ValueError, 'color must be'),
            (dict(contact_labels=[0, 1]), ValueError, 'one label per contact'),
            (dict(data=np.zeros((3, 9))), ValueError, 'one column per time'),
            (dict(voltage_offset=-1), ValueError, 'voltage_offset must be > 0'),
            (dict(decim=0), ValueError, 'decim'),
            (dict(tmin=5., tmax=2.), ValueError, 'tmin must be earlier'),
            (dict(tmin=20.), ValueError, 'holds no samples')]:
        call = dict(times=times, data=data, contact_labels=[0, 1, 2], show=False)
        call.update(kwargs)
        with pytest.raises(error, match=match):
            plot_laminar_lfp(**call)


def test_plot_csd_draws_an_image_with_a_colour_bar():
    arr = _recorded(n_trials=2)
    fig = arr.plot_csd(show=False)
    ax, cax = fig.axes
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1
    assert ax.get_xlabel() == 'Time (ms)'
    assert ax.get_ylabel() == 'Electrode depth (µm)'
    assert cax.get_ylabel() == 'CSD (µV/µm²)'
    assert {t.get_text() for t in cax.texts} == {'sink', 'source'}
    # about one row per µm from the first contact to the last
    assert ax.get_ylim() == pytest.approx((DEPTHS[0], DEPTHS[-1]), abs=1)
    low, high = mesh[0].get_clim()
    assert low == -high and mesh[0].get_cmap().name == 'jet'
    # without interpolation: the CSD of the first trial, one row per contact
    fig = arr.plot_csd(interpolation=None, colorbar=False, sink='r', vmin=-1, vmax=2,
                       show=False)
    assert len(fig.axes) == 1
    mesh = fig.axes[0].collections[0]
    csd = calculate_csd2d(arr.voltages[0], delta=300.)
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(csd.shape), csd)
    assert mesh.get_clim() == (-1, 2) and mesh.get_cmap().name == 'jet_r'


def test_plot_laminar_csd_accepts_decreasing_depths_and_checks_arguments():
    times = np.arange(8.)
    data = np.outer(np.arange(4.), np.ones(8))
    fig = plot_laminar_csd(times, data, [300, 200, 100, 0], show=False)
    assert fig.axes[0].get_ylim() == pytest.approx((0., 300.), abs=1)
    for kwargs, match in [(dict(sink='g'), "'sink'"),
                          (dict(interpolation='linear'), "'interpolation'"),
                          (dict(contact_labels=[0, 1, 1, 2]), 'strictly'),
                          (dict(vmin=np.nan), 'vmin must be a finite'),
                          (dict(times=np.arange(3.), data=np.zeros((4, 3))),
                           'at least 4 samples')]:
        call = dict(times=times, data=data, contact_labels=[0, 1, 2, 3], show=False)
        call.update(kwargs)
        with pytest.raises(ValueError, match=match):
            plot_laminar_csd(**call)


def test_plots_need_data():
    with pytest.raises(RuntimeError, match='no data'):
        ExtracellularArray(SHANK).plot_lfp(show=False)
    with pytest.raises(RuntimeError, match='no data'):
        ExtracellularArray(SHANK).plot_csd(show=False)
    with pytest.raises(IndexError, match='contact_no'):
        _recorded().plot_lfp(contact_no=5, show=False)


# -- the network --------------------------------------------------------------------
def test_network_electrode_arrays():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    assert net.rec_arrays == {}
    net.add_electrode_array('shank', SHANK, method='lsa', conductivity=1)
    net.add_electrode_array('point', (0, 0, 0))
    assert list(net.rec_arrays) == ['shank', 'point']
    arr = net.rec_arrays['shank']
    assert isinstance(arr, ExtracellularArray)
    assert (arr.positions, arr.method, arr.conductivity) == (SHANK, 'lsa', 1.)
    with pytest.raises(ValueError, match="'shank' already exists"):
        net.add_electrode_array('shank', SHANK)
    with pytest.raises(TypeError, match='name must be'):
        net.add_electrode_array(1, SHANK)
    with pytest.raises(ValueError, match="'method'"):
        net.add_electrode_array('other', SHANK, method='x')
    with pytest.raises(ValueError, match='min_distance must be > 0'):
        net.add_electrode_array('other', SHANK, min_distance=0)
    assert list(net.rec_arrays) == ['shank', 'point']


def test_network_copy_keeps_the_arrays_without_their_data():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_electrode_array('shank', SHANK, min_distance=2.)
    net.rec_arrays['shank']._set_data(np.arange(3.), np.ones((1, 5, 3)))
    twin = net.copy()
    assert list(twin.rec_arrays) == ['shank']
    copied = twin.rec_arrays['shank']
    assert copied is not net.rec_arrays['shank']
    assert (copied.positions, copied.min_distance) == (SHANK, 2.)
    assert len(copied) == 0 and len(net.rec_arrays['shank']) == 1
    assert twin != net  # the data differ
    net._reset_rec_arrays()
    assert twin == net
    twin.add_electrode_array('more', (0, 0, 0))
    assert twin != net and 'more' not in net.rec_arrays


def test_network_dicts_carry_the_arrays():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_electrode_array('shank', SHANK, conductivity=0.2, method='lsa',
                            min_distance=1.)
    net.rec_arrays['shank']._set_data([0., 1.], np.ones((2, 5, 2)))
    data = network_to_dict(net)
    assert data['rec_arrays'] == {'shank': {
        'positions': [list(p) for p in SHANK], 'conductivity': 0.2, 'method': 'lsa',
        'min_distance': 1., 'times': [], 'voltages': []}}
    with_output = network_to_dict(net, write_output=True)['rec_arrays']['shank']
    assert with_output['times'] == [0., 1.]
    assert np.shape(with_output['voltages']) == (2, 5, 2)
    assert len(net.rec_arrays['shank']) == 2  # writing leaves the network as it was
    json.dumps(with_output)  # plain values
    read = dict_to_network(json.loads(json.dumps(network_to_dict(net, True))))
    arr = read.rec_arrays['shank']
    assert (arr.positions, arr.conductivity, arr.method, arr.min_distance) == \
        (SHANK, 0.2, 'lsa', 1.)
    assert len(arr) == 0  # the recordings are not read, as in 0.6.1
    data['rec_arrays']['shank']['method'] = 'xsa'
    with pytest.raises(ValueError, match=r"rec_arrays\['shank'\]: .*'method'"):
        dict_to_network(data)
    del data['rec_arrays']['shank']['conductivity']
    with pytest.raises(ValueError,
                       match=r"rec_arrays\['shank'\].*lacks 'conductivity'"):
        dict_to_network(data)


# -- hnn-core 0.6.1 -------------------------------------------------------------------
_ORACLE_SCRIPT = textwrap.dedent('''
    import json, sys
    import numpy as np
    import hnn_core
    assert hnn_core.__version__ == '0.6.1', hnn_core.__file__
    from hnn_core import neymotin_2020_model, read_network_configuration
    from hnn_core.hnn_io import network_to_dict, _convert_np_array_to_list
    from hnn_core.extracellular import ExtracellularArray, calculate_csd2d
    inputs, ours, theirs, out = sys.argv[1:]
    data = np.load(inputs)
    res = dict()
    res['csd'] = calculate_csd2d(data['lfp'], delta=float(data['delta'])).tolist()
    arr = ExtracellularArray([(0., 0., 100. * k) for k in range(5)],
                             times=data['times'], voltages=data['volts'])
    res['smooth'] = arr.smooth(float(data['window'])).voltages.tolist()
    res['sfreq'] = arr.sfreq
    net = read_network_configuration(ours)
    res['ours'] = {name: dict(positions=[list(p) for p in a.positions],
                              conductivity=a.conductivity, method=a.method,
                              min_distance=a.min_distance, n_trials=len(a))
                   for name, a in net.rec_arrays.items()}
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_electrode_array('shank', [(1.5, 2.5, z) for z in (-100., 300., 700.)],
                            conductivity=0.25, method='lsa', min_distance=1.0)
    net.add_electrode_array('point', (10., 20., 30.))
    net.write_configuration(theirs)
    net.rec_arrays['point']._times = data['times']
    net.rec_arrays['point']._data = data['volts'][:, :1]
    res['to_dict'] = _convert_np_array_to_list(
        network_to_dict(net, write_output=True)['rec_arrays'])
    with open(out, 'w') as fid:
        json.dump(res, fid)
''')


@pytest.fixture(scope='module')
def oracle(tmp_path_factory):
    """What hnn-core 0.6.1 computes from our inputs and our network file."""
    if not op.isfile(ORACLE):
        pytest.skip(f'hnn-core 0.6.1 (the oracle) is not installed at {ORACLE}; '
                    'build it with bash ../shared/oracle/setup.sh')
    tmp = tmp_path_factory.mktemp('oracle')
    rng = np.random.default_rng(42)
    inputs = dict(lfp=rng.standard_normal((7, 50)) * 1e3, delta=37.5,
                  times=np.arange(80) * 0.025, volts=rng.standard_normal((2, 5, 80)),
                  window=1.3)
    np.savez(tmp / 'inputs.npz', **inputs)
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_electrode_array('shank', SHANK, conductivity=1, method='lsa',
                            min_distance=2)
    net.add_electrode_array('point', (1, 2, 3))
    net.rec_arrays['point']._set_data([0., 1.], np.ones((1, 1, 2)))
    net.write_configuration(tmp / 'ours.json')
    (tmp / 'oracle.py').write_text(_ORACLE_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['NEURON_MODULE_OPTIONS'] = '-nogui'
    # run from tmp: the working directory must not put our hnn_core on the path
    proc = subprocess.run([ORACLE, 'oracle.py', 'inputs.npz', 'ours.json',
                           'theirs.json', 'out.json'], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp / 'out.json') as fid:
        results = json.load(fid)
    return inputs, results, tmp


@pytest.mark.reference
def test_csd_matches_hnn_core_061(oracle):
    inputs, results, _ = oracle
    csd = calculate_csd2d(inputs['lfp'], delta=inputs['delta'])
    np.testing.assert_allclose(csd, results['csd'], rtol=0, atol=1e-15)


@pytest.mark.reference
def test_smooth_matches_hnn_core_061(oracle):
    """1.3 ms at 40 kHz: a window of 52 samples, as 0.6.1 rounds it."""
    inputs, results, _ = oracle
    arr = ExtracellularArray([(0., 0., 100. * k) for k in range(5)],
                             times=inputs['times'], voltages=inputs['volts'])
    assert arr.sfreq == pytest.approx(results['sfreq'], rel=1e-15)
    arr.smooth(inputs['window'])
    np.testing.assert_allclose(arr.voltages, results['smooth'], rtol=0, atol=1e-15)


@pytest.mark.reference
def test_hnn_core_061_reads_our_arrays(oracle):
    _, results, _ = oracle
    assert results['ours'] == {
        'shank': dict(positions=[list(p) for p in SHANK], conductivity=1.,
                      method='lsa', min_distance=2., n_trials=0),
        'point': dict(positions=[[1., 2., 3.]], conductivity=0.3, method='psa',
                      min_distance=0.5, n_trials=0)}


@pytest.mark.reference
def test_we_read_arrays_written_by_hnn_core_061(oracle):
    _, results, tmp = oracle
    net = read_network_configuration(tmp / 'theirs.json')
    assert list(net.rec_arrays) == ['shank', 'point']
    shank, point = net.rec_arrays['shank'], net.rec_arrays['point']
    assert shank.positions == [(1.5, 2.5, z) for z in (-100., 300., 700.)]
    assert (shank.conductivity, shank.method, shank.min_distance) == \
        (0.25, 'lsa', 1.)
    assert point.positions == [(10., 20., 30.)]
    assert (point.conductivity, point.method, point.min_distance) == \
        (0.3, 'psa', 0.5)
    assert len(shank) == len(point) == 0


@pytest.mark.reference
def test_our_dict_layout_is_hnn_core_061s(oracle):
    inputs, results, tmp = oracle
    net = read_network_configuration(tmp / 'theirs.json')
    net.rec_arrays['point']._set_data(inputs['times'], inputs['volts'][:, :1])
    ours = json.loads(json.dumps(network_to_dict(net, write_output=True)['rec_arrays']))
    assert ours == results['to_dict']
