"""Objective functions of the Optimizer: a number from a candidate's dipoles.

Each built-in objective takes the simulated single-trial dipoles of one
candidate (already scaled and smoothed as the fit asks) and returns the value to
minimise, computed as hnn-core 0.6.1's objectives compute it (the same numbers
for the same dipoles).
"""

import numpy as np

from ..dipole import Dipole, average_dipoles, rmse, _anticorrelation
from .._validate import _validate_type, _check_finite, _check_int

# keyword arguments of Optimizer.fit that belong to the solvers, not the objectives
SOLVER_KWARGS = ('n_jobs', 'popsize', 'seed', 'sigma0', 'tolfun', 'verbose', 'dt')
PREPROCESS_KWARGS = ('scale_factor', 'smooth_window_len')
OBJECTIVE_KWARGS = {
    'dipole_rmse': ('target', 'n_trials'),
    'dipole_corr': ('target', 'n_trials'),
    'maximize_psd': ('f_bands', 'relative_bandpower'),
}


def preprocess(dpls, scale_factor=None, smooth_window_len=None):
    """Scale, then smooth each dipole in place (0.6.1's order)."""
    for dpl in dpls:
        if scale_factor is not None:
            dpl.scale(scale_factor)
        if smooth_window_len is not None:
            dpl.smooth(smooth_window_len)
    return dpls


def dipole_rmse(dpls, target, tstop):
    """RMSE (nAm, times any scale) of the trial average against ``target``, 0 to tstop."""
    return rmse(average_dipoles(dpls), target, tstart=0., tstop=tstop)


def dipole_corr(dpls, target, tstop):
    """1 - correlation of the trial average with ``target``, 0 to tstop."""
    return _anticorrelation(average_dipoles(dpls), target, tstart=0., tstop=tstop)


def maximize_psd(dpls, f_bands, relative_bandpower):
    """Minus the weighted share of the first trial's power in ``f_bands``.

    The power spectrum is the periodogram (Hamming window) of the aggregate
    dipole; each band's power (both edges included) is weighted by its
    ``relative_bandpower`` and the sum divided by the total power. As in
    hnn-core 0.6.1, only the first trial is analysed.
    """
    from scipy.signal import periodogram
    dpl = dpls[0]
    freqs, psd = periodogram(dpl.data['agg'], dpl.sfreq, window='hamming')
    in_bands = [weight * psd[(freqs >= low) & (freqs <= high)].sum()
                for (low, high), weight in zip(f_bands, relative_bandpower)]
    return float(-sum(in_bands) / psd.sum())


def check_fit_kwargs(obj_fun_name, tstop, kwargs):
    """Check Optimizer.fit's keyword arguments; return them completed and checked."""
    kwargs = dict(kwargs)
    allowed = SOLVER_KWARGS + PREPROCESS_KWARGS
    if obj_fun_name is not None:
        allowed = allowed + OBJECTIVE_KWARGS[obj_fun_name]
        unknown = sorted(set(kwargs) - set(allowed))
        if unknown:
            raise TypeError(f'Optimizer.fit got unexpected keyword argument(s) '
                            f'{unknown} for obj_fun={obj_fun_name!r}; allowed are '
                            f'{sorted(allowed)}')
    if obj_fun_name in ('dipole_rmse', 'dipole_corr'):
        if 'target' not in kwargs:
            raise ValueError(f"target (a Dipole) must be given to fit for "
                             f"obj_fun={obj_fun_name!r}")
        _check_target(kwargs['target'], tstop)
    if obj_fun_name in ('dipole_rmse', 'dipole_corr', None):
        kwargs['n_trials'] = _check_int('n_trials', kwargs.get('n_trials', 1), minimum=1)
    if obj_fun_name == 'maximize_psd':
        missing = [key for key in ('f_bands', 'relative_bandpower') if key not in kwargs]
        if missing:
            raise ValueError(f'f_bands and relative_bandpower must be given to fit for '
                             f"obj_fun='maximize_psd'; missing {missing}")
        kwargs['f_bands'], kwargs['relative_bandpower'] = _check_bands(
            kwargs['f_bands'], kwargs['relative_bandpower'])
    if kwargs.get('scale_factor') is not None:
        _check_finite('scale_factor', kwargs['scale_factor'])
    if kwargs.get('smooth_window_len') is not None:
        _check_finite('smooth_window_len', kwargs['smooth_window_len'], minimum=1)
    kwargs['dt'] = _check_finite('dt', kwargs.get('dt', 0.025), minimum=0, strict=True)
    _validate_type(kwargs.setdefault('verbose', True), bool, 'verbose')
    return kwargs


def _check_target(target, tstop):
    """The target must be a Dipole whose samples span 0 to tstop."""
    _validate_type(target, Dipole, 'target')
    times = np.asarray(target.times, float)
    if 'agg' not in target.data or len(times) < 2:
        raise ValueError('target must have an aggregate (agg) dipole with at least '
                         'two samples')
    # one sample period of slack: a recording sampled at ~600 Hz ends within
    # one period of a tstop taken from it
    slack = float(np.median(np.diff(times)))
    if times[0] > slack or times[-1] < tstop - slack:
        raise ValueError(
            f'target must cover the simulated time span 0 to tstop={tstop} ms '
            f'(within one sample, {slack:.3g} ms); its samples span {times[0]:g} to '
            f'{times[-1]:g} ms. Lower tstop or give a longer target')


def _check_bands(f_bands, relative_bandpower):
    _validate_type(f_bands, (list, tuple), 'f_bands', 'list of (low, high) tuples')
    if len(f_bands) == 0:
        raise ValueError('f_bands must hold at least one (low, high) band in Hz')
    bands = []
    for idx, band in enumerate(f_bands):
        if not isinstance(band, (list, tuple)) or len(band) != 2:
            raise ValueError(f'f_bands[{idx}] must be a (low, high) pair in Hz, '
                             f'got {band!r}')
        low = _check_finite(f'f_bands[{idx}][0]', band[0], minimum=0)
        high = _check_finite(f'f_bands[{idx}][1]', band[1])
        if not low < high:
            raise ValueError(f'f_bands[{idx}] must have low < high, got {band!r}')
        bands.append((low, high))
    if isinstance(relative_bandpower, (list, tuple, np.ndarray)):
        weights = [_check_finite(f'relative_bandpower[{idx}]', w)
                   for idx, w in enumerate(relative_bandpower)]
        if len(weights) != len(bands):
            raise ValueError(f'relative_bandpower must have one weight per band of '
                             f'f_bands ({len(bands)}), got {len(weights)}')
    else:
        weights = [_check_finite('relative_bandpower', relative_bandpower)] * len(bands)
    return bands, weights
