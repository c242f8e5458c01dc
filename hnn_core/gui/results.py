"""What the page plots, computed from a finished run's arrays.

Each function takes the arrays of ``results.npz`` (see ``_worker``) and returns
plain values for the page's interactive plots; :func:`figure` draws the same
views with :mod:`hnn_core.viz` for download as PNG or SVG. The dipole is
smoothed and scaled as HNN shows it, by :meth:`Dipole.smooth` and
:meth:`Dipole.scale`, in that order.
"""

import io
import zipfile

import numpy as np

from .._validate import _check_option

LAYERS = ('agg', 'L2', 'L5')
VIEWS = ('dipole', 'raster', 'histogram', 'psd', 'tfr')


def _float(value, name, default, minimum=None):
    """A query value as a number (the page sends text)."""
    if value is None or value == '':
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number, got {value!r}') from None
    if not np.isfinite(number) or (minimum is not None and number < minimum):
        raise ValueError(f'{name} must be a finite number >= {minimum}, got {value!r}')
    return number


def dipoles(results, smooth=0., scale=1.):
    """One :class:`Dipole` per trial, smoothed (ms, 0: not) then scaled."""
    from ..dipole import Dipole
    smooth = _float(smooth, 'smooth', 0., minimum=0)
    scale = _float(scale, 'scale', 1.)
    dpls = []
    for k in range(int(results['n_trials'])):
        dpl = Dipole(results['times'], {layer: results[layer][k].copy()
                                        for layer in LAYERS})
        if smooth > 0:
            dpl.smooth(smooth)
        dpl.scale(scale)
        dpls.append(dpl)
    return dpls


def dipole_data(results, smooth=0., scale=1.):
    from ..dipole import average_dipoles
    dpls = dipoles(results, smooth, scale)
    average = average_dipoles(dpls) if len(dpls) > 1 else dpls[0]
    return {'times': dpls[0].times.tolist(),
            'trials': {layer: [dpl.data[layer].tolist() for dpl in dpls]
                       for layer in LAYERS},
            'average': {layer: average.data[layer].tolist() for layer in LAYERS},
            'units': 'nAm'}


def _trial(results, trial):
    n_trials = int(results['n_trials'])
    if trial in (None, '', 'all'):
        return None
    try:
        trial = int(trial)
    except (TypeError, ValueError):
        raise ValueError(f"trial must be 'all' or a trial number from 0 to "
                         f'{n_trials - 1}, got {trial!r}') from None
    if not 0 <= trial < n_trials:
        raise ValueError(f'trial must be from 0 to {n_trials - 1}, got {trial}')
    return trial


def _spike_groups(results, trial):
    """(name, times, gids) of each cell type and drive that spiked."""
    mask = np.ones(len(results['spike_times']), bool)
    if trial is not None:
        mask = results['spike_trial'] == trial
    times, gids = results['spike_times'][mask], results['spike_gids'][mask]
    groups = []
    for name, (start, stop) in results['gid_ranges'].items():
        inside = (gids >= start) & (gids < stop)
        if inside.any():
            groups.append((name, times[inside], gids[inside]))
    return groups


def raster_data(results, trial=0):
    trial = _trial(results, 0 if trial in (None, '') else trial)
    if trial is None:
        raise ValueError('trial: the raster shows one trial; give its number')
    return {'trial': trial, 'n_trials': int(results['n_trials']),
            'groups': [{'name': name, 'times': t.tolist(), 'gids': g.tolist()}
                       for name, t, g in _spike_groups(results, trial)]}


def histogram_data(results, trial='all', bin_ms=5.):
    trial = _trial(results, trial)
    bin_ms = _float(bin_ms, 'bin_ms', 5.)
    if bin_ms <= 0:
        raise ValueError(f'bin_ms must be > 0, got {bin_ms}')
    tstop = float(results['times'][-1])
    n_bins = max(int(np.ceil(round(tstop / bin_ms, 6))), 1)
    edges = np.arange(n_bins + 1) * bin_ms
    return {'edges': edges.tolist(), 'bin_ms': bin_ms,
            'groups': [{'name': name, 'counts': np.histogram(t, edges)[0].tolist()}
                       for name, t, _ in _spike_groups(results, trial)]}


def _layer(layer):
    return _check_option('layer', layer or 'agg', LAYERS)


def psd_data(results, layer='agg', fmin=0., fmax=None, smooth=0., scale=1.):
    """Periodogram (Hamming window) averaged over trials, as :func:`plot_psd`."""
    from scipy.signal import periodogram
    layer = _layer(layer)
    dpls = dipoles(results, smooth, scale)
    sfreq = dpls[0].sfreq
    fmin = _float(fmin, 'fmin', 0., minimum=0)
    fmax = _float(fmax, 'fmax', sfreq / 2, minimum=0)
    if fmax <= fmin:
        raise ValueError(f'fmax ({fmax} Hz) must be above fmin ({fmin} Hz)')
    data = np.array([dpl.data[layer] for dpl in dpls])
    freqs, power = periodogram(data, fs=sfreq, window='hamming', axis=-1)
    keep = (freqs >= fmin) & (freqs <= fmax)
    return {'freqs': freqs[keep].tolist(), 'power': power.mean(axis=0)[keep].tolist(),
            'units': 'nAm^2/Hz'}


def _tfr_freqs(fmin, fmax, n_freqs, sfreq):
    fmin = _float(fmin, 'fmin', 10., minimum=0)
    fmax = _float(fmax, 'fmax', min(100., sfreq / 2), minimum=0)
    n_freqs = int(_float(n_freqs, 'n_freqs', 30., minimum=2))
    if not 0 < fmin < fmax <= sfreq / 2:
        raise ValueError(f'the frequencies must satisfy 0 < fmin < fmax <= '
                         f'{sfreq / 2:g} Hz (half the sampling rate), got fmin '
                         f'{fmin:g}, fmax {fmax:g}')
    return np.linspace(fmin, fmax, n_freqs)


def tfr_data(results, layer='agg', fmin=10., fmax=None, n_freqs=30, n_cycles=7.,
             smooth=0., scale=1.):
    """Morlet power averaged over trials, as :func:`plot_tfr_morlet`."""
    from ..tfr import tfr_array_morlet
    layer = _layer(layer)
    dpls = dipoles(results, smooth, scale)
    freqs = _tfr_freqs(fmin, fmax, n_freqs, dpls[0].sfreq)
    n_cycles = _float(n_cycles, 'n_cycles', 7., minimum=0)
    data = np.array([dpl.data[layer] for dpl in dpls])
    power = tfr_array_morlet(data, dpls[0].sfreq, freqs, n_cycles).mean(axis=0)
    # at most ~600 columns: the page draws a heat map, not every sample
    step = max(1, len(dpls[0].times) // 600)
    return {'times': dpls[0].times[::step].tolist(), 'freqs': freqs.tolist(),
            'power': power[:, ::step].tolist(), 'units': 'nAm^2'}


def compare_data(results, recording, smooth=0., scale=1., tstart=0., tstop=None):
    """The average aggregate dipole over a recording, and their RMSE."""
    from ..dipole import average_dipoles, rmse
    dpls = dipoles(results, smooth, scale)
    average = average_dipoles(dpls) if len(dpls) > 1 else dpls[0]
    tstart = _float(tstart, 'tstart', 0., minimum=0)
    tstop = _float(tstop, 'tstop', None)
    error = rmse(average, recording, tstart=tstart, tstop=tstop)
    return {'rmse': float(error), 'units': 'nAm',
            'simulation': {'times': average.times.tolist(),
                           'values': average.data['agg'].tolist()},
            'recording': {'times': recording.times.tolist(),
                          'values': recording.data['agg'].tolist()}}


def figure(results, view, image_format, smooth=0., scale=1., name='',
           gid_ranges=None):
    """The view drawn by :mod:`hnn_core.viz`, as PNG or SVG bytes."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from ..cell_response import CellResponse
    from ..dipole import average_dipoles
    from ..viz import (plot_dipole, plot_psd, plot_spikes_hist, plot_spikes_raster,
                       plot_tfr_morlet)
    _check_option('view', view, VIEWS)
    _check_option('format', image_format, ('png', 'svg'))
    dpls = dipoles(results, smooth, scale)
    fig, ax = plt.subplots(figsize=(8, 5), layout='constrained')
    try:
        if view == 'dipole':
            plot_dipole(dpls, ax=ax, show=False)
            if len(dpls) > 1:
                plot_dipole(average_dipoles(dpls), ax=ax, show=False)
        elif view in ('raster', 'histogram'):
            n_trials = int(results['n_trials'])
            mask = [results['spike_trial'] == k for k in range(n_trials)]
            response = CellResponse(
                spike_times=[results['spike_times'][m].tolist() for m in mask],
                spike_gids=[results['spike_gids'][m].tolist() for m in mask])
            response.update_types({n: range(*r) for n, r in
                                   results['gid_ranges'].items()})
            if view == 'raster':
                plot_spikes_raster(response, ax=ax, show=False)
            else:
                plot_spikes_hist(response, ax=ax, show=False)
        elif view == 'psd':
            plot_psd(dpls, ax=ax, show=False)
        else:
            freqs = _tfr_freqs(10, None, 30, dpls[0].sfreq)
            plot_tfr_morlet(dpls, freqs=freqs, ax=ax, show=False)
        if name:
            fig.suptitle(name)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=image_format, dpi=100)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text)
    return buffer.getvalue()


def dipoles_zip(results):
    """The dipole of every trial and their average, raw (nAm), in two formats.

    HNN's text files (``.txt``, 4 decimals) and :meth:`Dipole.write`'s ``.npz``
    files (full precision, the number of averaged trials kept); both are read by
    :func:`~hnn_core.read_dipole`.
    """
    import os.path as op
    import tempfile
    import warnings
    from ..dipole import average_dipoles
    dpls = dipoles(results)
    named = [(f'dipole_{k}.txt', dpl) for k, dpl in enumerate(dpls)]
    if len(dpls) > 1:
        named.append(('dipole_average.txt', average_dipoles(dpls)))
    files = []
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        # the text format's loss of digits and of nave: the .npz files keep both
        warnings.simplefilter('ignore', UserWarning)
        for name, dpl in named:
            for fname in (name, name.replace('.txt', '.npz')):
                path = op.join(folder, fname)
                dpl.write(path)
                with open(path, 'rb') as fid:
                    files.append((fname, fid.read()))
    return _zip(files)


def spikes_zip(results):
    """The spikes of each trial, one ``time gid type`` line a spike."""
    files = []
    for k in range(int(results['n_trials'])):
        lines = []
        for name, times, gids in _spike_groups(results, k):
            lines += [(t, g, name) for t, g in zip(times, gids)]
        lines.sort()
        files.append((f'spikes_{k}.txt',
                      ''.join(f'{t:.3f}\t{g}\t{name}\n' for t, g, name in lines)))
    return _zip(files)
