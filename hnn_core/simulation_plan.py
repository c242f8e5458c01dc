"""Everything the engine needs to run trials, as plain picklable data.

The plan is made once per call to ``simulate_dipole`` from a :class:`Network`
(through its public attributes only): compiled cell templates, the gid layout,
the connections with their weights and delays, the spike thresholds, and the
drive spike times of every trial. Backends ship it to worker processes or MPI
ranks; the engine turns it into NEURON objects. Making the plan is also where an
edited network is checked, so a bad edit fails before anything runs.
"""

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from .cell_template import compile_cell
from .connectivity import connection_block, check_loc_receptor, check_nc_dict
from .drives import (drive_spike_times, recheck_drive, recheck_bias,
                     check_seed_range, expected_event_count)
from .params import required

# Beyond this many drive spike times a run is refused (about 640 MB, and the
# engine hands each time to NEURON one by one), and beyond WARN_DRIVE_EVENTS it
# warns (a hundred thousand events into one cell take seconds to simulate); each
# time costs about BYTES_PER_EVENT while the run lives (the array, its copy in
# net.external_drives[...]['events'] as Python floats, NEURON's copy).
MAX_DRIVE_EVENTS = 1e7
WARN_DRIVE_EVENTS = 1e5
BYTES_PER_EVENT = 64


def available_memory():
    """Bytes of memory available to this process now (inf if unknown)."""
    try:
        with open('/proc/meminfo') as fid:
            for line in fid:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf('SC_AVPHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return float('inf')


def _check_drive_events(net, tstop, n_trials):
    """Refuse (or warn about) drives whose spike times cannot be drawn in reason."""
    counts = {name: expected_event_count(net, name, tstop, n_trials)
              for name in net.external_drives}
    total = sum(count for count, _ in counts.values())
    limit = min(MAX_DRIVE_EVENTS, available_memory() / BYTES_PER_EVENT)
    for name, (count, params) in counts.items():
        where = f'net.external_drives[{name!r}]'
        if count > limit or not count < float('inf'):
            raise ValueError(
                f'{where} would draw about {count:.3g} spike times in '
                f'{n_trials} trial(s) of {tstop} ms, more than this run can hold '
                f'(at most {limit:.3g}); lower {params} (or n_trials)')
    if total > limit:
        raise ValueError(f'The drives would draw about {total:.3g} spike times in '
                         f'{n_trials} trial(s), more than this run can hold (at most '
                         f'{limit:.3g}); lower their rates or numspikes, tstop or '
                         'n_trials')
    for name, (count, params) in counts.items():
        if count > WARN_DRIVE_EVENTS:
            warnings.warn(f'net.external_drives[{name!r}] will draw about '
                          f'{count:.0f} spike times ({params}); drawing and '
                          'simulating them takes a while', UserWarning, stacklevel=4)


@dataclass(frozen=True)
class ElectrodeSpec:
    """An extracellular electrode array as the engine records it.

    Attributes
    ----------
    positions : ndarray, shape (n_contacts, 3)
        Contact positions (um).
    conductivity : float
        Extracellular conductivity (S/m).
    method : str
        ``'psa'`` (point source) or ``'lsa'`` (line source approximation).
    min_distance : float
        Smallest distance (um) between a contact and a current source.
    """

    positions: np.ndarray
    conductivity: float
    method: str
    min_distance: float


def _electrode_specs(net, templates):
    from .extracellular_geometry import _check_end_pts
    arrays = getattr(net, 'rec_arrays', None) or {}
    if arrays:  # the potentials need every section's 3-d end points
        for template in templates.values():
            _check_end_pts(template)
    for name, arr in arrays.items():
        # ExtracellularArray accepts method=None as hnn-core 0.6.1 does (its
        # testing hook); a simulation needs a real approximation
        if arr.method not in ('psa', 'lsa'):
            raise ValueError(f"net.rec_arrays[{name!r}].method must be 'psa' or 'lsa' "
                             f'to be simulated, got {arr.method!r}')
    return {name: ElectrodeSpec(positions=np.array(arr.positions, float).reshape(-1, 3),
                                conductivity=float(arr.conductivity),
                                method=str(arr.method),
                                min_distance=float(arr.min_distance))
            for name, arr in arrays.items()}


@dataclass
class SimulationPlan:
    """Inputs of the engine for one network and a set of trials.

    Attributes
    ----------
    templates : dict of str -> CellTemplate
        The compiled cell types.
    cell_types : tuple of str
        Cell type names, in gid order.
    cell_type_index : ndarray of int, shape (n_cells,)
        Index into ``cell_types`` of every real cell, by gid.
    thresholds : ndarray of float, shape (n_cells,)
        Spike threshold (mV) of every real cell.
    blocks : list of ConnectionBlock
        Every connection with its pairs, weights and delays.
    drive_gids : ndarray of int
        Gids of the drive cells that exist in the model.
    drive_times : list of list of ndarray
        For each trial, the spike times (ms) of each drive cell of ``drive_gids``.
    tstop, dt : float
        Simulated time and time step (ms).
    celsius : float
        Temperature (degC).
    gid_names : list of (str, int, int)
        (name, first gid, stop gid) of every cell type and drive, for typing spikes.
    biases : list of (str, str, float, float, float)
        Tonic current clamps: (cell type, section, amplitude nA, t0 ms, tstop ms).
    record : dict
        What to record besides dipoles and spikes: ``'vsec'``, ``'isec'``, ``'ca'``
        -> False, ``'soma'`` or ``'all'``.
    engine : str
        ``'coreneuron'`` or ``'neuron'``.
    electrode_arrays : dict of str -> ElectrodeSpec
        Extracellular arrays to record (``net.rec_arrays``), by name.
    cell_positions : ndarray, shape (n_cells, 3)
        Soma position (um) of every real cell, by gid (used by electrode arrays).
    """

    templates: dict
    cell_types: tuple
    cell_type_index: np.ndarray
    thresholds: np.ndarray
    blocks: list
    drive_gids: np.ndarray
    drive_times: list
    tstop: float
    dt: float
    celsius: float
    gid_names: list = field(default_factory=list)
    biases: list = field(default_factory=list)
    record: dict = field(default_factory=dict)
    engine: str = 'neuron'
    electrode_arrays: dict = field(default_factory=dict)
    cell_positions: np.ndarray = None

    @property
    def n_cells(self):
        return len(self.cell_type_index)

    @property
    def n_trials(self):
        return len(self.drive_times)

    @property
    def dipole_types(self):
        """Cell types whose dipole is measured, in gid order."""
        return tuple(c for c in self.cell_types if self.templates[c].measure_dipole)

    def cell_type(self, gid):
        return self.cell_types[self.cell_type_index[gid]]

    @property
    def descriptions(self):
        """Mechanisms described in Python that the cells use, one per name."""
        return _network_descriptions(self.templates)


def _network_descriptions(templates):
    found = {}
    for cell_type, template in templates.items():
        for description in template.descriptions:
            seen = found.get(description.name)
            if seen is not None and seen[1] != description:
                raise ValueError(
                    f'Two cell types describe the mechanism {description.name!r} '
                    f'differently ({seen[0]} and {cell_type}); give one of them '
                    'another name')
            found.setdefault(description.name, (cell_type, description))
    return tuple(description for _, description in found.values())


def _check_registry(net, gid_ranges):
    placed = [name for name in gid_ranges if name not in net.external_drives]
    for name in net.cell_types:
        if name not in placed:
            raise ValueError(f'net.cell_types[{name!r}] has no cells in the network; '
                             'add cell types with net.add_cell_type(name, cell, '
                             'positions)')
    for name in placed:
        if name not in net.cell_types:
            raise ValueError(f'The network places {name!r} cells, but '
                             f'net.cell_types has no entry {name!r} any more; its '
                             f'entries are {", ".join(map(repr, net.cell_types))}')
    return placed


def _compile_templates(net):
    templates = {}
    for name, entry in net.cell_types.items():
        metadata = entry['cell_metadata']
        templates[name] = compile_cell(entry['cell_object'], name,
                                       bool(metadata.get('measure_dipole', False)))
    _network_descriptions(templates)  # one description per name in a network
    for name in templates:
        if templates[name].measure_dipole and \
                not np.all(np.isfinite(templates[name].dipole_weights())):
            raise ValueError(
                f'net.cell_types[{name!r}]: the dipole of this cell type cannot be '
                'computed (its weights overflow); the L, diam and Ra of its sections '
                'give axial resistances too small for double precision')
    return templates


def _check_pairs(conn, idx, gid_ranges):
    """Every pair must join a gid of the source population to one of the target's."""
    where = f'net.connectivity[{idx}]'
    for key, names in (('src_type', gid_ranges), ('target_type', gid_ranges)):
        if conn[key] not in names:
            raise ValueError(f"{where}['{key}'] is {conn[key]!r}, which is not in the "
                             f'network; it has {", ".join(map(repr, gid_ranges))}')
    _, tgt = conn.pair_arrays()
    for gids, name, role in ((conn.connected_sources(), conn['src_type'], 'source'),
                             (tgt, conn['target_type'], 'target')):
        span = gid_ranges[name]
        bad = gids[(gids < span.start) | (gids >= span.stop)]
        if len(bad):
            raise ValueError(f"{where}['gid_pairs'] holds the {role} gid {bad[0]}, which "
                             f'is not a {name!r} cell (their gids are {span.start} to '
                             f'{span.stop - 1})')


def _connection_blocks(net, templates, gid_ranges, tstop):
    positions = net.positions()
    blocks = []
    for idx, conn in enumerate(net.connectivity):
        _check_pairs(conn, idx, gid_ranges)
        target_type = conn['target_type']
        if target_type not in templates:
            raise ValueError(f"net.connectivity[{idx}]['target_type'] is "
                             f'{target_type!r}, which is a drive; connections must end '
                             'on cells')
        where = f'net.connectivity[{idx}]: '
        check_nc_dict(conn['nc_dict'], f'net.connectivity[{idx}] ')
        check_loc_receptor(net.cell_types[target_type]['cell_object'], target_type,
                           conn['loc'], conn['receptor'], where)
        sections = templates[target_type].target_sections(conn['loc'])
        blocks.append(connection_block(conn, positions, net.inplane_distance,
                                       sections, tstop=tstop))
    return blocks


def _check_dt_against_delays(net, blocks, dt, tstop):
    """dt may not exceed the smallest delay of a contact the engine will make.

    NEURON exchanges spikes between cells once per smallest delay, and refuses
    (CoreNEURON aborts the interpreter) when that interval is shorter than one
    step. Contacts the engine leaves out (weight 0, delay beyond tstop, no
    synapse) do not count.
    """
    smallest, where = np.inf, None
    for idx, block in enumerate(blocks):
        if not block.sections:
            continue
        keep = (block.weights != 0) & (block.delays <= tstop)
        if keep.any():
            delay = float(block.delays[keep].min())
            if delay < smallest:
                smallest, where = delay, idx
    if dt > smallest:
        conn = net.connectivity[where]
        raise ValueError(
            f'dt ({dt} ms) must not exceed the smallest synaptic delay of the '
            f"network, {smallest} ms (net.connectivity[{where}]: "
            f"{conn['src_type']!r} -> {conn['target_type']!r}, {conn['receptor']}): "
            'spikes are exchanged once per smallest delay. Lower dt, or raise that '
            'delay (a delay must be > 0 ms)')


def _thresholds(net, templates, n_cells, default):
    """The spike threshold of every cell: that of the last connection made from it.

    In NEURON a NetCon's threshold belongs to its source; hnn-core 0.6.1 sets it
    on every connection it makes, so the last connection (in ``net.connectivity``
    order) that makes a synapse from a cell decides that cell's threshold.
    Cells without outgoing connections keep the parameters' threshold.
    """
    thresholds = np.full(n_cells, float(default))
    for conn in net.connectivity:
        if not templates[conn['target_type']].target_sections(conn['loc']):
            continue  # an empty location group makes no synapse
        src = conn.connected_sources()
        thresholds[src[src < n_cells]] = float(conn['nc_dict']['threshold'])
    return thresholds


def _drive_cells_in_model(net, name, gid_ranges):
    """Drive cells that exist in the model (as hnn-core 0.6.1 builds them).

    Every cell of a drive that is not cell-specific; a cell-specific drive's
    cells only if they have a target (pruning can leave some without).
    """
    gids = np.asarray(gid_ranges[name])
    if not net.external_drives[name]['cell_specific']:
        return gids
    connected = np.zeros(len(gids), bool)
    for conn in net.connectivity:
        if conn['src_type'] == name:
            connected[conn.connected_sources() - gids[0]] = True
    return gids[connected]


def _biases(net, templates, tstop):
    biases = []
    for bias_name, per_type in net.external_biases.items():
        for cell_type, bias in per_type.items():
            where = f'net.external_biases[{bias_name!r}][{cell_type!r}]'
            recheck_bias(bias, where)
            if cell_type not in templates:
                raise ValueError(f'{where}: {cell_type!r} is not a cell type of the '
                                 f'network; its cell types are '
                                 f'{", ".join(map(repr, templates))}')
            if bias['section'] not in templates[cell_type].section_names:
                raise ValueError(f"{where}: {cell_type} has no section "
                                 f"{bias['section']!r}; its sections are "
                                 f"{', '.join(templates[cell_type].section_names)}")
            stop = tstop if bias['tstop'] is None else bias['tstop']
            biases.append((cell_type, bias['section'], float(bias['amplitude']),
                           float(bias['t0']), float(stop)))
    return biases



def make_plan(net, tstop, dt, n_trials, record=None, engine='neuron'):
    """The :class:`SimulationPlan` of ``net`` for ``n_trials`` trials.

    Returns
    -------
    plan : SimulationPlan
    events : dict of str -> list
        Drive name -> for each trial, the spike times (ms) of each of its
        drive cells (``net.external_drives[name]['events']`` after a run).
    """
    net.check_drives()
    for name in net.external_drives:
        recheck_drive(net, name)
    gid_ranges = net.gid_ranges
    cell_types = tuple(_check_registry(net, gid_ranges))
    templates = _compile_templates(net)
    blocks = _connection_blocks(net, templates, gid_ranges, tstop)
    _check_dt_against_delays(net, blocks, dt, tstop)
    cell_type_index = np.concatenate(
        [np.full(len(gid_ranges[name]), k, int) for k, name in enumerate(cell_types)]
        or [np.empty(0, int)])
    n_cells = len(cell_type_index)
    thresholds = _thresholds(net, templates, n_cells,
                             float(required(net.params, 'threshold')))

    n_gids = max((r.stop for r in gid_ranges.values()), default=0)
    in_model = {name: _drive_cells_in_model(net, name, gid_ranges)
                for name in net.external_drives}
    drive_gids = np.concatenate([g for g in in_model.values()] or
                                [np.empty(0, int)]).astype(int)
    for name in net.external_drives:
        check_seed_range(net, name, n_trials, n_gids)
    _check_drive_events(net, tstop, n_trials)
    events = {name: [] for name in net.external_drives}
    drive_times = []
    for trial_idx in range(n_trials):
        by_gid = {}
        for name in net.external_drives:
            gids = gid_ranges[name]
            times = drive_spike_times(net, name, trial_idx, n_gids, tstop)
            events[name].append(times)
            by_gid.update(zip(gids, times))
        drive_times.append([by_gid[g] for g in drive_gids])

    gid_names = [(name, r.start, r.stop) for name, r in gid_ranges.items()]
    plan = SimulationPlan(
        templates=templates, cell_types=cell_types, cell_type_index=cell_type_index,
        thresholds=thresholds, blocks=blocks, drive_gids=drive_gids,
        drive_times=drive_times, tstop=float(tstop), dt=float(dt),
        celsius=float(required(net.params, 'celsius')), gid_names=gid_names,
        biases=_biases(net, templates, tstop), record=dict(record or {}),
        engine=engine, electrode_arrays=_electrode_specs(net, templates),
        cell_positions=np.asarray(net.positions(), float)[:n_cells])
    return plan, events
