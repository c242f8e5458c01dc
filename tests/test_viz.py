"""Plots of dipoles, spectra, spikes, cells and connectivity (Agg; no simulation)."""
import json
import os.path as op

import matplotlib.pyplot as plt
import numpy as np
import pytest

from matplotlib.collections import QuadMesh
from scipy.signal import decimate, periodogram

from matplotlib.backend_bases import MouseEvent
from matplotlib.colors import LogNorm, to_hex
from matplotlib.markers import MarkerStyle

from hnn_core import CellResponse, Dipole, neymotin_2020_model, read_spikes
from hnn_core.cells_default import basket, pyramidal
from hnn_core.network import pick_connection
from hnn_core.network_models import add_erp_drives_to_jones_model
from hnn_core.tfr import morlet, tfr_array_morlet
from hnn_core.viz import (plot_cell_connectivity, plot_cell_morphology, plot_cells,
                          plot_connectivity_matrix, plot_dipole, plot_drive_strength,
                          plot_psd, plot_spikes_hist, plot_spikes_raster,
                          plot_tfr_morlet)

from conftest import DATA

CELL_TYPES = ['L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal']
DEFAULT_COLORS = {'L2_basket': '#1f77b4', 'L2_pyramidal': '#2ca02c',
                  'L5_basket': '#9467bd', 'L5_pyramidal': '#d62728'}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close('all')


@pytest.fixture(scope='module')
def cell_response():
    """Two trials of the 3x3 network with three evoked drives (hnn-core 0.6.1)."""
    return read_spikes(op.join(DATA, 'oracle_spk_*.txt'))


@pytest.fixture(scope='module')
def net():
    """The 3x3 network with the ERP drives (evdist1, evprox1, evprox2); not edited."""
    net = neymotin_2020_model(mesh_shape=(3, 3))
    add_erp_drives_to_jones_model(net)
    return net


def add_basket_copy(net):
    """A user-defined cell type: two copies of the L2 basket cell, driven by L2 pyr."""
    cell = net.cell_types['L2_basket']['cell_object'].copy()
    net.add_cell_type('L2_basket_copy', cell, [(0., 0., 1000.), (1., 0., 1000.)],
                      cell_metadata={'electro_type': 'inhibitory', 'layer': '2'})
    net.add_connection('L2_pyramidal', 'L2_basket_copy', 'soma', 'ampa', 0.001, 1., 3.)
    return net


@pytest.fixture(scope='module')
def custom_net():
    """The ERP network plus the cell type 'L2_basket_copy' (gids 24, 25); not edited."""
    net = neymotin_2020_model(mesh_shape=(3, 3))
    add_erp_drives_to_jones_model(net)
    return add_basket_copy(net)


def every_cell_spikes(net):
    """One trial: every cell and drive cell fires at 10 + gid and 100 + gid ms."""
    gids = [gid for gid_range in net.gid_ranges.values() for gid in gid_range] * 2
    times = [10. + gid for gid in gids[:len(gids) // 2]] + \
        [100. + gid for gid in gids[len(gids) // 2:]]
    cr = CellResponse(spike_times=[times], spike_gids=[gids],
                      times=np.arange(0., 200.025, 0.025),
                      cell_type_names=list(net.cell_types))
    cr.update_types(net.gid_ranges)
    return cr


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def heights(ax):
    return [sum(bar.get_height() for bar in bars) for bars in ax.containers]


def count(cr, trials, prefix):
    return sum(s.startswith(prefix) for k in trials for s in cr.spike_types[k])


# -- raster -------------------------------------------------------------------
@pytest.mark.parametrize('trial_idx', [0, 1])
def test_plot_spikes_raster(cell_response, trial_idx):
    fig = plot_spikes_raster(cell_response, trial_idx=trial_idx, show=False)
    (ax,) = fig.axes
    assert len(ax.collections) == 4  # one marker series per cell type, no drives
    assert legend_texts(ax) == CELL_TYPES
    assert ax.get_xlabel() == 'Time (ms)' and ax.get_ylabel() == 'Cell ID'
    types = np.array(cell_response.spike_types[trial_idx])
    gids = np.array(cell_response.spike_gids[trial_idx])
    times = np.array(cell_response.spike_times[trial_idx])
    for collection, cell_type in zip(ax.collections, CELL_TYPES):
        offsets = collection.get_offsets()
        mask = types == cell_type
        np.testing.assert_array_equal(offsets[:, 0], times[mask])
        np.testing.assert_array_equal(offsets[:, 1], gids[mask])
    colors = {tuple(c.get_facecolor()[0]) for c in ax.collections}
    assert len(colors) == 4
    assert ax.get_xlim()[0] == 0.  # time from the start of the simulation
    fig.canvas.draw()  # the legend sits right of the axes, clear of the spikes
    assert ax.get_legend().get_window_extent().x0 > ax.get_window_extent().x1


def test_plot_spikes_raster_spans_the_simulation():
    quiet = CellResponse(spike_times=[[]], spike_gids=[[]], spike_types=[[]],
                         times=np.arange(0., 40.025, 0.025))
    ax = plot_spikes_raster(quiet, show=False).axes[0]
    assert not ax.collections
    assert ax.get_xlim() == pytest.approx((0., 40.))


def test_plot_spikes_raster_into_axes(cell_response):
    fig, axes = plt.subplots(1, 2)
    out = cell_response.plot_spikes_raster(ax=axes[1], show=False)
    assert out is fig
    assert len(axes[1].collections) == 4 and len(axes[0].collections) == 0
    # only the cell types that spiked; a drive-only response draws nothing
    cr = CellResponse(spike_times=[[1., 2., 3.]], spike_gids=[[3, 30, 31]],
                      spike_types=[['L2_pyramidal', 'evprox1', 'evprox1']])
    ax = plot_spikes_raster(cr, show=False).axes[0]
    assert legend_texts(ax) == ['L2_pyramidal']
    drives = CellResponse(spike_times=[[1.]], spike_gids=[[30]],
                          spike_types=[['evprox1']])
    ax = plot_spikes_raster(drives, show=False).axes[0]
    assert len(ax.collections) == 0 and ax.get_legend() is None
    # hnn-core 0.1 passed ax as the second positional argument
    fig, ax = plt.subplots()
    assert plot_spikes_raster(cell_response, ax, show=False) is fig
    assert len(ax.collections) == 4


def test_plot_spikes_raster_user_cell_type(custom_net):
    """Every cell type of the network is drawn, a user-defined one in a new colour."""
    cr = every_cell_spikes(custom_net)
    assert cr.cell_type_names == CELL_TYPES + ['L2_basket_copy']
    ax = plot_spikes_raster(cr, show=False).axes[0]
    assert legend_texts(ax) == CELL_TYPES + ['L2_basket_copy']
    for collection, cell_type in zip(ax.collections, cr.cell_type_names):
        gids = np.array(custom_net.gid_ranges[cell_type])
        offsets = collection.get_offsets()
        np.testing.assert_array_equal(offsets[:, 1], np.concatenate([gids, gids]))
        np.testing.assert_array_equal(offsets[:, 0],
                                      np.concatenate([10. + gids, 100. + gids]))
    colors = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert colors[:4] == [DEFAULT_COLORS[t] for t in CELL_TYPES]
    assert colors[4] not in colors[:4]
    assert custom_net.gid_ranges['L2_basket_copy'] == range(24, 26)
    assert max(c.get_offsets()[:, 1].max() for c in ax.collections) == 25  # no drive
    # read without the network's cell type names, the new type is taken for a drive
    four = CellResponse(spike_times=cr.spike_times, spike_gids=cr.spike_gids,
                        spike_types=cr.spike_types)
    assert legend_texts(plot_spikes_raster(four, show=False).axes[0]) == CELL_TYPES


def test_plot_spikes_user_cell_type_simulated():
    """A simulated network's response names its cell types; the new one is drawn."""
    from hnn_core import simulate_dipole
    net = add_basket_copy(neymotin_2020_model(mesh_shape=(3, 3)))
    net.add_evoked_drive('evcopy', mu=5., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket_copy': 0.5}, synaptic_delays=0.1)
    simulate_dipole(net, tstop=20., n_trials=1)
    cr = net.cell_response
    assert cr.cell_type_names == list(net.cell_types)
    ax = plot_spikes_raster(cr, show=False).axes[0]
    assert legend_texts(ax) == ['L2_basket_copy']  # the only cells that fire
    assert sorted(ax.collections[0].get_offsets()[:, 1]) == [24., 25.]
    assert ax.get_xlim() == pytest.approx((0., 20.))
    ax = plot_spikes_hist(cr, show=False).axes[0]
    assert legend_texts(ax) == ['evcopy']
    assert heights(ax) == [2]  # its two drive cells


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(trial_idx=2), ValueError, r'trial_idx must be between 0 and 1 \(there are 2'),
    (dict(trial_idx=-1), ValueError, 'trial_idx must be between 0 and 1'),
    (dict(trial_idx=[0, 1]), TypeError, 'trial_idx must be'),
    (dict(trial_idx=0.), TypeError, 'trial_idx must be'),
])
def test_plot_spikes_raster_errors(cell_response, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_spikes_raster(cell_response, show=False, **kwargs)


# -- histogram ----------------------------------------------------------------
def test_plot_spikes_hist_default(cell_response):
    """One histogram per drive, all trials pooled, 50 bins up to the last spike."""
    fig = plot_spikes_hist(cell_response, show=False)
    (ax,) = fig.axes
    assert legend_texts(ax) == ['evdist1', 'evprox1', 'evprox2']
    assert len(ax.containers) == 3
    assert ax.get_xlabel() == 'Time (ms)' and ax.get_ylabel() == 'Counts'
    last = max(t for trial in cell_response.spike_times for t in trial)
    for bars, drive in zip(ax.containers, legend_texts(ax)):
        assert len(bars) == 50
        assert bars[0].get_x() == pytest.approx(0., abs=1e-12)
        assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(last)
        heights = [bar.get_height() for bar in bars]
        assert sum(heights) == count(cell_response, (0, 1), drive)


def test_plot_spikes_hist_prefixes(cell_response):
    fig = cell_response.plot_spikes_hist(spike_types=['evprox', 'evdist'], show=False)
    ax = fig.axes[0]
    assert legend_texts(ax) == ['evprox', 'evdist']
    evprox, evdist = ([bar.get_height() for bar in bars] for bars in ax.containers)
    assert sum(evprox) == count(cell_response, (0, 1), 'evprox') == 96
    assert sum(evdist) == count(cell_response, (0, 1), 'evdist')
    # a single trial; cell types by prefix; a dict of label -> prefixes
    fig = plot_spikes_hist(cell_response, trial_idx=1, show=False,
                           spike_types={'pyramidal': ['L2_pyr', 'L5_pyr'],
                                        'drives': 'ev'})
    ax = fig.axes[0]
    assert legend_texts(ax) == ['pyramidal', 'drives']
    pyr, drives = ([bar.get_height() for bar in bars] for bars in ax.containers)
    assert sum(pyr) == count(cell_response, (1,), 'L2_pyr') + \
        count(cell_response, (1,), 'L5_pyr')
    assert sum(drives) == count(cell_response, (1,), 'ev')
    # a str is a list of one; trials given as a list
    ax = plot_spikes_hist(cell_response, trial_idx=[0], spike_types='L5_basket',
                          show=False).axes[0]
    assert sum(bar.get_height() for bar in ax.containers[0]) == \
        count(cell_response, (0,), 'L5_basket')


def test_plot_spikes_hist_axes(cell_response):
    fig, axes = plt.subplots(2, 1)
    out = cell_response.plot_spikes_hist(ax=axes[1], spike_types=['evprox'],
                                         show=False)
    assert out is fig and len(axes[1].containers) == 1 and not axes[0].containers
    fig, ax = plt.subplots()
    assert plot_spikes_hist(cell_response, ax, show=False) is fig  # v0.1 order
    assert len(ax.containers) == 3
    # no drive spiked (e.g. a tonic bias only): one histogram per cell type
    cr = CellResponse(spike_times=[[5., 6., 7.]], spike_gids=[[0, 3, 4]],
                      spike_types=[['L2_basket', 'L5_pyramidal', 'L5_pyramidal']])
    ax = plot_spikes_hist(cr, show=False).axes[0]
    assert len(ax.containers) == 2 and ax.get_ylabel() == 'Counts'
    assert ax.get_legend_handles_labels()[1] == ['L2_basket', 'L5_pyramidal']
    # a cell type that did not fire: an empty histogram, not an error
    ax = plot_spikes_hist(cr, spike_types=['L2_pyramidal', 'L5_pyramidal'],
                          show=False).axes[0]
    assert [sum(p.get_height() for p in c) for c in ax.containers] == [0, 2]
    # no spikes at all: nothing to draw but labelled axes
    cr = CellResponse(spike_times=[[]], spike_gids=[[]], spike_types=[[]])
    ax = plot_spikes_hist(cr, show=False).axes[0]
    assert not ax.containers and ax.get_ylabel() == 'Counts'


def test_plot_spikes_hist_user_cell_type(custom_net):
    cr = every_cell_spikes(custom_net)  # every cell and drive cell fires twice
    ax = plot_spikes_hist(cr, show=False).axes[0]
    assert legend_texts(ax) == ['evdist1', 'evprox1', 'evprox2']  # not a drive
    assert heights(ax) == [2 * 21, 2 * 24, 2 * 24]
    # a type's own name takes only that type ('L2_basket' is a prefix of the
    # new one's name); a single cell type has its raster colour
    ax = plot_spikes_hist(cr, spike_types=['L2_basket', 'L2_basket_copy', 'L2'],
                          show=False).axes[0]
    assert heights(ax) == [2 * 3, 2 * 2, 2 * (3 + 9 + 2)]
    colors = [to_hex(bars.patches[0].get_facecolor()) for bars in ax.containers]
    raster = plot_spikes_raster(cr, show=False).axes[0]
    assert colors[0] == DEFAULT_COLORS['L2_basket']
    assert colors[1] == to_hex(raster.collections[4].get_facecolor()[0])
    assert colors[2] not in colors[:2]  # a pooled histogram: a colour of its own
    # a user-defined cell type that did not fire: an empty histogram
    quiet = CellResponse(spike_times=[[5.]], spike_gids=[[50]],
                         spike_types=[['evprox1']],
                         cell_type_names=list(custom_net.cell_types))
    ax = plot_spikes_hist(quiet, spike_types=['L2_basket_copy', 'evprox'],
                          show=False).axes[0]
    assert heights(ax) == [0, 1]
    # without the network's cell type names the new type counts as a drive
    four = CellResponse(spike_times=cr.spike_times, spike_gids=cr.spike_gids,
                        spike_types=cr.spike_types)
    assert legend_texts(plot_spikes_hist(four, show=False).axes[0]) == \
        ['L2_basket_copy', 'evdist1', 'evprox1', 'evprox2']


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(spike_types=['evprox', 'alpha']), ValueError,
     "No spike type starts with 'alpha'.*available types are L2_basket, "
     "L2_pyramidal, L5_basket, L5_pyramidal, evdist1, evprox1, evprox2"),
    (dict(spike_types={'x': ['gamma']}), ValueError, "starts with 'gamma'"),
    (dict(spike_types=3), TypeError, 'spike_types must be'),
    (dict(spike_types=[3]), TypeError, 'spike_types'),
    (dict(trial_idx=5), ValueError, 'trial_idx must be between 0 and 1'),
    (dict(trial_idx=[]), ValueError, 'at least one trial'),
    (dict(trial_idx='all'), TypeError, 'trial_idx must be'),
])
def test_plot_spikes_hist_errors(cell_response, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_spikes_hist(cell_response, show=False, **kwargs)


def test_plot_spikes_need_types():
    untyped = CellResponse(spike_times=[[1.]], spike_gids=[[0]])
    with pytest.raises(ValueError, match='no types; call cell_response.update_types'):
        plot_spikes_hist(untyped, show=False)
    with pytest.raises(ValueError, match='no types'):
        plot_spikes_raster(untyped, show=False)
    with pytest.raises(ValueError, match='no trials'):
        plot_spikes_raster(CellResponse(), show=False)
    with pytest.raises(TypeError, match='cell_response must be'):
        plot_spikes_hist([[1.]], show=False)


# -- cells ----------------------------------------------------------------------
def marker_vertices(marker):
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


def test_plot_cells(net):
    fig = net.plot_cells(show=False)
    (ax,) = fig.axes
    assert ax.name == '3d'
    assert legend_texts(ax) == CELL_TYPES + ['drives (origin)']
    assert len(ax.collections) == 5
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == \
        ('x (µm)', 'y (µm)', 'z (µm)')
    for collection, cell_type in zip(ax.collections, CELL_TYPES):
        expected = np.array(net.pos_dict[cell_type])
        for coord, values in enumerate(collection._offsets3d):
            np.testing.assert_array_equal(values, expected[:, coord])
        assert to_hex(collection.get_facecolor()[0]) == DEFAULT_COLORS[cell_type]
        # triangles for pyramidal cells, circles for basket cells
        marker = '^' if cell_type.endswith('pyramidal') else 'o'
        np.testing.assert_allclose(collection.get_paths()[0].vertices,
                                   marker_vertices(marker))
    origin = np.array(ax.collections[4]._offsets3d).ravel()
    np.testing.assert_array_equal(origin, net.pos_dict['origin'])
    fig = plt.figure()
    ax = fig.add_subplot(projection='3d')
    assert plot_cells(net, ax=ax, show=False) is fig
    with pytest.raises(ValueError, match="3-D axes.*'rectilinear'"):
        plot_cells(net, ax=plt.subplots()[1], show=False)
    with pytest.raises(TypeError, match='net must be an instance of Network'):
        plot_cells(net.pos_dict, show=False)


def test_plot_cells_shows_electrode_arrays():
    """As hnn-core 0.6.1's plot_cells: each array's contacts, labelled by name."""
    net = neymotin_2020_model(mesh_shape=(3, 3))
    shank = [(1., 1., z) for z in (-100., 500., 1100.)]
    net.add_electrode_array('shank', shank)
    net.add_electrode_array('far', [(50., 0., 300.)])
    ax = plot_cells(net, show=False).axes[0]
    assert legend_texts(ax) == CELL_TYPES + ['shank (array)', 'far (array)']
    for collection, positions in zip(ax.collections[-2:], (shank, [(50., 0., 300.)])):
        for coord, values in enumerate(collection._offsets3d):
            np.testing.assert_array_equal(values, np.array(positions)[:, coord])
    assert ax.collections[-1].get_facecolor()[0].tolist() != \
        ax.collections[-2].get_facecolor()[0].tolist()
    plt.close('all')


def test_plot_cells_user_cell_types():
    """Any cell type is drawn, each new one in a colour of its own; no drives here."""
    net = add_basket_copy(neymotin_2020_model(mesh_shape=(3, 3)))
    cell = net.cell_types['L5_pyramidal']['cell_object'].copy()
    net.add_cell_type('L5_pyramidal_copy', cell, [(0.5, 0.5, 300.)],
                      cell_metadata={'morpho_type': 'pyramidal'})
    ax = plot_cells(net, show=False).axes[0]
    names = CELL_TYPES + ['L2_basket_copy', 'L5_pyramidal_copy']
    assert legend_texts(ax) == names  # no drive: no origin
    for collection, cell_type in zip(ax.collections, names):
        expected = np.array(net.pos_dict[cell_type])
        for coord, values in enumerate(collection._offsets3d):
            np.testing.assert_array_equal(values, expected[:, coord])
    colors = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert len(set(colors)) == 6
    # no 'morpho_type': squares; 'pyramidal': triangles
    np.testing.assert_allclose(ax.collections[4].get_paths()[0].vertices,
                               marker_vertices('s'))
    np.testing.assert_allclose(ax.collections[5].get_paths()[0].vertices,
                               marker_vertices('^'))
    # the raster gives each cell type the colour it has here
    raster = plot_spikes_raster(every_cell_spikes(net), show=False).axes[0]
    assert [to_hex(c.get_facecolor()[0]) for c in raster.collections] == colors


def test_oracle_gid_ranges_match_types(cell_response, net):
    """The raster's gids are the network's: the 3x3 gid ranges type every spike."""
    ref = np.load(op.join(DATA, 'oracle_files.npz'))
    gid_ranges = {k: range(*v) for k, v in json.loads(str(ref['gid_ranges'])).items()}
    for name in CELL_TYPES + ['evdist1', 'evprox1', 'evprox2']:
        assert net.gid_ranges[name] == gid_ranges[name]
    fig = plot_spikes_raster(cell_response, show=False)
    for collection, cell_type in zip(fig.axes[0].collections, CELL_TYPES):
        assert set(collection.get_offsets()[:, 1].astype(int)) <= \
            set(gid_ranges[cell_type])


# -- dipoles ----------------------------------------------------------------------
@pytest.fixture(scope='module')
def dpls():
    """Trials 0 and 1 of the 3x3 oracle network (hnn-core 0.6.1), in nAm."""
    ref = np.load(op.join(DATA, 'oracle_files.npz'))
    return [Dipole(ref['times'], np.column_stack([ref[f'{layer}_trials'][k]
                                                  for layer in ('agg', 'L2', 'L5')]))
            for k in range(2)]


def sinusoid(freq=20., amplitude=2., offset=5., tstop=1000., dt=0.5, phase=0.):
    """A dipole holding offset + amplitude * sin(2 pi freq t) in every layer."""
    times = np.arange(0., tstop, dt)
    values = offset + amplitude * np.sin(2 * np.pi * freq * times / 1000. + phase)
    return Dipole(times, np.column_stack([values] * 3))


def test_plot_dipole(dpls):
    fig = plot_dipole(dpls[0], show=False)
    (ax,) = fig.axes
    assert len(ax.lines) == 1 and ax.get_legend() is None  # one line, no legend
    assert ax.get_xlabel() == 'Time (ms)' and ax.get_ylabel() == 'Dipole (nAm)'
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), dpls[0].data['agg'])
    # several dipoles: one labelled line each; tmin, tmax, decim
    fig = plot_dipole(dpls, tmin=50., tmax=100., layer='L5', decim=4, show=False)
    ax = fig.axes[0]
    assert legend_texts(ax) == ['Trial 0', 'Trial 1'] and ax.get_title() == 'Layer 5'
    times = dpls[1].times
    mask = (times >= 50.) & (times <= 100.)
    # decim as hnn-core 0.6.1: scipy's decimate (low-pass, then every 4th sample)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), times[mask][::4])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(),
                                  decimate(dpls[1].data['L5'][mask], 4))
    # a list of factors applies each in turn (0.6.1's examples use [5, 4])
    fig = plot_dipole(dpls[1], tmin=50., tmax=100., layer='L5', decim=[2, 2], show=False)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), times[mask][::2][::2])
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(),
                                  decimate(decimate(dpls[1].data['L5'][mask], 2), 2))
    scaled = dpls[0].copy().scale(3000)
    assert scaled.plot(show=False).axes[0].get_ylabel() == 'Dipole (nAm × 3000)'


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(layer='L6'), ValueError,
     "'layer' parameter: 'L6'; the dipole only has the layer.*'agg', 'L2', 'L5'"),
    (dict(decim=0), ValueError, 'decim must be an integer >= 1'),
    (dict(decim=2.), TypeError, 'decim must be'),
    (dict(decim=[2, 0]), ValueError, r'decim must be an integer >= 1 \(or a list'),
    (dict(decim=4, tmin=0., tmax=0.5), ValueError, 'needs more than 27 samples'),
    (dict(tmin=100., tmax=50.), ValueError, 'tmin must be earlier than tmax'),
    (dict(tmin='0'), TypeError, 'tmin must be'),
    (dict(tmin=500., tmax=600.), ValueError,
     'holds 0 samples of the dipole.*at least 1 are needed'),
])
def test_plot_dipole_errors(dpls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_dipole(dpls, show=False, **kwargs)


def test_plot_dipole_other_layers(dpls):
    """Further measured cell types add dipole columns: 'L6', or a type's name."""
    data = dict(dpls[0].data)
    data['L6'] = 2. * data['L5']
    data['L2_basket_copy'] = -data['L2']
    dpl = Dipole(dpls[0].times, data)
    ax = plot_dipole(dpl, layer='L6', show=False).axes[0]
    assert ax.get_title() == 'Layer 6'
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), data['L6'])
    assert plot_psd([dpl, dpl], layer='L6', show=False).axes[0].get_title() == \
        'Layer 6, mean of 2 dipoles'
    ax = plot_dipole(dpl, layer='L2_basket_copy', show=False).axes[0]
    assert ax.get_title() == 'L2_basket_copy'
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), -data['L2'])


def test_dipole_input_errors(dpls):
    """All dipole plots check the dipoles the same way."""
    agg_only = Dipole(dpls[0].times, dpls[0].data['agg'])
    scaled = dpls[1].copy().scale(10)
    for func, args in ((plot_dipole, ()), (plot_psd, ()),
                       (plot_tfr_morlet, ([20., 30.],))):
        with pytest.raises(ValueError, match="only has the layer.*'agg'"):
            func(agg_only, *args, layer='L2', show=False)
        with pytest.raises(ValueError, match='same scale_applied'):
            func([dpls[0], scaled], *args, show=False)
        with pytest.raises(ValueError, match='non-empty list of Dipole'):
            func([], *args, show=False)
        with pytest.raises(TypeError, match=r'dpl\[1\] must be an instance of Dipole'):
            func([dpls[0], dpls[0].data['agg']], *args, show=False)
        with pytest.raises(TypeError, match='dpl must be an instance of Dipole'):
            func(dpls[0].data['agg'], *args, show=False)
        plt.close('all')
        with pytest.raises(TypeError, match='show must be'):
            func(dpls[0], *args, show='no')
        assert not plt.get_fignums()  # checked before any figure is made


# -- power spectral density ----------------------------------------------------------
def test_plot_psd_peak_and_density():
    """A 20 Hz sinusoid peaks at 20 Hz; the density integrates to its variance."""
    dpl = sinusoid(freq=20., amplitude=2.)
    fig = plot_psd(dpl, show=False)
    (ax,) = fig.axes
    (line,) = ax.lines
    freqs, psd = line.get_xdata(), line.get_ydata()
    assert freqs[np.argmax(psd)] == pytest.approx(20.)
    assert freqs[0] == 0. and freqs[-1] == pytest.approx(dpl.sfreq / 2)  # fmax None
    # the offset is removed; the power of 2 sin is 2 (nAm)^2
    assert np.sum(psd) * (freqs[1] - freqs[0]) == pytest.approx(2., rel=1e-3)
    assert ax.get_xlabel() == 'Frequency (Hz)'
    assert ax.get_ylabel() == 'Power spectral density ((nAm)² / Hz)'
    assert ax.get_title() == 'Aggregate'
    # a 40 Hz rhythm after 500 ms: the window (2 Hz resolution) picks it
    late = sinusoid(freq=40.)
    late.data['agg'][late.times < 500.] = 5.
    line = plot_psd(late, tmin=500., fmin=10., fmax=60., show=False).axes[0].lines[0]
    assert line.get_xdata()[np.argmax(line.get_ydata())] == pytest.approx(40.)
    assert line.get_xdata().min() >= 10. and line.get_xdata().max() <= 60.


def test_plot_psd_list_and_method(dpls):
    fig = dpls[0].plot_psd(fmax=200., layer='L2', show=False)
    (ax,) = fig.axes
    assert len(ax.lines) == 1
    single = [plot_psd(d, fmax=200., layer='L2', show=False).axes[0].lines[0].get_ydata()
              for d in dpls]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), single[0])
    fig = plot_psd(dpls, fmax=200., layer='L2', show=False)
    ax = fig.axes[0]
    assert len(ax.lines) == 1 and ax.get_title() == 'Layer 2/3, mean of 2 dipoles'
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.mean(single, axis=0))
    # the values are scipy's Hamming-window periodogram of the demeaned dipole
    freqs, psd = periodogram(dpls[0].data['L2'], fs=dpls[0].sfreq, window='hamming')
    np.testing.assert_allclose(single[0], psd[freqs <= 200.])
    # into given axes; a scaled dipole's unit
    fig, axes = plt.subplots(1, 2)
    scaled = dpls[0].copy().scale(3000)
    assert scaled.plot_psd(fmax=100., ax=axes[1], show=False) is fig
    assert not axes[0].lines and len(axes[1].lines) == 1
    assert axes[1].get_ylabel() == 'Power spectral density ((nAm × 3000)² / Hz)'
    freqs, psd = periodogram(dpls[0].data['agg'], fs=dpls[0].sfreq, window='hamming')
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(),
                               3000 ** 2 * psd[freqs <= 100.])


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(fmax=30000.), ValueError, r'0 <= fmin < fmax <= 20000 Hz'),
    (dict(fmin=50., fmax=40.), ValueError, 'fmin < fmax'),
    (dict(fmin=-1.), ValueError, '0 <= fmin'),
    (dict(fmin=None), TypeError, 'fmin must be'),
    (dict(fmin=1., fmax=2.), ValueError, 'No frequency of the spectrum lies between'),
    (dict(tmin=100., tmax=100.01), ValueError, 'holds 1 samples.*at least 2'),
    (dict(layer='all'), ValueError, "'layer'"),
])
def test_plot_psd_errors(dpls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_psd(dpls[0], show=False, **kwargs)


def test_plot_psd_mismatched_dipoles(dpls):
    coarse = Dipole(dpls[0].times[::2], dpls[0].data['agg'][::2])
    with pytest.raises(ValueError, match='same sampling frequency'):
        plot_psd([dpls[0], coarse], show=False)
    short = Dipole(dpls[0].times[:100], dpls[0].data['agg'][:100])
    with pytest.raises(ValueError, match='same number of samples'):
        plot_psd([dpls[0], short], show=False)


# -- Morlet wavelets ----------------------------------------------------------------
def test_morlet_wavelets():
    sfreq, freqs = 1000., np.array([5., 20., 80.])
    wavelets = morlet(sfreq, freqs, n_cycles=[3., 7., 7.])
    for wavelet, freq, cycles in zip(wavelets, freqs, (3., 7., 7.)):
        assert np.sum(np.abs(wavelet) ** 2) == pytest.approx(1.)  # unit energy
        sigma_t = cycles / (2 * np.pi * freq)
        assert len(wavelet) == 2 * int(np.ceil(5 * sigma_t * sfreq)) + 1
        assert abs(np.sum(wavelet)) < 1e-12 * np.sum(np.abs(wavelet))  # zero mean
        # the envelope is a Gaussian of standard deviation sigma_t
        t = (np.arange(len(wavelet)) - len(wavelet) // 2) / sfreq
        envelope = np.abs(wavelet) / np.abs(wavelet).max()
        np.testing.assert_allclose(envelope[np.abs(t) <= sigma_t][[0, -1]],
                                   np.exp(-0.5 * (t[np.abs(t) <= sigma_t][[0, -1]] /
                                                  sigma_t) ** 2), rtol=0.05)
    # with few cycles the plain wavelet has a mean; zero_mean removes it
    plain = morlet(sfreq, [10.], n_cycles=1., zero_mean=False)[0]
    assert abs(np.sum(plain)) > 0.1 * np.sum(np.abs(plain))


def test_tfr_array_morlet_sinusoid():
    """20 Hz peaks at 20 Hz among 10..40 Hz, with the expected power."""
    sfreq, amplitude, n_cycles = 1000., 3., 7.
    times = np.arange(0., 2., 1. / sfreq)
    signal = amplitude * np.cos(2 * np.pi * 20. * times)  # even about t = 0
    freqs = np.arange(10., 41., 2.)
    power = tfr_array_morlet(signal, sfreq, freqs, n_cycles=n_cycles)
    assert power.shape == (len(freqs), len(times))
    middle = len(times) // 2
    assert freqs[np.argmax(power[:, middle])] == 20.
    assert np.all(freqs[np.argmax(power[:, 500:1500], axis=0)] == 20.)
    # |conv|^2 of A cos with a unit-energy wavelet: A^2 sqrt(pi) sigma_t sfreq / 2
    sigma_t = n_cycles / (2 * np.pi * 20.)
    expected = amplitude ** 2 * np.sqrt(np.pi) * sigma_t * sfreq / 2
    assert power[freqs == 20., middle][0] == pytest.approx(expected, rel=1e-3)
    # 2-D input: one row per signal; a constant offset adds nothing
    both = tfr_array_morlet(np.array([signal, signal + 10.]), sfreq, freqs,
                            padding='mirror')
    assert both.shape == (2, len(freqs), len(times))
    np.testing.assert_allclose(both[1, :, 500:1500], both[0, :, 500:1500],
                               rtol=0, atol=1e-9 * expected)
    # at the start zeros halve the overlap (a quarter of the power); the mirror
    # image of this cosine is its own continuation, so the power stays
    zeros = power[freqs == 20., 0][0]
    mirror = both[0, freqs == 20., 0][0]
    assert zeros == pytest.approx(expected / 4, rel=0.05)
    assert mirror == pytest.approx(expected, rel=1e-3)


def test_tfr_array_morlet_white_noise():
    """Unit-energy wavelets: white noise of variance s^2 has power s^2."""
    noise = np.random.default_rng(0).normal(scale=2., size=(100, 4000))
    power = tfr_array_morlet(noise, 1000., [20., 50., 120.], n_cycles=[5., 7., 7.],
                             padding='mirror')
    np.testing.assert_allclose(power[:, :, 500:3500].mean(axis=(0, 2)), 4., rtol=0.05)


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(freqs=[10., 600.]), ValueError, r'at most half the sampling frequency \(500'),
    (dict(freqs=[0., 10.]), ValueError, 'freqs must be > 0'),
    (dict(freqs=[]), ValueError, 'non-empty 1-D'),
    (dict(freqs='20'), TypeError, 'freqs must be'),
    (dict(n_cycles=[7., 7.]), ValueError, r'one value per frequency \(3\)'),
    (dict(n_cycles=0.), ValueError, 'n_cycles must be > 0'),
    (dict(padding='reflect'), ValueError, "'padding'.*'zeros', 'mirror'"),
    (dict(data=np.full(10, np.nan)), ValueError, 'finite'),
    (dict(data=np.zeros((2, 2, 2))), ValueError, 'data must have shape'),
    (dict(sfreq=0.), ValueError, 'sfreq must be > 0'),
])
def test_tfr_array_morlet_errors(kwargs, exc, match):
    args = dict(data=np.zeros(100), sfreq=1000., freqs=[10., 20., 30.])
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        tfr_array_morlet(**args)


# -- time-frequency plot ---------------------------------------------------------------
def test_plot_tfr_morlet_sinusoid():
    dpl = sinusoid(freq=20., tstop=600.)
    freqs = np.arange(10., 41., 1.)
    fig = plot_tfr_morlet(dpl, freqs, decim=10, show=False)
    ax, cax = fig.axes  # the image and its colorbar
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    power = np.asarray(mesh.get_array()).reshape(len(freqs), -1)
    assert power.shape == (len(freqs), len(dpl.times[::10]))
    middle = power.shape[1] // 2
    assert freqs[np.argmax(power[:, middle])] == 20.
    assert ax.get_xlabel() == 'Time (ms)' and ax.get_ylabel() == 'Frequency (Hz)'
    assert cax.get_ylabel() == 'Power ((nAm)²)'
    # the mesh covers the analysed times and frequencies
    assert ax.get_ylim() == pytest.approx((9.5, 40.5))
    assert ax.get_xlim()[0] < dpl.times[0] < dpl.times[-10] < ax.get_xlim()[1]


def test_plot_tfr_morlet_list_and_method(dpls):
    freqs = [20., 40., 60., 80.]
    kwargs = dict(n_cycles=4., tmin=20., tmax=160., layer='L5', decim=5,
                  padding='mirror', colorbar=False, show=False)
    fig = dpls[0].plot_tfr_morlet(freqs, **kwargs)
    (ax,) = fig.axes  # no colorbar
    single = [np.asarray(plot_tfr_morlet(d, freqs, **kwargs).axes[0]
                         .collections[0].get_array()) for d in dpls]
    np.testing.assert_allclose(np.asarray(ax.collections[0].get_array()), single[0])
    fig = plot_tfr_morlet(dpls, freqs, **kwargs)
    (ax,) = fig.axes
    assert len(ax.collections) == 1 and isinstance(ax.collections[0], QuadMesh)
    assert ax.get_title() == 'Layer 5, mean of 2 dipoles'
    np.testing.assert_allclose(np.asarray(ax.collections[0].get_array()),
                               np.mean(single, axis=0))
    # the values: power of the demeaned window, every 5th sample
    times = dpls[0].times
    window = dpls[0].data['L5'][(times >= 20.) & (times <= 160.)]
    expected = tfr_array_morlet(window - window.mean(), dpls[0].sfreq, freqs,
                                n_cycles=4., padding='mirror')[:, ::5]
    np.testing.assert_allclose(single[0].reshape(expected.shape), expected)
    # into given axes, a scaled dipole's unit, one frequency
    fig, axes = plt.subplots(1, 2)
    scaled = dpls[0].copy().scale(3000)
    assert scaled.plot_tfr_morlet([40.], ax=axes[0], show=False) is fig
    assert len(axes[0].collections) == 1 and not axes[1].collections
    assert fig.axes[-1].get_ylabel() == 'Power ((nAm × 3000)²)'


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(freqs=[20., 30., 25.]), ValueError, 'freqs must be strictly increasing or'),
    (dict(freqs=[20., 20.]), ValueError, 'freqs must be strictly increasing or'),
    (dict(freqs=[20., 30000.]), ValueError, 'at most half the sampling frequency'),
    (dict(decim=0), ValueError, 'decim must be an integer >= 1'),
    (dict(padding='wrap'), ValueError, "'padding'"),
    (dict(n_cycles=-2.), ValueError, 'n_cycles must be > 0'),
    (dict(colorbar='yes'), TypeError, 'colorbar must be'),
    (dict(tmin=200.), ValueError, 'holds 0 samples'),
])
def test_plot_tfr_morlet_errors(dpls, kwargs, exc, match):
    args = dict(freqs=[20., 30.])
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_tfr_morlet(dpls[0], show=False, **args)


# -- morphology ---------------------------------------------------------------------
# end points (um) of hnn-core 0.6.1's default cells, soma's 0-end at the origin
END_POINTS_061 = {
    'L5_pyramidal': {'apical_tuft': [[0., 0., 1501.], [0., 0., 1926.]],
                     'apical_oblique': [[0., 0., 141.], [-255., 0., 141.]],
                     'basal_2': [[0., 0., -85.], [-180.312, 0., -265.312]],
                     'basal_3': [[0., 0., -85.], [180.312, 0., -265.312]],
                     'soma': [[0., 0., 0.], [0., 0., 39.]]},
    'L2_pyramidal': {'apical_tuft': [[0., 0., 387.6], [0., 0., 625.6]],
                     'apical_oblique': [[0., 0., 81.6], [-340., 0., 81.6]],
                     'basal_2': [[0., 0., -85.], [-180.312, 0., -265.312]],
                     'soma': [[0., 0., 0.], [0., 0., 22.1]]},
    'L2_basket': {'soma': [[0., 0., 0.], [0., 0., 39.]]},
    'L5_basket': {'soma': [[0., 0., 0.], [0., 0., 39.]]},
}


def default_cell(cell_type):
    if cell_type.endswith('pyramidal'):
        return pyramidal(cell_type)
    return basket(cell_type)


def lines_by_label(ax):
    return {line.get_label(): np.array(line.get_data_3d()).T for line in ax.lines}


@pytest.mark.parametrize('cell_type', CELL_TYPES)
def test_plot_cell_morphology(cell_type):
    cell = default_cell(cell_type)
    fig = plot_cell_morphology(cell_type, show=False)
    (ax,) = fig.axes
    assert ax.name == '3d' and ax.get_title() == cell_type
    assert len(ax.lines) == len(cell.sections)  # one line per section
    assert legend_texts(ax) == list(cell.sections)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == \
        ('x (µm)', 'y (µm)', 'z (µm)')
    for line, (name, sec) in zip(ax.lines, cell.sections.items()):
        points = np.array(line.get_data_3d()).T
        np.testing.assert_allclose(points, sec.end_pts)
        assert np.linalg.norm(points[1] - points[0]) == pytest.approx(sec.L)
        assert line.get_linewidth() == pytest.approx(0.4 * sec.diam)
    for name, points in END_POINTS_061[cell_type].items():
        np.testing.assert_allclose(lines_by_label(ax)[name], points, atol=1e-3)
    # one scale: the box's proportions are the axis ranges'
    ranges = [np.diff(lim)[0] for lim in (ax.get_xlim(), ax.get_ylim(), ax.get_zlim())]
    np.testing.assert_allclose(ax.get_box_aspect() / ax.get_box_aspect()[2],
                               np.array(ranges) / ranges[2])
    points = np.concatenate([sec.end_pts for sec in cell.sections.values()])
    for lim, coord in zip((ax.get_xlim(), ax.get_ylim(), ax.get_zlim()), range(3)):
        assert lim[0] <= points[:, coord].min() and points[:, coord].max() <= lim[1]


def test_plot_cell_morphology_cell_object(net):
    """A network's (edited) cell, moved to pos, in given axes."""
    cell = net.cell_types['L5_pyramidal']['cell_object'].copy()
    cell.modify_section('apical_tuft', L=600.)
    fig = plt.figure()
    ax = fig.add_subplot(projection='3d')
    pos = (100., 50., 200.)
    assert plot_cell_morphology(cell, ax=ax, pos=pos, show=False) is fig
    assert ax.get_title() == cell.name
    lines = lines_by_label(ax)
    assert list(lines) == list(cell.sections)
    for name, sec in cell.sections.items():
        np.testing.assert_allclose(lines[name], np.array(sec.end_pts) + pos)
    assert lines['apical_tuft'][1, 2] == pytest.approx(1501. + 600. + 200.)
    assert lines['soma'][0].tolist() == list(pos)
    # a str colours the whole cell (no legend); a dict some sections, the rest grey
    ax = plot_cell_morphology(cell, color='tab:orange', show=False).axes[0]
    assert {to_hex(line.get_color()) for line in ax.lines} == {to_hex('tab:orange')}
    assert ax.get_legend() is None
    ax = plot_cell_morphology(cell, color={'apical_tuft': 'r', 'soma': 'k'},
                              show=False).axes[0]
    colors = {name: to_hex(line.get_color())
              for name, line in zip(cell.sections, ax.lines)}
    assert colors['apical_tuft'] == '#ff0000' and colors['soma'] == '#000000'
    assert colors['basal_1'] == to_hex('0.7')
    assert sorted(legend_texts(ax)) == ['apical_tuft', 'soma']


def test_plot_cell_morphology_window():
    """xlim, ylim, zlim are 0.6.1's window around pos; sections are cut at its faces."""
    cell = default_cell('L5_pyramidal')
    # by default the whole cell is shown
    ax = cell.plot_morphology(show=False).axes[0]
    assert ax.get_zlim()[0] < -265. and ax.get_zlim()[1] > 1926.
    # hnn-core 0.6.1's window (-250, 150), (-100, 100), (-100, 1200) um
    fig = cell.plot_morphology(pos=(10., 20., 30.), xlim=(-250, 150), ylim=(-100, 100),
                               zlim=(-100, 1200), show=False)
    (ax,) = fig.axes
    assert ax.get_xlim() == pytest.approx((-240., 160.))
    assert ax.get_ylim() == pytest.approx((-80., 120.))
    assert ax.get_zlim() == pytest.approx((-70., 1230.))
    lines = lines_by_label(ax)
    assert 'apical_tuft' not in lines  # 1501-1926 um: above the window
    assert 'apical_tuft' not in legend_texts(ax)
    # basal_2 leaves through the bottom face, apical_oblique through the left one
    np.testing.assert_allclose(lines['basal_2'], [[10., 20., -55.], [-5., 20., -70.]],
                               atol=1e-3)
    np.testing.assert_allclose(lines['apical_oblique'],
                               [[10., 20., 171.], [-240., 20., 171.]], atol=1e-3)
    np.testing.assert_allclose(lines['apical_trunk'],
                               np.array(cell.sections['apical_trunk'].end_pts) +
                               (10., 20., 30.))
    # one scale along the three axes of the window
    np.testing.assert_allclose(ax.get_box_aspect() / ax.get_box_aspect()[2],
                               np.array([400., 200., 1300.]) / 1300.)
    # a window along one axis only; the others fit the cell
    ax = plot_cell_morphology(cell, zlim=(1000., 2000.), show=False).axes[0]
    assert ax.get_zlim() == pytest.approx((1000., 2000.))
    assert list(lines_by_label(ax)) == ['apical_2', 'apical_tuft']
    assert ax.get_xlim()[0] < -255.  # the oblique dendrite's reach


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(cell='L5_pyr'), ValueError,
     "'cell'.*'L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal'"),
    (dict(cell=5), TypeError, 'cell must be an instance of Cell or str'),
    (dict(color={'apical_9': 'r'}), ValueError,
     "color has a key 'apical_9' that is not a section.*'apical_trunk'"),
    (dict(color='notacolour'), ValueError, 'color must be a matplotlib colour'),
    (dict(color={'soma': 'notacolour'}), ValueError,
     r"color\['soma'\] must be a matplotlib colour"),
    (dict(color=3), TypeError, 'color must be an instance of str, dict or None'),
    (dict(pos=(0., 0.)), ValueError, r'pos must have 3 elements \(x, y, z'),
    (dict(pos=(0., 'a', 0.)), TypeError, r'pos\[1\] must be'),
    (dict(xlim=(10., -10.)), ValueError, 'xlim must be .low, high. with finite low'),
    (dict(zlim=(0., 1., 2.)), ValueError, r'zlim must be \(low, high\)'),
    (dict(show='no'), TypeError, 'show must be'),
])
def test_plot_cell_morphology_errors(kwargs, exc, match):
    args = dict(cell='L2_pyramidal')
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_cell_morphology(show=args.pop('show', False), **args)


def test_plot_cell_morphology_needs_3d_axes():
    with pytest.raises(ValueError, match="3-D axes.*'rectilinear'"):
        plot_cell_morphology('L2_pyramidal', ax=plt.subplots()[1], show=False)


# -- connectivity ---------------------------------------------------------------------
def gid_position(net, gid):
    """Soma position of a gid from net.pos_dict (a drive's cells at the origin)."""
    for name, gid_range in net.gid_ranges.items():
        if gid in gid_range:
            if name not in net.cell_types:
                return np.array(net.pos_dict['origin'])
            return np.array(net.pos_dict[name][gid - gid_range.start])
    raise AssertionError(f'no gid {gid}')


def pair_weight(net, conn, src, tgt):
    """A_weight * gain * exp(-d^2 / (lamtha * inplane_distance)^2); d: xy distance."""
    nc = conn['nc_dict']
    d2 = np.sum((gid_position(net, tgt)[:2] - gid_position(net, src)[:2]) ** 2)
    return nc['A_weight'] * nc['gain'] * \
        np.exp(-d2 / (nc['lamtha'] * net.inplane_distance) ** 2)


def image_matrix(ax):
    (image,) = ax.images
    return np.asarray(image.get_array(), dtype=float)


def one_index(net, **kwargs):
    (idx,) = pick_connection(net, **kwargs)
    return idx


# row of gid 3 in hnn-core 0.6.1's plot_connectivity_matrix of the 3x3 network's
# L2_pyramidal -> L2_pyramidal proximal AMPA connection (rounded to 1e-6 uS)
L2PYR_ROW_061 = [0., 0.000447, 0.000321, 0.000447, 0.0004, 0.000287, 0.000321,
                 0.000287, 0.000206]


def test_plot_connectivity_matrix(net):
    idx = one_index(net, src_gids='L2_pyramidal', target_gids='L2_pyramidal',
                    loc='proximal', receptor='ampa')
    conn = net.connectivity[idx]
    fig = plot_connectivity_matrix(net, idx, show=False)
    ax, cax = fig.axes
    assert ax.get_title() == 'L2_pyramidal -> L2_pyramidal (proximal, ampa)'
    assert ax.get_xlabel() == 'L2_pyramidal target gid'
    assert ax.get_ylabel() == 'L2_pyramidal source gid'
    assert cax.get_ylabel() == 'Weight (µS)'
    assert ax.images[0].get_cmap().name == 'Greys'
    matrix = image_matrix(ax)
    gids = net.gid_ranges['L2_pyramidal']
    assert matrix.shape == (9, 9)
    expected = np.zeros((9, 9))
    for src, targets in conn['gid_pairs'].items():
        for tgt in targets:
            expected[src - gids.start, tgt - gids.start] = \
                pair_weight(net, conn, src, tgt)
    np.testing.assert_allclose(matrix, expected, rtol=1e-12)
    assert np.all(np.diag(matrix) == 0.)  # no autapses
    np.testing.assert_allclose(matrix[0], L2PYR_ROW_061, atol=6e-7)
    assert matrix.max() == pytest.approx(0.0005 * np.exp(-1 / 9))  # neighbours
    # pixel centres on the gids: source rows down, target columns across
    assert ax.images[0].get_extent() == [gids.start - 0.5, gids.stop - 0.5,
                                         gids.stop - 0.5, gids.start - 0.5]
    assert ax.images[0].norm.vmin == 0. and ax.images[0].norm.vmax == matrix.max()
    # by name: '<source>_<target>_<receptor>', or with hnn-core 0.1's short names
    for name in ('L2_pyramidal_L2_pyramidal_ampa', 'L2Pyr_L2Pyr_ampa'):
        ax = plot_connectivity_matrix(net, name, colorbar=False, show=False).axes[0]
        assert len(ax.figure.axes) == 1
        np.testing.assert_array_equal(image_matrix(ax), matrix)


def test_plot_connectivity_matrix_locations(net):
    """Two connections share 'L2Pyr_L5Pyr_ampa' (proximal, distal): location picks."""
    prox = one_index(net, src_gids='L2_pyramidal', target_gids='L5_pyramidal',
                     loc='proximal', receptor='ampa')
    dist = one_index(net, src_gids='L2_pyramidal', target_gids='L5_pyramidal',
                     loc='distal', receptor='ampa')
    with pytest.raises(ValueError, match=rf"2 connections are named 'L2Pyr_L5Pyr_ampa'"
                       rf".*{prox} \(proximal\), {dist} \(distal\).*Pass location"):
        plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', show=False)
    ax = plot_connectivity_matrix(net, 'L2_pyramidal_L5_pyramidal_ampa',
                                  location='distal', show=False).axes[0]
    assert ax.get_title() == 'L2_pyramidal -> L5_pyramidal (distal, ampa)'
    np.testing.assert_array_equal(
        image_matrix(ax),
        image_matrix(plot_connectivity_matrix(net, dist, show=False).axes[0]))
    with pytest.raises(ValueError, match="'location' parameter: 'soma'.*named "
                       "'L2Pyr_L5Pyr_ampa' have the location.*'proximal', 'distal'"):
        plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', location='soma', show=False)


def test_plot_connectivity_matrix_drive_and_presence(net):
    fig, axes = plt.subplots(1, 2)
    out = plot_connectivity_matrix(net, 'evprox1_L5_pyramidal_ampa', ax=axes[1],
                                   colormap='viridis', show=False)
    assert out is fig and not axes[0].images
    assert axes[1].images[0].get_cmap().name == 'viridis'
    matrix = image_matrix(axes[1])
    drive_gids, tgt_gids = net.gid_ranges['evprox1'], net.gid_ranges['L5_pyramidal']
    assert matrix.shape == (len(drive_gids), len(tgt_gids)) == (24, 9)
    conn = net.connectivity[one_index(net, src_gids='evprox1',
                                      target_gids='L5_pyramidal')]
    assert np.count_nonzero(matrix) == 9  # cell-specific: one drive cell per target
    for src, targets in conn['gid_pairs'].items():
        for tgt in targets:  # the weight falls off with the distance from the origin
            assert matrix[src - drive_gids.start, tgt - tgt_gids.start] == \
                pytest.approx(pair_weight(net, conn, src, tgt), rel=1e-12)
    assert matrix.max() == pytest.approx(0.00865)  # the cell at the origin
    # show_weight=False: 1 for each connected pair
    fig = plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', location='distal',
                                   show_weight=False, show=False)
    ax, cax = fig.axes
    np.testing.assert_array_equal(image_matrix(ax), np.ones((9, 9)))
    assert [t.get_text() for t in cax.get_yticklabels()] == \
        ['not connected', 'connected']


def test_plot_connectivity_matrix_user_cell_type(custom_net):
    ax = plot_connectivity_matrix(custom_net, 'L2_pyramidal_L2_basket_copy_ampa',
                                  show=False).axes[0]
    matrix = image_matrix(ax)
    assert matrix.shape == (9, 2) and np.all(matrix > 0)
    assert ax.get_xlabel() == 'L2_basket_copy target gid'
    # a L2 pyramidal cell at (0, 0) and the copy at (0, 0): the full weight
    assert matrix[0, 0] == pytest.approx(0.001)
    assert matrix[1, 0] == pytest.approx(0.001 * np.exp(-1 / 9))  # (0, 1) vs (0, 0)


def test_plot_connectivity_matrix_no_pair():
    net = neymotin_2020_model(mesh_shape=(1, 1))  # one cell per type, no autapses
    ax = plot_connectivity_matrix(net, 'L5Pyr_L5Pyr_nmda', show=False).axes[0]
    np.testing.assert_array_equal(image_matrix(ax), [[0.]])
    assert 'no connected pair' in [text.get_text() for text in ax.texts]


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(conn_idx=30), ValueError,
     r'conn_idx must be an index into net.connectivity, between 0 and 29, got 30'),
    (dict(conn_idx=-1), ValueError, 'between 0 and 29, got -1'),
    (dict(conn_idx=1.), TypeError, 'conn_idx must be an instance of int or str'),
    (dict(conn_idx='L2Pyr_L6Pyr_ampa'), ValueError,
     "No connection of net is named 'L2Pyr_L6Pyr_ampa'.*'<source>_<target>_"
     "<receptor>'.*'L2_pyramidal_L2_pyramidal_nmda'.*'evprox2_L5_pyramidal_ampa'"),
    (dict(conn_idx=1, location='proximal'), ValueError,
     'location only picks among the connections of a name'),
    (dict(location=3), TypeError, 'location must be'),
    (dict(colormap='nope'), ValueError, "colormap must be the name of a matplotlib "
     "colormap.*got 'nope'"),
    (dict(colormap=3), TypeError, 'colormap must be'),
    (dict(show_weight='yes'), TypeError, 'show_weight must be'),
    (dict(colorbar=1), TypeError, 'colorbar must be'),
    (dict(net='net'), TypeError, 'net must be an instance of Network'),
])
def test_plot_connectivity_matrix_errors(net, kwargs, exc, match):
    args = dict(net=net, conn_idx='L2Pyr_L2Pyr_ampa')
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_connectivity_matrix(show=False, **args)


def test_plot_connectivity_matrix_empty_network():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.clear_connectivity()
    for conn_idx in (0, 'L2Pyr_L2Pyr_ampa'):
        with pytest.raises(ValueError, match=r'net has no connections \(net.connec'):
            plot_connectivity_matrix(net, conn_idx, show=False)


# -- connectivity of one cell -------------------------------------------------------
def click(fig, ax, xy):
    """A left click at data coordinates xy of ax."""
    fig.canvas.draw()
    x, y = ax.transData.transform(xy)
    event = MouseEvent('button_press_event', fig.canvas, x, y, button=1)
    fig.canvas.callbacks.process('button_press_event', event)


def test_plot_cell_connectivity(net):
    idx = one_index(net, src_gids='L2_pyramidal', target_gids='L2_pyramidal',
                    loc='proximal', receptor='ampa')
    conn = net.connectivity[idx]
    fig = plot_cell_connectivity(net, idx, show=False)
    ax_src, ax_tgt, cax = fig.axes
    assert fig._suptitle.get_text() == \
        f'net.connectivity[{idx}]: L2_pyramidal -> L2_pyramidal (proximal, ampa)'
    assert cax.get_ylabel() == 'Weight (µS)'
    for ax in (ax_src, ax_tgt):
        assert (ax.get_xlabel(), ax.get_ylabel()) == ('x (µm)', 'y (µm)')
    crosses, targets, source = ax_tgt.collections
    positions = np.array(net.pos_dict['L2_pyramidal'])[:, :2]
    # the first source (gid 3, at (0, 0)) reaches the 8 others
    assert ax_tgt.get_title() == 'L2_pyramidal targets of gid 3'
    np.testing.assert_array_equal(targets.get_offsets(), positions[1:])
    np.testing.assert_allclose(targets.get_array(), L2PYR_ROW_061[1:], atol=6e-7)
    np.testing.assert_allclose(
        targets.get_array(), [pair_weight(net, conn, 3, tgt) for tgt in range(4, 12)])
    np.testing.assert_array_equal(crosses.get_offsets(), positions[:1])  # itself
    np.testing.assert_array_equal(source.get_offsets(), positions[:1])
    # one colour scale for the whole connection
    assert targets.norm.vmin == pytest.approx(0.0005 * np.exp(-8 / 9))
    assert targets.norm.vmax == pytest.approx(0.0005 * np.exp(-1 / 9))
    assert legend_texts(ax_tgt) == ['L2_pyramidal, not connected',
                                    'L2_pyramidal, connected', 'source']
    faint, solid, selected = ax_src.collections
    np.testing.assert_array_equal(faint.get_offsets(), positions)
    np.testing.assert_array_equal(solid.get_offsets(), positions)
    np.testing.assert_array_equal(selected.get_offsets(), positions[:1])
    # a click in the sources' panel selects the nearest source (gid 11 at (2, 2))
    click(fig, ax_src, (1.9, 2.1))
    assert ax_tgt.get_title() == 'L2_pyramidal targets of gid 11'
    np.testing.assert_array_equal(selected.get_offsets(), [[2., 2.]])
    np.testing.assert_array_equal(source.get_offsets(), [[2., 2.]])
    np.testing.assert_array_equal(crosses.get_offsets(), [[2., 2.]])
    np.testing.assert_allclose(
        targets.get_array(), [pair_weight(net, conn, 11, tgt) for tgt in range(3, 11)])
    click(fig, ax_tgt, (0., 0.))  # the targets' panel does not select
    assert ax_tgt.get_title() == 'L2_pyramidal targets of gid 11'
    # src_gid picks the source; into two given axes
    fig, axes = plt.subplots(1, 2)
    assert plot_cell_connectivity(net, idx, src_gid=7, axes=axes, colorbar=False,
                                  show=False) is fig
    assert len(fig.axes) == 2
    assert axes[1].get_title() == 'L2_pyramidal targets of gid 7'
    np.testing.assert_array_equal(axes[0].collections[2].get_offsets(), [[1., 1.]])


def test_plot_cell_connectivity_drive_and_user_type(net, custom_net):
    idx = one_index(net, src_gids='evprox1', target_gids='L2_basket')
    fig = plot_cell_connectivity(net, idx, show=False)
    ax, cax = fig.axes  # a drive: the targets only
    crosses, targets, source = ax.collections
    first = net.gid_ranges['evprox1'][0]
    assert ax.get_title() == f'L2_basket targets of gid {first}'
    np.testing.assert_array_equal(targets.get_offsets(),
                                  [net.pos_dict['L2_basket'][0][:2]])
    assert targets.get_array()[0] == pytest.approx(
        pair_weight(net, net.connectivity[idx], first, 0))
    np.testing.assert_array_equal(source.get_offsets(), [net.pos_dict['origin'][:2]])
    assert legend_texts(ax)[2] == 'evprox1 (at the origin)'
    # a user-defined cell type as the target; one given axes
    idx = one_index(custom_net, src_gids='L2_pyramidal', target_gids='L2_basket_copy')
    fig, ax = plt.subplots()
    plot_cell_connectivity(custom_net, idx, src_gid=4, axes=ax, show=False)
    np.testing.assert_array_equal(ax.collections[1].get_offsets(), [[0., 0.], [1., 0.]])
    assert ax.get_title() == 'L2_basket_copy targets of gid 4'


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(src_gid=15), ValueError,
     r'src_gid 15 is not a source of net.connectivity\[1\] \(L2_pyramidal -> '
     r'L2_pyramidal \(proximal, ampa\)\); its sources are the gids 3-11'),
    (dict(src_gid='3'), TypeError, 'src_gid must be an instance of int or None'),
    (dict(conn_idx=30), ValueError, 'conn_idx must be an index.*between 0 and 29'),
    (dict(conn_idx='L2Pyr_L2Pyr_ampa'), TypeError, 'conn_idx must be an instance '
     'of int'),
    (dict(axes=[None]), TypeError, r'axes\[0\] must be an instance of Axes'),
    (dict(colormap='nope'), ValueError, 'colormap must be the name'),
    (dict(colorbar='yes'), TypeError, 'colorbar must be'),
])
def test_plot_cell_connectivity_errors(net, kwargs, exc, match):
    args = dict(conn_idx=1)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_cell_connectivity(net, show=False, **args)


def test_plot_cell_connectivity_axes_errors(net):
    with pytest.raises(ValueError, match=r'axes must hold 1 \(the targets\) or 2'):
        plot_cell_connectivity(net, 1, axes=plt.subplots(1, 3)[1], show=False)
    ax3d = plt.figure().add_subplot(projection='3d')
    with pytest.raises(ValueError, match=r'axes\[0\] must be a 2-D axes'):
        plot_cell_connectivity(net, 1, axes=[ax3d], show=False)
    # one cell per type and no autapses: gid_pairs is {1: []}, nothing connected
    one_cell = neymotin_2020_model(mesh_shape=(1, 1))
    ax = plot_cell_connectivity(one_cell, 0, show=False).axes[1]
    crosses, targets, source = ax.collections
    assert len(targets.get_offsets()) == 0 and len(crosses.get_offsets()) == 1
    one_cell.connectivity[0]['gid_pairs'] = {}
    with pytest.raises(ValueError, match=r"net.connectivity\[0\] .* has no source "
                       r"cell \(its 'gid_pairs' is empty\)"):
        plot_cell_connectivity(one_cell, 0, show=False)


# -- drive strength -------------------------------------------------------------------
DRIVES = ['evdist1', 'evprox1', 'evprox2']


def summed_weights(net, drives, cell_types, receptors=None, locations=None):
    """Sum of pair_weight over the pairs of every matching drive connection."""
    out = np.zeros((len(drives), len(cell_types)))
    for conn in net.connectivity:
        if conn['src_type'] not in drives or conn['target_type'] not in cell_types:
            continue
        if receptors is not None and conn['receptor'] not in receptors:
            continue
        if locations is not None and conn['loc'] not in locations:
            continue
        row = drives.index(conn['src_type'])
        col = cell_types.index(conn['target_type'])
        out[row, col] += sum(pair_weight(net, conn, src, tgt)
                             for src, targets in conn['gid_pairs'].items()
                             for tgt in targets)
    return out


def texts_of(ax):
    return [text.get_text() for text in ax.texts]


def test_plot_drive_strength(net):
    fig = plot_drive_strength(net, show=False)
    ax, cax = fig.axes
    expected = summed_weights(net, DRIVES, CELL_TYPES)
    np.testing.assert_allclose(image_matrix(ax), expected / expected.max(), rtol=1e-12)
    # evprox2 reaches the L2 pyramidal cells hardest (weight 1.43884, 9 cells)
    assert np.unravel_index(np.argmax(expected), expected.shape) == (2, 1)
    assert expected[0, 2] == 0.  # evdist1 does not reach the L5 basket cells
    assert [t.get_text() for t in ax.get_xticklabels()] == CELL_TYPES
    assert [t.get_text() for t in ax.get_yticklabels()] == DRIVES
    assert (ax.get_xlabel(), ax.get_ylabel()) == ('Cell type', 'Drive')
    assert ax.get_title() == 'Drive strength'
    assert cax.get_ylabel() == 'Relative summed weight (1 = largest)'
    # each cell written out, row by row
    assert texts_of(ax) == [f'{v:.2g}' if v else '0'
                            for v in (expected / expected.max()).ravel()]
    assert texts_of(ax)[9] == '1' and texts_of(ax)[2] == '0'
    # in uS; the weight of evprox1's 3 L5 basket cells: 0.19934 * exp(-d^2 / 9)
    ax = plot_drive_strength(net, normalize=False, show=False).axes[0]
    np.testing.assert_allclose(image_matrix(ax), expected, rtol=1e-12)
    baskets = np.array(net.pos_dict['L5_basket'])[:, :2] - net.pos_dict['origin'][:2]
    assert expected[1, 2] == pytest.approx(
        0.19934 * np.exp(-np.sum(baskets ** 2, axis=1) / 9.).sum())
    assert fig.axes[1].get_ylabel() != ax.figure.axes[1].get_ylabel()
    assert ax.figure.axes[1].get_ylabel() == 'Summed weight (µS)'


def test_plot_drive_strength_filters(net):
    ax = plot_drive_strength(net, receptor='nmda', normalize=False, show=False).axes[0]
    expected = summed_weights(net, DRIVES, CELL_TYPES, receptors=['nmda'])
    np.testing.assert_allclose(image_matrix(ax), expected, rtol=1e-12)
    assert np.count_nonzero(expected) == 3  # only evdist1 has NMDA weights
    assert ax.get_title() == 'Drive strength (nmda)'
    ax = plot_drive_strength(net, location=['proximal'], receptor=['ampa', 'nmda'],
                             cell_type=['L5_pyramidal', 'L2_basket'],
                             normalize=False, show=False).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ['L5_pyramidal',
                                                            'L2_basket']
    expected = summed_weights(net, DRIVES, ['L5_pyramidal', 'L2_basket'],
                              locations=['proximal'])
    np.testing.assert_allclose(image_matrix(ax), expected, rtol=1e-12)
    assert not expected[0].any()  # evdist1 is distal
    assert ax.get_title() == 'Drive strength (ampa, nmda; proximal)'
    # no colorbar: the unit goes into the title
    fig = plot_drive_strength(net, colorbar=False, normalize=False, show=False)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title() == 'Drive strength\nSummed weight (µS)'


def test_plot_drive_strength_counts_and_log(net):
    ax = plot_drive_strength(net, show_weight=False, normalize=False,
                             show=False).axes[0]
    # distinct (drive cell, target) pairs: evdist1's AMPA and NMDA share theirs
    np.testing.assert_array_equal(image_matrix(ax), [[3, 9, 0, 9], [3, 9, 3, 9],
                                                     [3, 9, 3, 9]])
    assert ax.figure.axes[1].get_ylabel() == 'Connected pairs'
    assert texts_of(ax)[:4] == ['3', '9', '0', '9']
    ax = plot_drive_strength(net, show_weight=False, show=False).axes[0]
    assert ax.figure.axes[1].get_ylabel() == \
        'Relative number of connected pairs (1 = largest)'
    # a log colour scale: zeros are left out (grey), the numbers stay the values
    ax = plot_drive_strength(net, color_scale='log', normalize=False,
                             show=False).axes[0]
    image = ax.images[0]
    assert isinstance(image.norm, LogNorm)
    expected = summed_weights(net, DRIVES, CELL_TYPES)
    assert image.norm.vmin == pytest.approx(expected[expected > 0].min())
    assert np.ma.getmaskarray(image.get_array()).tolist() == (expected == 0).tolist()
    assert texts_of(ax)[2] == '0' and texts_of(ax)[6] == f'{expected[1, 2]:.3g}'


def test_plot_drive_strength_user_cell_type(custom_net):
    net = add_basket_copy(neymotin_2020_model(mesh_shape=(3, 3)))
    net.add_evoked_drive('evcopy', mu=10., sigma=1., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket_copy': 0.01})
    ax = plot_drive_strength(net, normalize=False, show=False).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == \
        CELL_TYPES + ['L2_basket_copy']
    assert [t.get_text() for t in ax.get_yticklabels()] == ['evcopy']
    # two copies at (0, 0) and (1, 0), the origin at (1, 1)
    np.testing.assert_allclose(image_matrix(ax),
                               [[0., 0., 0., 0., 0.01 * (np.exp(-2 / 9) +
                                                         np.exp(-1 / 9))]])
    # the ERP drives do not reach the new type
    ax = plot_drive_strength(custom_net, show=False).axes[0]
    assert not image_matrix(ax)[:, 4].any()


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(receptor='gaba'), ValueError,
     "'receptor'.*'gaba'.*Allowed values are 'ampa', 'nmda', 'gabaa', 'gabab'"),
    (dict(receptor=[1]), TypeError, 'receptor must be'),
    (dict(location='apical'), ValueError,
     "'location'.*'apical'.*Allowed values are 'proximal', 'distal', 'soma'"),
    (dict(cell_type='L6_pyramidal'), ValueError,
     "'cell_type'.*'L6_pyramidal'.*'L2_basket', 'L2_pyramidal', 'L5_basket', "
     "'L5_pyramidal'"),
    (dict(cell_type=5), TypeError, 'cell_type must be'),
    (dict(color_scale='sqrt'), ValueError,
     "'color_scale'.*'sqrt'.*'linear', 'log'"),
    (dict(normalize='yes'), TypeError, 'normalize must be'),
    (dict(show_weight=None), TypeError, 'show_weight must be'),
    (dict(net={}), TypeError, 'net must be an instance of Network'),
])
def test_plot_drive_strength_errors(net, kwargs, exc, match):
    args = dict(net=net)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plot_drive_strength(show=False, **args)


def test_plot_drive_strength_needs_drives():
    with pytest.raises(ValueError, match=r'net has no drives \(net.external_drives '
                       'is empty\\); add one'):
        plot_drive_strength(neymotin_2020_model(mesh_shape=(3, 3)), show=False)


# -- hardening (issue 17): bad input named --------------------------------------------
def test_plot_tfr_morlet_descending_freqs_as_ascending(dpls):
    """hnn-core 0.6.1 draws each row at its frequency, so the order does not matter."""
    freqs = np.array([20., 30., 45., 60.])
    n_cycles = np.array([3., 4., 5., 6.])
    figures = [plot_tfr_morlet(dpls[0], f, n_cycles=n, decim=4, show=False)
               for f, n in ((freqs, n_cycles), (freqs[::-1], n_cycles[::-1]))]
    (up, down) = [fig.axes[0] for fig in figures]
    np.testing.assert_array_equal(np.asarray(down.collections[0].get_array()),
                                  np.asarray(up.collections[0].get_array()))
    np.testing.assert_array_equal(down.collections[0].get_coordinates(),
                                  up.collections[0].get_coordinates())
    assert down.get_ylim() == up.get_ylim()


@pytest.mark.parametrize('func', ['plot', 'plot_psd', 'plot_tfr_morlet'])
def test_dipole_plots_name_a_bad_ax(dpls, func):
    args = ([20., 30.],) if func == 'plot_tfr_morlet' else ()
    for ax in ('x', 3, plt.figure()):
        with pytest.raises(TypeError, match='ax must be'):
            getattr(dpls[0], func)(*args, ax=ax, show=False)


def test_spike_plots_name_a_bad_ax(cell_response):
    for func in (plot_spikes_raster, plot_spikes_hist):
        with pytest.raises(TypeError, match='ax must be'):
            func(cell_response, ax='x', show=False)


@pytest.mark.parametrize('kwargs, name', [
    (dict(tmin=np.nan), 'tmin'), (dict(tmax=np.inf), 'tmax'),
    (dict(tmin=-np.inf), 'tmin'), (dict(tmin=10 ** 400), 'tmin'),
])
def test_dipole_plots_refuse_non_finite_windows(dpls, kwargs, name):
    for func, args in ((plot_dipole, ()), (plot_psd, ()), (plot_tfr_morlet, ([20.],))):
        with pytest.raises(ValueError, match=f'{name} must be a finite number'):
            func(dpls[0], *args, show=False, **kwargs)


@pytest.mark.parametrize('kwargs, name', [
    (dict(freqs=['a', 'b']), 'freqs'), (dict(n_cycles=['a']), 'n_cycles'),
    (dict(n_cycles=1e12), 'n_cycles'), (dict(sfreq=np.inf), 'sfreq'),
    (dict(data=['a', 'b']), 'data'),
])
def test_tfr_array_morlet_names_bad_values(kwargs, name):
    args = dict(data=np.zeros(100), sfreq=1000., freqs=[10.])
    args.update(kwargs)
    with pytest.raises((TypeError, ValueError), match=name):
        tfr_array_morlet(**args)


def test_plot_spikes_hist_names_bad_spike_types(cell_response):
    for spike_types in ([['evprox']], [3], [None]):
        with pytest.raises(TypeError, match=r'spike_types\[0\] must be'):
            plot_spikes_hist(cell_response, spike_types=spike_types, show=False)


def test_dipole_plots_name_values_too_large():
    """Values near the float limit: the spectra overflow; the error names dpl."""
    huge = Dipole(np.arange(100) * 0.5, 1.7e308 * np.sin(np.arange(100.)))
    with pytest.raises(ValueError, match='dpl'):
        plot_psd(huge, show=False)
    with pytest.raises(ValueError, match='dpl'):
        plot_tfr_morlet(huge, [100.], show=False)
