"""Spikes (and, when recorded, voltages) of every cell, trial by trial."""

import glob
import os
import warnings
from collections import Counter

import numpy as np

from ._fileio import _atomic_write
from ._validate import _validate_type, _check_option, _check_finite

# NEURON keeps gids as C ints
_MAX_GID = 2 ** 31 - 1

# the cell types of the model, for responses made without naming theirs
_DEFAULT_CELL_TYPES = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')

_MEAN_TYPES = ('all', 'trial', 'cell')


class CellResponse:
    """The spiking response of the network, one list entry per trial.

    Parameters
    ----------
    spike_times : list of list of float | None
        Spike times (ms) of each trial.
    spike_gids : list of list of int | None
        Gid of each spike.
    spike_types : list of list of str | None
        Cell type or drive name of each spike.
    times : array | None
        Sample times (ms) of the simulation.
    cell_type_names : list of str | None
        Names of the network's cell types (the other spike types are drives);
        None for the model's four. hnn-core 0.6.1's call shape,
        ``CellResponse(cell_type_names, spike_times, ...)``, is accepted too.

    Attributes
    ----------
    spike_times, spike_gids, spike_types : list of list
        As above; drive cells' spikes are included, typed with the drive name.
    times : ndarray
        Sample times (ms).
    vsec : list of dict
        Recorded voltages, one dict per trial (empty list if nothing was
        recorded): ``vsec[trial][gid][section]`` is the membrane potential at
        the middle of the section (mV), one value per sample of ``times``.
    isec : list of dict
        Recorded synaptic currents: ``isec[trial][gid][section][key]`` with
        ``key = f'{section}_{receptor}'`` (e.g. ``'soma_gabaa'``), in nA.
    ca : list of dict
        Recorded intracellular calcium: ``ca[trial][gid][section]`` (mM).
    vsoma : list of dict
        hnn-core 0.1's view of ``vsec``: per trial, gid -> soma voltage (mV).
    isoma : list of dict
        hnn-core 0.1's view of ``isec``: per trial, gid -> the soma's synaptic
        currents, e.g. ``{'soma_gabaa': ..., 'soma_gabab': ...}`` (nA).
    """

    def __init__(self, spike_times=None, spike_gids=None, spike_types=None,
                 times=None, cell_type_names=None):
        if (isinstance(spike_times, (list, tuple)) and spike_times and
                all(isinstance(name, str) for name in spike_times)):
            # hnn-core 0.6.1: CellResponse(cell_type_names, spike_times, ...)
            if cell_type_names is not None:
                raise ValueError('cell_type_names given twice (first and by name)')
            cell_type_names, spike_times, spike_gids, spike_types, times = (
                spike_times, spike_gids, spike_types, times, None)
        if cell_type_names is None:
            cell_type_names = _DEFAULT_CELL_TYPES
        _validate_type(cell_type_names, (list, tuple), 'cell_type_names',
                       'list of str')
        for idx, name in enumerate(cell_type_names):
            _validate_type(name, str, f'cell_type_names[{idx}]')
        self.cell_type_names = [str(name) for name in cell_type_names]
        spike_times = [] if spike_times is None else spike_times
        spike_gids = [] if spike_gids is None else spike_gids
        spike_types = [] if spike_types is None else spike_types
        for name, value in (('spike_times', spike_times), ('spike_gids', spike_gids),
                            ('spike_types', spike_types)):
            _validate_type(value, (list, tuple), name, 'a list with one list per trial')
        if len(spike_times) != len(spike_gids):
            raise ValueError('spike_times and spike_gids must have one entry per trial '
                             f'each; got {len(spike_times)} and {len(spike_gids)}')
        if spike_types and len(spike_types) != len(spike_times):
            raise ValueError('spike_types must have one entry per trial like '
                             f'spike_times; got {len(spike_types)} and '
                             f'{len(spike_times)}')
        self._spike_times = [_spike_times(t, f'spike_times[{trial}]')
                             for trial, t in enumerate(spike_times)]
        self._spike_gids = [_spike_gids(g, f'spike_gids[{trial}]')
                            for trial, g in enumerate(spike_gids)]
        self._spike_types = [_spike_types(t, f'spike_types[{trial}]')
                             for trial, t in enumerate(spike_types)]
        for trial, (t, g) in enumerate(zip(self._spike_times, self._spike_gids)):
            if len(t) != len(g):
                raise ValueError(f'Trial {trial} has {len(t)} spike_times but '
                                 f'{len(g)} spike_gids; they must pair up')
        self.times = _sample_times(times)
        self._vsec, self._isec, self._ca = [], [], []

    # -- data -------------------------------------------------------------------
    @property
    def spike_times(self):
        return self._spike_times

    @property
    def spike_gids(self):
        return self._spike_gids

    @property
    def spike_types(self):
        return self._spike_types

    @property
    def vsec(self):
        return self._vsec

    @vsec.setter
    def vsec(self, value):
        self._vsec = _check_recording(value, 'vsec')

    @property
    def isec(self):
        return self._isec

    @isec.setter
    def isec(self, value):
        self._isec = _check_recording(value, 'isec')

    @property
    def ca(self):
        return self._ca

    @ca.setter
    def ca(self, value):
        self._ca = _check_recording(value, 'ca')

    @property
    def vsoma(self):
        return [{gid: sections['soma'] for gid, sections in trial.items()
                 if 'soma' in sections} for trial in self._vsec]

    @property
    def isoma(self):
        return [{gid: dict(sections['soma']) for gid, sections in trial.items()
                 if 'soma' in sections} for trial in self._isec]

    def __repr__(self):
        return f'<CellResponse | {len(self._spike_times)} simulation trials>'

    def __len__(self):
        return len(self._spike_times)

    def __eq__(self, other):
        if not isinstance(other, CellResponse):
            return NotImplemented
        if len(self) != len(other):
            return False
        for mine, theirs in zip(self._spike_times, other._spike_times):
            if not np.array_equal(np.round(mine, 3), np.round(theirs, 3)):
                return False
        # recordings hold arrays, which == would compare element-wise
        return (self._spike_gids == other._spike_gids and
                self._spike_types == other._spike_types and
                all(_same_values(getattr(self, name), getattr(other, name))
                    for name in ('_vsec', '_isec', '_ca')))

    __hash__ = None

    def __getitem__(self, gid_item):
        """A copy holding only the spikes (and recordings) of some gids.

        Parameters
        ----------
        gid_item : int | slice | list of int | array of int
            The gids to keep.

        Returns
        -------
        cell_response : CellResponse
            The filtered copy (same number of trials).
        """
        gids = self._gids_from_item(gid_item)
        times, spike_gids, types = [], [], []
        for trial in range(len(self)):
            keep = np.isin(self._spike_gids[trial], gids)
            times.append([t for t, k in zip(self._spike_times[trial], keep) if k])
            spike_gids.append([g for g, k in zip(self._spike_gids[trial], keep) if k])
            if self._spike_types:
                types.append([s for s, k in zip(self._spike_types[trial], keep) if k])
        out = CellResponse(spike_times=times, spike_gids=spike_gids,
                           spike_types=types, times=self.times,
                           cell_type_names=self.cell_type_names)
        kept = set(int(g) for g in gids)
        for name in ('_vsec', '_isec', '_ca'):
            setattr(out, name, [{gid: value for gid, value in trial.items()
                                 if gid in kept} for trial in getattr(self, name)])
        return out

    def _gids_from_item(self, gid_item):
        if isinstance(gid_item, slice):
            known = [g for trial in self._spike_gids for g in trial]
            known += [g for rec in (self._vsec, self._isec, self._ca)
                      for trial in rec for g in trial]
            n_gids = max(known, default=-1) + 1
            if gid_item.stop is not None:
                _validate_type(gid_item.stop, 'int', 'slice stop')
                n_gids = max(n_gids, gid_item.stop)
            return np.arange(n_gids)[gid_item]
        if isinstance(gid_item, (int, np.integer)) and not isinstance(gid_item, bool):
            gid_item = [gid_item]
        _validate_type(gid_item, (list, tuple, np.ndarray, range), 'gid_item',
                       'int, slice, or list of int')
        gids = np.asarray(list(gid_item) if isinstance(gid_item, range) else gid_item)
        if gids.size == 0:
            return gids.astype(int)
        if gids.ndim != 1 or not np.issubdtype(gids.dtype, np.integer):
            raise TypeError('gid_item must be an int, a slice or a 1-D list of int, '
                            f'got {gid_item!r}')
        if gids.min() < 0:
            # a gid, not a position: -1 would otherwise select nothing silently
            raise ValueError(f'gids are >= 0, got {gids.min()} in gid_item')
        return gids

    # -- analysis ---------------------------------------------------------------
    def update_types(self, gid_ranges):
        """Set the type of every spike from a dict name -> range of gids.

        ``gid_ranges`` maps each cell type or drive name to its gids, a
        ``range`` (e.g. ``net.gid_ranges``) or a list of int; the gids of
        different names must not overlap.
        """
        lookup = _check_gid_ranges(gid_ranges)
        self._spike_types = [[_name_of(gid, lookup) for gid in trial]
                             for trial in self._spike_gids]

    def mean_rates(self, tstart, tstop, gid_ranges, mean_type='all'):
        """Mean firing rate of each cell type.

        Every spike of a trial is counted; ``tstart`` and ``tstop`` only set
        the duration the counts are divided by (hnn-core's definition).

        Parameters
        ----------
        tstart, tstop : float
            Start and end (ms) of the period the rates refer to
            (``tstop > tstart``).
        gid_ranges : dict of str -> range
            Gids of each cell type, e.g. ``net.gid_ranges``. Only the cell
            types L2_basket, L2_pyramidal, L5_basket and L5_pyramidal are used.
        mean_type : str
            ``'all'``: mean over trials of the mean over cells (a float per
            type); ``'trial'``: the mean over cells of each trial (a list per
            type); ``'cell'``: each cell's rate, per trial (a list of lists,
            gid order).

        Returns
        -------
        rates : dict of str -> float | list
            Firing rates (Hz) by cell type, in the order above.
        """
        _check_finite('tstart', tstart)
        _check_finite('tstop', tstop)
        if not tstop > tstart:
            raise ValueError(f'tstop must be greater than tstart, got tstart={tstart} '
                             f'and tstop={tstop}')
        _validate_type(gid_ranges, dict, 'gid_ranges')
        _check_option('mean_type', mean_type, _MEAN_TYPES)
        if len(self) == 0:
            raise ValueError('The CellResponse has no trials to compute rates from')
        duration = (tstop - tstart) / 1000.  # s
        rates = dict()
        for cell_type in [c for c in self.cell_type_names if c in gid_ranges]:
            type_gids = np.array(list(gid_ranges[cell_type]), dtype=int)
            per_cell = np.zeros((len(self), len(type_gids)))
            for trial, spike_gids in enumerate(self._spike_gids):
                counts = Counter(spike_gids)
                per_cell[trial] = [counts[gid] / duration for gid in type_gids]
            per_trial = (per_cell.mean(axis=1) if len(type_gids)
                         else np.full(len(self), np.nan))
            if mean_type == 'all':
                rates[cell_type] = float(per_trial.mean())
            elif mean_type == 'trial':
                rates[cell_type] = per_trial.tolist()
            else:
                rates[cell_type] = per_cell.tolist()
        return rates

    # -- files and plots --------------------------------------------------------
    def to_dict(self):
        """The response as a dict of plain values (hnn-core 0.6.1's layout).

        Returns
        -------
        data : dict
            ``spike_times``, ``spike_gids``, ``spike_types`` (per trial),
            ``vsec``, ``isec``, ``ca`` (per trial, gid keys as text),
            ``times`` and ``cell_type_names``.
        """
        def by_text_gid(records):
            return [{str(gid): value for gid, value in trial.items()}
                    for trial in records]
        return {'spike_times': self.spike_times, 'spike_gids': self.spike_gids,
                'spike_types': self.spike_types, 'vsec': by_text_gid(self._vsec),
                'isec': by_text_gid(self._isec), 'ca': by_text_gid(self._ca),
                'times': self.times, 'cell_type_names': list(self.cell_type_names)}

    def write(self, fname):
        """Write the spikes to text files, one per trial.

        Each line is ``{time:.3f}\\t{gid}\\t{type}`` (ms, 3 decimals), in the
        order the spikes are held; read the files back with
        :func:`read_spikes`.

        Parameters
        ----------
        fname : str | path-like
            File name pattern with a placeholder for the 0-based trial index,
            %-style (``'spk_%d.txt'``) or {}-style (``'spk_{}.txt'``). Without
            a placeholder every trial writes the same file (a warning is given
            if there are several trials), as in hnn-core 0.6.
        """
        _validate_type(fname, 'path-like', 'fname')
        pattern = os.fspath(fname)
        for trial in range(len(self)):
            if self._spike_gids[trial] and not (
                    self._spike_types and len(self._spike_types[trial]) ==
                    len(self._spike_gids[trial])):
                raise ValueError(f'The spikes of trial {trial} have no types; call '
                                 'update_types(gid_ranges) before writing')
        names = [_trial_fname(pattern, trial) for trial in range(len(self))]
        if len(set(names)) < len(names):
            warnings.warn(f'fname {pattern!r} has no trial placeholder (%d or {{}}): '
                          'every trial overwrites the same file', UserWarning,
                          stacklevel=2)
        for trial in range(len(self)):
            for spike_type in (self._spike_types[trial] if self._spike_types else []):
                if not spike_type or any(ch.isspace() for ch in spike_type):
                    # one column of the file: it would not read back
                    raise ValueError(f'The spike type {spike_type!r} of trial {trial} '
                                     'is empty or has white space; it cannot be '
                                     'written to a spike file')
        for trial, name in enumerate(names):
            with _atomic_write(name, 'w') as fid:
                for time, gid, spike_type in zip(self._spike_times[trial],
                                                 self._spike_gids[trial],
                                                 self._spike_types[trial]
                                                 if self._spike_types else []):
                    fid.write(f'{time:.3f}\t{int(gid)}\t{spike_type}\n')

    def plot_spikes_raster(self, ax=None, show=True, *, trial_idx=0):
        """Raster plot of one trial; see :func:`hnn_core.viz.plot_spikes_raster`."""
        from .viz import plot_spikes_raster
        return plot_spikes_raster(self, trial_idx=trial_idx, ax=ax, show=show)

    def plot_spikes_hist(self, ax=None, spike_types=None, show=True, *,
                         trial_idx=None):
        """Histogram of spike times; see :func:`hnn_core.viz.plot_spikes_hist`."""
        from .viz import plot_spikes_hist
        return plot_spikes_hist(self, trial_idx=trial_idx, ax=ax,
                                spike_types=spike_types, show=show)



def _trial_values(values, name):
    """One trial's list (or 1-D array) of values, as a list."""
    _validate_type(values, (list, tuple, np.ndarray), name, 'a list (one trial)')
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f'{name} must be one-dimensional (one trial), got shape '
                             f'{values.shape}')
        values = values.tolist()
    return list(values)


def _spike_times(values, name):
    """Spike times (ms) of one trial: finite real numbers, as floats."""
    values = _trial_values(values, name)
    fast = _as_numbers(values, 'iuf')  # a simulation's spikes: checked at once
    if fast is not None and np.all(np.isfinite(fast)):
        return fast.astype(float).tolist()
    for idx, value in enumerate(values):
        _validate_type(value, 'numeric', f'{name}[{idx}]', 'float')
        if not np.isfinite(value):
            raise ValueError(f'{name}[{idx}] must be a finite spike time (ms), got '
                             f'{value}')
    return [float(value) for value in values]


def _spike_gids(values, name):
    """Gids of one trial: integers from 0 to _MAX_GID, as ints."""
    values = _trial_values(values, name)
    fast = _as_numbers(values, 'iu')
    if fast is not None and (not len(fast) or 0 <= fast.min() <= fast.max() <= _MAX_GID):
        return fast.tolist()
    for idx, value in enumerate(values):
        # a float, even 1.0, is not a gid: it is most likely a spike time
        _validate_type(value, 'int', f'{name}[{idx}]', 'int')
        if not 0 <= value <= _MAX_GID:
            raise ValueError(f'{name}[{idx}] must be a gid between 0 and {_MAX_GID}, '
                             f'got {value}')
    return [int(value) for value in values]


def _as_numbers(values, kinds):
    """``values`` as a 1-D array if numpy reads them as numbers of ``kinds``, or None.

    Python bools would pass as integers; they are left to the per-value check.
    """
    try:
        array = np.asarray(values)
    except (ValueError, TypeError, OverflowError):
        return None
    if array.ndim != 1 or (len(array) and array.dtype.kind not in kinds):
        return None
    if not isinstance(values, np.ndarray) and {bool, np.bool_} & set(map(type, values)):
        return None
    return array


def _spike_types(values, name):
    """Spike types of one trial: str."""
    values = _trial_values(values, name)
    if set(map(type, values)) <= {str}:
        return values
    for idx, value in enumerate(values):
        _validate_type(value, str, f'{name}[{idx}]', 'str')
    return [str(value) for value in values]


def _sample_times(times):
    """The simulation's sample times (ms) as a 1-D float array (finite)."""
    if times is None:
        return np.array([], dtype=float)
    _validate_type(times, (list, tuple, np.ndarray), 'times', 'array of float')
    try:
        array = np.asarray(times)
    except ValueError as err:
        raise ValueError(f'times must be a 1-D array of numbers: {err}') from None
    if array.size and array.dtype.kind not in 'iuf':
        raise TypeError(f'times must be an array of real numbers, got values of type '
                        f'{array.dtype}')
    if array.ndim != 1:
        raise ValueError(f'times must be one-dimensional, got shape {array.shape}')
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise ValueError('times must be finite (no NaN or inf)')
    return array


def _same_values(mine, theirs):
    """Equality of nested lists / dicts of arrays, element by element."""
    if isinstance(mine, dict) or isinstance(theirs, dict):
        return (isinstance(mine, dict) and isinstance(theirs, dict) and
                mine.keys() == theirs.keys() and
                all(_same_values(mine[key], theirs[key]) for key in mine))
    if isinstance(mine, (list, tuple)) and isinstance(theirs, (list, tuple)):
        return len(mine) == len(theirs) and all(
            _same_values(a, b) for a, b in zip(mine, theirs))
    if isinstance(mine, np.ndarray) or isinstance(theirs, np.ndarray):
        return np.array_equal(np.asarray(mine), np.asarray(theirs))
    return bool(mine == theirs)


def _check_gid_ranges(gid_ranges):
    """(name, gids) of every entry of ``gid_ranges``; raise naming a bad one.

    Each entry is a ``range`` of step 1 or a list of int (gids >= 0), and the
    entries must not share a gid (a spike would have two types).
    """
    _validate_type(gid_ranges, dict, 'gid_ranges')
    lookup = []
    for name, gids in gid_ranges.items():
        _validate_type(name, str, 'a key of gid_ranges', 'str (a cell type or drive)')
        label = f'gid_ranges[{name!r}]'
        if isinstance(gids, range):
            if gids.step != 1:
                raise ValueError(f'{label} must be a range of step 1 or a list of int, '
                                 f'got {gids}')
            if len(gids) and gids.start < 0:
                raise ValueError(f'{label} must hold gids >= 0, got {gids}')
        else:
            gids = frozenset(_spike_gids(gids, label))
        lookup.append((name, gids))
    for idx, (name, gids) in enumerate(lookup):
        for other, other_gids in lookup[idx + 1:]:
            shared = _shared_gid(gids, other_gids)
            if shared is not None:
                raise ValueError(f'The gids of gid_ranges must not overlap: '
                                 f'{name!r} and {other!r} both hold the gid {shared}')
    return lookup


def _shared_gid(a, b):
    """A gid in both ``a`` and ``b`` (ranges of step 1 or sets), or None."""
    if isinstance(a, range) and isinstance(b, range):
        start, stop = max(a.start, b.start), min(a.stop, b.stop)
        return start if start < stop and len(a) and len(b) else None
    if isinstance(a, range):
        a, b = b, a
    return min((gid for gid in a if gid in b), default=None)


def _check_recording(value, name):
    _validate_type(value, (list, tuple), name, 'a list with one dict per trial')
    for trial, entry in enumerate(value):
        _validate_type(entry, dict, f'{name}[{trial}]')
    return list(value)


def _trial_fname(pattern, trial):
    """Trial file name: %-style placeholder first, then {}-style, else unchanged."""
    try:
        return pattern % trial
    except (TypeError, ValueError):  # no usable %-placeholder
        pass
    try:
        return pattern.format(trial)
    except (IndexError, KeyError, ValueError) as err:
        raise ValueError(f'fname {pattern!r} is not a valid file name pattern: use '
                         f"one placeholder for the trial index, '%d' or '{{}}' "
                         f'({err!r})') from None


def _name_of(gid, lookup):
    for name, gids in lookup:
        if gid in gids:
            return name
    raise ValueError(f'gid {gid} is in none of the gid ranges (gid_ranges holds '
                     f'{", ".join(repr(name) for name, _ in lookup) or "nothing"})')


def _read_spike_file(fname):
    """Rows of one spike file as (times, gids, types or None)."""
    times, gids, types = [], [], []
    n_columns = None
    try:
        with open(fname) as fid:
            for line_no, line in enumerate(fid, start=1):
                fields = line.split()
                if not fields:
                    continue
                if len(fields) not in (2, 3) or (n_columns not in (None, len(fields))):
                    raise ValueError(f'{fname}, line {line_no}: expected the same 2 '
                                     '(time, gid) or 3 (time, gid, type) columns on '
                                     f'every line, got {line.strip()!r:.80}')
                n_columns = len(fields)
                times.append(_spike_field(fname, line_no, fields[0], float))
                gids.append(_spike_field(fname, line_no, fields[1], int))
                if n_columns == 3:
                    types.append(fields[2])
    except UnicodeDecodeError as err:
        raise ValueError(f'{fname} is not a spike file (text with the columns time, '
                         f'gid and type): it is not text ({err})') from None
    return times, gids, (types if n_columns == 3 else None)


def _spike_field(fname, line_no, text, kind):
    """A spike time (finite float) or gid (int from 0 to _MAX_GID) of a file."""
    what = 'spike time (ms)' if kind is float else 'gid'
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or (not 0 <= value <= _MAX_GID if kind is int
                         else not np.isfinite(value)):
        allowed = ('a finite number' if kind is float
                   else f'an integer from 0 to {_MAX_GID}')
        raise ValueError(f'{fname}, line {line_no}: not a spike file: the {what} '
                         f'must be {allowed}, got {text!r:.40}')
    return value


def read_spikes(fname, gid_ranges=None):
    """Read spike files written by :meth:`CellResponse.write` or by HNN.

    Parameters
    ----------
    fname : str | path-like
        A file name or glob pattern (e.g. ``'spk_*.txt'``); every matching
        file is one trial, in sorted (lexicographic) order, so ``spk_10.txt``
        comes before ``spk_2.txt``. Lines are ``time gid type`` or, in
        HNN-GUI's ``spk.txt``, ``time gid``.
    gid_ranges : dict of str -> range | None
        Gids of each cell type and drive (e.g. ``net.gid_ranges``). Needed for
        two-column files; if given, every spike is typed from it.

    Returns
    -------
    cell_response : CellResponse
        The spikes, one trial per file (an empty file is an empty trial).
    """
    _validate_type(fname, 'path-like', 'fname')
    _validate_type(gid_ranges, (dict, None), 'gid_ranges')
    pattern = os.fspath(fname)
    fnames = sorted(glob.glob(pattern))
    if not fnames:
        raise ValueError(f'No file matches fname {pattern!r}')
    spike_times, spike_gids, spike_types = [], [], []
    for trial_fname in fnames:
        times, gids, types = _read_spike_file(trial_fname)
        if types is None and gids and gid_ranges is None:
            raise ValueError(f'{trial_fname} has no spike type column; pass gid_ranges '
                             '(e.g. net.gid_ranges) to type its spikes')
        spike_times.append(times)
        spike_gids.append(gids)
        spike_types.append([] if types is None else types)
    cell_response = CellResponse(spike_times=spike_times, spike_gids=spike_gids,
                                 spike_types=spike_types)
    if gid_ranges is not None:
        cell_response.update_types(gid_ranges)
    return cell_response
