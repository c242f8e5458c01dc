"""Plots of dipoles, spectra, spikes, cells and connectivity (Agg; no simulation)."""
import json
import os.path as op

import matplotlib.pyplot as plt
import numpy as np
import pytest

from matplotlib.collections import QuadMesh
from scipy.signal import periodogram

from hnn_core import CellResponse, Dipole, jones_2009_model, read_spikes
from hnn_core.cells import cell_templates
from hnn_core.connectivity import drive_connections, local_connections
from hnn_core.network import DEFAULT_PARAMS
from hnn_core.params import read_params
from hnn_core.tfr import morlet, tfr_array_morlet
from hnn_core.viz import (plot_cell_morphology, plot_cells, plot_connectivity_matrix,
                          plot_dipole, plot_psd, plot_spikes_hist, plot_spikes_raster,
                          plot_tfr_morlet)

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
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), times[mask][::4])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), dpls[1].data['L5'][mask][::4])
    scaled = dpls[0].copy().scale(3000)
    assert scaled.plot(show=False).axes[0].get_ylabel() == 'Dipole (nAm × 3000)'


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(layer='L6'), ValueError, "'layer'.*Allowed values are 'agg', 'L2', 'L5'"),
    (dict(decim=0), ValueError, 'decim must be an integer >= 1'),
    (dict(decim=2.), TypeError, 'decim must be'),
    (dict(tmin=100., tmax=50.), ValueError, 'tmin must be earlier than tmax'),
    (dict(tmin='0'), TypeError, 'tmin must be'),
    (dict(tmin=500., tmax=600.), ValueError,
     'holds 0 samples of the dipole.*at least 1 are needed'),
])
def test_plot_dipole_errors(dpls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_dipole(dpls, show=False, **kwargs)


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
    (dict(freqs=[30., 20.]), ValueError, 'strictly increasing'),
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
@pytest.fixture(scope='module')
def templates():
    return cell_templates(read_params(DEFAULT_PARAMS))


def test_end_points(templates):
    """End points of the model doc, section 2.4 (soma's 0-end at the origin)."""
    l5 = templates['L5_pyramidal'].end_points()
    np.testing.assert_allclose(l5['apical_tuft'][1], [0., 0., 1926.], atol=1e-3)
    np.testing.assert_allclose(l5['apical_oblique'][0], [0., 0., 141.], atol=1e-3)
    np.testing.assert_allclose(l5['apical_oblique'][1], [-255., 0., 141.], atol=1e-3)
    np.testing.assert_allclose(l5['basal_3'][1], [180.312, 0., -265.312], atol=1e-3)
    l2 = templates['L2_pyramidal'].end_points()
    np.testing.assert_allclose(l2['basal_2'][1], [-180.312, 0., -265.312], atol=1e-3)
    np.testing.assert_allclose(l2['apical_tuft'][1], [0., 0., 625.6], atol=1e-3)
    for template in templates.values():
        points = template.end_points()
        assert list(points) == list(template.section_names)
        np.testing.assert_array_equal(points['soma'][0], np.zeros(3))
        for sec in template.sections:
            start, end = points[sec.name]
            assert np.linalg.norm(end - start) == pytest.approx(sec.L)
            if sec.parent is not None:  # attached at the parent's 0 or 1 end
                np.testing.assert_allclose(start, points[sec.parent][int(sec.parent_x)])
    np.testing.assert_allclose(templates['L2_basket'].end_points()['soma'][1],
                               [0., 0., 39.])


@pytest.mark.parametrize('cell_type', CELL_TYPES)
def test_plot_cell_morphology(templates, cell_type):
    template = templates[cell_type]
    fig = plot_cell_morphology(cell_type, show=False)
    (ax,) = fig.axes
    assert ax.name == '3d' and ax.get_title() == cell_type
    assert len(ax.lines) == len(template.sections)  # one line per section
    assert legend_texts(ax) == list(template.section_names)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == \
        ('x (µm)', 'y (µm)', 'z (µm)')
    points = template.end_points()
    for line, sec in zip(ax.lines, template.sections):
        np.testing.assert_allclose(np.array(line.get_data_3d()).T, points[sec.name])
        assert line.get_linewidth() == pytest.approx(0.4 * sec.diam)
    # equal scales: the box's proportions are the axis ranges'
    ranges = [np.diff(lim)[0] for lim in (ax.get_xlim(), ax.get_ylim(), ax.get_zlim())]
    np.testing.assert_allclose(ax.get_box_aspect() / ax.get_box_aspect()[2],
                               np.array(ranges) / ranges[2])
    for lim, coord in zip((ax.get_xlim(), ax.get_ylim(), ax.get_zlim()), range(3)):
        values = np.array([p[coord] for pair in points.values() for p in pair])
        assert lim[0] <= values.min() and values.max() <= lim[1]


def test_plot_cell_morphology_template_and_errors(templates):
    net = jones_2009_model(mesh_shape=(3, 3))
    template = net._cell_templates()['L5_pyramidal']
    fig = plt.figure()
    ax = fig.add_subplot(projection='3d')
    assert plot_cell_morphology(template, ax=ax, show=False) is fig
    assert len(ax.lines) == 9
    with pytest.raises(ValueError, match="'cell_type_or_template'.*'L2_basket', "
                       "'L2_pyramidal', 'L5_basket', 'L5_pyramidal'"):
        plot_cell_morphology('L5_pyr', show=False)
    with pytest.raises(TypeError, match='cell_type_or_template must be an instance of '
                       'str or CellTemplate'):
        plot_cell_morphology(5, show=False)
    with pytest.raises(ValueError, match="3-D axes.*'rectilinear'"):
        plot_cell_morphology('L2_pyramidal', ax=plt.subplots()[1], show=False)


# -- connectivity ---------------------------------------------------------------------
@pytest.fixture(scope='module')
def net():
    net = jones_2009_model(mesh_shape=(3, 3))
    net.add_evoked_drive('evprox1', mu=26.61, sigma=2.47, numspikes=1,
                         location='proximal',
                         weights_ampa={'L2_pyramidal': 0.01525,
                                       'L5_pyramidal': 0.00865},
                         synaptic_delays=0.1)
    return net


def image_matrix(ax):
    (image,) = ax.images
    return np.ma.filled(image.get_array().astype(float), np.nan)


def test_plot_connectivity_matrix_local(net):
    fig = plot_connectivity_matrix(net, 'L2Pyr_L2Pyr_ampa', show=False)
    ax, cax = fig.axes
    assert ax.get_xlabel() == 'Target gid' and ax.get_ylabel() == 'Source gid'
    assert cax.get_ylabel() == 'Weight (µS)'
    assert ax.get_title() == 'L2Pyr_L2Pyr_ampa (proximal)'
    matrix = image_matrix(ax)
    gids = net.gid_ranges['L2_pyramidal']
    assert matrix.shape == (len(gids), len(gids))
    assert np.all(np.isnan(np.diag(matrix)))  # no autapses: left blank
    (block,) = [b for b in local_connections(net) if b.name == 'L2Pyr_L2Pyr_ampa']
    np.testing.assert_array_equal(
        matrix[block.src_gids - gids.start, block.tgt_gids - gids.start], block.weights)
    assert np.nanmax(matrix) == pytest.approx(0.0005 * np.exp(-1 / 9))  # neighbours
    # pixel centres on the gids: source rows down, target columns across
    assert ax.images[0].get_extent() == [gids.start - 0.5, gids.stop - 0.5,
                                         gids.stop - 0.5, gids.start - 0.5]
    # the two L2Pyr_L5Pyr_ampa rules (proximal, distal) share their weights
    ax = plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', colorbar=False,
                                  show=False).axes[0]
    assert len(ax.figure.axes) == 1
    assert ax.get_title() == 'L2Pyr_L5Pyr_ampa (proximal and distal)'
    matrix = image_matrix(ax)
    assert matrix.shape == (9, 9) and not np.isnan(matrix).any()
    ax = plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', location='distal',
                                  show=False).axes[0]
    assert ax.get_title() == 'L2Pyr_L5Pyr_ampa (distal)'
    np.testing.assert_array_equal(image_matrix(ax), matrix)


def test_plot_connectivity_matrix_drive(net):
    fig, axes = plt.subplots(1, 2)
    out = plot_connectivity_matrix(net, 'evprox1_L5_pyramidal_ampa', ax=axes[1],
                                   show=False)
    assert out is fig and not axes[0].images
    matrix = image_matrix(axes[1])
    drive_gids, tgt_gids = net.gid_ranges['evprox1'], net.gid_ranges['L5_pyramidal']
    assert matrix.shape == (len(drive_gids), len(tgt_gids))
    (block,) = [b for b in drive_connections(net, 'evprox1')
                if b.name == 'evprox1_L5_pyramidal_ampa']
    assert np.count_nonzero(~np.isnan(matrix)) == block.n_pairs == 9  # one each
    np.testing.assert_array_equal(
        matrix[block.src_gids - drive_gids.start, block.tgt_gids - tgt_gids.start],
        block.weights)


def test_plot_connectivity_matrix_errors(net):
    with pytest.raises(ValueError, match="'connection_name'.*'L2Pyr_L2Pyr_nmda'.*"
                       "'evprox1_L5_pyramidal_ampa'"):
        plot_connectivity_matrix(net, 'L2Pyr_L6Pyr_ampa', show=False)
    with pytest.raises(ValueError, match="has no 'soma' location.*'proximal', "
                       "'distal'"):
        plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', location='soma', show=False)
    with pytest.raises(ValueError, match="'location'.*'proximal', 'distal', 'soma'"):
        plot_connectivity_matrix(net, 'L2Pyr_L5Pyr_ampa', location='apical',
                                 show=False)
    with pytest.raises(TypeError, match='connection_name must be'):
        plot_connectivity_matrix(net, 3, show=False)
    with pytest.raises(TypeError, match='net must be'):
        plot_connectivity_matrix('net', 'L2Pyr_L2Pyr_ampa', show=False)
    one_cell = jones_2009_model(mesh_shape=(1, 1))  # one cell per type: no pairs
    with pytest.raises(ValueError, match="'L5Pyr_L5Pyr_nmda' makes no connection"):
        plot_connectivity_matrix(one_cell, 'L5Pyr_L5Pyr_nmda', show=False)
