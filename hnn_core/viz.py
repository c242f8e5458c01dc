"""Plots of dipoles and spikes (matplotlib only).

Every function takes ``ax=`` (draw into an existing axes) and ``show=`` (call
``plt.show()``) and returns the figure.
"""

import numpy as np

from ._validate import _validate_type, _check_option


def _get_ax(ax):
    import matplotlib.pyplot as plt
    if ax is None:
        fig, ax = plt.subplots(1, 1, constrained_layout=True)
    return ax.get_figure(), ax


def _show(fig, show):
    if show:
        import matplotlib.pyplot as plt
        plt.show()
    return fig


def plot_dipole(dpl, tmin=None, tmax=None, ax=None, layer='agg', decim=None,
                show=True):
    """Plot one dipole or several (e.g. trials) against time.

    Parameters
    ----------
    dpl : Dipole | list of Dipole
        The dipole(s); all must carry the same scaling.
    tmin, tmax : float | None
        Time window (ms) to show.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    layer : str
        ``'agg'``, ``'L2'`` or ``'L5'``.
    decim : int | None
        Keep every ``decim``-th sample.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    from .dipole import Dipole
    dpls = [dpl] if isinstance(dpl, Dipole) else list(dpl)
    for d in dpls:
        _validate_type(d, Dipole, 'dpl', 'Dipole or list of Dipole')
    _check_option('layer', layer, ('agg', 'L2', 'L5'))
    if len({d.scale_applied for d in dpls}) > 1:
        raise ValueError('All dipoles must have the same scale_applied to be plotted '
                         'together')
    fig, ax = _get_ax(ax)
    for d in dpls:
        times, values = d.times, d.data[layer]
        mask = np.ones(len(times), bool)
        if tmin is not None:
            mask &= times >= tmin
        if tmax is not None:
            mask &= times <= tmax
        times, values = times[mask], values[mask]
        if decim is not None:
            times, values = times[::decim], values[::decim]
        ax.plot(times, values)
    ax.set_xlabel('Time (ms)')
    scale = dpls[0].scale_applied
    ax.set_ylabel('Dipole (nAm)' if scale == 1 else f'Dipole (nAm x {scale:g})')
    ax.set_title({'agg': 'Aggregate', 'L2': 'Layer 2/3', 'L5': 'Layer 5'}[layer])
    return _show(fig, show)


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
    its own color; drive cells are not shown.

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
        ax.legend(loc='best', fontsize='small')
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Cell ID')
    ax.set_title(f'Spikes of trial {trial_idx}')
    return _show(fig, show)


def _hist_groups(spike_types, present):
    """Label -> the spike types each histogram pools."""
    drives = sorted(t for t in present if t not in _CELL_TYPE_COLORS)
    if spike_types is None:
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
        type that is not one of the four cell types). A list of str: one
        histogram per entry, pooling every spike type that starts with it
        (``'evprox'`` covers ``'evprox1'`` and ``'evprox2'``) and labelled
        with it. A dict: label -> prefix or list of prefixes. A str is a
        list of one.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
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
    """
    import matplotlib.pyplot as plt
    from .network import Network
    _validate_type(net, Network, 'net')
    if ax is None:
        fig = plt.figure(constrained_layout=True)
        ax = fig.add_subplot(projection='3d')
    elif getattr(ax, 'name', None) != '3d':
        raise ValueError("ax must be a 3-D axes (created with projection='3d'), got "
                         f'a {getattr(ax, "name", type(ax).__name__)!r} axes')
    fig = ax.get_figure()
    for cell_type, color in _CELL_TYPE_COLORS.items():
        positions = np.array(net.pos_dict[cell_type], dtype=float).reshape(-1, 3)
        ax.scatter(positions[:, 0], positions[:, 1], positions[:, 2], color=color,
                   label=cell_type)
    ax.set_xlabel('x (grid units)')
    ax.set_ylabel('y (grid units)')
    ax.set_zlabel('z (µm)')
    ax.legend(loc='upper left', fontsize='small')
    return _show(fig, show)
