"""The current dipole of a simulated trial: container, processing, files."""

import numpy as np

from ._validate import _validate_type, _check_nonnegative

LAYERS = ('agg', 'L2', 'L5')


class Dipole:
    """Current dipole time series of the network and of each layer.

    Parameters
    ----------
    times : array, shape (n_times,)
        Sample times (ms).
    data : array, shape (n_times, 3) or (n_times,) | dict
        Columns agg, L2, L5 (nAm), a single agg column, or a dict with any of
        the keys ``'agg'``, ``'L2'``, ``'L5'``.
    nave : int
        Number of trials averaged into this dipole.

    Attributes
    ----------
    times : ndarray
        Sample times (ms).
    data : dict of str -> ndarray
        ``'agg'`` (L2 + L5), ``'L2'`` and ``'L5'`` dipoles (nAm, times any
        scaling in ``scale_applied``).
    nave : int
        Number of averaged trials.
    sfreq : float
        Sampling frequency (Hz).
    scale_applied : float
        Product of the factors passed to :meth:`scale`.
    """

    def __init__(self, times, data, nave=1):
        self.times = np.array(times, dtype=float)
        if isinstance(data, dict):
            unknown = set(data) - set(LAYERS)
            if unknown:
                raise ValueError(f'Unknown dipole layer(s) {sorted(unknown)}; allowed '
                                 f'layers are {LAYERS}')
            self.data = {k: np.array(v, dtype=float) for k, v in data.items()}
        else:
            data = np.asarray(data, dtype=float)
            if data.ndim == 1:
                data = data[:, None]
            if data.ndim != 2 or data.shape[1] not in (1, 3):
                raise ValueError('data must have shape (n_times, 3) (agg, L2, L5) or '
                                 f'(n_times,) (agg), got {data.shape}')
            self.data = {k: data[:, i].copy() for i, k in enumerate(LAYERS[:data.shape[1]])}
        for layer, values in self.data.items():
            if len(values) != len(self.times):
                raise ValueError(f'The {layer} column has {len(values)} samples but there '
                                 f'are {len(self.times)} times')
        self.nave = nave
        self.sfreq = 1000. / (self.times[1] - self.times[0]) if len(self.times) > 1 else 0.
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
        self.data['L2'] = self.data['L2'] - 0.0443 * n
        l5 = self.data['L5'].copy()
        early = t <= 37.0
        middle = (t > 37.0) & (t < 750.)
        late = t >= 750.
        l5[early] += 49.0502 * n
        l5[middle] -= n * (3.4770508e-3 * t[middle] - 51.231085)
        l5[late] -= n * (1.01e-4 * t[late] - 48.412078)
        self.data['L5'] = l5
        self.data['agg'] = self.data['L2'] + self.data['L5']

    def _convert_fAm_to_nAm(self):
        for layer in self.data:
            self.data[layer] = self.data[layer] * 1e-6

    def scale(self, factor):
        """Multiply every layer by ``factor`` (in place; returns the dipole)."""
        _validate_type(factor, 'numeric', 'factor')
        for layer in self.data:
            self.data[layer] = self.data[layer] * factor
        self.scale_applied *= factor
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
        _check_nonnegative('window_len', window_len)
        if window_len < 1:
            raise ValueError(f'window_len must be at least 1 ms, got {window_len}')
        n_win = int(np.round(1e-3 * window_len * self.sfreq))
        if not 1 <= n_win <= len(self.times):
            raise ValueError(
                f'window_len of {window_len} ms spans {n_win} samples; it must span '
                f'between 1 and the {len(self.times)} samples of the dipole')
        window = np.hamming(n_win)
        window /= window.sum()
        for layer in self.data:
            self.data[layer] = np.convolve(self.data[layer], window, mode='same')
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

    def write(self, fname):
        """Write the dipole as text: time, agg, L2, L5 columns (HNN's format)."""
        columns = [self.times] + [self.data[k] for k in LAYERS if k in self.data]
        np.savetxt(fname, np.column_stack(columns),
                   fmt=['%3.3f'] + ['%5.4f'] * (len(columns) - 1), delimiter='\t')
