"""Plots of dipoles, spectra, spikes, cells and connectivity (matplotlib only).

Every function takes ``ax=`` (draw into an existing axes; ``axes=`` for the
two panels of :func:`plot_cell_connectivity`, as in hnn-core 0.6.1) and
``show=`` (call ``plt.show()``) and returns the figure. New figures use
constrained layout. Cell types are drawn from the network (``net.cell_types``,
``CellResponse.cell_type_names``), so user-defined ones appear too: the model's
four keep fixed colours, others take the next colours of a cycle.
"""

import numpy as np

from ._validate import _validate_type, _check_option, _check_finite
from .viz_laminar import plot_laminar_csd, plot_laminar_lfp  # noqa: F401

_LAYER_TITLES = {'agg': 'Aggregate', 'L2': 'Layer 2/3', 'L5': 'Layer 5'}
_MAX_LEGEND_ENTRIES = 10


def _layer_title(layer):
    """'Layer 6' for a column 'L6'; a column named after a cell type as it is."""
    import re
    if layer in _LAYER_TITLES:
        return _LAYER_TITLES[layer]
    match = re.fullmatch(r'L(\d[0-9A-Za-z/]*)', layer)
    return f'Layer {match.group(1)}' if match else layer


def _get_ax(ax, figsize=None):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    if ax is None:
        fig, ax = plt.subplots(1, 1, constrained_layout=True, figsize=figsize)
    _validate_type(ax, (Axes, None), 'ax', 'matplotlib Axes or None')
    return ax.get_figure(), ax


def _get_ax_3d(ax, figsize=None):
    """A new 3-D axes, or ``ax`` if it is one."""
    import matplotlib.pyplot as plt
    if ax is None:
        fig = plt.figure(constrained_layout=True, figsize=figsize)
        ax = fig.add_subplot(projection='3d')
        # 3-D tick labels reach beyond the axes; leave a margin at the edges
        fig.get_layout_engine().set(w_pad=8 / 72, h_pad=8 / 72)
    elif getattr(ax, 'name', None) != '3d':
        raise ValueError("ax must be a 3-D axes (created with projection='3d'), got "
                         f'a {getattr(ax, "name", type(ax).__name__)!r} axes')
    return ax.get_figure(), ax


def _show(fig, show):
    if show:
        import matplotlib.pyplot as plt
        plt.show()
    return fig


# -- dipoles ------------------------------------------------------------------
def _check_dipoles(dpl, layer):
    """The dipole(s) as a non-empty list, all holding ``layer`` and one scaling."""
    from .dipole import Dipole
    _validate_type(layer, str, 'layer')
    if isinstance(dpl, Dipole):
        dpls = [dpl]
    else:
        _validate_type(dpl, (list, tuple), 'dpl', 'Dipole or list of Dipole')
        dpls = list(dpl)
        if not dpls:
            raise ValueError('dpl must be a Dipole or a non-empty list of Dipole, got '
                             'an empty list')
    for idx, d in enumerate(dpls):
        _validate_type(d, Dipole, 'dpl' if len(dpls) == 1 else f'dpl[{idx}]',
                       'Dipole')
        if layer not in d.data:
            raise ValueError(f"Invalid value for the 'layer' parameter: {layer!r}; the "
                             f'dipole only has the layer(s) '
                             f'{", ".join(repr(k) for k in d.data)}')
    if len({d.scale_applied for d in dpls}) > 1:
        raise ValueError('All dipoles must have the same scale_applied to be plotted '
                         'together')
    return dpls


def _check_time_window(tmin, tmax):
    _validate_type(tmin, ('numeric', None), 'tmin')
    _validate_type(tmax, ('numeric', None), 'tmax')
    # None is the way to say "from the start" / "to the end"
    for name, value in (('tmin', tmin), ('tmax', tmax)):
        if value is not None:
            _check_finite(name, value)
    if tmin is not None and tmax is not None and not tmin < tmax:
        raise ValueError(f'tmin must be earlier than tmax, got tmin={tmin} and '
                         f'tmax={tmax} (ms)')


def _time_mask(times, tmin, tmax):
    mask = np.ones(len(times), bool)
    if tmin is not None:
        mask &= times >= tmin
    if tmax is not None:
        mask &= times <= tmax
    return mask


def _check_decim(decim):
    """decim as an int >= 1 (None means 1)."""
    if decim is None:
        return 1
    _validate_type(decim, 'int', 'decim', 'int or None')
    if decim < 1:
        raise ValueError(f'decim must be an integer >= 1, got {decim}')
    return int(decim)


def _check_decim_factors(decim):
    """decim (an int, a list of ints or None) as a list of factors >= 1."""
    if decim is None:
        return []
    factors = decim if isinstance(decim, (list, tuple)) else [decim]
    for factor in factors:
        _validate_type(factor, 'int', 'decim', 'int, list of int or None')
        if factor < 1:
            raise ValueError(f'decim must be an integer >= 1 (or a list of them), '
                             f'got {decim}')
    return [int(f) for f in factors]


def _decimated(times, values, factors):
    """Times and values (last axis) decimated by each factor in turn.

    As hnn-core 0.6.1's plots: :func:`scipy.signal.decimate` (a low-pass
    filter, then every factor-th sample), so that a high factor is best given
    as several smaller ones (e.g. [5, 4] for 20).
    """
    from scipy.signal import decimate
    for factor in factors:
        if factor == 1:
            continue
        if values.shape[-1] <= 27:  # the filter's padding (order 8, filtfilt)
            raise ValueError(f'decim={factor} needs more than 27 samples to filter, '
                             f'got {values.shape[-1]}: plot a longer window or '
                             'without decim')
        values = decimate(values, factor, axis=-1)
        times = times[::factor]
    return times, values


def _dipole_unit(scale):
    """Unit of a dipole that was multiplied by ``scale``."""
    return 'nAm' if scale == 1 else f'nAm × {scale:g}'


def _window_mask(dpl, tmin, tmax, min_samples):
    """Samples of ``dpl`` in [tmin, tmax]; at least ``min_samples`` of them."""
    mask = _time_mask(dpl.times, tmin, tmax)
    if mask.sum() < min_samples:
        raise ValueError(
            f'The window from tmin to tmax ({tmin} to {tmax} ms) holds '
            f'{mask.sum()} samples of the dipole (times {dpl.times[0]:g} to '
            f'{dpl.times[-1]:g} ms); at least {min_samples} are needed'
            if len(dpl.times) else 'The dipole has no samples')
    return mask


def _dipole_segments(dpls, layer, tmin, tmax, min_samples=2):
    """Sampling frequency, times and (n_dipoles, n_times) data in [tmin, tmax].

    Dipoles analysed together must share their sampling frequency and have
    the same number of samples in the window.
    """
    _check_time_window(tmin, tmax)
    sfreq = dpls[0].sfreq
    segments = []
    for idx, d in enumerate(dpls):
        if not np.isclose(d.sfreq, sfreq, rtol=1e-9, atol=0):
            raise ValueError(f'All dipoles must have the same sampling frequency; '
                             f'dpl[0] has {sfreq:g} Hz and dpl[{idx}] {d.sfreq:g} Hz')
        mask = _window_mask(d, tmin, tmax, min_samples)
        segments.append((d.times[mask], d.data[layer][mask]))
    lengths = {len(times) for times, _ in segments}
    if len(lengths) > 1:
        raise ValueError('All dipoles must have the same number of samples between '
                         f'tmin and tmax to be averaged, got {sorted(lengths)}')
    return sfreq, segments[0][0], np.array([values for _, values in segments])


def plot_dipole(dpl, tmin=None, tmax=None, ax=None, layer='agg', decim=None,
                show=True):
    """Plot one dipole or several (e.g. trials) against time.

    Parameters
    ----------
    dpl : Dipole | list of Dipole
        The dipole(s); all must carry the same scaling. Several dipoles are
        drawn as one line each, labelled ``'Trial k'`` (k is the position in
        the list; ``'Average of n trials'`` for an average) in a legend if
        there are at most 10.
    tmin, tmax : float | None
        Time window (ms) to show; None means the start / end of the dipole.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    layer : str
        ``'agg'``, ``'L2'``, ``'L5'``, or another layer of the dipole(s) (a
        network with further measured cell types has one per layer).
    decim : int | list of int | None
        Decimate the traces by this factor (or by each factor of a list in
        turn) with :func:`scipy.signal.decimate`, as hnn-core 0.6.1 does;
        None shows every sample.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    _validate_type(show, bool, 'show')
    dpls = _check_dipoles(dpl, layer)
    _check_time_window(tmin, tmax)
    factors = _check_decim_factors(decim)
    fig, ax = _get_ax(ax)
    for idx, d in enumerate(dpls):
        mask = _window_mask(d, tmin, tmax, min_samples=1)
        label = f'Trial {idx}' if d.nave == 1 else f'Average of {d.nave} trials'
        ax.plot(*_decimated(d.times[mask], d.data[layer][mask], factors), label=label)
    if 1 < len(dpls) <= _MAX_LEGEND_ENTRIES:
        ax.legend(loc='best', fontsize='small')
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel(f'Dipole ({_dipole_unit(dpls[0].scale_applied)})')
    ax.set_title(_layer_title(layer))
    return _show(fig, show)


def _averaged_title(layer, n_dipoles):
    title = _layer_title(layer)
    return title if n_dipoles == 1 else f'{title}, mean of {n_dipoles} dipoles'


def plot_psd(dpl, fmin=0, fmax=None, tmin=None, tmax=None, layer='agg', ax=None,
             show=True):
    """Power spectral density of a dipole, or the mean over several dipoles.

    The spectrum is a periodogram (:func:`scipy.signal.periodogram`) of the
    samples between ``tmin`` and ``tmax``, with the mean removed and a Hamming
    window, scaled as a density: integrated over frequency it gives the
    variance of the dipole. Its resolution is the inverse of the window's
    duration (e.g. 5.9 Hz for 170 ms). For a list, the spectra of the dipoles
    are averaged (not the dipoles), so trials that are not phase-locked add up.

    Parameters
    ----------
    dpl : Dipole | list of Dipole
        The dipole(s); all must have the same sampling frequency, scaling and
        number of samples between ``tmin`` and ``tmax``.
    fmin, fmax : float | None
        Frequency range (Hz) to show; ``fmax=None`` means half the sampling
        frequency.
    tmin, tmax : float | None
        Time window (ms) to analyse; None means the start / end of the dipole.
    layer : str
        ``'agg'``, ``'L2'``, ``'L5'``, or another layer of the dipole(s) (a
        network with further measured cell types has one per layer).
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        One line: the (mean) spectral density in (nAm)^2 / Hz, times the
        square of the dipoles' ``scale_applied``.
    """
    _validate_type(show, bool, 'show')
    from scipy.signal import periodogram
    dpls = _check_dipoles(dpl, layer)
    sfreq, _, data = _dipole_segments(dpls, layer, tmin, tmax)
    nyquist = sfreq / 2.
    _validate_type(fmin, 'numeric', 'fmin')
    _check_finite('fmin', fmin)
    _validate_type(fmax, ('numeric', None), 'fmax')
    if fmax is not None:
        _check_finite('fmax', fmax)
    fmax = nyquist if fmax is None else fmax
    if not 0 <= fmin < fmax <= nyquist:
        raise ValueError(f'fmin and fmax must satisfy 0 <= fmin < fmax <= {nyquist:g} '
                         f'Hz (half the sampling frequency), got fmin={fmin} and '
                         f'fmax={fmax}')
    with np.errstate(over='ignore', invalid='ignore'):
        freqs, psds = periodogram(data, fs=sfreq, window='hamming',
                                  detrend='constant', scaling='density', axis=-1)
    _check_finite_power(psds, 'spectral density')
    mask = (freqs >= fmin) & (freqs <= fmax)
    if not mask.any():
        raise ValueError(f'No frequency of the spectrum lies between fmin={fmin} and '
                         f'fmax={fmax} Hz; its resolution is {freqs[1]:g} Hz')
    fig, ax = _get_ax(ax)
    ax.plot(freqs[mask], psds.mean(axis=0)[mask])
    ax.set_xlim(fmin, fmax)
    ax.set_xlabel('Frequency (Hz)')
    unit = _dipole_unit(dpls[0].scale_applied)
    ax.set_ylabel(f'Power spectral density (({unit})² / Hz)')
    ax.set_title(_averaged_title(layer, len(dpls)))
    return _show(fig, show)


def _check_finite_power(values, what):
    if not np.all(np.isfinite(values)):
        raise ValueError(f'The {what} of dpl overflows (is not finite): its values '
                         'are too large to analyse; scale the dipole down first')


def _edges(centers, half_width):
    """Cell edges around increasing centres (half_width for a single centre)."""
    centers = np.asarray(centers, dtype=float)
    if len(centers) == 1:
        return np.array([centers[0] - half_width, centers[0] + half_width])
    mids = (centers[1:] + centers[:-1]) / 2.
    return np.concatenate([[2 * centers[0] - mids[0]], mids,
                           [2 * centers[-1] - mids[-1]]])


def plot_tfr_morlet(dpl, freqs, n_cycles=7., tmin=None, tmax=None, layer='agg',
                    decim=None, padding='zeros', ax=None, colorbar=True, show=True):
    """Time-frequency power of a dipole, or the mean over several dipoles.

    The power at each time and frequency is ``|x * w_f|^2``, the squared
    magnitude of the convolution of the dipole x (its samples between
    ``tmin`` and ``tmax``, mean removed) with a unit-energy complex Morlet
    wavelet of ``n_cycles`` cycles (:func:`hnn_core.tfr.tfr_array_morlet`).
    For a list, the powers of the dipoles are averaged.

    Parameters
    ----------
    dpl : Dipole | list of Dipole
        The dipole(s); all must have the same sampling frequency, scaling and
        number of samples between ``tmin`` and ``tmax``.
    freqs : array-like of float
        Frequencies (Hz), each > 0 and at most half the sampling frequency,
        strictly increasing or strictly decreasing (drawn the same way).
    n_cycles : float | array-like of float
        Cycles per wavelet, one value or one per frequency. The wavelet's
        Gaussian envelope has a standard deviation of ``n_cycles / (2 pi f)``
        seconds, so power is smeared over about that time.
    tmin, tmax : float | None
        Time window (ms) to analyse; None means the start / end of the dipole.
    layer : str
        ``'agg'``, ``'L2'``, ``'L5'``, or another layer of the dipole(s) (a
        network with further measured cell types has one per layer).
    decim : int | None
        Show every ``decim``-th time sample of the power (computed at the full
        sampling rate); None shows all.
    padding : str
        What lies beyond the window's ends during the convolution: ``'zeros'``
        or ``'mirror'`` (the dipole reflected about its end samples, once).
        Power within about one wavelet half-width of either end is affected.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    colorbar : bool
        Add a colorbar labelled with the power unit.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        The power as a color mesh (time in ms, frequency in Hz) in (nAm)^2,
        times the square of the dipoles' ``scale_applied``.
    """
    _validate_type(show, bool, 'show')
    from .tfr import tfr_array_morlet, _check_freqs, _check_n_cycles
    dpls = _check_dipoles(dpl, layer)
    _validate_type(colorbar, bool, 'colorbar')
    decim = _check_decim(decim)
    sfreq, times, data = _dipole_segments(dpls, layer, tmin, tmax)
    freqs = _check_freqs(freqs, sfreq)
    n_cycles = _check_n_cycles(n_cycles, len(freqs))
    steps = np.diff(freqs)
    if np.all(steps < 0):
        # hnn-core 0.6.1 drew each row at its frequency: the same figure
        freqs, n_cycles = freqs[::-1], n_cycles[::-1]
    elif not np.all(steps > 0):
        raise ValueError(f'freqs must be strictly increasing or strictly decreasing, '
                         f'got {freqs}')
    with np.errstate(over='ignore', invalid='ignore'):
        data = data - data.mean(axis=-1, keepdims=True)
        _check_finite_power(data, 'mean-removed dipole')
        power = tfr_array_morlet(data, sfreq, freqs, n_cycles=n_cycles,
                                 padding=padding).mean(axis=0)[:, ::decim]
    _check_finite_power(power, 'power')
    times = times[::decim]
    fig, ax = _get_ax(ax)
    mesh = ax.pcolormesh(_edges(times, 500. * decim / sfreq), _edges(freqs, 0.5),
                         power, shading='flat', cmap='viridis', vmin=0.,
                         rasterized=True)
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Frequency (Hz)')
    ax.set_title(_averaged_title(layer, len(dpls)))
    if colorbar:
        unit = _dipole_unit(dpls[0].scale_applied)
        fig.colorbar(mesh, ax=ax, label=f'Power (({unit})²)')
    return _show(fig, show)


# -- cell types -------------------------------------------------------------------
# The model's four cell types keep these colours in every plot; any other cell type
# takes the next colour of _EXTRA_COLORS, in the order of its network's cell types.
_CELL_TYPE_COLORS = {'L2_basket': '#1f77b4', 'L2_pyramidal': '#2ca02c',
                     'L5_basket': '#9467bd', 'L5_pyramidal': '#d62728'}
_EXTRA_COLORS = ('#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f',
                 '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94',
                 '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5')
# histograms of drives (and pooled types), in this order, skipping the colours of
# the cell types drawn alongside
_HIST_COLORS = ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
                '#e377c2', '#7f7f7f', '#bcbd22', '#17becf')


def _cell_type_colors(cell_types):
    """Colour of each cell type (names in gid order): default ones, then a cycle."""
    colors, n_extra = dict(), 0
    for name in cell_types:
        if name in _CELL_TYPE_COLORS:
            colors[name] = _CELL_TYPE_COLORS[name]
        else:
            colors[name] = _EXTRA_COLORS[n_extra % len(_EXTRA_COLORS)]
            n_extra += 1
    return colors


# -- spikes -------------------------------------------------------------------------
def _axes_given_positionally(trial_idx, ax, default):
    """hnn-core 0.1 passed ``ax`` second; accept it in trial_idx's place."""
    from matplotlib.axes import Axes
    if isinstance(trial_idx, Axes) and ax is None:
        return default, trial_idx
    return trial_idx, ax


def _check_cell_response(cell_response):
    from .cell_response import CellResponse
    _validate_type(cell_response, CellResponse, 'cell_response')
    if len(cell_response) == 0:
        raise ValueError('cell_response has no trials to plot')
    for trial, gids in enumerate(cell_response.spike_gids):
        if gids and not (cell_response.spike_types and
                         len(cell_response.spike_types[trial]) == len(gids)):
            raise ValueError(f'The spikes of trial {trial} have no types; call '
                             'cell_response.update_types(gid_ranges) first')


def _check_trial_idx(trial_idx, n_trials):
    """Trial indices as a list; None means all trials."""
    if trial_idx is None:
        return list(range(n_trials))
    _validate_type(trial_idx, ('int', list, tuple), 'trial_idx',
                   'int, list of int or None')
    indices = list(trial_idx) if isinstance(trial_idx, (list, tuple)) else [trial_idx]
    if not indices:
        raise ValueError('trial_idx must select at least one trial')
    for idx in indices:
        _validate_type(idx, 'int', 'trial_idx')
        if not 0 <= idx < n_trials:
            raise ValueError(f'trial_idx must be between 0 and {n_trials - 1} (there '
                             f'are {n_trials} trials), got {idx}')
    return indices


def plot_spikes_raster(cell_response, trial_idx=0, ax=None, show=True):
    """Raster plot of the spikes of the network's cells in one trial.

    Each cell type of the network (``cell_response.cell_type_names``, in that
    order) that spiked in the trial is drawn as one series of markers at
    (spike time, gid), in its own colour, with a legend to the right of the
    axes. The model's four cell types keep fixed colours; other cell types
    take the next colours of a cycle. Drive cells (every other spike type)
    are not shown. The time axis starts at 0 ms.

    Parameters
    ----------
    cell_response : CellResponse
        The spikes, e.g. ``net.cell_response``.
    trial_idx : int
        Index of the trial to plot.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    _validate_type(show, bool, 'show')
    trial_idx, ax = _axes_given_positionally(trial_idx, ax, default=0)
    _check_cell_response(cell_response)
    _validate_type(trial_idx, 'int', 'trial_idx')
    (trial_idx,) = _check_trial_idx(trial_idx, len(cell_response))
    times = np.asarray(cell_response.spike_times[trial_idx], dtype=float)
    gids = np.asarray(cell_response.spike_gids[trial_idx], dtype=int)
    types = np.asarray(cell_response.spike_types[trial_idx]
                       if cell_response.spike_types else [], dtype=object)
    cell_types = list(cell_response.cell_type_names)
    colors = _cell_type_colors(cell_types)
    fig, ax = _get_ax(ax)
    for cell_type in cell_types:
        mask = types == cell_type
        if mask.any():
            ax.scatter(times[mask], gids[mask], marker='|', s=30,
                       color=colors[cell_type], label=cell_type)
    if ax.collections:
        # outside the axes: a raster has spikes everywhere a legend could go
        ax.legend(loc='upper left', bbox_to_anchor=(1.01, 1.), fontsize='small',
                  markerscale=1.5)
    if not len(times) or times.min() >= 0:
        ax.set_xlim(left=0.)  # the simulation starts at 0 ms
    if len(cell_response.times) and (not len(times)
                                     or times.max() <= cell_response.times[-1]):
        ax.set_xlim(right=cell_response.times[-1])  # the whole simulated time
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Cell ID')
    ax.set_title(f'Spikes of trial {trial_idx}')
    return _show(fig, show)


def _hist_groups(spike_types, present, cell_types):
    """Label -> the spike types each histogram pools.

    ``present``: the spike types of the response; ``cell_types``: the
    network's cell types (every other spike type is a drive).
    """
    drives = sorted(t for t in present if t not in cell_types)
    if spike_types is None:
        if not drives:  # e.g. a network driven by a tonic bias only
            return {name: [name] for name in cell_types if name in present}
        return {name: [name] for name in drives}
    if isinstance(spike_types, str):
        spike_types = [spike_types]
    if isinstance(spike_types, (list, tuple)):
        for idx, prefix in enumerate(spike_types):
            _validate_type(prefix, 'str', f'spike_types[{idx}]', 'str')
        spike_types = {prefix: [prefix] for prefix in spike_types}
    _validate_type(spike_types, dict, 'spike_types', 'str, list of str, dict or None')
    groups = {}
    for label, prefixes in spike_types.items():
        _validate_type(label, 'str', 'spike_types label')
        prefixes = [prefixes] if isinstance(prefixes, str) else prefixes
        _validate_type(prefixes, (list, tuple), f'spike_types[{label!r}]',
                       'str or list of str')
        matched = []
        for prefix in prefixes:
            _validate_type(prefix, 'str', f'spike_types[{label!r}]',
                           'str or list of str')
            if prefix in present or prefix in cell_types:
                # a type's own name: only that type ('L2_basket' leaves out a
                # cell type 'L2_basket_slow')
                hits = [prefix] if prefix in present else []
            else:
                hits = sorted(t for t in present if t.startswith(prefix))
            if not hits and prefix in cell_types:
                continue  # a cell type that did not fire: an empty histogram
            if not hits:
                raise ValueError(f'No spike type starts with {prefix!r} (in '
                                 f'spike_types); available types are '
                                 f'{", ".join(sorted(present))}')
            matched.extend(hit for hit in hits if hit not in matched)
        groups[label] = matched
    return groups


def plot_spikes_hist(cell_response, trial_idx=None, ax=None, spike_types=None,
                     show=True):
    """Histogram of spike times, by drive or by the spike types asked for.

    The spikes of the selected trials are pooled into 50 bins from 0 to the
    last spike time.

    Parameters
    ----------
    cell_response : CellResponse
        The spikes, e.g. ``net.cell_response``.
    trial_idx : int | list of int | None
        Trials to pool; None pools all trials.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    spike_types : str | list of str | dict | None
        What to histogram. None: one histogram per drive present (each spike
        type that is not one of ``cell_response.cell_type_names``, the
        network's cell types), or per cell type when no drive spiked. A list
        of str: one histogram per entry, pooling every spike type that starts
        with it (``'evprox'`` covers ``'evprox1'`` and ``'evprox2'``) and
        labelled with it; an entry that is the name of a spike type or cell
        type takes only that type; a cell type that did not fire gets an
        empty histogram, any other entry must match. A dict: label -> prefix
        or list of prefixes. A str is a list of one. A histogram of a single
        cell type has its raster colour; the others take colours that no cell
        type drawn with them has.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    _validate_type(show, bool, 'show')
    trial_idx, ax = _axes_given_positionally(trial_idx, ax, default=None)
    _check_cell_response(cell_response)
    trials = _check_trial_idx(trial_idx, len(cell_response))
    times = np.array([t for trial in trials for t in cell_response.spike_times[trial]],
                     dtype=float)
    types = np.array([s for trial in trials
                      for s in (cell_response.spike_types[trial]
                                if cell_response.spike_types else [])], dtype=object)
    present = set(s for trial in cell_response.spike_types for s in trial)
    cell_types = list(cell_response.cell_type_names)
    groups = _hist_groups(spike_types, present, cell_types)
    colors = _cell_type_colors(cell_types)

    tmax = times.max() if len(times) else 0.
    if not tmax > 0:
        tmax = cell_response.times[-1] if len(cell_response.times) else 1.
    bins = np.linspace(0., tmax, 51)
    fig, ax = _get_ax(ax)
    # a single cell type (or one that did not fire) in its raster colour; the
    # other histograms in colours that no cell type here has
    group_colors = {label: colors.get(members[0] if len(members) == 1 else label)
                    for label, members in groups.items()}
    taken = set(group_colors.values())
    free = iter([c for c in _HIST_COLORS if c not in taken] or _HIST_COLORS)
    for label, members in groups.items():
        color = group_colors[label] or next(free, None)
        ax.hist(times[np.isin(types, members)], bins=bins, label=label, color=color,
                alpha=0.7)
    if groups:
        ax.legend(loc='best', fontsize='small')
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Counts')
    return _show(fig, show)


# -- cells ----------------------------------------------------------------------
_MORPHO_MARKERS = {'pyramidal': '^', 'basket': 'o'}  # marker by 'morpho_type'


def _check_network(net):
    from .network import Network
    _validate_type(net, Network, 'net', 'Network')


def plot_cells(net, ax=None, show=True):
    """3-D scatter of the soma positions of the network's cells.

    Parameters
    ----------
    net : Network
        The network; every cell type of ``net.cell_types`` is drawn at its
        positions (``net.pos_dict``), and, if the network has drives, the
        origin where the drive cells sit.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D | None
        3-D axes to draw into (``projection='3d'``); a new figure if None.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        One marker series per cell type, in gid order, labelled with its
        name in a legend: triangles for pyramidal cells and circles for basket
        cells (by their ``'morpho_type'`` metadata), squares for other cells.
        The model's four cell types keep fixed colours, others take the next
        colours of a cycle (as in :func:`plot_spikes_raster`). The drives'
        origin is a black star, the contacts of each electrode array
        (``net.rec_arrays``) are crosses. Coordinates in µm.
    """
    _validate_type(show, bool, 'show')
    _check_network(net)
    fig, ax = _get_ax_3d(ax)
    colors = _cell_type_colors(net.cell_types)
    pos_dict = net.pos_dict
    for cell_type, entry in net.cell_types.items():
        positions = np.array(pos_dict[cell_type], dtype=float).reshape(-1, 3)
        morpho = entry['cell_metadata'].get('morpho_type')
        ax.scatter(positions[:, 0], positions[:, 1], positions[:, 2],
                   color=colors[cell_type], marker=_MORPHO_MARKERS.get(morpho, 's'),
                   label=cell_type)
    if net.external_drives:
        x, y, z = pos_dict['origin']
        ax.scatter([x], [y], [z], color='k', marker='*', s=120,
                   label='drives (origin)')
    arrays = getattr(net, 'rec_arrays', {})
    if arrays:
        from matplotlib import colormaps
        for idx, (name, array) in enumerate(arrays.items()):
            contacts = np.array(array.positions, dtype=float).reshape(-1, 3)
            ax.scatter(contacts[:, 0], contacts[:, 1], contacts[:, 2], marker='x',
                       color=colormaps['inferno']((idx + 1) / (len(arrays) + 1)),
                       label=f'{name} (array)')
    ax.set_xlabel('x (µm)')
    ax.set_ylabel('y (µm)')
    ax.set_zlabel('z (µm)')
    ax.legend(loc='upper left', bbox_to_anchor=(1.02, 1.), fontsize='small')
    return _show(fig, show)


_MORPHOLOGY_LINEWIDTH = 0.4  # line width (points) per um of diameter
_DEFAULT_CELL_TYPES = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')
_UNLISTED_SECTION_COLOR = '0.7'  # sections a color dict leaves out


def _cell_of(cell):
    """The Cell to draw and its title."""
    from .cell import Cell
    if isinstance(cell, Cell):
        return cell, cell.name
    _validate_type(cell, ('str', Cell), 'cell', 'Cell or str')
    _check_option('cell', cell, _DEFAULT_CELL_TYPES)
    from .cells_default import basket, pyramidal
    return (pyramidal(cell) if cell.endswith('pyramidal') else basket(cell)), cell


def _check_point(value, name):
    """(x, y, z) as a float array."""
    _validate_type(value, (tuple, list, np.ndarray), name, 'tuple of 3 numbers')
    if len(value) != 3:
        raise ValueError(f'{name} must have 3 elements (x, y, z in µm), got '
                         f'{len(value)}')
    for idx, coord in enumerate(value):
        _validate_type(coord, 'numeric', f'{name}[{idx}]')
        if not np.isfinite(coord):
            raise ValueError(f'{name}[{idx}] must be finite, got {coord}')
    return np.array(value, dtype=float)


def _check_lim(value, name):
    """None or (low, high) with low < high."""
    if value is None:
        return None
    _validate_type(value, (tuple, list, np.ndarray), name, 'tuple (low, high) or None')
    if len(value) != 2:
        raise ValueError(f'{name} must be (low, high) in µm, got {len(value)} '
                         'elements')
    for idx, bound in enumerate(value):
        _validate_type(bound, 'numeric', f'{name}[{idx}]')
    if not (np.isfinite(value[0]) and np.isfinite(value[1]) and
            value[0] < value[1]):
        raise ValueError(f'{name} must be (low, high) with finite low < high, got '
                         f'{tuple(value)}')
    return np.array(value, dtype=float)


def _check_color_like(value, name):
    from matplotlib.colors import is_color_like
    if not is_color_like(value):
        raise ValueError(f'{name} must be a matplotlib colour (e.g. \'r\', '
                         f'\'tab:blue\', \'#1f77b4\'), got {value!r}')
    return value


def _section_colors(color, section_names):
    """Section -> colour, and the sections to name in a legend."""
    import matplotlib.pyplot as plt
    _validate_type(color, ('str', dict, None), 'color', 'str, dict or None')
    if color is None:
        cycle = plt.get_cmap('tab10').colors
        return ({name: cycle[idx % len(cycle)]
                 for idx, name in enumerate(section_names)}, list(section_names))
    if isinstance(color, str):
        _check_color_like(color, 'color')
        return {name: color for name in section_names}, []
    for name, value in color.items():
        _validate_type(name, 'str', 'a key of color', 'str (a section name)')
        if name not in section_names:
            raise ValueError(f'color has a key {name!r} that is not a section of the '
                             f'cell; its sections are '
                             f'{", ".join(map(repr, section_names))}')
        _check_color_like(value, f'color[{name!r}]')
    colors = {name: color.get(name, _UNLISTED_SECTION_COLOR) for name in section_names}
    return colors, [name for name in section_names if name in color]


def _clip_segment(start, end, low, high):
    """The part of the segment from start to end inside the box, or None."""
    delta = end - start
    t0, t1 = 0., 1.
    for k in range(3):
        if delta[k] == 0.:
            if not low[k] <= start[k] <= high[k]:
                return None
            continue
        ta, tb = (low[k] - start[k]) / delta[k], (high[k] - start[k]) / delta[k]
        t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
        if t0 > t1:
            return None
    return start + t0 * delta, start + t1 * delta


def plot_cell_morphology(cell, ax=None, color=None, pos=(0, 0, 0), xlim=None,
                         ylim=None, zlim=None, show=True):
    """3-D drawing of the sections of a cell.

    Each section is a straight line between its end points
    (``Section.end_pts``; the apical dendrites of the model's pyramidal cells
    point along +z) with a line width of 0.4 points per µm of diameter. The
    cell is moved so that the 0-end of its soma sits at ``pos``. All axes
    have the same scale (µm).

    Parameters
    ----------
    cell : Cell | str
        The cell, e.g. ``net.cell_types['L5_pyramidal']['cell_object']``, or
        the name of one of the model's cell types (``'L2_basket'``,
        ``'L2_pyramidal'``, ``'L5_basket'``, ``'L5_pyramidal'``), drawn with
        its published parameters (:mod:`hnn_core.cells_default`).
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D | None
        3-D axes to draw into (``projection='3d'``); a new figure if None.
    color : str | dict | None
        None: every section in its own colour, named in a legend. A str: one
        matplotlib colour for the whole cell (no legend). A dict: section
        name -> colour, e.g. ``{'apical_tuft': 'r', 'soma': 'b'}``; sections
        it leaves out are drawn in grey, the listed ones are named in a
        legend.
    pos : tuple of float
        Position (x, y, z) of the soma's 0-end (µm).
    xlim, ylim, zlim : tuple of float | None
        Window (low, high) to show along x, y, z, in µm relative to ``pos``
        (hnn-core 0.6.1's ``Cell.plot_morphology`` uses (-250, 150),
        (-100, 100) and (-100, 1200)); the sections are cut at the window's
        faces. None fits the whole cell along that axis.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        One line per section (inside the window), in the order of
        ``cell.sections``, titled with the cell's name.
    """
    _validate_type(show, bool, 'show')
    cell, title = _cell_of(cell)
    section_names = list(cell.sections)
    colors, legend_names = _section_colors(color, section_names)
    pos = _check_point(pos, 'pos')
    lims = [_check_lim(lim, name) for lim, name in
            ((xlim, 'xlim'), (ylim, 'ylim'), (zlim, 'zlim'))]
    soma_pts = cell.sections['soma'].end_pts
    shift = pos - (np.array(soma_pts[0], float) if len(soma_pts) else 0.)
    segments = {name: np.array(sec.end_pts, float) + shift
                for name, sec in cell.sections.items() if len(sec.end_pts) >= 2}
    points = (np.concatenate(list(segments.values())) if segments
              else pos.reshape(1, 3))
    low, high = _fitted_box(points)
    for k, lim in enumerate(lims):
        if lim is not None:
            low[k], high[k] = pos[k] + lim[0], pos[k] + lim[1]
    fig, ax = _get_ax_3d(ax, figsize=(6.4, 6.))
    to_label = set(legend_names)
    for name, section in cell.sections.items():
        if name not in segments:
            continue
        pts = segments[name]
        # a section is a polyline of its end points (two for the model's cells)
        for start, end in zip(pts[:-1], pts[1:]):
            clipped = _clip_segment(start, end, low, high)
            if clipped is None:
                continue
            ax.plot(*np.column_stack(clipped), color=colors[name],
                    linewidth=_MORPHOLOGY_LINEWIDTH * section.diam,
                    solid_capstyle='round',
                    label=name if name in to_label else None)
            to_label.discard(name)  # one legend entry per section
    _apply_box(ax, low, high)
    ax.view_init(elev=15., azim=-70.)
    # keep the axis labels clear of the tick labels
    ax.set_xlabel('x (µm)', labelpad=10)
    ax.set_ylabel('y (µm)', labelpad=10)
    ax.set_zlabel('z (µm)', labelpad=12)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc='upper left', bbox_to_anchor=(1., 1.), fontsize='small',
                  title='Section')
    return _show(fig, show)


def _fitted_box(points):
    """Lower and upper corners of a box around the points, for one scale on x, y, z.

    Every axis spans at least the widest horizontal extent and half the
    largest extent of the points, so a planar or thin cell keeps a readable
    box (and room for tick labels) instead of collapsing to a sliver.
    """
    low, high = points.min(axis=0), points.max(axis=0)
    center, extent = (low + high) / 2., high - low
    largest = extent.max() if extent.max() > 0 else 1.
    floor = max(extent[0], extent[1], 0.5 * largest)
    extent = np.maximum(extent, floor) * 1.05
    return center - extent / 2., center + extent / 2.


def _apply_box(ax, low, high):
    """Set the limits, with a box aspect that gives x, y and z one scale."""
    from matplotlib.ticker import MaxNLocator
    for setter, lo, hi in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), low, high):
        setter(lo, hi)
    extent = high - low
    ax.set_box_aspect(extent, zoom=0.85)  # room for the tick and axis labels
    for axis, length in zip((ax.xaxis, ax.yaxis, ax.zaxis), extent):
        # about 4 ticks along the longest axis, fewer along shorter ones
        nbins = max(1, int(round(4 * length / extent.max())))
        axis.set_major_locator(MaxNLocator(nbins=nbins))


# -- connectivity ----------------------------------------------------------------
# hnn-core 0.1's short names of the model's cell types, accepted in connection names
_SHORT_TYPE_NAMES = {'L2_basket': 'L2Basket', 'L2_pyramidal': 'L2Pyr',
                     'L5_basket': 'L5Basket', 'L5_pyramidal': 'L5Pyr'}
_STRENGTH_SCALES = ('linear', 'log')


def _check_colormap(colormap):
    import matplotlib
    _validate_type(colormap, 'str', 'colormap')
    if colormap not in matplotlib.colormaps:
        raise ValueError(f'colormap must be the name of a matplotlib colormap (e.g. '
                         f"'viridis', 'Greys'), got {colormap!r}")
    return colormap


def _check_conn_idx(net, conn_idx):
    _validate_type(conn_idx, 'int', 'conn_idx', 'int')
    n_conns = len(net.connectivity)
    if not n_conns:
        raise ValueError('net has no connections (net.connectivity is empty); nothing '
                         'to plot')
    if not 0 <= conn_idx < n_conns:
        raise ValueError(f'conn_idx must be an index into net.connectivity, between 0 '
                         f'and {n_conns - 1}, got {conn_idx}')
    return int(conn_idx)


def _connection_name(conn, short=False):
    """``'<source>_<target>_<receptor>'``; with ``short``, 0.1's cell names."""
    names = _SHORT_TYPE_NAMES if short else {}
    src, tgt = conn['src_type'], conn['target_type']
    return f"{names.get(src, src)}_{names.get(tgt, tgt)}_{conn['receptor']}"


def _connection_label(conn):
    return (f"{conn['src_type']} -> {conn['target_type']} "
            f"({conn['loc']}, {conn['receptor']})")


def _resolve_connection(net, conn_idx, location):
    """Index into ``net.connectivity`` of an index or of a connection's name."""
    if not isinstance(conn_idx, str):
        _validate_type(conn_idx, ('int', 'str'), 'conn_idx', 'int or str')
        if location is not None:
            raise ValueError(f'location only picks among the connections of a name; '
                             f'conn_idx is the index {conn_idx}, so leave location '
                             'as None')
        return _check_conn_idx(net, conn_idx)
    _validate_type(location, ('str', None), 'location')
    connectivity = net.connectivity
    matches = [idx for idx, conn in enumerate(connectivity)
               if conn_idx in (_connection_name(conn),
                               _connection_name(conn, short=True))]
    if not matches:
        if not connectivity:
            raise ValueError('net has no connections (net.connectivity is empty); '
                             'nothing to plot')
        names = dict.fromkeys(_connection_name(conn) for conn in connectivity)
        raise ValueError(f"No connection of net is named {conn_idx!r}. Names are "
                         f"'<source>_<target>_<receptor>'; net has "
                         f'{", ".join(map(repr, names))}')
    if location is not None:
        picked = [idx for idx in matches if connectivity[idx]['loc'] == location]
        if not picked:
            locs = dict.fromkeys(connectivity[idx]['loc'] for idx in matches)
            raise ValueError(f"Invalid value for the 'location' parameter: "
                             f'{location!r}. The connections named {conn_idx!r} have '
                             f'the location(s) {", ".join(map(repr, locs))}')
        matches = picked
    if len(matches) > 1:
        listed = ', '.join(f"{idx} ({connectivity[idx]['loc']})" for idx in matches)
        raise ValueError(f'{len(matches)} connections are named {conn_idx!r}: '
                         f'net.connectivity[i] for i (location) in {listed}. Pass '
                         'location to pick one by its location, or conn_idx as one '
                         'of these indices')
    return matches[0]


def _pair_weights(net, conn):
    """(source gids, target gids, weights in uS) of every pair of a connection."""
    from .connectivity import connection_block
    block = connection_block(conn, net.positions(), net.inplane_distance,
                             (conn['loc'],))
    return (np.asarray(block.src_gids, int), np.asarray(block.tgt_gids, int),
            np.asarray(block.weights, float))


def _gid_text(gids):
    """Gids as compact runs, e.g. ``'3-11, 15'``."""
    gids = sorted(set(int(gid) for gid in gids))
    runs = []
    for gid in gids:
        if runs and gid == runs[-1][1] + 1:
            runs[-1][1] = gid
        else:
            runs.append([gid, gid])
    return ', '.join(f'{a}-{b}' if b > a else f'{a}' for a, b in runs)


def plot_connectivity_matrix(net, conn_idx, ax=None, show_weight=True, colorbar=True,
                             colormap='Greys', show=True, *, location=None):
    """Weights of one connection as a source gid x target gid image.

    Parameters
    ----------
    net : Network
        The network.
    conn_idx : int | str
        Index of the connection in ``net.connectivity`` (see
        :func:`hnn_core.network.pick_connection`), or its name
        ``'<source>_<target>_<receptor>'``, e.g.
        ``'L2_pyramidal_L5_pyramidal_ampa'`` or ``'evprox1_L5_pyramidal_ampa'``
        (hnn-core 0.1's short names ``L2Pyr``, ``L2Basket``, ``L5Pyr``,
        ``L5Basket`` work too: ``'L2Pyr_L5Pyr_ampa'``). A name that several
        connections share (e.g. a proximal and a distal one) needs
        ``location``; an unknown name gives an error listing those of ``net``.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    show_weight : bool
        If True, each pixel is the weight of the pair; if False, 1 for every
        connected pair.
    colorbar : bool
        Add a colorbar (``'Weight (µS)'``, or connected / not connected).
    colormap : str
        Name of a matplotlib colormap.
    show : bool
        Show the figure.
    location : str | None
        With a name for ``conn_idx``: the location (``conn['loc']``, e.g.
        ``'proximal'``, ``'distal'``, ``'soma'``) of the connection meant.

    Returns
    -------
    fig : matplotlib Figure
        An image with one row per gid of the source (the source cell type or
        drive, all its gids) and one column per gid of the target cell type,
        the pixel centres on the gids. A connected pair's pixel is the peak
        conductance (µS) of each of its synapses, ``A_weight * gain *
        exp(-d^2 / (lamtha * inplane_distance)^2)`` with d the pair's distance
        in the xy plane; pairs that are not connected are 0. The colour scale
        runs from 0 to the largest weight. Titled ``'<source> -> <target>
        (<loc>, <receptor>)'``.
    """
    _validate_type(show, bool, 'show')
    _check_network(net)
    _validate_type(show_weight, bool, 'show_weight')
    _validate_type(colorbar, bool, 'colorbar')
    _check_colormap(colormap)
    conn_idx = _resolve_connection(net, conn_idx, location)
    conn = net.connectivity[conn_idx]
    gid_ranges = net.gid_ranges
    src_range = gid_ranges[conn['src_type']]
    tgt_range = gid_ranges[conn['target_type']]
    src, tgt, weights = _pair_weights(net, conn)
    for gids, gid_range, what, name in ((src, src_range, 'source', 'src_type'),
                                        (tgt, tgt_range, 'target', 'target_type')):
        outside = gids[(gids < gid_range.start) | (gids >= gid_range.stop)]
        if len(outside):
            raise ValueError(f'net.connectivity[{conn_idx}] has the {what} gid '
                             f'{outside[0]}, which is not one of its {name} '
                             f'{conn[name]!r} (gids {_gid_text(gid_range)})')
    matrix = np.zeros((len(src_range), len(tgt_range)))
    matrix[src - src_range.start, tgt - tgt_range.start] = \
        weights if show_weight else 1.
    largest = matrix.max()
    fig, ax = _get_ax(ax)
    image = ax.imshow(matrix, cmap=colormap, vmin=0.,
                      vmax=largest if largest > 0 else 1., origin='upper',
                      interpolation='nearest', aspect='auto',
                      extent=(tgt_range.start - 0.5, tgt_range.stop - 0.5,
                              src_range.stop - 0.5, src_range.start - 0.5))
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{conn['target_type']} target gid")
    ax.set_ylabel(f"{conn['src_type']} source gid")
    ax.set_title(_connection_label(conn))
    if not len(src):
        ax.text(0.5, 0.5, 'no connected pair', transform=ax.transAxes, ha='center',
                va='center')
    if colorbar:
        if show_weight:
            fig.colorbar(image, ax=ax, label='Weight (µS)')
        else:
            cbar = fig.colorbar(image, ax=ax, ticks=[0., 1.])
            cbar.ax.set_yticklabels(['not connected', 'connected'])
    return _show(fig, show)


def _connectivity_axes(axes, two_panels):
    """(figure, source axes or None, target axes)."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    if axes is None:
        if two_panels:
            fig, (ax_src, ax_tgt) = plt.subplots(1, 2, sharex=True, sharey=True,
                                                 constrained_layout=True,
                                                 figsize=(10., 5.))
            return fig, ax_src, ax_tgt
        fig, ax_tgt = plt.subplots(constrained_layout=True, figsize=(6.4, 5.))
        return fig, None, ax_tgt
    if isinstance(axes, Axes):
        axes = [axes]
    _validate_type(axes, (list, tuple, np.ndarray), 'axes',
                   'Axes or list of 1 or 2 Axes')
    axes = list(np.ravel(np.array(axes, dtype=object)))
    if len(axes) not in (1, 2):
        raise ValueError(f'axes must hold 1 (the targets) or 2 (the sources, then the '
                         f'targets) Axes, got {len(axes)}')
    for idx, ax in enumerate(axes):
        _validate_type(ax, Axes, f'axes[{idx}]', 'Axes')
        if getattr(ax, 'name', None) == '3d':
            raise ValueError(f'axes[{idx}] must be a 2-D axes, got a 3-D one')
    if len(axes) == 1:
        return axes[0].get_figure(), None, axes[0]
    return axes[1].get_figure(), axes[0], axes[1]


def plot_cell_connectivity(net, conn_idx, src_gid=None, axes=None, colorbar=True,
                           colormap='viridis', show=True):
    """Weights from one source cell of a connection to its targets, in space.

    With a cell type as the source, the left panel shows the source cells and
    the right one the targets of the selected source. Clicking a source cell
    in the left panel selects it (in an interactive figure). With a drive as
    the source only the targets are drawn (a drive's cells sit at the origin).

    Parameters
    ----------
    net : Network
        The network.
    conn_idx : int
        Index of the connection in ``net.connectivity``.
    src_gid : int | None
        The source cell: one of the connection's sources (the keys of
        ``conn['gid_pairs']``). None selects the first of them.
    axes : matplotlib Axes | list of Axes | None
        Two axes (sources, targets), or one axes for the targets only; None
        makes a new figure (two panels for a cell type source, one for a
        drive).
    colorbar : bool
        Add a colorbar of the weights next to the targets.
    colormap : str
        Name of a matplotlib colormap for the weights.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        Soma positions in the xy plane (µm). Targets: the target cell type's
        cells connected to the source as circles coloured by the weight (µS)
        of their synapses (one colour scale, the connection's smallest to
        largest weight, whatever the source), the others as small black
        crosses; the source as a red square outline (for a drive, at the
        origin). Sources: every cell of the source type as a faint red
        square, the connection's sources (``conn['gid_pairs']``) solid, the
        selected one outlined in black.
    """
    from matplotlib.colors import Normalize
    _validate_type(show, bool, 'show')
    _check_network(net)
    conn_idx = _check_conn_idx(net, conn_idx)
    _validate_type(src_gid, ('int', None), 'src_gid', 'int or None')
    _validate_type(colorbar, bool, 'colorbar')
    _check_colormap(colormap)
    conn = net.connectivity[conn_idx]
    label = _connection_label(conn)
    sources = [int(gid) for gid in conn['gid_pairs']]
    if not sources:
        raise ValueError(f'net.connectivity[{conn_idx}] ({label}) has no source cell '
                         "(its 'gid_pairs' is empty); nothing to plot")
    if src_gid is None:
        src_gid = sources[0]
    elif src_gid not in sources:
        raise ValueError(f'src_gid {src_gid} is not a source of '
                         f'net.connectivity[{conn_idx}] ({label}); its sources are '
                         f'the gids {_gid_text(sources)}')
    src_type, tgt_type = conn['src_type'], conn['target_type']
    is_drive = src_type not in net.cell_types
    fig, ax_src, ax_tgt = _connectivity_axes(axes, two_panels=not is_drive)

    gid_ranges = net.gid_ranges
    positions = net.positions()[:, :2]
    src_range, tgt_range = gid_ranges[src_type], gid_ranges[tgt_type]
    src_pos = positions[src_range.start:src_range.stop]
    tgt_pos = positions[tgt_range.start:tgt_range.stop]
    pair_src, pair_tgt, weights = _pair_weights(net, conn)
    norm = Normalize(vmin=weights.min(), vmax=weights.max()) if len(weights) \
        else Normalize(0., 1.)

    # targets: crosses under the connected ones, then the source's outline
    empty = np.empty((0, 2))
    crosses = ax_tgt.scatter(empty[:, 0], empty[:, 1], marker='x', s=25, color='k',
                             linewidths=1., zorder=1,
                             label=f'{tgt_type}, not connected')
    targets = ax_tgt.scatter(tgt_pos[:, 0], tgt_pos[:, 1], c=np.zeros(len(tgt_pos)),
                             s=70, cmap=colormap, norm=norm, edgecolors='k',
                             linewidths=0.5, zorder=2, label=f'{tgt_type}, connected')
    source = ax_tgt.scatter([0.], [0.], marker='s', s=220, facecolors='none',
                            edgecolors='red', linewidths=2., zorder=3,
                            label=(f'{src_type} (at the origin)' if is_drive
                                   else 'source'))
    selected = None
    if ax_src is not None:
        ax_src.scatter(src_pos[:, 0], src_pos[:, 1], marker='s', s=60, color='red',
                       alpha=0.2, linewidths=0, label=src_type)
        with_targets = positions[sources]
        ax_src.scatter(with_targets[:, 0], with_targets[:, 1], marker='s', s=60,
                       color='red', linewidths=0, label='sources of this connection')
        selected = ax_src.scatter([0.], [0.], marker='s', s=220, facecolors='none',
                                  edgecolors='k', linewidths=2., zorder=3,
                                  label='selected source')
        ax_src.set_xlabel('x (µm)')
        ax_src.set_ylabel('y (µm)')
        ax_src.set_title(f'{src_type} (click a source)')
        ax_src.legend(loc='upper center', bbox_to_anchor=(0.5, -0.14), ncol=2,
                      fontsize='small')

    def select(gid):
        mine = pair_src == gid
        connected = pair_tgt[mine] - tgt_range.start
        targets.set_offsets(tgt_pos[connected] if len(connected) else empty)
        targets.set_array(weights[mine])
        others = np.setdiff1d(np.arange(len(tgt_pos)), connected)
        crosses.set_offsets(tgt_pos[others] if len(others) else empty)
        source.set_offsets(positions[[gid]])
        if selected is not None:
            selected.set_offsets(positions[[gid]])
        ax_tgt.set_title(f'{tgt_type} targets of gid {gid}')

    select(src_gid)
    everything = np.concatenate([tgt_pos, src_pos])
    low, high = everything.min(axis=0), everything.max(axis=0)
    pad = np.maximum((high - low) * 0.1, 0.5 * net.inplane_distance)
    for ax in (ax_src, ax_tgt):
        if ax is not None:
            ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
            ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
    ax_tgt.set_xlabel('x (µm)')
    ax_tgt.set_ylabel('y (µm)')
    ax_tgt.legend(loc='upper center', bbox_to_anchor=(0.5, -0.14), ncol=2,
                  fontsize='small')
    if colorbar:
        fig.colorbar(targets, ax=ax_tgt, label='Weight (µS)')
    fig.suptitle(f'net.connectivity[{conn_idx}]: {label}')

    def on_click(event):
        if ax_src is None or event.inaxes is not ax_src or event.xdata is None:
            return
        nearest = int(np.argmin(np.hypot(src_pos[:, 0] - event.xdata,
                                         src_pos[:, 1] - event.ydata)))
        if src_range.start + nearest in sources:
            select(src_range.start + nearest)
            fig.canvas.draw_idle()

    fig.canvas.mpl_connect('button_press_event', on_click)
    return _show(fig, show)


def _locations_of(net):
    """Names a connection's location can have: the groups and sections of the cells."""
    names = ['proximal', 'distal', 'soma']
    for entry in net.cell_types.values():
        cell = entry['cell_object']
        names += [name for name in list(cell.sect_loc) + list(cell.sections)
                  if name not in names]
    return names


def plot_drive_strength(net, show_weight=True, ax=None, colorbar=True,
                        color_scale='linear', normalize=True, show=True, *,
                        receptor=None, location=None, cell_type=None):
    """How strongly each drive reaches each cell type, as a drive x cell type image.

    The strength of a drive on a cell type is the sum, over every (drive
    cell, target cell) pair of the drive's connections to that cell type, of
    the pair's synaptic weight (µS; ``A_weight * gain * exp(-d^2 / lambda^2)``
    with d the target's distance from the origin, see
    :func:`plot_connectivity_matrix`), AMPA and NMDA together unless
    ``receptor`` says otherwise. A pair counts once, whatever the number of
    sections of its location (each of them gets that weight).

    Parameters
    ----------
    net : Network
        The network, with at least one drive.
    show_weight : bool
        If False, count the connected (drive cell, target cell) pairs instead
        of summing weights.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    colorbar : bool
        Add a colorbar labelled with the unit.
    color_scale : str
        ``'linear'`` or ``'log'``: the colour scale (a log scale leaves zeros
        grey). The numbers written in the cells are the values themselves.
    normalize : bool
        Divide by the largest value, so the strongest drive-cell type pair is 1.
    show : bool
        Show the figure.
    receptor : str | list of str | None
        Only connections with this receptor (``'ampa'``, ``'nmda'``,
        ``'gabaa'``, ``'gabab'``); None means all.
    location : str | list of str | None
        Only connections to this location (``'proximal'``, ``'distal'``, or a
        section such as ``'soma'``); None means all.
    cell_type : str | list of str | None
        The cell types to show (columns, in this order); None means all of
        ``net.cell_types``.

    Returns
    -------
    fig : matplotlib Figure
        One row per drive (``net.external_drives``, in order), one column per
        cell type, each cell coloured by and labelled with its value.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm, Normalize
    from .connectivity import RECEPTORS, _names_list
    _validate_type(show, bool, 'show')
    _check_network(net)
    for value, name in ((show_weight, 'show_weight'), (colorbar, 'colorbar'),
                        (normalize, 'normalize')):
        _validate_type(value, bool, name)
    _validate_type(color_scale, 'str', 'color_scale')
    _check_option('color_scale', color_scale, _STRENGTH_SCALES)
    receptors = _names_list(receptor, list(RECEPTORS), 'receptor')
    locations = _names_list(location, _locations_of(net), 'location')
    cell_types = (_names_list(cell_type, list(net.cell_types), 'cell_type')
                  or list(net.cell_types))
    drives = list(net.external_drives)
    if not drives:
        raise ValueError('net has no drives (net.external_drives is empty); add one, '
                         'e.g. with net.add_evoked_drive, to plot drive strengths')

    strength = np.zeros((len(drives), len(cell_types)))
    pairs = dict()  # (row, column) -> the distinct pairs, when counting
    for conn in net.connectivity:
        if conn['src_type'] not in drives or conn['target_type'] not in cell_types:
            continue
        if (receptors and conn['receptor'] not in receptors) or \
                (locations and conn['loc'] not in locations):
            continue
        cell = (drives.index(conn['src_type']), cell_types.index(conn['target_type']))
        if show_weight:
            strength[cell] += _pair_weights(net, conn)[2].sum()
        else:
            src, tgt = conn.pair_arrays()
            pairs.setdefault(cell, set()).update(zip(src.tolist(), tgt.tolist()))
    for cell, cell_pairs in pairs.items():
        strength[cell] = len(cell_pairs)
    if normalize and strength.max() > 0:
        strength = strength / strength.max()

    what = 'summed weight' if show_weight else 'number of connected pairs'
    if normalize:
        unit, fmt = f'Relative {what} (1 = largest)', '{:.2g}'
    elif show_weight:
        unit, fmt = 'Summed weight (µS)', '{:.3g}'
    else:
        unit, fmt = 'Connected pairs', '{:.0f}'
    cmap = plt.get_cmap('viridis').with_extremes(bad='0.85')
    data = strength
    if color_scale == 'log' and (strength > 0).any():
        positive = strength[strength > 0]
        norm = LogNorm(vmin=positive.min(), vmax=positive.max())
        data = np.ma.masked_less_equal(strength, 0.)
    else:
        norm = Normalize(vmin=0., vmax=strength.max() if strength.max() > 0 else 1.)
    n_rows, n_cols = strength.shape
    figsize = (max(5., 2.4 + 1.25 * n_cols + (1.3 if colorbar else 0.)),
               max(3.2, 2.2 + 0.55 * n_rows))
    fig, ax = _get_ax(ax, figsize=figsize)
    image = ax.imshow(data, cmap=cmap, norm=norm, aspect='auto',
                      interpolation='nearest')
    ax.set_xticks(np.arange(n_cols))
    ax.set_xticklabels(cell_types, rotation=30, ha='right', rotation_mode='anchor')
    ax.set_yticks(np.arange(n_rows))
    ax.set_yticklabels(drives)
    ax.set_xlabel('Cell type')
    ax.set_ylabel('Drive')
    masked = np.ma.getmaskarray(data)
    for row in range(n_rows):
        for col in range(n_cols):
            rgba = cmap.get_bad() if masked[row, col] else \
                cmap(norm(strength[row, col]))
            luminance = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]
            value = strength[row, col]
            ax.text(col, row, fmt.format(value) if value else '0', ha='center',
                    va='center', color='k' if luminance > 0.5 else 'w',
                    fontsize='small')
    filters = [', '.join(values) for values in (receptors, locations) if values]
    title = 'Drive strength' + (f' ({"; ".join(filters)})' if filters else '')
    ax.set_title(title if colorbar else f'{title}\n{unit}')
    if colorbar:
        fig.colorbar(image, ax=ax, label=unit)
    return _show(fig, show)
