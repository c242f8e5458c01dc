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
