"""The current dipole of a simulated trial: container, processing, files."""

import os
import os.path as op
import warnings
import zipfile
import zlib

import numpy as np

from ._fileio import _atomic_write
from ._validate import _validate_type, _check_int, _check_finite

LAYERS = ('agg', 'L2', 'L5')
_DIPOLE_EXTENSIONS = ('.txt', '.npz')
_SAVGOL_POLYORDER = 5


def _real_array(values, name):
    """``values`` as a float array; TypeError (naming ``name``) unless real numbers."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f'{name} must be an array of numbers, got '
                        f'{type(values).__name__} ({values!r:.40})')
    try:
        array = np.asarray(values)
    except ValueError as err:  # e.g. ragged nested lists
        raise ValueError(f'{name} must be a regular array of numbers: {err}') from None
    if array.dtype.kind not in 'iuf':  # no text, objects, complex or booleans
        raise TypeError(f'{name} must be an array of real numbers, got values of '
                        f'type {array.dtype}')
    return array.astype(float)



def _checked_result(arrays, what):
    """``arrays`` (layer -> values), unless a value overflowed (ValueError naming
    ``what``)."""
    for layer, values in arrays.items():
        if not np.all(np.isfinite(values)):
            raise ValueError(f'{what} gives non-finite values (overflow) in the '
                             f'{layer} column; the dipole is left unchanged')
    return arrays


class Dipole:
    """Current dipole time series of the network and of each layer.

    Parameters
    ----------
    times : array, shape (n_times,)
        Sample times (ms).
    data : array, shape (n_times, 3) or (n_times,) | dict
        Columns agg, L2, L5 (nAm), a single agg column, or a dict of layer name
        -> series (``'agg'``, ``'L2'``, ``'L5'``, or the layer of any cell type
        whose dipole is measured).
    nave : int
        Number of trials averaged into this dipole.

    Attributes
    ----------
    times : ndarray
        Sample times (ms).
    data : dict of str -> ndarray
        ``'agg'`` (the sum of the layers), ``'L2'`` and ``'L5'`` dipoles (nAm,
        times any scaling in ``scale_applied``); a network with other measured
        cell types has a column for each of their layers too.
    nave : int
        Number of averaged trials.
    sfreq : float
        Sampling frequency (Hz).
    scale_applied : float
        Product of the factors passed to :meth:`scale`.
    """

    def __init__(self, times, data, nave=1):
        self.times = _real_array(times, 'times')
        if self.times.ndim != 1:
            raise ValueError(f'times must be one-dimensional, got shape '
                             f'{self.times.shape}')
        if not np.all(np.isfinite(self.times)):
            raise ValueError('times must be finite (no NaN or inf), got '
                             f'{self.times[~np.isfinite(self.times)][0]} ms')
        if isinstance(data, dict):
            for key in data:
                _validate_type(key, str, 'a layer name of data')
            self.data = {k: _real_array(v, f'data[{k!r}]') for k, v in data.items()}
        else:
            data = _real_array(data, 'data')
            if data.ndim == 1:
                data = data[:, None]
            if data.ndim != 2 or data.shape[1] not in (1, 3):
                raise ValueError('data must have shape (n_times, 3) (agg, L2, L5) or '
                                 f'(n_times,) (agg), got {data.shape}')
            self.data = {k: data[:, i].copy() for i, k in enumerate(LAYERS[:data.shape[1]])}
        for layer, values in self.data.items():
            if values.ndim != 1 or len(values) != len(self.times):
                raise ValueError(f'The {layer} column of data has shape {values.shape} '
                                 f'but there are {len(self.times)} times')
            if not np.all(np.isfinite(values)):
                raise ValueError(f'The {layer} column of data must be finite (no NaN '
                                 'or inf)')
        if len(self.times) > 1:
            steps = np.diff(self.times)
            # a relative tolerance: NEURON's accumulated time drifts by rounding
            if steps.min() <= 0 or np.ptp(steps) > 1e-3 * steps.mean():
                raise ValueError('times must be increasing and evenly spaced (ms), '
                                 f'got steps from {steps.min()} to {steps.max()} ms')
        nave = _check_int('nave', nave, minimum=1)
        self.nave = nave
        with np.errstate(over='ignore', divide='ignore'):
            self.sfreq = (1000. / (self.times[1] - self.times[0])
                          if len(self.times) > 1 else 0.)
        if not np.isfinite(self.sfreq):
            raise ValueError(f'times must be spaced widely enough for a finite '
                             f'sampling frequency, got a step of '
                             f'{self.times[1] - self.times[0]} ms')
        self.scale_applied = 1

    def __repr__(self):
        tmax = self.times[-1] if len(self.times) else 0.
        return (f'<Dipole | n_times : {len(self.times)}, tmin : {self.times[0]:.3f}, '
                f'tmax : {tmax:.3f}>' if len(self.times) else '<Dipole | empty>')

    def copy(self):
        """A deep copy of the dipole."""
        out = Dipole(self.times, {k: v for k, v in self.data.items()}, nave=self.nave)
        out.scale_applied = self.scale_applied
        return out

    def _baseline_renormalize(self, n_cells_per_layer):
        """Subtract the empirical resting dipole of Jones et al. 2009 (fAm).

        The constants were fitted to the isolated network's drift for a grid of
        N pyramidal cells per layer; L5's baseline changes at 37 and 750 ms.
        """
        n = n_cells_per_layer
        t = self.times
        if 'L2' in self.data:
            self.data['L2'] = self.data['L2'] - 0.0443 * n
        if 'L5' in self.data:
            l5 = self.data['L5'].copy()
            early = t <= 37.0
            middle = (t > 37.0) & (t < 750.)
            late = t >= 750.
            l5[early] += 49.0502 * n
            l5[middle] -= n * (3.4770508e-3 * t[middle] - 51.231085)
            l5[late] -= n * (1.01e-4 * t[late] - 48.412078)
            self.data['L5'] = l5
        layers = [v for k, v in self.data.items() if k != 'agg']
        if layers:
            agg = layers[0]
            for values in layers[1:]:
                agg = agg + values
            self.data['agg'] = agg

    def _convert_fAm_to_nAm(self):
        for layer in self.data:
            self.data[layer] = self.data[layer] * 1e-6

    def scale(self, factor):
        """Multiply every layer by ``factor`` (in place; returns the dipole)."""
        _check_finite('factor', factor)
        with np.errstate(over='ignore', invalid='ignore'):
            scaled = {layer: values * factor for layer, values in self.data.items()}
            scale_applied = self.scale_applied * factor
        _checked_result(scaled, f'factor={factor!r}')
        if not np.isfinite(scale_applied):
            raise ValueError(f'factor={factor!r} makes scale_applied overflow '
                             f'({self.scale_applied} * {factor}); the dipole is left '
                             'unchanged')
        self.data.update(scaled)
        self.scale_applied = scale_applied
        return self

    def smooth(self, window_len):
        """Smooth every layer with a normalised Hamming window (in place).

        Parameters
        ----------
        window_len : float
            Window length (ms); it spans round(window_len * sfreq / 1000) samples.

        Returns
        -------
        dpl : Dipole
            This dipole, smoothed.
        """
        window_len = _check_finite('window_len', window_len)
        if window_len < 1:
            raise ValueError(f'window_len must be at least 1 ms, got {window_len}')
        with np.errstate(over='ignore'):  # compared before int(): it may be huge
            span = np.round(1e-3 * window_len * self.sfreq)
        if not 1 <= span <= len(self.times):
            raise ValueError(
                f'window_len of {window_len} ms spans {span:g} samples; it must span '
                f'between 1 and the {len(self.times)} samples of the dipole')
        window = np.hamming(int(span))
        window /= window.sum()
        with np.errstate(over='ignore', invalid='ignore'):
            smoothed = {layer: np.convolve(values, window, mode='same')
                        for layer, values in self.data.items()}
        self.data.update(_checked_result(smoothed, f'smooth({window_len})'))
        return self

    def savgol_filter(self, h_freq):
        """Low-pass every layer with a Savitzky-Golay filter (in place).

        The filter fits a polynomial of order 5 in a sliding window of
        ``round(sfreq / h_freq)`` samples (one more if that is even), which
        attenuates frequencies above about ``h_freq``. The edges are handled
        as in :func:`scipy.signal.savgol_filter`'s default mode
        (``'interp'``): the polynomial fitted to the first (last) window gives
        the first (last) half-window of samples. ``scale_applied`` is
        unchanged.

        Parameters
        ----------
        h_freq : float
            Approximate high cut-off frequency (Hz), with
            ``0 < h_freq < sfreq / 2``.

        Returns
        -------
        dpl : Dipole
            This dipole, filtered.
        """
        h_freq = _check_finite('h_freq', h_freq)
        nyquist = self.sfreq / 2.
        if not 0 < h_freq < nyquist:
            raise ValueError(f'h_freq must be > 0 Hz and below half the sampling '
                             f'frequency ({nyquist:g} Hz), got {h_freq}')
        with np.errstate(over='ignore'):
            n_samples = self.sfreq / h_freq  # compared before int(): h_freq may be tiny
        if not np.isfinite(n_samples):
            raise ValueError(
                f'h_freq of {h_freq} Hz gives a window of {n_samples} samples; it '
                f'must span at most the {len(self.times)} samples of the dipole')
        window_length = _savgol_window_length(self.sfreq, h_freq)
        if not _SAVGOL_POLYORDER < window_length <= len(self.times):
            raise ValueError(
                f'h_freq of {h_freq} Hz gives a window of {window_length} samples; it '
                f'must span more than {_SAVGOL_POLYORDER} samples (the polynomial '
                f'order) and at most the {len(self.times)} samples of the dipole')
        with np.errstate(over='ignore', invalid='ignore'):
            filtered = {layer: _savgol_smooth(values, window_length, _SAVGOL_POLYORDER)
                        for layer, values in self.data.items()}
        self.data.update(_checked_result(filtered, f'savgol_filter({h_freq})'))
        return self

    def _post_process(self, window_len, factor):
        """HNN's post-processing: Hamming smoothing, then scaling (if > 0)."""
        if window_len > 0:
            self.smooth(window_len)
        if factor > 0:
            self.scale(factor)
        return self

    def plot(self, tmin=None, tmax=None, layer='agg', decim=None, ax=None,
             show=True):
        """Plot the dipole; see :func:`hnn_core.viz.plot_dipole`."""
        from .viz import plot_dipole
        return plot_dipole(self, tmin=tmin, tmax=tmax, ax=ax, layer=layer,
                           decim=decim, show=show)

    def plot_psd(self, fmin=0, fmax=None, tmin=None, tmax=None, layer='agg',
                 ax=None, show=True):
        """Plot the power spectral density; see :func:`hnn_core.viz.plot_psd`."""
        from .viz import plot_psd
        return plot_psd(self, fmin=fmin, fmax=fmax, tmin=tmin, tmax=tmax,
                        layer=layer, ax=ax, show=show)

    def plot_tfr_morlet(self, freqs, n_cycles=7., tmin=None, tmax=None,
                        layer='agg', decim=None, padding='zeros', ax=None,
                        colorbar=True, show=True):
        """Plot Morlet time-frequency power; see :func:`hnn_core.viz.plot_tfr_morlet`."""
        from .viz import plot_tfr_morlet
        return plot_tfr_morlet(self, freqs, n_cycles=n_cycles, tmin=tmin, tmax=tmax,
                               layer=layer, decim=decim, padding=padding, ax=ax,
                               colorbar=colorbar, show=show)

    def write(self, fname, overwrite=True):
        """Write the dipole to a file.

        Parameters
        ----------
        fname : str | path-like
            ``.txt``: HNN's text format, no header, tab-separated columns time
            (ms, 3 decimals) then agg, L2 and L5 (nAm times ``scale_applied``,
            4 decimals), only the layers present. ``.npz``: a numpy archive with
            full precision, keeping ``nave`` and ``scale_applied`` too; read
            either back with :func:`read_dipole`.
        overwrite : bool
            If False, refuse to replace an existing file.
        """
        _validate_type(fname, 'path-like', 'fname')
        _validate_type(overwrite, bool, 'overwrite')
        fname = os.fspath(fname)
        ext = _dipole_extension(fname)
        if not overwrite and op.exists(fname):
            raise FileExistsError(f'{fname} exists and overwrite is False')
        if ext == '.txt':
            if self.nave > 1:
                warnings.warn(f'Writing an average of {self.nave} trials to a text '
                              'file, which cannot store the number of trials; '
                              'read_dipole will give nave=1', UserWarning,
                              stacklevel=2)
            peak = max(np.abs(v).max(initial=0.) for v in self.data.values())
            if 0 < peak < 0.1:
                warnings.warn(f'HNN\'s text format keeps 4 decimals: this dipole peaks '
                              f'at {peak:.2g} nAm, so few digits survive; write a .npz '
                              'file to keep full precision', UserWarning, stacklevel=2)
            columns = [self.times] + [self.data[k] for k in LAYERS if k in self.data]
            with _atomic_write(fname, 'w') as fid:
                np.savetxt(fid, np.column_stack(columns),
                           fmt=['%3.3f'] + ['%5.4f'] * (len(columns) - 1),
                           delimiter='\t')
        else:
            arrays = {k: self.data[k] for k in LAYERS if k in self.data}
            # a file object: np.savez would append a 2nd suffix to a name
            with _atomic_write(fname, 'wb') as fid:
                np.savez(fid, times=self.times, nave=self.nave,
                         scale_applied=self.scale_applied, **arrays)


def simulated_dipole(times, layers, n_cells_per_layer, postproc=None):
    """The Dipole of one simulated trial, from raw layer dipoles (fAm).

    Parameters
    ----------
    times : array
        Sample times (ms).
    layers : dict of str -> array
        Layer name -> raw dipole (fAm); ``'agg'`` becomes their sum.
    n_cells_per_layer : int
        Pyramidal cells per layer, for the model's baseline correction.
    postproc : tuple of float | None
        (window_len ms, scale factor) of HNN's post-processing, or None.

    Returns
    -------
    dpl : Dipole
        Baseline-corrected, in nAm, post-processed if asked.
    """
    data = {'agg': np.zeros(len(times))}
    data.update(layers)
    dpl = Dipole(times, data)
    dpl._baseline_renormalize(n_cells_per_layer)
    dpl._convert_fAm_to_nAm()
    if postproc is not None:
        dpl._post_process(*postproc)
    return dpl


def _savgol_window_length(sfreq, h_freq):
    """Samples of the Savitzky-Golay window for a cut-off h_freq: odd, ~sfreq/h_freq."""
    n_samples = int(np.round(sfreq / h_freq))
    return n_samples + 1 if n_samples % 2 == 0 else n_samples


def _savgol_smooth(x, window_length, polyorder):
    """Savitzky-Golay smoothing with scipy's 'interp' edges, computed stably.

    scipy.signal.savgol_filter builds its least-squares problem from raw sample
    offsets (up to window_length / 2 to the power polyorder); from scipy 1.15
    on its solver then drops most of the fit for long windows (coefficients
    summing to ~1e-11 instead of 1 for 2001 samples, polyorder 5). Offsets
    scaled to [-1, 1] give the same filter with a well-conditioned problem.
    """
    x = np.asarray(x, dtype=float)
    half = window_length // 2
    offsets = np.arange(-half, window_length - half) / max(half, 1)
    design = np.vander(offsets, polyorder + 1, increasing=True)
    fit = np.linalg.pinv(design)  # data in a window -> polynomial coefficients
    out = np.empty_like(x)
    # interior: the fitted polynomial at the centre of each window (its constant term)
    out[half:len(x) - half] = np.convolve(x, fit[0][::-1], mode='valid')
    # edges: the polynomial fitted to the first / last window, evaluated there
    out[:half] = design[:half] @ (fit @ x[:window_length])
    out[len(x) - half:] = design[half + 1:] @ (fit @ x[len(x) - window_length:])
    return out


def _dipole_extension(fname):
    ext = op.splitext(fname)[1].lower()
    if ext not in _DIPOLE_EXTENSIONS:
        raise ValueError(f'Unsupported extension {ext!r} of fname {fname!r}; allowed '
                         f'extensions are {", ".join(_DIPOLE_EXTENSIONS)}')
    return ext


def read_dipole(fname):
    """Read a dipole written by :meth:`Dipole.write` or by HNN.

    Parameters
    ----------
    fname : str | path-like
        A ``.txt`` file with whitespace-separated columns, either four (time in
        ms, agg, L2, L5 in nAm: the format of :meth:`Dipole.write` and of
        HNN-GUI's ``dpl.txt``) or two (time, agg); or a ``.npz`` file written by
        :meth:`Dipole.write`.

    Returns
    -------
    dpl : Dipole
        The dipole. From a text file, ``nave`` is 1 and ``scale_applied`` 1
        (the file does not store them); a ``.npz`` file restores both.
    """
    _validate_type(fname, 'path-like', 'fname')
    fname = os.fspath(fname)
    ext = _dipole_extension(fname)
    if ext == '.npz':
        return _read_dipole_npz(fname)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)  # numpy warns on empty files
        try:
            table = np.loadtxt(fname, dtype=float, ndmin=2)
        except (ValueError, UnicodeDecodeError) as err:  # text, or not text at all
            raise ValueError(f'The dipole file {fname} is not in HNN\'s text format '
                             f'(columns of numbers): {err}') from None
    if table.shape[0] == 0:
        raise ValueError(f'The dipole file {fname} has no samples')
    if table.shape[1] not in (2, 4):
        raise ValueError(f'The dipole file {fname} has {table.shape[1]} columns; '
                         'expected 4 (time, agg, L2, L5) or 2 (time, agg)')
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        # NaN, inf, or a number beyond float range that loadtxt turned into inf
        row, col = bad[0]
        raise ValueError(f'The dipole file {fname} must hold finite numbers; sample '
                         f'{row} (column {col}) is {table[row, col]}')
    times = _regular_times(table[:, 0], fname)
    try:
        return Dipole(times, table[:, 1] if table.shape[1] == 2 else table[:, 1:])
    except ValueError as err:  # e.g. times that decrease
        raise ValueError(f'The dipole file {fname} does not hold a dipole: '
                         f'{err}') from None


def _regular_times(times, fname):
    """The file's times, or the even grid they were rounded from.

    HNN's text format writes times with 3 decimals, so a step such as
    0.0125 ms comes back uneven (0.012, 0.013, ...); the grid spanning the same
    first and last time is what was written.
    """
    if len(times) < 2:
        return times
    grid = np.linspace(times[0], times[-1], len(times))
    if np.allclose(np.diff(times), grid[1] - grid[0], rtol=1e-6, atol=0):
        return times  # already even: keep the values as written
    if grid[1] <= grid[0] or np.abs(times - grid).max() > 0.0005 + 1e-9:
        raise ValueError(f'The times in {fname} are not evenly spaced (ms)')
    return grid


# what a damaged archive raises on opening or reading a member: an empty file
# (EOFError), pickled or object data refused (ValueError), a broken zip or
# member (BadZipFile, zlib.error, a truncated member's EOFError or ValueError)
_NPZ_ERRORS = (ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError,
               NotImplementedError, RuntimeError)


def _read_dipole_npz(fname):
    key = None
    try:
        with np.load(fname, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):  # a .npy file
                raise ValueError('one array, not an archive of named arrays')
            contents = dict()
            for key in archive.files:
                contents[key] = archive[key]
    except _NPZ_ERRORS as err:
        where = '' if key is None else f" (at the key '{key}')"
        raise ValueError(f'{fname} is not a readable .npz archive written by '
                         f'Dipole.write{where}: {type(err).__name__}: {err}') from None
    missing = {'times', 'nave', 'scale_applied', 'agg'} - set(contents)
    if missing:
        raise ValueError(f'{fname} is not a dipole file written by Dipole.write: '
                         f'it lacks {sorted(missing)}')
    for key in ['times', 'nave', 'scale_applied'] + [k for k in LAYERS if k in contents]:
        value = contents[key]
        if value.dtype.kind not in 'iuf':
            raise ValueError(f"{fname}: the key '{key}' must hold real numbers, got "
                             f'values of type {value.dtype}')
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{fname}: the key '{key}' must hold finite numbers "
                             '(no NaN or inf)')
    for key in ('nave', 'scale_applied'):
        if contents[key].shape != ():
            raise ValueError(f"{fname}: the key '{key}' must hold one number, got "
                             f'shape {contents[key].shape}')
    nave = contents['nave'].item()
    if nave != int(nave) or nave < 1:
        raise ValueError(f"{fname}: the key 'nave' must be an integer >= 1 (a number "
                         f'of trials), got {nave}')
    try:
        dpl = Dipole(contents['times'], {k: contents[k] for k in LAYERS if k in contents},
                     nave=int(nave))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{fname}: the keys 'times', {', '.join(LAYERS)} do not make "
                         f'a dipole: {err}') from None
    dpl.scale_applied = contents['scale_applied'].item()
    return dpl


def average_dipoles(dpls):
    """Average dipoles of several trials, sample by sample.

    Parameters
    ----------
    dpls : list of Dipole
        Single-trial dipoles (``nave`` 1) with the same times, layers and
        ``scale_applied``. One dipole is allowed (its copy is returned).

    Returns
    -------
    dpl : Dipole
        The mean of every layer (nAm times ``scale_applied``), with ``nave``
        the number of dipoles and the common ``scale_applied``.
    """
    _validate_type(dpls, (list, tuple), 'dpls', 'list of Dipole')
    if len(dpls) == 0:
        raise ValueError('dpls must contain at least one Dipole, got an empty list')
    for idx, dpl in enumerate(dpls):
        _validate_type(dpl, Dipole, f'dpls[{idx}]')
    first = dpls[0]
    for idx, dpl in enumerate(dpls):
        if dpl.nave != 1:
            raise ValueError(f'dpls[{idx}] is already an average of {dpl.nave} trials; '
                             'only single-trial dipoles (nave=1) can be averaged')
        if dpl.scale_applied != first.scale_applied:
            raise ValueError('All dipoles must have the same scale_applied; '
                             f'dpls[0] has {first.scale_applied} and dpls[{idx}] has '
                             f'{dpl.scale_applied}')
        if not np.array_equal(dpl.times, first.times):
            raise ValueError(f'All dipoles must have the same times; dpls[{idx}] '
                             'differs from dpls[0]')
        if set(dpl.data) != set(first.data):
            raise ValueError(f'All dipoles must have the same layers; dpls[0] has '
                             f'{sorted(first.data)} and dpls[{idx}] has '
                             f'{sorted(dpl.data)}')
    with np.errstate(over='ignore', invalid='ignore'):
        data = {layer: np.mean([dpl.data[layer] for dpl in dpls], axis=0)
                for layer in LAYERS if layer in first.data}
    _checked_result(data, 'Averaging dpls')
    avg = Dipole(first.times, data, nave=len(dpls))
    avg.scale_applied = first.scale_applied
    return avg


def rmse(dpl, exp_dpl, tstart=0.0, tstop=None, weights=None):
    """Root-mean-square error between a simulated and an experimental dipole.

    Only the aggregate (``'agg'``) dipoles are compared, as in hnn-core's
    optimisation. The window [tstart, tstop] is first restricted to the span
    covered by both dipoles. Each dipole is then cut at its samples nearest to
    tstart and tstop (the sample nearest to tstop is excluded). If the
    simulated cut has more samples, it and the weights are resampled (FFT,
    :func:`scipy.signal.resample`) to the length of the experimental cut and
    resampled weights below 1e-4 are set to 0; if it has fewer, the
    experimental cut is resampled instead.

    Parameters
    ----------
    dpl : Dipole
        The simulated dipole.
    exp_dpl : Dipole
        The experimental (target) dipole.
    tstart : float
        Start of the window (ms).
    tstop : float | None
        End of the window (ms); None means the end of the shorter dipole.
    weights : array, shape (n_times,) | None
        Non-negative weight of each sample of ``dpl`` (None: all 1).

    Returns
    -------
    err : float
        ``sqrt(sum(w * (sim - exp) ** 2) / sum(w))``, in the dipoles' units.
    """
    sim, exp, weights, n_sim, n_exp = _agg_window(dpl, exp_dpl, tstart, tstop, weights)
    with np.errstate(over='ignore', invalid='ignore'):
        err = _weighted_rms(sim, exp, weights, n_sim, n_exp)
        if not np.isfinite(err):
            # values near the float limit overflow on squaring; the error is
            # homogeneous in the values and invariant to the weights' scale
            # (the 1e-4 cut of resampled weights aside, which the max keeps)
            scale = max(np.abs(sim).max(), np.abs(exp).max(), np.finfo(float).tiny)
            err = _weighted_rms(sim / scale, exp / scale, weights, n_sim, n_exp) * scale
    if not np.isfinite(err):
        raise ValueError('The RMSE of dpl and exp_dpl is not a finite number (their '
                         'values or the weights are too large)')
    return err


def _agg_window(dpl, exp_dpl, tstart, tstop, weights):
    """Check rmse's arguments; the aggregate dipoles cut to the common window."""
    _validate_type(dpl, Dipole, 'dpl')
    _validate_type(exp_dpl, Dipole, 'exp_dpl')
    # NaN would mean "from the start" (max ignores it) and inf an empty window
    _validate_type(tstart, 'numeric', 'tstart')
    _check_finite('tstart', tstart)
    _validate_type(tstop, ('numeric', None), 'tstop')
    if tstop is not None:
        _check_finite('tstop', tstop)
    for name, d in (('dpl', dpl), ('exp_dpl', exp_dpl)):
        if 'agg' not in d.data or len(d.times) == 0:
            raise ValueError(f'{name} must have an aggregate (agg) dipole with samples')
        if not np.all(np.isfinite(d.data['agg'])):  # edited after it was made
            raise ValueError(f"{name}.data['agg'] must be finite (no NaN or inf)")
    sim_times, exp_times = dpl.times, exp_dpl.times
    if weights is None:
        weights = np.ones(len(sim_times))
    else:
        weights = _real_array(weights, 'weights')
        if weights.shape != sim_times.shape:
            raise ValueError(f'weights must have one value per sample of dpl '
                             f'({len(sim_times)}), got shape {weights.shape}')
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError('weights must be finite and >= 0')
    tstop = np.inf if tstop is None else tstop
    tstart = max(tstart, sim_times[0], exp_times[0])
    tstop = min(tstop, sim_times[-1], exp_times[-1])

    sim_start, sim_stop = _nearest_sample(sim_times, tstart, tstop)
    exp_start, exp_stop = _nearest_sample(exp_times, tstart, tstop)
    n_sim, n_exp = sim_stop - sim_start, exp_stop - exp_start
    if n_sim <= 0 or n_exp <= 0:
        raise ValueError(f'The window from tstart to tstop ({tstart} to {tstop} ms, '
                         'within the times of both dipoles) holds no sample; tstop '
                         'must be later than tstart')
    sim = dpl.data['agg'][sim_start:sim_stop]
    exp = exp_dpl.data['agg'][exp_start:exp_stop]
    weights = weights[sim_start:sim_stop]
    return sim, exp, weights, n_sim, n_exp


def _anticorrelation(dpl, exp_dpl, tstart=0.0, tstop=None, weights=None):
    """1 - Pearson correlation of the weighted aggregate dipoles (0: a perfect fit).

    The window, resampling and weights are :func:`rmse`'s (hnn-core 0.6.1's
    ``dipole_corr`` objective).
    """
    sim, exp, weights, n_sim, n_exp = _agg_window(dpl, exp_dpl, tstart, tstop, weights)
    sim, exp, weights = _resampled(sim, exp, weights, n_sim, n_exp)
    with np.errstate(invalid='ignore', divide='ignore'):
        corr = np.corrcoef(sim * weights, exp * weights)[0, 1]
    if not np.isfinite(corr):
        raise ValueError('The correlation of dpl and exp_dpl is undefined: one of '
                         'them is constant over the window')
    return float(1. - corr)


def _resampled(sim, exp, weights, n_sim, n_exp):
    """The longer of the two cuts resampled to the other's length (see rmse)."""
    from scipy.signal import resample
    if n_sim > n_exp:
        sim = resample(sim, n_exp)
        weights = resample(weights, n_exp)
        weights[weights < 1e-4] = 0.
    elif n_sim < n_exp:
        exp = resample(exp, n_sim)
    return sim, exp, weights


def _weighted_rms(sim, exp, weights, n_sim, n_exp):
    """rmse's resampling and weighted root mean square (see rmse)."""
    sim, exp, weights = _resampled(sim, exp, weights, n_sim, n_exp)
    if not weights.sum() > 0:
        raise ValueError('The weights in the window from tstart to tstop sum to 0')
    return float(np.sqrt(np.sum(weights * (sim - exp) ** 2) / np.sum(weights)))


def _nearest_sample(times, tstart, tstop):
    """Indices of the samples nearest to tstart and tstop (a half-open slice)."""
    return int(np.argmin(np.abs(times - tstart))), int(np.argmin(np.abs(times - tstop)))
