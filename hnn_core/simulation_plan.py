"""Everything the engine needs to run trials, as plain picklable data.

The plan is made once per call to ``simulate_dipole`` from a :class:`Network`:
cell templates, gid layout, connection blocks, and per-trial drive spike times.
Backends ship it to worker processes or MPI ranks; the engine turns it into
NEURON objects.
"""

from dataclasses import dataclass, field

import numpy as np

from .cells import CELL_TYPES
from .connectivity import local_connections, drive_connections
from .drives import drive_spike_times, _recheck_drive


@dataclass
class SimulationPlan:
    """Inputs of the engine for one network and a set of trials.

    Attributes
    ----------
    templates : dict of str -> CellTemplate
    cell_type_index : ndarray of int, shape (n_cells,)
        Index into ``CELL_TYPES`` of every real cell, by gid.
    blocks : list of ConnectionBlock
        Local and drive connections.
    drive_gids : ndarray of int
        Gids of the drive cells that can fire (they have at least one
        connection in the model).
    drive_times : list of list of ndarray
        For each trial, the spike times (ms) of each drive cell of ``drive_gids``.
    tstop, dt : float
        Simulated time and time step (ms).
    celsius : float
        Temperature (degC).
    threshold : float
        Somatic voltage (mV) that counts as a spike.
    gid_names : list of (str, int, int)
        (name, first gid, stop gid) of every cell type and drive, for typing spikes.
    biases : list of (str, str, float, float, float)
        Tonic current clamps: (cell type, section, amplitude nA, t0 ms, tstop ms).
    record : dict
        What to record besides dipoles and spikes: ``'vsec'``, ``'isec'``, ``'ca'``
        -> False, ``'soma'`` or ``'all'``.
    engine : str
        ``'coreneuron'`` or ``'neuron'``.
    """

    templates: dict
    cell_type_index: np.ndarray
    blocks: list
    drive_gids: np.ndarray
    drive_times: list
    tstop: float
    dt: float
    celsius: float
    threshold: float
    gid_names: list = field(default_factory=list)
    biases: list = field(default_factory=list)
    record: dict = field(default_factory=dict)
    engine: str = 'neuron'

    @property
    def n_cells(self):
        return len(self.cell_type_index)

    @property
    def n_trials(self):
        return len(self.drive_times)

    def cell_type(self, gid):
        return CELL_TYPES[self.cell_type_index[gid]]


def make_plan(net, tstop, dt, n_trials, record=None, engine='neuron'):
    """Build the :class:`SimulationPlan` of ``net`` for ``n_trials`` trials."""
    for name in net.external_drives:
        _recheck_drive(net, name)
    templates = net._cell_templates()
    blocks = local_connections(net, tstop=tstop)
    connected = []
    for name in net.external_drives:
        drive_blocks = drive_connections(net, name)
        blocks.extend(drive_blocks)
        if drive_blocks:
            connected.append(np.unique(np.concatenate(
                [b.src_gids for b in drive_blocks])))
    drive_gids = (np.concatenate(connected) if connected
                  else np.empty(0, int)).astype(int)

    n_gids = net._n_gids
    drive_times = []
    for trial_idx in range(n_trials):
        by_gid = {}
        for name in net.external_drives:
            gids = net.gid_ranges[name]
            times = drive_spike_times(net, name, trial_idx, n_gids, tstop)
            by_gid.update(zip(gids, times))
        drive_times.append([by_gid[g] for g in drive_gids])

    gid_names = [(name, r.start, r.stop) for name, r in net.gid_ranges.items()]
    biases = []
    for per_type in net.external_biases.values():
        for cell_type, bias in per_type.items():
            stop = tstop if bias['tstop'] is None else bias['tstop']
            biases.append((cell_type, bias['section'], bias['amplitude'], bias['t0'],
                           stop))
    return SimulationPlan(
        templates=templates, cell_type_index=net._cell_type_index.copy(),
        blocks=blocks, drive_gids=drive_gids, drive_times=drive_times,
        tstop=float(tstop), dt=float(dt), celsius=float(net._param('celsius')),
        threshold=float(net._param('threshold')), gid_names=gid_names,
        biases=biases, record=dict(record or {}), engine=engine)
