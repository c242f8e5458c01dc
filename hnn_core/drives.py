"""External drives: their validation, connections and spike times.

A drive is a population of artificial "drive cells" that fire at times drawn
before each trial and excite the network through AMPA and/or NMDA synapses. This
module holds everything about drives that does not need NEURON: checking the
arguments users pass, laying out the drive cells and connecting them to their
targets (through :meth:`hnn_core.Network.add_connection`, like any other
connection), and drawing the spike times of every drive cell for a given trial.

Two generations of hnn-core differ in how drives are laid out and seeded, and
both are reproduced here because published results depend on them (the
network's :class:`~hnn_core.compat.CompatibilityPolicy` says which applies):

* the ``seedcore`` rule (hnn-core 0.1, the reference example): drive cell with
  absolute gid g draws from ``RandomState(seedcore + trial + g)``. Trial t + 1 of
  one drive cell therefore reuses the stream of trial t of its neighbour.
* the ``event_seed`` rule (hnn-core 0.6): ``RandomState(event_seed +
  trial * n_gids + offset)`` with ``offset`` the drive cell's index within its
  drive and ``n_gids`` the number of gids in the whole network. Two drives whose
  seeds differ by k share streams (shifted by k cells); the order in which drives
  are added does not change any event time.
"""

import numpy as np

from .cell import location_sections
from ._validate import (_validate_type, _check_nonnegative, _check_int,
                        _check_probability, _check_new_name, _check_finite,
                        _check_seed, SEED_MAX, _finite)

DRIVE_TYPES = ('evoked', 'gaussian', 'poisson', 'bursty', 'spike_train')
# the arguments of a drive that its connections are made from
CONNECTION_KEYS = ('location', 'weights_ampa', 'weights_nmda', 'synaptic_delays',
                   'space_constant', 'probability', 'cell_specific', 'n_drive_cells',
                   'conn_seed')


def _check_cell_type_key(cell_type, name, cell_types):
    """Raise a ValueError naming ``name`` if ``cell_type`` is not a network cell type."""
    if cell_type not in cell_types:
        raise ValueError(
            f'{name} has an unknown cell type {cell_type!r}; allowed cell types '
            f'are {", ".join(repr(c) for c in cell_types)}')


def _weighted_types(weights_ampa, weights_nmda, cell_types):
    """Cell types with an AMPA or NMDA weight, in network order."""
    return [c for c in cell_types if c in weights_ampa or c in weights_nmda]


def _check_location(net, location, weighted):
    """``location`` must be a location group or section of every targeted type."""
    _validate_type(location, str, 'location')
    targeted = list(net.cell_types) if net.compatibility.legacy_drive_layout == \
        'weight0' else weighted
    cells = {c: net.cell_types[c]['cell_object'] for c in targeted}
    groups = set.intersection(*(set(cell.sect_loc) for cell in cells.values()))
    sections = set.intersection(*(set(cell.sections) for cell in cells.values()))
    if net.legacy_mode:
        sections = set()  # HNN-GUI's layouts know location groups only
    allowed = sorted(groups) + sorted(sections - groups)
    if location not in allowed:
        mode = (' in legacy mode (a section name needs legacy_mode=False)'
                if net.legacy_mode and location in set.intersection(
                    *(set(c.sections) for c in cells.values())) else '')
        raise ValueError(
            f"Invalid value for the 'location' parameter: {location!r}{mode}. Allowed "
            f"values for a drive targeting {', '.join(map(repr, targeted))} are "
            f"{', '.join(map(repr, allowed))}.")


def _check_weights(weights, name, cell_types):
    if weights is None:
        return {}
    _validate_type(weights, dict, name)
    out = {}
    for cell_type, weight in weights.items():
        _check_cell_type_key(cell_type, name, cell_types)
        _check_nonnegative(f'{name}[{cell_type!r}]', weight)
        out[cell_type] = float(weight)
    return out


def _check_per_type(value, name, target_types, cell_types, what, check):
    """A number for every target type, or a dict of cell type -> number."""
    if isinstance(value, dict):
        missing = [c for c in target_types if c not in value]
        if missing:
            raise ValueError(
                f'{name} must give {what} for every cell type with a weight; '
                f'missing {", ".join(repr(c) for c in missing)}')
        out = {}
        for cell_type, item in value.items():
            _check_cell_type_key(cell_type, name, cell_types)
            out[cell_type] = float(check(f'{name}[{cell_type!r}]', item))
        return out
    _validate_type(value, ('numeric', dict), name,
                   f'a number or a dict of cell type -> {what}')
    return float(check(name, value))


def _check_common(net, name, location, weights_ampa, weights_nmda, synaptic_delays,
                  space_constant, probability, n_drive_cells, cell_specific,
                  seedcore, event_seed, conn_seed):
    """Validate the arguments all drive types share; return the drive dict."""
    _check_new_name(name, net.gid_ranges)
    cell_types = list(net.cell_types)
    weights_ampa = _check_weights(weights_ampa, 'weights_ampa', cell_types)
    weights_nmda = _check_weights(weights_nmda, 'weights_nmda', cell_types)
    target_types = _weighted_types(weights_ampa, weights_nmda, cell_types)
    if not target_types:
        raise ValueError('A drive needs at least one weight: give weights_ampa and/or '
                         'weights_nmda as a dict of cell type -> weight (uS)')
    _check_location(net, location, target_types)
    for param, weights in (('weights_ampa', weights_ampa),
                           ('weights_nmda', weights_nmda)):
        for cell_type in weights:
            if not location_sections(net.cell_types[cell_type]['cell_object'],
                                      location):
                reachable = [c for c in cell_types if location_sections(
                    net.cell_types[c]['cell_object'], location)]
                raise ValueError(
                    f'{param} has a weight for {cell_type!r}, which a {location!r} '
                    f'drive cannot reach (it has no {location} synapses); cell types '
                    f'reachable at {location!r} are '
                    f'{", ".join(repr(c) for c in reachable)}')
    synaptic_delays = _check_per_type(synaptic_delays, 'synaptic_delays', target_types,
                                      cell_types, 'a delay (ms)', _check_nonnegative)
    probability = _check_per_type(probability, 'probability', target_types, cell_types,
                                  'a probability', _check_probability)
    _check_nonnegative('space_constant', space_constant, strict=True)
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
        from .network import _check_gid_budget
        _check_gid_budget(net._n_gids, n_drive_cells, 'n_drive_cells',
                          f'{n_drive_cells} drive cells')
    if seedcore is not None and event_seed is not None:
        raise ValueError('Give either seedcore (hnn-core 0.1 seeding) or event_seed '
                         '(hnn-core 0.6 seeding), not both')
    if seedcore is not None:
        seedcore = _check_seed('seedcore', seedcore)
    if event_seed is not None:
        event_seed = _check_seed('event_seed', event_seed)
    if seedcore is None and event_seed is None:
        # Without an explicit seed, the network's generation picks the rule.
        if net.compatibility.seeding == 'seedcore':
            seedcore = 2
        else:
            event_seed = 2
    conn_seed = _check_seed('conn_seed', conn_seed, maximum=None)
    return {'location': location,
            'weights_ampa': weights_ampa,
            'weights_nmda': weights_nmda,
            'synaptic_delays': synaptic_delays,
            'space_constant': float(space_constant),
            'probability': probability,
            'cell_specific': cell_specific,
            'n_drive_cells': n_drive_cells,
            'seedcore': seedcore,
            'event_seed': event_seed,
            'conn_seed': conn_seed}


def _by_type(value, cell_type, default):
    if isinstance(value, dict):
        return value.get(cell_type, default)
    return value


def drive_targets(net, drive):
    """Target cell types of a drive and the receptors/weights of each.

    Returns
    -------
    targets : list of (str, dict)
        (cell type, {receptor: weight}) in network order, receptors AMPA first.
        In HNN-GUI's 0.6 legacy layout every cell type is a target; those
        without a weight get an AMPA weight of 0.
    """
    ampa, nmda = drive['weights_ampa'], drive['weights_nmda']
    types = _weighted_types(ampa, nmda, list(net.cell_types))
    if net.compatibility.legacy_drive_layout == 'weight0':
        types = list(net.cell_types)
    targets = []
    for cell_type in types:
        receptors = {}
        if cell_type in ampa:
            receptors['ampa'] = ampa[cell_type]
        if cell_type in nmda:
            receptors['nmda'] = nmda[cell_type]
        targets.append((cell_type, receptors or {'ampa': 0.0}))
    return targets


def n_drive_cells_of(net, drive):
    """Number of drive cells a drive needs in ``net``."""
    if not drive['cell_specific']:
        return drive['n_drive_cells']
    if net.compatibility.legacy_drive_layout is not None:
        return net.n_cells  # one drive cell facing every network cell
    return sum(len(net.gid_ranges[c]) for c, _ in drive_targets(net, drive))


def connect_drive(net, name, drive):
    """Connect a drive already registered in ``net`` to its targets.

    One connection per target cell type and receptor, in network order, made
    with :meth:`~hnn_core.Network.add_connection`: a cell-specific drive's cell
    k drives one cell (the k-th target, or in a legacy layout the cell with
    gid k); other drives connect every drive cell to every target. The k-th
    target type prunes with ``conn_seed + k`` (AMPA and NMDA of a type keep the
    same pairs).
    """
    gids = np.asarray(net.gid_ranges[name])
    offset = 0
    for seed_increment, (cell_type, receptors) in enumerate(drive_targets(net, drive)):
        type_gids = list(net.gid_ranges[cell_type])
        if drive['cell_specific']:
            if net.compatibility.legacy_drive_layout is not None:
                src = gids[type_gids].tolist()  # drive cell k faces cell k
            else:
                src = gids[offset:offset + len(type_gids)].tolist()
                offset += len(type_gids)
            tgt = [[gid] for gid in type_gids]
        else:
            src, tgt = name, type_gids
        delay = _by_type(drive['synaptic_delays'], cell_type, 0.1)
        probability = _by_type(drive['probability'], cell_type, 1.0)
        for receptor, weight in receptors.items():
            net.add_connection(src, tgt, drive['location'], receptor, weight, delay,
                               drive['space_constant'], probability=probability,
                               conn_seed=drive['conn_seed'] + seed_increment)


def _evoked_dynamics(mu, sigma, numspikes, sync_within_trial):
    _validate_type(mu, 'numeric', 'mu')
    if not _finite(mu):
        raise ValueError(f'mu must be a finite number (ms), got {mu}')
    _check_nonnegative('sigma', sigma)
    numspikes = _check_int('numspikes', numspikes, minimum=1)
    _validate_type(sync_within_trial, bool, 'sync_within_trial')
    return {'mu': mu, 'sigma': sigma, 'numspikes': numspikes,
            'sync_within_trial': sync_within_trial}


def _check_time_window(tstart, tstop, start_name='tstart'):
    """A finite start >= 0 ms and a finite stop (or None) not before it."""
    _check_finite(start_name, tstart, minimum=0)
    if tstop is not None:
        _check_finite('tstop', tstop)
        if tstop < tstart:
            raise ValueError(f'tstop ({tstop} ms) must not be before {start_name} '
                             f'({tstart} ms)')


def _poisson_dynamics(tstart, tstop, rate_constant, cell_specific, target_types,
                      cell_types):
    _check_time_window(tstart, tstop)
    if isinstance(rate_constant, dict):
        if not cell_specific:
            raise ValueError('rate_constant may be a dict of cell type -> rate only '
                             'when cell_specific is True; give one rate (Hz) for all')
        for cell_type, rate in rate_constant.items():
            _check_cell_type_key(cell_type, 'rate_constant', cell_types)
            _check_nonnegative(f'rate_constant[{cell_type!r}]', rate, strict=True)
        missing = [c for c in target_types if c not in rate_constant]
        if missing:
            raise ValueError('rate_constant must give a rate for every cell type with '
                             f'a weight; missing {", ".join(repr(c) for c in missing)}')
        rate_constant = {c: float(r) for c, r in rate_constant.items()}
    else:
        _validate_type(rate_constant, ('numeric', dict), 'rate_constant',
                       'a number (Hz) or a dict of cell type -> rate')
        _check_nonnegative('rate_constant', rate_constant, strict=True)
        rate_constant = float(rate_constant)
    return {'tstart': tstart, 'tstop': tstop, 'rate_constant': rate_constant}


def _bursty_dynamics(tstart, tstart_std, tstop, burst_rate, burst_std, numspikes,
                     spike_isi, repeats=None):
    _check_time_window(tstart, tstop)
    _check_nonnegative('tstart_std', tstart_std)
    _check_nonnegative('burst_rate', burst_rate, strict=True)
    _check_nonnegative('burst_std', burst_std)
    numspikes = _check_int('numspikes', numspikes, minimum=1)
    _check_nonnegative('spike_isi', spike_isi)
    period = 1000. / burst_rate
    if (numspikes - 1) * spike_isi > period:
        raise ValueError(
            f'A burst of {numspikes} spikes {spike_isi} ms apart lasts '
            f'{(numspikes - 1) * spike_isi} ms, longer than the burst period '
            f'({period} ms at burst_rate={burst_rate} Hz); lower numspikes or '
            'spike_isi, or the burst rate')
    dynamics = {'tstart': tstart, 'tstart_std': tstart_std, 'tstop': tstop,
                'burst_rate': burst_rate, 'burst_std': burst_std,
                'numspikes': numspikes, 'spike_isi': spike_isi}
    if repeats is not None:
        dynamics['repeats'] = _check_int('repeats', repeats, minimum=1)
    return dynamics


def _spike_train_sources(spike_data):
    """(source ids, list of time arrays) from any of the accepted spike_data forms."""
    if isinstance(spike_data, dict):
        ids = list(spike_data)
        trains = list(spike_data.values())
    elif isinstance(spike_data, (list, tuple)):
        pairs = list(spike_data)
        for pair in pairs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise ValueError('spike_data as a list must hold (time, source id) '
                                 f'pairs, got {pair!r}')
        ids = sorted({pair[1] for pair in pairs})
        trains = [[t for t, g in pairs if g == source] for source in ids]
    else:
        raise TypeError('spike_data must be a dict of source id -> spike times, a list '
                        'of (time, source id) pairs, or a spike file name, got '
                        f'{type(spike_data).__name__}')
    if not ids:
        raise ValueError('spike_data holds no spike source')
    arrays = []
    for source, train in zip(ids, trains):
        try:
            train = np.atleast_1d(np.asarray(train, dtype=float))
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f'The spike times of source {source!r} must be numbers '
                             f'(ms), got {train!r}') from None
        if train.ndim != 1 or not np.all(np.isfinite(train)) or np.any(train < 0):
            raise ValueError(f'The spike times of source {source!r} must be finite '
                             f'times >= 0 ms, got {train!r}')
        arrays.append(train)
    return ids, arrays

def _recheck_seeds(drive):
    """Exactly one seed, an integer in numpy's range."""
    seedcore, event_seed = drive['seedcore'], drive['event_seed']
    if drive['type'] == 'spike_train':
        return
    if (seedcore is None) == (event_seed is None):
        raise ValueError("one of 'seedcore' and 'event_seed' must be an integer and "
                         f'the other None, got seedcore={seedcore!r} and '
                         f'event_seed={event_seed!r}')
    if seedcore is not None:
        _check_seed('seedcore', seedcore)
    else:
        _check_seed('event_seed', event_seed)


def check_seed_range(net, name, n_trials, n_gids):
    """Raise, naming the seed, if a trial's drive cell would get a seed beyond numpy's.

    A drive cell's seed adds the trial and its place to the drive's seed (see
    the module's docstring), so a valid seed can grow out of range in a run.
    """
    drive = net.external_drives[name]
    if drive['type'] == 'spike_train':
        return
    gids = net.gid_ranges[name]
    last_trial = n_trials - 1
    if drive['dynamics'].get('sync_within_trial', False):
        seed_name = 'seedcore' if drive['seedcore'] is not None else 'event_seed'
        largest = drive[seed_name] + last_trial
        rule = 'trial'
    elif drive['seedcore'] is not None:
        seed_name = 'seedcore'
        largest = drive['seedcore'] + last_trial + max(gids.stop - 1, 0)
        rule = 'trial + the gid of its drive cell'
    else:
        seed_name = 'event_seed'
        largest = drive['event_seed'] + last_trial * n_gids + max(len(gids) - 1, 0)
        rule = 'trial x the number of gids + the place of its drive cell'
    if largest > SEED_MAX:
        raise ValueError(
            f'net.external_drives[{name!r}]: {seed_name} ({drive[seed_name]}) + {rule} '
            f'reaches {largest} with n_trials={n_trials}, beyond numpy\'s seeds (0 to '
            f'{SEED_MAX}); lower {seed_name} or n_trials')


def recheck_drive(net, name):
    """Validate a drive's dynamics and seeds again before a run (they are editable)."""
    drive = net.external_drives[name]
    try:
        _recheck_seeds(drive)
    except KeyError as err:
        raise ValueError(f'net.external_drives[{name!r}] lost its entry '
                         f'{err.args[0]!r}') from None
    except (TypeError, ValueError) as err:
        raise type(err)(f'net.external_drives[{name!r}]: {err}') from None
    where = f"net.external_drives[{name!r}]['dynamics']"
    try:
        dyn = drive['dynamics']
        if drive['type'] in ('evoked', 'gaussian'):
            _evoked_dynamics(dyn['mu'], dyn['sigma'], dyn['numspikes'],
                             dyn.get('sync_within_trial', False))
        elif drive['type'] == 'poisson':
            cell_types = list(net.cell_types)
            _poisson_dynamics(dyn['tstart'], dyn['tstop'], dyn['rate_constant'],
                              drive['cell_specific'],
                              _weighted_types(drive['weights_ampa'],
                                              drive['weights_nmda'], cell_types),
                              cell_types)
        elif drive['type'] == 'bursty':
            _bursty_dynamics(dyn['tstart'], dyn['tstart_std'], dyn['tstop'],
                             dyn['burst_rate'], dyn['burst_std'], dyn['numspikes'],
                             dyn['spike_isi'], dyn.get('repeats'))
        elif drive['type'] == 'spike_train':
            _validate_type(dyn['spike_times'], (list, tuple), 'spike_times')
            if len(dyn['spike_times']) != len(net.gid_ranges[name]):
                raise ValueError(f"spike_times must hold {len(net.gid_ranges[name])} "
                                 'trains, one per drive cell, got '
                                 f"{len(dyn['spike_times'])}")
            _spike_train_sources(dict(enumerate(dyn['spike_times'])))
    except KeyError as err:
        raise ValueError(f'{where} lost its entry {err.args[0]!r}') from None
    except (TypeError, ValueError) as err:
        raise type(err)(f'{where}: {err}') from None


def drive_cell_target_types(net, name):
    """The cell type each drive cell of a drive connects to (None: no connection).

    Read from ``net.connectivity``, as hnn-core 0.6.1 does: a Poisson drive with
    a rate per cell type gives each cell-specific drive cell its target's rate,
    and a drive cell without any connection stays silent.
    """
    gids = net.gid_ranges[name]
    types = [None] * len(gids)
    for conn in net.connectivity:
        if conn['src_type'] != name:
            continue
        members, _ = conn.member_arrays()
        for gid in members.tolist():
            if gid in gids:
                types[gid - gids.start] = conn['target_type']
    return types


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

    Parameters
    ----------
    net : Network
    name : str
        Drive name.
    trial_idx : int
        Trial index (0, 1, ...), which enters the seeds.
    n_gids : int
        Number of gids of the whole network (the hnn-core 0.6 seeds use it).
    tstop : float
        Simulation end (ms).

    Returns
    -------
    times : list of ndarray
        One sorted array of spike times (ms) per drive cell, in gid order. A
        cell-specific drive cell without a connection draws nothing.
    """
    drive = net.external_drives[name]
    gids = np.asarray(net.gid_ranges[name])
    if drive['type'] == 'spike_train':
        return [emitted_times(np.sort(t)) for t in drive['dynamics']['spike_times']]
    prng_seeds, prng2_seed = _stream_seeds(drive, gids, trial_idx, n_gids)
    target_types = (drive_cell_target_types(net, name) if drive['cell_specific']
                    else [None] * len(gids))
    old_rule = drive['seedcore'] is not None
    # One generator, reseeded for each cell: the same stream as a new
    # RandomState(seed), which takes ~150 us to make against ~1 us to reseed
    # (a thousand drive cells in the default network's runs).
    prng = np.random.RandomState(0)
    times = []
    for k in range(len(gids)):
        if drive['cell_specific'] and target_types[k] is None:
            times.append(np.empty(0))
            continue
        prng.seed(int(prng_seeds[k]))
        t = np.asarray(_draw(drive, prng, prng2_seed, tstop, target_types[k]), float)
        if old_rule:
            t = t[t > 0]
        else:
            t = t[(t > 0) & (t <= tstop)]
        times.append(emitted_times(np.sort(t)))
    return times


def _draw(drive, prng, prng2_seed, tstop, target_type):
    """Unfiltered spike times of one drive cell from its random stream."""
    dyn = drive['dynamics']
    kind = drive['type']
    if kind in ('evoked', 'gaussian'):
        return prng.normal(dyn['mu'], dyn['sigma'], dyn['numspikes'])
    if kind == 'poisson':
        rate = dyn['rate_constant']
        if isinstance(rate, dict):
            if target_type not in rate:
                return []  # legacy layouts: drive cells of types without a rate
            rate = rate[target_type]
        return _poisson_times(prng, dyn['tstart'], _drive_tstop(dyn, tstop), rate)
    if kind == 'bursty':
        return _bursty_times(prng, prng2_seed, dyn, _drive_tstop(dyn, tstop))
    raise ValueError(f'Unknown drive type {kind!r}')


def _drive_tstop(dynamics, tstop):
    return tstop if dynamics.get('tstop') is None else dynamics['tstop']


def _poisson_times(prng, tstart, tstop, rate):
    """Homogeneous Poisson process on [tstart, tstop) with rate in Hz.

    The intervals are ``1000 * prng.exponential(1 / rate)`` added one after the
    other from tstart, as a loop of scalar draws would (hnn-core's rule); they
    are drawn in blocks, which gives the same numbers (numpy's RandomState
    draws an array element by element from the same stream, and accumulate adds
    in order) about a hundred times faster. The draws past tstop are discarded
    with the stream, which no one reads afterwards.
    """
    if not tstart < tstop:
        return []
    expected = rate * (tstop - tstart) / 1000.
    block = int(min(expected + 5 * np.sqrt(expected) + 10, 1e6))
    t = float(tstart)
    parts = []
    while t < tstop:
        steps = 1000. * prng.exponential(1. / rate, size=block)
        times = np.add.accumulate(np.concatenate([[t], steps]))[1:]
        parts.append(times[times < tstop])
        t = times[-1]
    return np.concatenate(parts)


def _bursty_times(prng, prng2_seed, dyn, tstop):
    """Rhythmic bursts: jittered burst centres, numspikes spikes per burst."""
    t0 = dyn['tstart']
    if dyn['tstart_std'] > 0:
        # one start jitter shared by every drive cell of the drive in a trial
        t0 = np.random.RandomState(int(prng2_seed)).normal(t0, dyn['tstart_std'])
    if not t0 < tstop:  # np.arange refuses a start far beyond the stop
        return np.empty(0)
    centres = np.arange(t0, tstop, 1000. / dyn['burst_rate'])
    centres = np.repeat(centres, dyn.get('repeats', 1))
    times = prng.normal(centres, dyn['burst_std'])
    n_spikes = dyn['numspikes']
    if n_spikes > 1:
        offsets = dyn['spike_isi'] * (np.arange(n_spikes) - (n_spikes - 1) / 2)
        times = np.concatenate([times + offset for offset in offsets])
    return times

def _check_tonic(net, cell_type, amplitude, t0, tstop, section, bias_name):
    """Validate a tonic bias; return {cell type: bias dict}."""
    _validate_type(bias_name, str, 'bias_name')
    if isinstance(amplitude, dict):
        if cell_type is not None:
            raise ValueError('Give amplitude as a dict of cell type -> nA, or one '
                             'amplitude together with cell_type, not both')
        amplitudes = amplitude
    else:
        if cell_type is None:
            raise ValueError('cell_type is required when amplitude is one number; or '
                             'give amplitude as a dict of cell type -> current (nA)')
        if amplitude is None:
            raise ValueError('amplitude is required: a current (nA) or a dict of cell '
                             'type -> current')
        amplitudes = {cell_type: amplitude}
    if not amplitudes:
        raise ValueError('amplitude must name at least one cell type')
    _check_time_window(t0, tstop, 't0')
    _validate_type(section, str, 'section')
    out = {}
    for cell_type, amp in amplitudes.items():
        _validate_type(cell_type, str, 'cell_type')
        _check_cell_type_key(cell_type, 'cell_type', list(net.cell_types))
        sections = list(net.cell_types[cell_type]['cell_object'].sections)
        if section not in sections:
            raise ValueError(
                f'{cell_type} has no section {section!r}; its sections are '
                f'{", ".join(sections)}')
        _check_finite(f'amplitude[{cell_type!r}]', amp)
        if cell_type in net.external_biases.get(bias_name, {}):
            raise ValueError(
                f'A tonic bias named {bias_name!r} is already defined for {cell_type}; '
                'give another bias_name to add a second one')
        out[cell_type] = {'amplitude': float(amp), 't0': float(t0),
                          'tstop': None if tstop is None else float(tstop),
                          'section': section}
    return out


def recheck_bias(bias, where):
    """Validate an (editable) tonic bias entry again before a run."""
    try:
        _validate_type(bias, dict, where)
        _check_finite('amplitude', bias['amplitude'])
        _check_time_window(bias['t0'], bias['tstop'], 't0')
        _validate_type(bias['section'], str, 'section')
    except KeyError as err:
        raise ValueError(f"{where} lost its entry {err.args[0]!r}; a tonic bias has "
                         "'amplitude', 't0', 'tstop' and 'section'") from None
    except (TypeError, ValueError) as err:
        raise type(err)(f'{where}: {err}') from None


def expected_event_count(net, name, tstop, n_trials):
    """About how many spike times a drive draws in a run, and what sets that number.

    An estimate made before drawing (the mean for Poisson drives), so that a
    run that cannot fit in memory is refused instead of drawn.

    Returns
    -------
    count : float
    parameters : str
        The drive's parameters that the count grows with, for messages.
    """
    drive = net.external_drives[name]
    dyn = drive['dynamics']
    n_cells = len(net.gid_ranges[name])
    if drive['type'] in ('evoked', 'gaussian'):
        return float(dyn['numspikes']) * n_cells * n_trials, 'numspikes'
    if drive['type'] == 'spike_train':
        return float(sum(len(t) for t in dyn['spike_times'])) * n_trials, \
            'spike_data'
    stop = _drive_tstop(dyn, tstop)
    if drive['type'] == 'poisson':
        rate = dyn['rate_constant']
        rate = max(rate.values()) if isinstance(rate, dict) else rate
        duration = max(stop - dyn['tstart'], 0.)
        return rate * duration / 1000. * n_cells * n_trials, 'rate_constant, tstop'
    # bursty: the first burst may move earlier by the start jitter (10 sd bound it)
    duration = max(stop - dyn['tstart'] + 10 * dyn['tstart_std'], 0.)
    n_bursts = duration * dyn['burst_rate'] / 1000. + 1
    per_burst = dyn['numspikes'] * dyn.get('repeats', 1)
    return (n_bursts * per_burst * n_cells * n_trials,
            'burst_rate, numspikes, tstart_std, tstop')
