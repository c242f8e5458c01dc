"""Network configuration files: a whole network as hierarchical JSON.

The format is hnn-core 0.6.1's (``net.write_configuration``), so files go both
ways between the two packages: cell types with their sections and metadata, the
gid ranges and positions, the drives (their parameters, not their spike times),
the tonic biases and every connection with its (source, target) pairs.
"""

import json
import os
import os.path as op
import warnings
from copy import deepcopy

import numpy as np

from .cell import Cell, Section
from .cells_default import DEFAULT_METADATA
from ._validate import _validate_type


def _plain(obj):
    """obj with numpy arrays and numbers turned into lists and Python numbers."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(item) for item in obj]
    if isinstance(obj, set):
        return sorted(_plain(item) for item in obj)
    return obj


def _connection_to_dict(conn):
    return {'target_type': conn['target_type'],
            'target_gids': sorted(conn['target_gids']),
            'num_targets': conn['num_targets'],
            'src_type': conn['src_type'],
            'src_gids': sorted(conn['src_gids']),
            'num_srcs': conn['num_srcs'],
            'gid_pairs': {str(src): tgts for src, tgts in conn['gid_pairs'].items()},
            'loc': conn['loc'], 'receptor': conn['receptor'],
            'nc_dict': dict(conn['nc_dict']),
            'allow_autapses': int(conn['allow_autapses']),
            'probability': conn['probability']}


def network_to_dict(net, write_output=False):
    """The network as a dict of plain values, in hnn-core 0.6.1's layout.

    Parameters
    ----------
    net : Network
    write_output : bool
        Include the spikes of the last simulation and the drives' spike times.

    Returns
    -------
    net_data : dict
    """
    from .network import Network
    _validate_type(net, Network, 'net')
    _validate_type(write_output, bool, 'write_output')
    drives = {}
    for name, drive in net.external_drives.items():
        drives[name] = {k: v for k, v in drive.items()}
        if not write_output:
            drives[name]['events'] = []
    response = {}
    if write_output and net.cell_response is not None:
        response = net.cell_response.to_dict()
    return _plain({
        'object_type': 'Network',
        'legacy_mode': net.legacy_mode,
        'N_pyr_x': net.mesh_shape[0],
        'N_pyr_y': net.mesh_shape[1],
        'celsius': net.params['celsius'],
        'cell_types': {name: {'cell_object': entry['cell_object'].to_dict(),
                              'cell_metadata': deepcopy(entry['cell_metadata'])}
                       for name, entry in net.cell_types.items()},
        'gid_ranges': {name: {'start': r.start, 'stop': r.stop}
                       for name, r in net.gid_ranges.items()},
        'pos_dict': dict(net.pos_dict),
        'cell_response': response,
        'external_drives': drives,
        'external_biases': deepcopy(net.external_biases),
        'connectivity': [_connection_to_dict(conn) for conn in net.connectivity],
        'rec_arrays': {},
        'threshold': net.threshold,
        'delay': net.delay,
    })


def write_network_configuration(net, output, overwrite=True):
    """Write a network to a JSON configuration file (hnn-core 0.6.1's format).

    Spike times and recordings are not written.

    Parameters
    ----------
    net : Network
    output : str | path-like | file-like
        The file, or an open text stream.
    overwrite : bool
        Replace an existing file; if False, an existing file is an error.
    """
    _validate_type(overwrite, bool, 'overwrite')
    net_data = network_to_dict(net, write_output=False)
    if hasattr(output, 'write'):
        json.dump(net_data, output, ensure_ascii=False, indent=4)
        if hasattr(output, 'seek'):
            output.seek(0)
        return
    _validate_type(output, 'path-like', 'output', 'a path or a text stream')
    if not overwrite and op.exists(output):
        raise FileExistsError(f'File already exists at path {output}. Rename the file '
                              'or set overwrite=True.')
    tmp = f'{output}.part'
    with open(tmp, 'w', encoding='utf-8') as fid:
        json.dump(net_data, fid, ensure_ascii=False, indent=4)
    os.replace(tmp, output)


# -- reading ----------------------------------------------------------------------
def _node(text):
    name, end = text.rsplit(',', 1)
    return (name, int(end))


def _read_cell(name, data):
    where = f"cell_types[{name!r}]"
    try:
        sections = {}
        for sec_name, sec in data['sections'].items():
            section = Section(L=sec['L'], diam=sec['diam'], cm=sec['cm'], Ra=sec['Ra'],
                              v0=sec.get('v0', -65.), end_pts=sec['end_pts'])
            section.syns = list(sec['syns'])
            section.mechs = deepcopy(sec['mechs'])
            if 'nseg' in sec:
                # kept as written: hnn-core 0.6.1 does not update nseg when a
                # section's length changes, and the file records the one it used
                section.nseg = int(sec['nseg'])
            sections[sec_name] = section
        tree = None
        if data['cell_tree'] is not None:
            tree = {_node(parent): [_node(child) for child in children]
                    for parent, children in data['cell_tree'].items()}
        cell = Cell(data['name'], tuple(data['pos']), sections=sections,
                    synapses=deepcopy(data['synapses']),
                    sect_loc=deepcopy(data['sect_loc']), cell_tree=tree,
                    gid=data.get('gid'))
    except KeyError as err:
        raise ValueError(f'{where} of the configuration lacks {err.args[0]!r}') from None
    return cell


def _read_cell_types(cell_types_data):
    cell_types = {}
    for name, data in cell_types_data.items():
        if 'cell_object' in data and 'cell_metadata' in data:
            cell_data, metadata = data['cell_object'], dict(data['cell_metadata'])
        else:  # files written before cell types had metadata
            cell_data = data
            metadata = dict(DEFAULT_METADATA.get(name, {'measure_dipole': False}))
        cell_types[name] = {'cell_object': _read_cell(name, cell_data),
                            'cell_metadata': metadata}
    return cell_types


def _read_positions(pos_dict, cell_types):
    out = {'origin': tuple(pos_dict['origin'])}
    for name in cell_types:
        if name not in pos_dict:
            raise ValueError(f'The configuration has no positions for the cell type '
                             f'{name!r}')
        out[name] = [tuple(p) for p in pos_dict[name]]
    return out


def _add_drive(net, data):
    name, kind, dyn = data['name'], data['type'], data['dynamics']
    common = dict(location=data['location'], weights_ampa=data['weights_ampa'],
                  weights_nmda=data['weights_nmda'],
                  synaptic_delays=data['synaptic_delays'],
                  probability=data.get('probability', 1.0))
    if 'space_constant' in data:
        common['space_constant'] = data['space_constant']
    if kind == 'spike_train':
        net.add_spike_train_drive(
            name, spike_data=dict(zip(dyn['source_ids'], dyn['spike_times'])),
            conn_seed=data.get('conn_seed'), **common)
        return
    n_cells = 'n_cells' if data['cell_specific'] else data['n_drive_cells']
    seeds = dict(conn_seed=data['conn_seed'])
    if data.get('seedcore') is not None:
        seeds['seedcore'] = data['seedcore']
    else:
        seeds['event_seed'] = data['event_seed']
    common.update(n_drive_cells=n_cells, cell_specific=data['cell_specific'], **seeds)
    if kind in ('evoked', 'gaussian'):
        net.add_evoked_drive(name, mu=dyn['mu'], sigma=dyn['sigma'],
                             numspikes=dyn['numspikes'],
                             sync_within_trial=dyn.get('sync_within_trial', False),
                             **common)
        net.external_drives[name]['type'] = kind
    elif kind == 'poisson':
        net.add_poisson_drive(name, tstart=dyn['tstart'], tstop=dyn['tstop'],
                              rate_constant=dyn['rate_constant'], **common)
    elif kind == 'bursty':
        net.add_bursty_drive(name, tstart=dyn['tstart'], tstart_std=dyn['tstart_std'],
                             tstop=dyn['tstop'], burst_rate=dyn['burst_rate'],
                             burst_std=dyn['burst_std'], numspikes=dyn['numspikes'],
                             spike_isi=dyn['spike_isi'], repeats=dyn.get('repeats'),
                             **common)
    else:
        raise ValueError(f"Drive {name!r} of the configuration has the unknown type "
                         f"{kind!r}; known types are 'evoked', 'gaussian', "
                         "'poisson', 'bursty' and 'spike_train'")


def _read_connectivity(net, conns_data):
    net.connectivity[:] = []
    for idx, data in enumerate(conns_data):
        try:
            pairs = data['gid_pairs']
            src = [int(s) for s in pairs]
            targets = [list(t) for t in pairs.values()]
            nc = data['nc_dict']
            if not src:
                continue  # every pair was pruned away: nothing to connect
            empty = not any(targets)
            if empty:  # sources without targets: made for the gids named
                targets = [list(data['target_gids'])] * len(src)
            # the pairs are read as they are: pruning happened when they were made
            net.add_connection(src, targets, data['loc'], data['receptor'],
                               nc['A_weight'], nc['A_delay'], nc['lamtha'],
                               threshold=nc.get('threshold'), gain=nc.get('gain', 1.0),
                               allow_autapses=bool(data['allow_autapses']))
        except KeyError as err:
            raise ValueError(f'connectivity[{idx}] of the configuration lacks '
                             f'{err.args[0]!r}') from None
        except (TypeError, ValueError) as err:
            raise type(err)(f'connectivity[{idx}] of the configuration: {err}') from None
        conn = net.connectivity[-1]
        if empty:
            conn['gid_pairs'] = {gid: [] for gid in src}
        conn['probability'] = data.get('probability', 1.0)
        for key in ('src_gids', 'target_gids'):
            if data.get(key):
                conn[key] = data[key]
        if 'num_srcs' in data:
            conn['num_srcs'] = data['num_srcs']


def dict_to_network(net_data, read_drives=True, read_external_biases=True):
    """A network from a dict in hnn-core 0.6.1's configuration layout.

    Parameters
    ----------
    net_data : dict
        As made by :func:`network_to_dict`.
    read_drives : bool
        Add the drives (their spike times are drawn again when simulated).
    read_external_biases : bool
        Add the tonic biases.

    Returns
    -------
    net : Network
        A hnn-core 0.6 network: its parameters hold ``celsius`` and
        ``threshold`` only.
    """
    from .network import Network
    _validate_type(net_data, dict, 'net_data')
    _validate_type(read_drives, bool, 'read_drives')
    _validate_type(read_external_biases, bool, 'read_external_biases')
    try:
        cell_types = _read_cell_types(net_data['cell_types'])
        net = Network({'celsius': net_data['celsius'],
                       'threshold': net_data['threshold']},
                      legacy_mode=bool(net_data['legacy_mode']),
                      mesh_shape=(net_data['N_pyr_x'], net_data['N_pyr_y']),
                      pos_dict=_read_positions(net_data['pos_dict'], cell_types),
                      cell_types=cell_types)
        drives = sorted(net_data['external_drives'].values(),
                        key=lambda d: net_data['gid_ranges'][d['name']]['start'])
    except KeyError as err:
        raise ValueError(f'The configuration lacks {err.args[0]!r}') from None
    for drive in drives:
        try:
            _add_drive(net, drive)
        except KeyError as err:
            raise ValueError(f"Drive {drive.get('name')!r} of the configuration lacks "
                             f'{err.args[0]!r}') from None
    written = {name: (r['start'], r['stop']) for name, r in
               net_data['gid_ranges'].items()}
    ours = {name: (r.start, r.stop) for name, r in net.gid_ranges.items()}
    if written != ours:
        raise ValueError(f'The gid ranges of the configuration, {written}, do not '
                         f'follow from its cell types and drives ({ours})')
    if read_external_biases:
        for bias_name, per_type in net_data.get('external_biases', {}).items():
            for cell_type, bias in per_type.items():
                net.add_tonic_bias(amplitude={cell_type: bias['amplitude']},
                                   t0=bias['t0'], tstop=bias['tstop'],
                                   section=bias.get('section', 'soma'),
                                   bias_name=bias_name)
    _read_connectivity(net, net_data['connectivity'])
    if net_data.get('rec_arrays'):
        warnings.warn('The configuration has extracellular electrode arrays '
                      f'({", ".join(net_data["rec_arrays"])}), which this version '
                      'does not simulate; they are left out', UserWarning,
                      stacklevel=2)
    net.threshold = net_data['threshold']
    net.delay = net_data.get('delay', 1.0)
    if not read_drives:
        net.clear_drives()
    return net


def read_network_configuration(fname, read_drives=True, read_external_biases=True):
    """Read a network from a JSON configuration file.

    Parameters
    ----------
    fname : str | path-like
        A file written by :meth:`Network.write_configuration` (here or by
        hnn-core 0.6.1).
    read_drives : bool
        Add the drives.
    read_external_biases : bool
        Add the tonic biases.

    Returns
    -------
    net : Network
    """
    _validate_type(fname, 'path-like', 'fname')
    with open(fname, 'r', encoding='utf-8') as fid:
        try:
            net_data = json.load(fid)
        except json.JSONDecodeError as err:
            raise ValueError(f'{fname} is not a network configuration: it is not '
                             f'valid JSON ({err})') from None
    if not isinstance(net_data, dict) or net_data.get('object_type') != 'Network':
        found = (type(net_data).__name__ if not isinstance(net_data, dict) else
                 'a flat parameter file (read it with read_params)'
                 if 'tstop' in net_data or any(k.startswith('gbar_') for k in net_data)
                 else f"an object of type {net_data.get('object_type')!r}")
        raise ValueError(f'{fname} is not a network configuration: the json should '
                         'encode a Network object (object_type "Network"), but it '
                         f'holds {found}')
    try:
        net = dict_to_network(net_data, read_drives, read_external_biases)
    except (TypeError, ValueError) as err:
        raise type(err)(f'{fname}: {err}') from None
    net.get_global_synaptic_gains()  # warns if gains differ within a kind
    return net
