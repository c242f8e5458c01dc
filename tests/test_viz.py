"""Plots of spikes and cell positions (Agg backend; no simulation)."""
import json
import os.path as op

import matplotlib.pyplot as plt
import numpy as np
import pytest

from hnn_core import CellResponse, jones_2009_model, read_spikes
from hnn_core.viz import plot_cells, plot_spikes_hist, plot_spikes_raster

from conftest import DATA

CELL_TYPES = ['L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal']


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close('all')


@pytest.fixture(scope='module')
def cell_response():
    """Two trials of the 3x3 network with three evoked drives (hnn-core 0.6.1)."""
    return read_spikes(op.join(DATA, 'oracle_spk_*.txt'))


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


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
    # no drive: nothing to draw but labelled axes
    cr = CellResponse(spike_times=[[5.]], spike_gids=[[0]], spike_types=[['L2_basket']])
    ax = plot_spikes_hist(cr, show=False).axes[0]
    assert not ax.containers and ax.get_ylabel() == 'Counts'


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
def test_plot_cells():
    net = jones_2009_model(mesh_shape=(3, 3))
    fig = net.plot_cells(show=False)
    (ax,) = fig.axes
    assert ax.name == '3d'
    assert len(ax.collections) == 4 and legend_texts(ax) == CELL_TYPES
    assert ax.get_xlabel() == 'x (grid units)' and ax.get_zlabel() == 'z (µm)'
    assert ax.get_ylabel() == 'y (grid units)'
    for collection, cell_type in zip(ax.collections, CELL_TYPES):
        xs, ys, zs = collection._offsets3d
        expected = np.array(net.pos_dict[cell_type])
        np.testing.assert_array_equal(xs, expected[:, 0])
        np.testing.assert_array_equal(zs, expected[:, 2])
    fig = plt.figure()
    ax = fig.add_subplot(projection='3d')
    assert plot_cells(net, ax=ax, show=False) is fig
    with pytest.raises(ValueError, match="3-D axes.*'rectilinear'"):
        plot_cells(net, ax=plt.subplots()[1], show=False)
    with pytest.raises(TypeError, match='net must be'):
        plot_cells(net.pos_dict, show=False)


def test_oracle_gid_ranges_match_types(cell_response):
    """The raster's gids are the network's: the 3x3 gid ranges type every spike."""
    ref = np.load(op.join(DATA, 'oracle_files.npz'))
    gid_ranges = {k: range(*v) for k, v in json.loads(str(ref['gid_ranges'])).items()}
    net = jones_2009_model(mesh_shape=(3, 3))
    for cell_type in CELL_TYPES:
        assert net.gid_ranges[cell_type] == gid_ranges[cell_type]
    fig = plot_spikes_raster(cell_response, show=False)
    for collection, cell_type in zip(fig.axes[0].collections, CELL_TYPES):
        assert set(collection.get_offsets()[:, 1].astype(int)) <= \
            set(gid_ranges[cell_type])
