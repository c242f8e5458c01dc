"""External drives: their validation, layout and spike times.

A drive is a population of artificial "drive cells" that fire at times drawn
before each trial and excite the network through AMPA and/or NMDA synapses. This
module holds everything about drives that does not need NEURON: checking the
arguments users pass, deciding how many drive cells a drive has and whom each one
targets, and drawing the spike times of every drive cell for a given trial.

Two generations of hnn-core differ in how drives are laid out and seeded, and
both are reproduced here because published results depend on them:

* the ``seedcore`` rule (hnn-core 0.1, the reference example): drive cell with
  absolute gid g draws from ``RandomState(seedcore + trial + g)``. Trial t + 1 of
  one drive cell therefore reuses the stream of trial t of its neighbour.
* the ``event_seed`` rule (hnn-core 0.6): ``RandomState(event_seed +
  trial * n_gids + offset)`` with ``offset`` the drive cell's index within its
  drive and ``n_gids`` the number of gids in the whole network. Two drives whose
  seeds differ by k share streams (shifted by k cells); the order in which drives
  are added does not change any event time.
"""

import numbers

import numpy as np

from .cells import CELL_TYPES
from ._validate import (_validate_type, _check_option, _check_nonnegative,
                        _check_int)

DRIVE_TYPES = ('evoked', 'gaussian', 'poisson', 'bursty', 'spike_train')
DRIVE_LOCATIONS = ('proximal', 'distal')

# Cell types whose location group is empty cannot receive a drive there.
_UNREACHABLE = {'distal': ('L5_basket',), 'proximal': ()}


def _check_weights(weights, name, location):
    if weights is None:
        return {}
    _validate_type(weights, dict, name)
    out = {}
    for cell_type, weight in weights.items():
        if cell_type not in CELL_TYPES:
            raise ValueError(
                f'{name} has an unknown cell type {cell_type!r}; allowed cell types '
                f'are {", ".join(repr(c) for c in CELL_TYPES)}')
        if cell_type in _UNREACHABLE.get(location, ()):
            reachable = [c for c in CELL_TYPES if c not in _UNREACHABLE[location]]
            raise ValueError(
                f'{name} has a weight for {cell_type!r}, which a {location!r} drive '
                f'cannot reach (it has no {location} synapses); cell types reachable '
                f'at {location!r} are {", ".join(repr(c) for c in reachable)}')
        _check_nonnegative(f'{name}[{cell_type!r}]', weight)
        out[cell_type] = float(weight)
    return out


def _check_delays(synaptic_delays, target_types):
    if isinstance(synaptic_delays, dict):
        missing = [c for c in target_types if c not in synaptic_delays]
        if missing:
            raise ValueError(
                'synaptic_delays must give a delay for every cell type with a weight; '
                f'missing {", ".join(repr(c) for c in missing)}')
        out = {}
        for cell_type, delay in synaptic_delays.items():
            if cell_type not in CELL_TYPES:
                raise ValueError(
                    f'synaptic_delays has an unknown cell type {cell_type!r}; allowed '
                    f'cell types are {", ".join(repr(c) for c in CELL_TYPES)}')
            out[cell_type] = float(_check_nonnegative(
                f'synaptic_delays[{cell_type!r}]', delay))
        return out
    _validate_type(synaptic_delays, ('numeric', dict), 'synaptic_delays',
                   'a number (ms) or a dict of cell type -> delay')
    return float(_check_nonnegative('synaptic_delays', synaptic_delays))


def _check_common(net, name, location, weights_ampa, weights_nmda, synaptic_delays,
                  space_constant, probability, n_drive_cells, cell_specific,
                  seedcore, event_seed, conn_seed):
    """Validate the arguments all drive types share; return the drive dict."""
    _validate_type(name, str, 'name')
    if name in net.gid_ranges:
        raise ValueError(f'A drive or cell type named {name!r} already exists; '
                         'choose another name')
    _validate_type(location, str, 'location')
    _check_option('location', location, DRIVE_LOCATIONS)
    weights_ampa = _check_weights(weights_ampa, 'weights_ampa', location)
    weights_nmda = _check_weights(weights_nmda, 'weights_nmda', location)
    target_types = [c for c in CELL_TYPES if c in weights_ampa or c in weights_nmda]
    if not target_types:
        raise ValueError('A drive needs at least one weight: give weights_ampa and/or '
                         'weights_nmda as a dict of cell type -> weight (uS)')
    synaptic_delays = _check_delays(synaptic_delays, target_types)
    _check_nonnegative('space_constant', space_constant, strict=True)
    _validate_type(probability, 'numeric', 'probability')
    if not 0 < probability <= 1:
        raise ValueError(f'probability must be in (0, 1], got {probability}')
    _validate_type(cell_specific, bool, 'cell_specific')
    if cell_specific:
        if n_drive_cells != 'n_cells':
            raise ValueError("n_drive_cells must be 'n_cells' when cell_specific is "
                             f'True (one drive cell per target cell), got '
                             f'{n_drive_cells!r}')
    else:
        if isinstance(n_drive_cells, str):
            raise ValueError("n_drive_cells must be a positive integer when "
                             f"cell_specific is False, got {n_drive_cells!r}")
        n_drive_cells = _check_int('n_drive_cells', n_drive_cells, minimum=1)
    if seedcore is not None and event_seed is not None:
        raise ValueError('Give either seedcore (hnn-core 0.1 seeding) or event_seed '
                         '(hnn-core 0.6 seeding), not both')
    if seedcore is not None:
        seedcore = _check_int('seedcore', seedcore)
    if event_seed is not None:
        event_seed = _check_int('event_seed', event_seed)
    if seedcore is None and event_seed is None:
        # Without an explicit seed, the network's generation picks the rule.
        if net._generation == '0.1':
            seedcore = 2
        else:
            event_seed = 2
    conn_seed = _check_int('conn_seed', conn_seed)
    return {'location': location,
            'weights_ampa': weights_ampa,
            'weights_nmda': weights_nmda,
            'synaptic_delays': synaptic_delays,
            'space_constant': float(space_constant),
            'probability': float(probability),
            'cell_specific': cell_specific,
            'n_drive_cells': n_drive_cells,
            'seedcore': seedcore,
            'event_seed': event_seed,
            'conn_seed': conn_seed}


def _evoked_dynamics(mu, sigma, numspikes, sync_within_trial):
    _validate_type(mu, 'numeric', 'mu')
    if not np.isfinite(mu):
        raise ValueError(f'mu must be a finite number (ms), got {mu}')
    _check_nonnegative('sigma', sigma)
    numspikes = _check_int('numspikes', numspikes, minimum=1)
    _validate_type(sync_within_trial, bool, 'sync_within_trial')
    return {'mu': mu, 'sigma': sigma, 'numspikes': numspikes,
            'sync_within_trial': sync_within_trial}


def _drive_cell_layout(net, drive):
    """Return (n_drive_cells, targets, active) of a drive.

    targets is an int array giving, for a cell-specific drive, the real-cell gid
    each drive cell drives (-1 for none), or None for an all-to-all drive.
    active is a bool array: drive cells that draw spike times.
    """
    if not drive['cell_specific']:
        n = drive['n_drive_cells']
        return n, None, np.ones(n, bool)
    weighted = [c for c in CELL_TYPES
                if c in drive['weights_ampa'] or c in drive['weights_nmda']]
    if net.legacy_mode:
        # One drive cell per network cell, drive cell k -> gid k (hnn-core 0.1 and
        # HNN-GUI layout). Cells facing unweighted types are silent in 0.1 and
        # fire into weight-0 connections in 0.6 legacy mode.
        targets = np.arange(net._n_cells)
        if net._generation == '0.1':
            active = np.isin(net._cell_type_index,
                             [CELL_TYPES.index(c) for c in weighted])
        else:
            active = np.ones(net._n_cells, bool)
        return net._n_cells, targets, active
    targets = np.concatenate([np.asarray(net.gid_ranges[c]) for c in weighted])
    return len(targets), targets, np.ones(len(targets), bool)


def _connected_types(net, drive):
    """Cell types that get synapses from the drive, with their AMPA/NMDA weights."""
    ampa = dict(drive['weights_ampa'])
    nmda = dict(drive['weights_nmda'])
    if net.legacy_mode and net._generation != '0.1':
        # 0.6 legacy mode wires every cell type, unweighted ones with weight 0.
        for cell_type in CELL_TYPES:
            if cell_type not in ampa and cell_type not in nmda:
                ampa[cell_type] = 0.0
    return ampa, nmda


def _delay_for(drive, cell_type):
    delays = drive['synaptic_delays']
    if isinstance(delays, dict):
        return delays.get(cell_type, 0.1)
    return delays


def _stream_seeds(drive, gids, trial_idx, n_gids):
    """Seeds of prng (one per drive cell) and of prng2 for one trial."""
    gids = np.asarray(gids)
    dynamics = drive['dynamics']
    if dynamics.get('sync_within_trial', False):
        seed = drive['seedcore'] if drive['seedcore'] is not None else drive['event_seed']
        base = seed + trial_idx
        return np.full(len(gids), base), base
    if drive['seedcore'] is not None:
        base = drive['seedcore'] + trial_idx
        return base + gids, base
    base = drive['event_seed'] + trial_idx * n_gids
    return base + (gids - gids[0] if len(gids) else gids), base


def emitted_times(times):
    """Times at which a NEURON VecStim really emits a sorted list of spike times.

    The reference's spike source schedules spike k + 1 at ``(t_k + e_{k+1}) - t_k``,
    evaluated left to right in double precision, so later spikes can move by one
    unit in the last place. The rest of the model (delivery, recorded spikes)
    sees these values, so they are reproduced here.
    """
    out = np.array(times, dtype=float)
    for k in range(1, len(out)):
        out[k] = (out[k - 1] + out[k]) - out[k - 1]
    return out


def drive_spike_times(net, name, trial_idx, n_gids, tstop):
    """Spike times of every drive cell of a drive for one trial.

    Returns a list with one sorted float array per drive cell (ms), in gid order.
    """
    drive = net.external_drives[name]
    gids = np.asarray(net.gid_ranges[name])
    n_cells, _, active = _drive_cell_layout(net, drive)
    prng_seeds, prng2_seed = _stream_seeds(drive, gids, trial_idx, n_gids)
    old_rule = drive['seedcore'] is not None
    times = []
    for k in range(n_cells):
        if not active[k]:
            times.append(np.empty(0))
            continue
        prng = np.random.RandomState(int(prng_seeds[k]))
        t = _draw(drive, prng, tstop)
        if old_rule:
            t = t[t > 0]
        else:
            t = t[(t > 0) & (t <= tstop)]
        times.append(emitted_times(np.sort(t)))
    return times


def _draw(drive, prng, tstop):
    dyn = drive['dynamics']
    if drive['type'] in ('evoked', 'gaussian'):
        return np.atleast_1d(prng.normal(dyn['mu'], dyn['sigma'], dyn['numspikes']))
    raise NotImplementedError(f'drive type {drive["type"]!r} is not available yet')
