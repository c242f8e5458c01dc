"""Spikes (and, when recorded, voltages) of every cell, trial by trial."""

import numpy as np

from ._validate import _validate_type


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

    Attributes
    ----------
    spike_times, spike_gids, spike_types : list of list
        As above; drive cells' spikes are included, typed with the drive name.
    times : ndarray
        Sample times (ms).
    """

    def __init__(self, spike_times=None, spike_gids=None, spike_types=None,
                 times=None):
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
        self._spike_times = [list(map(float, t)) for t in spike_times]
        self._spike_gids = [list(map(int, g)) for g in spike_gids]
        self._spike_types = [list(t) for t in spike_types]
        self.times = np.array([] if times is None else times, dtype=float)

    @property
    def spike_times(self):
        return self._spike_times

    @property
    def spike_gids(self):
        return self._spike_gids

    @property
    def spike_types(self):
        return self._spike_types

    def __repr__(self):
        return f'<CellResponse | {len(self._spike_times)} simulation trials>'

    def __len__(self):
        return len(self._spike_times)

    def update_types(self, gid_ranges):
        """Set the type of every spike from a dict name -> range of gids."""
        lookup = []
        for name, gids in gid_ranges.items():
            lookup.append((name, min(gids, default=0), max(gids, default=-1) + 1))
        self._spike_types = [[_name_of(gid, lookup) for gid in trial]
                             for trial in self._spike_gids]


def _name_of(gid, lookup):
    for name, start, stop in lookup:
        if start <= gid < stop:
            return name
    raise ValueError(f'gid {gid} is in none of the gid ranges')
