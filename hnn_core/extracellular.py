"""Extracellular recordings: electrode arrays, their voltages, LFP and CSD.

An :class:`ExtracellularArray` describes ideal point electrodes (their
positions and how the potential at them is computed) and holds the voltages
recorded there, trial by trial. Arrays are added to a network with
:meth:`hnn_core.Network.add_electrode_array` and filled by
:func:`hnn_core.simulate_dipole`; this module holds the data and their plots
only (no NEURON), so that results can be read and plotted anywhere.
"""

import numbers
from copy import deepcopy

import numpy as np

from ._validate import _validate_type, _check_option, _check_finite
from .dipole import _real_array

_METHODS = ('psa', 'lsa')
# samples further than this from the median step make the sampling uneven (ms)
_SAMPLING_TOLERANCE = 1e-3


def _check_positions(positions):
    """``positions`` as a list of (x, y, z) tuples of floats (µm)."""
    _validate_type(positions, (tuple, list, np.ndarray), 'positions',
                   'tuple, list of tuple or array of shape (n_contacts, 3)')
    if len(positions) > 0 and all(isinstance(c, numbers.Number) or
                                  isinstance(c, str) for c in positions):
        positions = [positions]  # one (x, y, z) triplet is one contact
    if len(positions) == 0:
        raise ValueError('positions must hold at least one (x, y, z) triplet (µm), '
                         'got none')
    checked = []
    for idx, pos in enumerate(positions):
        name = f'positions[{idx}]'
        _validate_type(pos, (tuple, list, np.ndarray), name,
                       'an (x, y, z) tuple of numbers')
        if len(pos) != 3:
            raise ValueError(f'{name} must be an (x, y, z) triplet of numbers (µm), '
                             f'got {len(pos)} values: {pos!r:.60}')
        checked.append(tuple(_check_finite(f'{name}[{k}]', coord)
                             for k, coord in enumerate(pos)))
    return checked


def _check_times(times):
    """``times`` as a 1-d array of finite floats (ms)."""
    times = _real_array(times, 'times')
    if times.ndim != 1:
        raise ValueError(f'times must be 1-dimensional (n_times,), got shape '
                         f'{times.shape}')
    if not np.all(np.isfinite(times)):
        raise ValueError('times must be finite numbers (ms)')
    return times


def _check_voltages(voltages, n_contacts, n_times):
    """``voltages`` as a (n_trials, n_contacts, n_times) array of finite floats."""
    voltages = _real_array(voltages, 'voltages')
    if voltages.ndim != 3:
        raise ValueError(f'voltages must be 3-dimensional (n_trials, n_contacts, '
                         f'n_times), got shape {voltages.shape}')
    if voltages.shape[1] != n_contacts:
        raise ValueError(f'voltages must have one trace per contact: the array has '
                         f'{n_contacts} contacts, voltages has shape {voltages.shape}')
    if voltages.shape[2] != n_times:
        raise ValueError(f'voltages and times must have the same number of samples, '
                         f'got {voltages.shape[2]} and {n_times}')
    if not np.all(np.isfinite(voltages)):
        raise ValueError('voltages must be finite numbers (µV)')
    return voltages


def calculate_csd2d(lfp_data, delta=1):
    """Current source density of a laminar profile (second spatial difference).

    Parameters
    ----------
    lfp_data : array, shape (n_contacts, n_times)
        Potentials (µV) at equispaced contacts, in the order of their depth.
    delta : float
        Distance between neighbouring contacts (µm).

    Returns
    -------
    csd : array, shape (n_contacts, n_times)
        ``-(V[k - 1] - 2 V[k] + V[k + 1]) / delta ** 2`` (µV/µm²) at each inner
        contact; at the first and last contacts, the linear extrapolation of
        the two nearest inner values (as in hnn-core 0.6.1). Negative values
        are sinks, positive values sources.
    """
    lfp_data = _real_array(lfp_data, 'lfp_data')
    if lfp_data.ndim != 2:
        raise ValueError(f'lfp_data must be 2-dimensional (n_contacts, n_times), got '
                         f'shape {lfp_data.shape}')
    # the border values extrapolate from two inner contacts, so four are needed
    if lfp_data.shape[0] < 4:
        raise ValueError(f'lfp_data must have at least 4 contacts (rows) for a CSD, '
                         f'got {lfp_data.shape[0]}')
    delta = _check_finite('delta', delta, minimum=0, strict=True)
    inner = -np.diff(lfp_data, n=2, axis=0) / delta ** 2
    first = inner[0] * 2 - inner[1]
    last = inner[-1] * 2 - inner[-2]
    return np.concatenate((first[np.newaxis], inner, last[np.newaxis]), axis=0)


def _get_laminar_z_coords(electrode_positions):
    """Depths (z, µm) of a laminar array and the z distance between contacts.

    The contacts must be at least two, equally spaced along a straight line
    that is not horizontal (as in hnn-core 0.6.1, the line need not be
    vertical; the spacing returned is its z component).
    """
    positions = np.array(_check_positions(electrode_positions))
    if len(positions) < 2:
        raise ValueError(f'A laminar profile needs an array of at least 2 contacts, '
                         f'got {len(positions)}')
    steps = np.diff(positions, axis=0)
    z_delta = abs(steps[0, 2])
    lengths = np.linalg.norm(steps, axis=1)
    colinear = np.allclose(np.cross(steps[:-1], steps[1:]), 0)
    if not (np.allclose(lengths, lengths[0]) and z_delta > 0 and colinear):
        raise ValueError('The electrode contacts cannot give a laminar profile: they '
                         'must be equispaced and colinear, along a line with a '
                         'component along z (depth)')
    return positions[:, 2], z_delta


def _hamming_smooth(values, window_len, sfreq):
    """``values`` (last axis: time) convolved with a normalised Hamming window.

    The window spans ``round(window_len * sfreq / 1000)`` samples, as in
    :meth:`hnn_core.Dipole.smooth` and hnn-core 0.6.1's ``smooth_waveform``.
    """
    window_len = _check_finite('window_len', window_len)
    if window_len < 1:
        raise ValueError(f'window_len must be at least 1 ms, got {window_len}')
    n_times = values.shape[-1]
    with np.errstate(over='ignore'):  # compared before int(): it may be huge
        span = np.round(1e-3 * window_len * sfreq)
    if not 1 <= span <= n_times:
        raise ValueError(
            f'window_len of {window_len} ms spans {span:g} samples; it must span '
            f'between 1 and the {n_times} samples of the data')
    window = np.hamming(int(span))
    window /= window.sum()
    flat = values.reshape(-1, n_times)
    smoothed = np.array([np.convolve(trace, window, mode='same') for trace in flat])
    return smoothed.reshape(values.shape)


class ExtracellularArray:
    """Ideal point electrodes and the extracellular potential recorded at them.

    Add an array to a network with :meth:`hnn_core.Network.add_electrode_array`;
    after :func:`hnn_core.simulate_dipole` it is ``net.rec_arrays[name]`` and
    holds the voltages of every trial.

    Parameters
    ----------
    positions : tuple | list of tuple | array, shape (n_contacts, 3)
        The (x, y, z) position of each contact (µm); one triplet is one contact.
    conductivity : float
        Conductivity of the infinite, homogeneous medium around the cells (S/m).
    method : ``'psa'`` | ``'lsa'``
        How the current of a segment is seen from a contact: ``'psa'`` (point
        source approximation) as a point current at the segment's centre,
        ``'lsa'`` (line source approximation) as a current spread evenly along
        a line through it.
    min_distance : float
        Shortest distance from a contact to a current source (µm); nearer
        sources count as at this distance, which avoids the singularity of
        the potential at the source (0.5 µm is the radius of a 1 µm thick
        dendrite).
    times : array-like, shape (n_times,) | None
        Sample times (ms) of ``voltages``.
    voltages : array-like, shape (n_trials, n_contacts, n_times) | None
        Recorded potentials (µV). Give both ``times`` and ``voltages``, or
        neither.

    Attributes
    ----------
    positions : list of tuple
        The (x, y, z) positions of the contacts (µm).
    n_contacts : int
        Number of contacts.
    conductivity : float
        Extracellular conductivity (S/m).
    method : str
        ``'psa'`` or ``'lsa'``.
    min_distance : float
        Shortest source distance (µm).

    Notes
    -----
    ``len(array)`` is the number of trials. Indexing by trial (an int, a
    slice, or a list of ints) returns a new array with those trials only.
    Table 5 of https://doi.org/10.1152/jn.00122.2010 gives measured
    conductivities of rat cortex (in mS/cm: 1 mS/cm is 0.1 S/m).
    """

    def __init__(self, positions, *, conductivity=0.3, method='psa',
                 min_distance=0.5, times=None, voltages=None):
        self.positions = _check_positions(positions)
        self.n_contacts = len(self.positions)
        self.conductivity = _check_finite('conductivity', conductivity, minimum=0,
                                          strict=True)
        # None: the engine's test mode (a transfer resistance of 1), as in 0.6.1
        if method is not None:
            _validate_type(method, str, 'method')
            _check_option('method', method, _METHODS)
        self.method = method
        self.min_distance = _check_finite('min_distance', min_distance, minimum=0,
                                          strict=True)
        self._reset()
        if (times is None) != (voltages is None):
            raise ValueError('Give both times and voltages, or neither; got only '
                             f'{"times" if voltages is None else "voltages"}')
        if times is not None:
            self._set_data(times, voltages)

    # -- the interface of the simulation ---------------------------------------
    def _reset(self):
        """Forget the recorded data (keep the electrodes)."""
        self._times = np.zeros(0)
        self._data = np.zeros((0, self.n_contacts, 0))

    def _set_data(self, times, voltages):
        """Store ``times`` (n_times,) in ms and ``voltages`` (n_trials, n_contacts,
        n_times) in µV, replacing any data; ValueError if the shapes disagree."""
        times = _check_times(times)
        voltages = _check_voltages(voltages, self.n_contacts, len(times))
        self._times, self._data = times, voltages

    # -- data ------------------------------------------------------------------
    @property
    def times(self):
        """Sample times (ms), shape (n_times,); empty before a simulation."""
        return self._times.copy()

    @property
    def voltages(self):
        """Potentials (µV), shape (n_trials, n_contacts, n_times)."""
        return self._data.copy()

    @property
    def sfreq(self):
        """Sampling frequency (Hz); None without data.

        RuntimeError for a single sample, or when the steps between samples
        differ by more than 1 µs.
        """
        if len(self._times) == 0:
            return None
        if len(self._times) == 1:
            raise RuntimeError('The sampling frequency of a single sample is not '
                               'defined')
        steps = np.diff(self._times)
        step = np.median(steps)
        if np.max(np.abs(steps - step)) > _SAMPLING_TOLERANCE:
            raise RuntimeError('The sample times are not evenly spaced (steps differ '
                               'by more than 1 µs), so there is no sampling '
                               'frequency; check times')
        return 1000. / step

    def __len__(self):
        return len(self._data)

    def __getitem__(self, trial_no):
        """A new array with the trials ``trial_no`` (int, slice or list of int)."""
        if isinstance(trial_no, slice):
            picks = np.arange(len(self))[trial_no]
        else:
            single = isinstance(trial_no, numbers.Integral)
            items = [trial_no] if single else trial_no
            allowed = 'int, slice or list of int'
            _validate_type(items, (list, tuple), 'trial_no', allowed)
            for item in items:
                _validate_type(item, 'int', 'trial_no', allowed)
            picks = np.array(items, dtype=int)
            out = (picks >= len(self)) | (picks < -len(self))
            if np.any(out):
                raise IndexError(f'trial_no {trial_no!r} is out of range: the array '
                                 f'holds {len(self)} trials')
        return ExtracellularArray(self.positions, conductivity=self.conductivity,
                                  method=self.method, min_distance=self.min_distance,
                                  times=self._times, voltages=self._data[picks])

    def __eq__(self, other):
        if not isinstance(other, ExtracellularArray):
            return NotImplemented
        return (self.positions == other.positions and
                self.conductivity == other.conductivity and
                self.method == other.method and
                self.min_distance == other.min_distance and
                np.array_equal(self._times, other._times) and
                np.array_equal(self._data, other._data))

    __hash__ = None

    def __repr__(self):
        desc = (f'{self.n_contacts} electrodes, conductivity={self.conductivity}, '
                f'method={self.method}')
        if len(self):
            desc += f' | {len(self)} trials, {len(self._times)} times'
        else:
            desc += ' (no data recorded yet)'
        return f'<{type(self).__name__} | {desc}>'

    def copy(self):
        """A deep copy of the array, with its data.

        Returns
        -------
        array : ExtracellularArray
        """
        return deepcopy(self)

    def to_dict(self):
        """The array as a dict of its parameters and data.

        Returns
        -------
        array_data : dict
            ``positions``, ``conductivity``, ``method``, ``min_distance``,
            ``times`` and ``voltages`` (as in hnn-core 0.6.1's network files).
        """
        return {'positions': list(self.positions),
                'conductivity': self.conductivity,
                'method': self.method,
                'min_distance': self.min_distance,
                'times': self.times,
                'voltages': self.voltages}

    def smooth(self, window_len):
        """Smooth every trace with a normalised Hamming window (in place).

        Parameters
        ----------
        window_len : float
            Window length (ms); it spans ``round(window_len * sfreq / 1000)``
            samples, as :meth:`hnn_core.Dipole.smooth`.

        Returns
        -------
        array : ExtracellularArray
            This array, smoothed. Use :meth:`copy` first to keep the original.
        """
        if len(self) == 0:
            raise RuntimeError('The array holds no data to smooth; simulate first')
        smoothed = _hamming_smooth(self._data, window_len, self.sfreq)
        if not np.all(np.isfinite(smoothed)):
            raise ValueError(f'smooth({window_len}) gives non-finite values '
                             '(overflow); the array is left unchanged')
        self._data = smoothed
        return self

    # -- plots -----------------------------------------------------------------
    def plot_lfp(self, *, trial_no=None, contact_no=None, tmin=None, tmax=None,
                 ax=None, decim=None, color='cividis', voltage_offset=50,
                 voltage_scalebar=200, show=True):
        """Plot the potential of each contact against time, one figure per trial.

        Parameters
        ----------
        trial_no : int | list of int | slice | None
            The trials to plot (None: all). Trials are drawn into ``ax`` if
            given, else each into a new figure.
        contact_no : int | list of int | slice | None
            The contacts to plot (None: all).
        tmin, tmax : float | None
            Time window (ms); None means the start / end of the data.
        ax : matplotlib Axes | None
            Axes to draw into; a new figure if None.
        decim : int | None
            Keep every ``decim``-th sample (None keeps all).
        color : str | tuple | array | matplotlib Colormap
            See :func:`hnn_core.viz.plot_laminar_lfp`.
        voltage_offset : float | None
            Vertical distance between neighbouring traces (µV); None overlays
            them.
        voltage_scalebar : float | None
            Height of the scale bar (µV); None: ``voltage_offset``.
        show : bool
            Show the figure.

        Returns
        -------
        fig : matplotlib Figure
            The figure of the last trial plotted.
        """
        from .viz_laminar import plot_laminar_lfp
        if len(self) == 0:
            raise RuntimeError('The array holds no data to plot; simulate first')
        data = self.voltages if trial_no is None else self[trial_no].voltages
        labels, _ = _get_laminar_z_coords(self.positions)
        if contact_no is not None:
            picks = _pick_contacts(contact_no, self.n_contacts)
            data, labels = data[:, picks], labels[picks]
        for trial_data in data:
            fig = plot_laminar_lfp(self.times, trial_data, labels, tmin=tmin,
                                   tmax=tmax, ax=ax, decim=decim, color=color,
                                   voltage_offset=voltage_offset,
                                   voltage_scalebar=voltage_scalebar, show=show)
        return fig

    def plot_csd(self, vmin=None, vmax=None, interpolation='spline', sink='b',
                 colorbar=True, ax=None, show=True):
        """Plot the current source density of the first trial (depth x time).

        The CSD is :func:`calculate_csd2d` of the contacts' potentials, with
        the z distance between contacts as spacing.

        Parameters
        ----------
        vmin, vmax : float | None
            Limits of the colour scale (µV/µm²); if both are None, symmetric
            around zero.
        interpolation : ``'spline'`` | None
            Interpolate between contacts with a bicubic spline, or draw one
            band per contact.
        sink : ``'b'`` | ``'r'``
            Draw sinks in blue (and sources in red) or the reverse.
        colorbar : bool
            Add a colour bar.
        ax : matplotlib Axes | None
            Axes to draw into; a new figure if None.
        show : bool
            Show the figure.

        Returns
        -------
        fig : matplotlib Figure
        """
        from .viz_laminar import plot_laminar_csd
        if len(self) == 0:
            raise RuntimeError('The array holds no data to plot; simulate first')
        depths, delta = _get_laminar_z_coords(self.positions)
        csd = calculate_csd2d(self._data[0], delta=delta)
        return plot_laminar_csd(self.times, csd, depths, ax=ax, colorbar=colorbar,
                                vmin=vmin, vmax=vmax, interpolation=interpolation,
                                sink=sink, show=show)


def _pick_contacts(contact_no, n_contacts):
    """Indices of the contacts ``contact_no`` (int, list of int or slice)."""
    if isinstance(contact_no, slice):
        return np.arange(n_contacts)[contact_no]
    items = [contact_no] if isinstance(contact_no, numbers.Integral) else contact_no
    allowed = 'int, slice, list of int or None'
    _validate_type(items, (list, tuple), 'contact_no', allowed)
    for item in items:
        _validate_type(item, 'int', 'contact_no', allowed)
        if not -n_contacts <= item < n_contacts:
            raise IndexError(f'contact_no {contact_no!r} is out of range: the array '
                             f'has {n_contacts} contacts')
    return np.array(items, dtype=int)
