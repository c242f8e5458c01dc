"""Shared by the oracle scripts of this folder (run under hnn-core 0.6.1 only): the npz
layout of ``../shared/oracle/run_reference.py`` and the JSON records of connectivity and
drive events.

npz arrays: times, agg, L2, L5 (unscaled, nAm; trial 0), agg_trials, L2_trials, L5_trials
(one row per trial), spike_times, spike_gids (trial 0), spike_times_trial<k>,
spike_gids_trial<k> (every trial k) and gid_ranges, JSON text {name: [start, stop)} ([0, 0]
for an empty range).
"""
import json

import numpy as np

def gid_span(gids):
    """[first, last + 1] of a sequence of gids (a range, list, array...); [0, 0] if empty."""
    gids = list(gids)
    return [int(gids[0]), int(gids[-1]) + 1] if gids else [0, 0]


def run_arrays(net, dpls):
    """The arrays of run_reference.py for a simulated ``net`` and its dipoles."""
    cr = net.cell_response
    out = {'times': np.asarray(dpls[0].times),
           'agg': np.asarray(dpls[0].data['agg']),
           'L2': np.asarray(dpls[0].data['L2']),
           'L5': np.asarray(dpls[0].data['L5']),
           'spike_times': np.asarray(cr.spike_times[0]),
           'spike_gids': np.asarray(cr.spike_gids[0]),
           'gid_ranges': json.dumps({k: gid_span(v) for k, v in net.gid_ranges.items()})}
    for layer in ('agg', 'L2', 'L5'):
        out[layer + '_trials'] = np.array([d.data[layer] for d in dpls])
    for k in range(len(dpls)):
        out['spike_times_trial%d' % k] = np.asarray(cr.spike_times[k])
        out['spike_gids_trial%d' % k] = np.asarray(cr.spike_gids[k])
    return out


def spike_counts(net, trial):
    """{cell type or drive name: number of spikes} in one trial (every gid range listed)."""
    gids = np.asarray(net.cell_response.spike_gids[trial])
    return {name: int(np.sum((gids >= rng.start) & (gids < rng.stop))) if len(rng) else 0
            for name, rng in net.gid_ranges.items()}


def real_drive_counts(net, trial):
    """(spikes of cells, spikes of drive cells) in one trial."""
    counts = spike_counts(net, trial)
    real = sum(n for name, n in counts.items() if name in net.cell_types)
    return real, sum(counts.values()) - real


def describe_counts(net, n_trials):
    """One line per trial: counts per cell type and drive, and real/drive totals."""
    lines = []
    for k in range(n_trials):
        counts = spike_counts(net, k)
        real, drive = real_drive_counts(net, k)
        lines.append(f'  trial {k}: ' + ', '.join(f'{n} {c}' for n, c in counts.items())
                     + f'; real/drive {real}/{drive}')
    return '\n'.join(lines)


def _plain(obj):
    """JSON-ready copy: numpy scalars/arrays, sets, ranges and tuples to Python types."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, range, np.ndarray)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_plain(v) for v in obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def connectivity_json(net):
    """net.connectivity as JSON text, in its order: one dict per connection with src_type,
    target_type, loc, receptor, nc_dict, probability, allow_autapses, src_gids and
    target_gids (sorted) and pairs, [[src, tgt], ...] in gid_pairs order (the dict order of
    the sources, the list order of each source's targets).

    Take it BEFORE simulating: 0.6.1's NetworkBuilder rewrites gid_pairs in place (it keeps
    only targets that exist on the rank)."""
    records = []
    for conn in net.connectivity:
        records.append({
            'src_type': conn['src_type'], 'target_type': conn['target_type'],
            'loc': conn['loc'], 'receptor': conn['receptor'],
            'nc_dict': _plain(dict(conn['nc_dict'])),
            'probability': _plain(conn['probability']),
            'allow_autapses': bool(conn['allow_autapses']),
            'src_gids': sorted(int(g) for g in conn['src_gids']),
            'target_gids': sorted(int(g) for g in conn['target_gids']),
            'pairs': [[int(src), int(tgt)] for src, tgts in conn['gid_pairs'].items()
                      for tgt in tgts]})
    return json.dumps(records)


def events_json(net):
    """{drive name: events} as JSON text, events being net.external_drives[name]['events']
    after a run: trials x drive cells x event times (ms)."""
    return json.dumps({name: _plain(drive['events'])
                       for name, drive in net.external_drives.items()})
