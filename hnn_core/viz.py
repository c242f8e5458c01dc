"""Plots of dipoles, spectra, spikes, cells and connectivity (matplotlib only).

Every function takes ``ax=`` (draw into an existing axes) and ``show=`` (call
``plt.show()``) and returns the figure. New figures use constrained layout.
"""

import numpy as np

from ._validate import _validate_type, _check_option

_LAYER_TITLES = {'agg': 'Aggregate', 'L2': 'Layer 2/3', 'L5': 'Layer 5'}
_MAX_LEGEND_ENTRIES = 10


def _get_ax(ax, figsize=None):
    import matplotlib.pyplot as plt
    if ax is None:
        fig, ax = plt.subplots(1, 1, constrained_layout=True, figsize=figsize)
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
    from .dipole import Dipole, LAYERS
    _check_option('layer', layer, LAYERS)
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
            raise ValueError(f'Invalid value for the layer parameter: {layer!r}; the '
                             f'dipole only has the layer(s) '
                             f'{", ".join(repr(k) for k in d.data)}')
    if len({d.scale_applied for d in dpls}) > 1:
        raise ValueError('All dipoles must have the same scale_applied to be plotted '
                         'together')
    return dpls


def _check_time_window(tmin, tmax):
    _validate_type(tmin, ('numeric', None), 'tmin')
    _validate_type(tmax, ('numeric', None), 'tmax')
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
        ``'agg'``, ``'L2'`` or ``'L5'``.
    decim : int | None
        Keep every ``decim``-th sample (None keeps all).
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    _validate_type(show, bool, 'show')
    dpls = _check_dipoles(dpl, layer)
    _check_time_window(tmin, tmax)
    decim = _check_decim(decim)
    fig, ax = _get_ax(ax)
    for idx, d in enumerate(dpls):
        mask = _window_mask(d, tmin, tmax, min_samples=1)
        label = f'Trial {idx}' if d.nave == 1 else f'Average of {d.nave} trials'
        ax.plot(d.times[mask][::decim], d.data[layer][mask][::decim], label=label)
    if 1 < len(dpls) <= _MAX_LEGEND_ENTRIES:
        ax.legend(loc='best', fontsize='small')
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel(f'Dipole ({_dipole_unit(dpls[0].scale_applied)})')
    ax.set_title(_LAYER_TITLES[layer])
    return _show(fig, show)


def _averaged_title(layer, n_dipoles):
    title = _LAYER_TITLES[layer]
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
        ``'agg'``, ``'L2'`` or ``'L5'``.
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
    _validate_type(fmax, ('numeric', None), 'fmax')
    fmax = nyquist if fmax is None else fmax
    if not 0 <= fmin < fmax <= nyquist:
        raise ValueError(f'fmin and fmax must satisfy 0 <= fmin < fmax <= {nyquist:g} '
                         f'Hz (half the sampling frequency), got fmin={fmin} and '
                         f'fmax={fmax}')
    freqs, psds = periodogram(data, fs=sfreq, window='hamming', detrend='constant',
                              scaling='density', axis=-1)
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
        Increasing frequencies (Hz), each > 0 and at most half the sampling
        frequency.
    n_cycles : float | array-like of float
        Cycles per wavelet, one value or one per frequency. The wavelet's
        Gaussian envelope has a standard deviation of ``n_cycles / (2 pi f)``
        seconds, so power is smeared over about that time.
    tmin, tmax : float | None
        Time window (ms) to analyse; None means the start / end of the dipole.
    layer : str
        ``'agg'``, ``'L2'`` or ``'L5'``.
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
    from .tfr import tfr_array_morlet, _check_freqs
    dpls = _check_dipoles(dpl, layer)
    _validate_type(colorbar, bool, 'colorbar')
    decim = _check_decim(decim)
    sfreq, times, data = _dipole_segments(dpls, layer, tmin, tmax)
    freqs = _check_freqs(freqs, sfreq)
    if np.any(np.diff(freqs) <= 0):
        raise ValueError(f'freqs must be strictly increasing, got {freqs}')
    data = data - data.mean(axis=-1, keepdims=True)
    power = tfr_array_morlet(data, sfreq, freqs, n_cycles=n_cycles,
                             padding=padding).mean(axis=0)[:, ::decim]
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


# -- spikes -------------------------------------------------------------------
_CELL_TYPE_COLORS = {'L2_basket': '#1f77b4', 'L2_pyramidal': '#2ca02c',
                     'L5_basket': '#9467bd', 'L5_pyramidal': '#d62728'}


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

    Each cell type is drawn as one series of markers at (spike time, gid), in
    its own color, with a legend to the right of the axes; drive cells are not
    shown. The time axis starts at 0 ms.

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
    fig, ax = _get_ax(ax)
    for cell_type, color in _CELL_TYPE_COLORS.items():
        mask = types == cell_type
        if mask.any():
            ax.scatter(times[mask], gids[mask], marker='|', s=30, color=color,
                       label=cell_type)
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


def _hist_groups(spike_types, present):
    """Label -> the spike types each histogram pools."""
    drives = sorted(t for t in present if t not in _CELL_TYPE_COLORS)
    if spike_types is None:
        if not drives:  # e.g. a network driven by a tonic bias only
            return {name: [name] for name in _CELL_TYPE_COLORS if name in present}
        return {name: [name] for name in drives}
    if isinstance(spike_types, str):
        spike_types = [spike_types]
    if isinstance(spike_types, (list, tuple)):
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
            hits = sorted(t for t in present if t.startswith(prefix))
            if not hits and prefix in _CELL_TYPE_COLORS:
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
        type that is not one of the four cell types), or per cell type when no
        drive spiked. A list of str: one histogram per entry, pooling every
        spike type that starts with it (``'evprox'`` covers ``'evprox1'`` and
        ``'evprox2'``) and labelled with it; a cell type that did not fire gets
        an empty histogram, any other entry must match. A dict: label ->
        prefix or list of prefixes. A str is a list of one.
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
    groups = _hist_groups(spike_types, present)

    tmax = times.max() if len(times) else 0.
    if not tmax > 0:
        tmax = cell_response.times[-1] if len(cell_response.times) else 1.
    bins = np.linspace(0., tmax, 51)
    fig, ax = _get_ax(ax)
    for label, members in groups.items():
        color = _CELL_TYPE_COLORS.get(members[0]) if len(members) == 1 else None
        ax.hist(times[np.isin(types, members)], bins=bins, label=label, color=color,
                alpha=0.7)
    if groups:
        ax.legend(loc='best', fontsize='small')
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Counts')
    return _show(fig, show)


# -- cells ----------------------------------------------------------------------
def plot_cells(net, ax=None, show=True):
    """3-D scatter of the positions of the network's cells.

    Parameters
    ----------
    net : Network
        The network; its ``pos_dict`` gives the soma positions.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D | None
        3-D axes to draw into (``projection='3d'``); a new figure if None.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        One marker series per cell type, with a legend.
    """
    _validate_type(show, bool, 'show')
    from .network import Network
    _validate_type(net, Network, 'net')
    fig, ax = _get_ax_3d(ax)
    for cell_type, color in _CELL_TYPE_COLORS.items():
        positions = np.array(net.pos_dict[cell_type], dtype=float).reshape(-1, 3)
        ax.scatter(positions[:, 0], positions[:, 1], positions[:, 2], color=color,
                   label=cell_type)
    ax.set_xlabel('x (grid units)')
    ax.set_ylabel('y (grid units)')
    ax.set_zlabel('z (µm)')
    ax.legend(loc='upper left', bbox_to_anchor=(1.02, 1.), fontsize='small')
    return _show(fig, show)


_MORPHOLOGY_LINEWIDTH = 0.4  # line width (points) per um of diameter


def _template_of(cell_type_or_template):
    from .cells import CellTemplate, CELL_TYPES, cell_templates
    if isinstance(cell_type_or_template, CellTemplate):
        return cell_type_or_template
    _validate_type(cell_type_or_template, ('str', CellTemplate),
                   'cell_type_or_template', 'str or CellTemplate')
    _check_option('cell_type_or_template', cell_type_or_template, CELL_TYPES)
    from .network import DEFAULT_PARAMS
    from .params import read_params
    return cell_templates(read_params(DEFAULT_PARAMS))[cell_type_or_template]


def plot_cell_morphology(cell_type_or_template, ax=None, show=True):
    """3-D drawing of the sections of a cell type.

    Each section is a straight line from its start to its end point
    (:meth:`hnn_core.cells.CellTemplate.end_points`: the soma's 0-end at the
    origin, the apical dendrites along +z), in its own color, with a line
    width of 0.4 points per um of diameter. The axes have equal scales.

    Parameters
    ----------
    cell_type_or_template : str | CellTemplate
        A cell type (``'L2_basket'``, ``'L2_pyramidal'``, ``'L5_basket'``,
        ``'L5_pyramidal'``), drawn with the default parameters
        (``default.json``), or a template, e.g. from
        ``net._cell_templates()['L5_pyramidal']``.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D | None
        3-D axes to draw into (``projection='3d'``); a new figure if None.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        One line per section, labelled with its name in a legend.
    """
    _validate_type(show, bool, 'show')
    import matplotlib.pyplot as plt
    template = _template_of(cell_type_or_template)
    points = template.end_points()
    fig, ax = _get_ax_3d(ax, figsize=(6.4, 6.))
    colors = plt.get_cmap('tab10').colors
    for idx, sec in enumerate(template.sections):
        start, end = points[sec.name]
        ax.plot(*np.column_stack([start, end]), color=colors[idx % len(colors)],
                linewidth=_MORPHOLOGY_LINEWIDTH * sec.diam, solid_capstyle='round',
                label=sec.name)
    _set_equal_3d(ax, np.concatenate([np.array(p) for p in points.values()]))
    ax.view_init(elev=15., azim=-70.)
    # keep the axis labels clear of the tick labels
    ax.set_xlabel('x (µm)', labelpad=10)
    ax.set_ylabel('y (µm)', labelpad=10)
    ax.set_zlabel('z (µm)', labelpad=12)
    ax.set_title(template.cell_type)
    ax.legend(loc='upper left', bbox_to_anchor=(1., 1.), fontsize='small',
              title='Section')
    return _show(fig, show)


def _set_equal_3d(ax, points):
    """Axis limits and box aspect giving one scale on x, y and z.

    Every axis spans at least the widest horizontal extent and half the
    largest extent of the points, so a planar or thin cell keeps a readable
    box (and room for tick labels) instead of collapsing to a sliver.
    """
    from matplotlib.ticker import MaxNLocator
    low, high = points.min(axis=0), points.max(axis=0)
    center, extent = (low + high) / 2., high - low
    largest = extent.max() if extent.max() > 0 else 1.
    floor = max(extent[0], extent[1], 0.5 * largest)
    extent = np.maximum(extent, floor) * 1.05
    for setter, c, e in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), center, extent):
        setter(c - e / 2., c + e / 2.)
    ax.set_box_aspect(extent, zoom=0.85)  # room for the tick and axis labels
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(nbins=4))


# -- connectivity ----------------------------------------------------------------
def _connection_blocks(net):
    """Name -> list of blocks: the local rules, then each drive's blocks."""
    from .connectivity import local_connections, drive_connections
    blocks = {}
    for block in local_connections(net):
        blocks.setdefault(block.name, []).append(block)
    for name in net.external_drives:
        for block in drive_connections(net, name):
            blocks.setdefault(block.name, []).append(block)
    return blocks


def _gid_range_of(net, gids):
    """The gid range (of a cell type or drive) that holds all ``gids``."""
    for gid_range in net.gid_ranges.values():
        if len(gids) and np.isin(gids, gid_range).all():
            return gid_range
    return range(int(gids.min()), int(gids.max()) + 1) if len(gids) else range(0)


def plot_connectivity_matrix(net, connection_name, location=None, ax=None,
                             colorbar=True, show=True):
    """Weights of one connection rule as a source gid x target gid image.

    Parameters
    ----------
    net : Network
        The network.
    connection_name : str
        A local rule, named ``'<source>_<target>_<receptor>'`` with the short
        cell names ``L2Pyr``, ``L2Basket``, ``L5Pyr``, ``L5Basket`` (e.g.
        ``'L2Pyr_L5Pyr_ampa'``, :func:`hnn_core.connectivity.local_connections`),
        or a drive's block, ``'<drive>_<target type>_<receptor>'`` (e.g.
        ``'evprox1_L5_pyramidal_ampa'``,
        :func:`hnn_core.connectivity.drive_connections`). An invalid name gives
        an error listing the names available in ``net``.
    location : str | None
        ``'proximal'``, ``'distal'`` or ``'soma'``: the target location of the
        rule, needed only if several rules share the name with different
        weights. ``'L2Pyr_L5Pyr_ampa'`` has a proximal and a distal rule with
        the same weights; with None both are meant.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    colorbar : bool
        Add a colorbar labelled ``'Weight (µS)'``.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
        An image with one row per source gid (the source type's or drive's
        gids) and one column per target gid (the target type's gids). Each
        pixel is the weight (µS) of every synaptic contact the pair makes;
        pairs that are not connected are left blank.
    """
    _validate_type(show, bool, 'show')
    from .cells import LOCATIONS
    from .network import Network
    _validate_type(net, Network, 'net')
    _validate_type(connection_name, 'str', 'connection_name')
    _validate_type(location, ('str', None), 'location')
    _validate_type(colorbar, bool, 'colorbar')
    if location is not None:
        _check_option('location', location, LOCATIONS)
    all_blocks = _connection_blocks(net)
    _check_option('connection_name', connection_name, tuple(all_blocks))
    blocks = [b for b in all_blocks[connection_name]
              if location is None or b.location == location]
    if not blocks:
        raise ValueError(
            f'The rule {connection_name!r} has no {location!r} location; its '
            f'location(s) are '
            f'{", ".join(repr(b.location) for b in all_blocks[connection_name])}')
    block = blocks[0]
    for other in blocks[1:]:
        if not (np.array_equal(other.src_gids, block.src_gids) and
                np.array_equal(other.tgt_gids, block.tgt_gids) and
                np.array_equal(other.weights, block.weights)):
            raise ValueError(
                f'The rule {connection_name!r} has several locations with different '
                f'weights; pass location as one of '
                f'{", ".join(repr(b.location) for b in blocks)}')
    if not len(block.src_gids):
        raise ValueError(f'The rule {connection_name!r} makes no connection in this '
                         'network (its cells are too few or too far apart); nothing '
                         'to plot')
    src_range = _gid_range_of(net, block.src_gids)
    tgt_range = _gid_range_of(net, block.tgt_gids)
    matrix = np.full((len(src_range), len(tgt_range)), np.nan)
    matrix[block.src_gids - src_range.start, block.tgt_gids - tgt_range.start] = \
        block.weights
    fig, ax = _get_ax(ax)
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap='viridis', origin='upper',
                      interpolation='nearest', aspect='auto',
                      extent=(tgt_range.start - 0.5, tgt_range.stop - 0.5,
                              src_range.stop - 0.5, src_range.start - 0.5))
    ax.set_xlabel('Target gid')
    ax.set_ylabel('Source gid')
    locations = ' and '.join(b.location for b in blocks)
    ax.set_title(f'{connection_name} ({locations})')
    if colorbar:
        fig.colorbar(image, ax=ax, label='Weight (µS)')
    return _show(fig, show)
