"""Plots of laminar extracellular recordings: potentials (LFP) and CSD.

Both functions are in :mod:`hnn_core.viz`'s namespace, and drawn by
:meth:`hnn_core.extracellular.ExtracellularArray.plot_lfp` and
:meth:`~hnn_core.extracellular.ExtracellularArray.plot_csd`.
"""

import numbers

import numpy as np

from ._validate import _validate_type, _check_option, _check_finite
from .dipole import _real_array

# the interpolated CSD image: about one row per µm of depth, within these bounds
_MAX_CSD_ROWS = 1000
_SINKS = ('b', 'blue', 'r', 'red')


def _check_2d(times, data, contact_labels):
    """times (n_times,) and data (n_contacts, n_times) as float arrays."""
    times = _real_array(times, 'times')
    data = _real_array(data, 'data')
    if times.ndim != 1:
        raise ValueError(f'times must be 1-dimensional, got shape {times.shape}')
    if data.ndim != 2:
        raise ValueError(f'data must be 2-dimensional (n_contacts, n_times), got '
                         f'shape {data.shape}')
    if data.shape[1] != len(times):
        raise ValueError(f'data must have one column per time: times has '
                         f'{len(times)} samples, data has shape {data.shape}')
    _validate_type(contact_labels, (list, tuple, np.ndarray), 'contact_labels')
    if len(contact_labels) != data.shape[0]:
        raise ValueError(f'contact_labels must have one label per contact (row of '
                         f'data): got {len(contact_labels)} labels for '
                         f'{data.shape[0]} contacts')
    return times, data


def _trace_colors(color, n_contacts):
    """One matplotlib colour per contact."""
    import matplotlib
    from matplotlib.colors import Colormap, is_color_like
    _validate_type(color, (str, tuple, list, np.ndarray, Colormap), 'color',
                   'str, tuple, array or matplotlib Colormap')
    if isinstance(color, str) and color in matplotlib.colormaps:
        color = matplotlib.colormaps[color].resampled(n_contacts)
    if isinstance(color, Colormap):
        if getattr(color, 'N', n_contacts) != n_contacts and \
                isinstance(color, matplotlib.colors.ListedColormap):
            raise ValueError(f'color is a ListedColormap of {color.N} colours, but '
                             f'there are {n_contacts} contacts')
        return [color(idx) for idx in range(n_contacts)]
    if isinstance(color, np.ndarray) and color.ndim == 2:
        if color.shape[0] != n_contacts or color.shape[1] not in (3, 4):
            raise ValueError(f'color as an array must be (n_contacts, 3 or 4) = '
                             f'({n_contacts}, 3 or 4) RGB(A) values, got shape '
                             f'{color.shape}')
        rows = [tuple(row) for row in color]
        if not all(is_color_like(row) for row in rows):
            raise ValueError('color must hold RGB(A) values between 0 and 1')
        return rows
    if isinstance(color, (list, np.ndarray)):
        color = tuple(color)
    if not is_color_like(color):
        raise ValueError(f"color must be a colormap name (e.g. 'cividis'), a "
                         f"matplotlib colour (e.g. 'k', (0., 0., 1.)), an array of "
                         f"RGB(A) rows or a Colormap, got {color!r:.60}")
    return [color] * n_contacts


def _depth_label(contact_labels):
    if all(isinstance(label, numbers.Real) for label in contact_labels):
        return 'Electrode depth (µm)'
    return 'Electrode contact'


def plot_laminar_lfp(times, data, contact_labels, tmin=None, tmax=None, ax=None,
                     decim=None, color='cividis', voltage_offset=50,
                     voltage_scalebar=200, show=True):
    """Plot the potential of each contact of a laminar array against time.

    Parameters
    ----------
    times : array-like, shape (n_times,)
        Sample times (ms).
    data : array-like, shape (n_contacts, n_times)
        Potentials (µV).
    contact_labels : list | array, shape (n_contacts,)
        A label per contact (e.g. its depth in µm), shown at its trace.
    tmin, tmax : float | None
        Time window (ms); None means the start / end of the data.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    decim : int | list of int | None
        Decimate the traces by this factor (or by each factor of a list in
        turn) with :func:`scipy.signal.decimate`, as hnn-core 0.6.1 does;
        None shows every sample.
    color : str | tuple | array | matplotlib Colormap
        A colormap name (default ``'cividis'``) or Colormap to colour the
        traces from the first contact to the last, one matplotlib colour
        (``'k'``, ``(0., 0., 1.)``) for all, or an (n_contacts, 3 or 4) array
        of RGB(A) rows (a :class:`~matplotlib.colors.ListedColormap` must have
        n_contacts colours).
    voltage_offset : float | None
        Vertical distance between neighbouring traces (µV): contact k is
        drawn k * voltage_offset higher, and labelled there. None overlays
        the traces on a potential axis.
    voltage_scalebar : float | None
        Height of a vertical scale bar in the upper left corner (µV); None
        takes ``voltage_offset`` (no bar if both are None).
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    from .viz import (_check_decim_factors, _check_time_window, _decimated, _get_ax,
                      _show, _time_mask)
    _validate_type(show, bool, 'show')
    times, data = _check_2d(times, data, contact_labels)
    _check_time_window(tmin, tmax)
    factors = _check_decim_factors(decim)
    for name, value in (('voltage_offset', voltage_offset),
                        ('voltage_scalebar', voltage_scalebar)):
        _validate_type(value, ('numeric', None), name)
        if value is not None:
            _check_finite(name, value, minimum=0, strict=True)
    n_contacts = data.shape[0]
    colors = _trace_colors(color, n_contacts)
    mask = _time_mask(times, tmin, tmax)
    if not mask.any():
        raise ValueError(f'The window from tmin to tmax ({tmin} to {tmax} ms) holds no '
                         'samples of the data')
    fig, ax = _get_ax(ax)
    offsets = np.zeros(n_contacts) if voltage_offset is None else \
        np.arange(n_contacts) * voltage_offset
    shown_times, shown = _decimated(times[mask], data[:, mask], factors)
    for idx in range(n_contacts):
        ax.plot(shown_times, shown[idx] + offsets[idx], color=colors[idx],
                label=f'C{idx}')
    window = times[mask]
    ax.set_xlim(window[0] if tmin is None else tmin,
                window[-1] if tmax is None else tmax)
    ax.set_xlabel('Time (ms)')
    if voltage_offset is None:
        ax.set_ylabel('Potential (µV)')
    else:
        ax.set_ylim(-voltage_offset, n_contacts * voltage_offset)
        ax.set_yticks(offsets)
        ax.set_yticklabels([f'{label:g}' if isinstance(label, numbers.Real)
                            else str(label) for label in contact_labels])
        ax.set_ylabel(_depth_label(contact_labels))
        if voltage_scalebar is None:
            voltage_scalebar = voltage_offset
    if voltage_scalebar is not None:
        from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
        # a vertical bar; its width (0.5 % of the window) only makes it visible
        width = 0.005 * np.diff(ax.get_xlim())[0]
        bar = AnchoredSizeBar(ax.transData, width, f'{voltage_scalebar:g} µV',
                              'upper left', size_vertical=voltage_scalebar, pad=0.3,
                              sep=4, color='black', label_top=False, frameon=False)
        ax.add_artist(bar)
    return _show(fig, show)


def _interpolate_depths(times, depths, csd):
    """The CSD on a fine grid of depths (bicubic spline), and that grid."""
    from scipy.interpolate import RectBivariateSpline
    if len(times) < 4:
        raise ValueError(f"interpolation='spline' needs at least 4 samples, got "
                         f"{len(times)}; use interpolation=None")
    spline = RectBivariateSpline(times, depths, csd.T)
    n_rows = int(np.clip(round(depths[-1] - depths[0]), len(depths), _MAX_CSD_ROWS))
    fine = np.linspace(depths[0], depths[-1], n_rows)
    return spline(times, fine).T, fine


def plot_laminar_csd(times, data, contact_labels, ax=None, colorbar=True, vmin=None,
                     vmax=None, interpolation='spline', sink='b', show=True):
    """Plot the current source density of a laminar array as a depth-time image.

    Parameters
    ----------
    times : array-like, shape (n_times,)
        Sample times (ms).
    data : array-like, shape (n_contacts, n_times)
        CSD (µV/µm², e.g. from :func:`hnn_core.extracellular.calculate_csd2d`):
        negative values are sinks, positive values sources.
    contact_labels : array-like, shape (n_contacts,)
        Depth of each contact (µm), strictly increasing or decreasing.
    ax : matplotlib Axes | None
        Axes to draw into; a new figure if None.
    colorbar : bool
        Add a colour bar (µV/µm², its ends marked sink and source).
    vmin, vmax : float | None
        Limits of the colour scale (µV/µm²); if both are None, symmetric
        around zero (the largest absolute value).
    interpolation : ``'spline'`` | None
        Interpolate between contacts with a bicubic spline (needs at least 4
        contacts and 4 samples), or draw one band per contact.
    sink : ``'b'`` | ``'blue'`` | ``'r'`` | ``'red'``
        Draw sinks in blue and sources in red (the ``'jet'`` colormap), or
        the reverse.
    show : bool
        Show the figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    from .viz import _get_ax, _show
    _validate_type(show, bool, 'show')
    _validate_type(colorbar, bool, 'colorbar')
    times, data = _check_2d(times, data, contact_labels)
    depths = _real_array(contact_labels, 'contact_labels')
    steps = np.diff(depths)
    if not (np.all(np.isfinite(depths)) and (np.all(steps > 0) or np.all(steps < 0))):
        raise ValueError('contact_labels must be the depths of the contacts (µm), '
                         f'strictly increasing or decreasing, got {depths}')
    _validate_type(sink, str, 'sink')
    sink = _check_option('sink', sink.lower(), _SINKS)
    _check_option('interpolation', interpolation, ('spline', None))
    for name, value in (('vmin', vmin), ('vmax', vmax)):
        _validate_type(value, ('numeric', None), name)
        if value is not None:
            _check_finite(name, value)
    if steps.size and steps[0] < 0:  # the spline wants increasing coordinates
        depths, data = depths[::-1], data[::-1]
    if interpolation == 'spline':
        data, depths = _interpolate_depths(times, depths, data)
    if vmin is None and vmax is None:
        vmax = np.max(np.abs(data))
        vmin = -vmax
    fig, ax = _get_ax(ax)
    # 'jet' is low (negative, sinks) blue and high (positive, sources) red
    cmap = 'jet' if sink[0] == 'b' else 'jet_r'
    mesh = ax.pcolormesh(times, depths, data, cmap=cmap, shading='auto', vmin=vmin,
                         vmax=vmax)
    ax.set_xlabel('Time (ms)')
    ax.set_ylabel('Electrode depth (µm)')
    if colorbar:
        cbar = fig.colorbar(mesh, ax=ax, label='CSD (µV/µm²)')
        cbar.ax.text(0.5, -0.01, 'sink', transform=cbar.ax.transAxes, ha='center',
                     va='top', fontsize='small')
        cbar.ax.text(0.5, 1.01, 'source', transform=cbar.ax.transAxes, ha='center',
                     va='bottom', fontsize='small')
    return _show(fig, show)
