"""Network configuration files: a whole network as hierarchical JSON.

The format is hnn-core 0.6.1's (``net.write_configuration``), so files go both
ways between the two packages: cell types with their sections and metadata, the
gid ranges and positions, the drives (their parameters, not their spike times),
the tonic biases, every connection with its (source, target) pairs and the
extracellular electrode arrays (their electrodes, not their recordings).
"""

import json
import math
import numbers
import os.path as op
import reprlib
from copy import deepcopy

import numpy as np

from .cell import Cell, Section
from .channels import description_from_dict
from .cells_default import DEFAULT_METADATA
from ._fileio import _atomic_write
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


def _rec_array_to_dict(array, write_output):
    if not write_output:
        array = array.copy()
        array._reset()
    return array.to_dict()


def network_to_dict(net, write_output=False):
    """The network as a dict of plain values, in hnn-core 0.6.1's layout.

    Parameters
    ----------
    net : Network
    write_output : bool
        Include the spikes of the last simulation, the drives' spike times and
        the electrode arrays' times and voltages (without, those are empty).

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
    described = any(entry['cell_object'].mechanism_descriptions
                    for entry in net.cell_types.values())
    return _plain({
        # hnn-core 0.6.1 reads only object_type "Network" and shows any other
        # in its error: a file it could not simulate tells its reader why
        'object_type': OBJECT_TYPE_DESCRIBED if described else 'Network',
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
        'rec_arrays': {name: _rec_array_to_dict(array, write_output)
                       for name, array in net.rec_arrays.items()},
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

    Notes
    -----
    A file is written under a temporary name and renamed once complete, so a
    failure (e.g. a full disk) leaves any earlier file as it was.
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
    # the file appears complete or not at all (a full disk keeps an earlier one)
    with _atomic_write(output, 'w', encoding='utf-8') as fid:
        json.dump(net_data, fid, ensure_ascii=False, indent=4)


# -- reading ----------------------------------------------------------------------
# Every value is checked where it is read, and a bad one is named by its place in
# the file (e.g. ``connectivity[3]['nc_dict']['A_weight']``), so that a damaged or
# hand-edited file says what to fix instead of failing inside the model.
_MAX_NSEG = 32767  # NEURON's limit
# object_type of a network file whose cells use mechanisms described in Python
OBJECT_TYPE_DESCRIBED = ('Network with mechanisms described in Python '
                         '(hnn_core.channels), which hnn-core 0.6.1 cannot simulate')


def _path(where, key):
    return f'{where}[{key!r}]' if where else str(key)


def _describe(value):
    return f'{type(value).__name__} ({reprlib.repr(value)})'


def _obj(value, where):
    if not isinstance(value, dict):
        raise ValueError(f'{where} must be a JSON object (name: value pairs), got '
                         f'{_describe(value)}')
    return value


def _list(value, where):
    if not isinstance(value, list):
        raise ValueError(f'{where} must be a list, got {_describe(value)}')
    return value


def _text(value, where):
    if not isinstance(value, str):
        raise ValueError(f'{where} must be text, got {_describe(value)}')
    return value


def _item(data, key, where):
    """``data[key]``; a missing key is named with the place it is missing from."""
    if key not in data:
        place = f'{where} of the configuration' if where else 'The configuration'
        raise ValueError(f'{place} lacks {key!r}')
    return data[key]


def _number(value, where, minimum=None):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f'{where} must be a number, got {_describe(value)}')
    if minimum is not None and value < minimum:
        raise ValueError(f'{where} must be >= {minimum}, got {value!r}')
    return value


def _integer(value, where, minimum=None, maximum=None):
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f'{where} must be a whole number, got {_describe(value)}')
    if (minimum is not None and value < minimum) or (maximum is not None and
                                                     value > maximum):
        bounds = (f'from {minimum} to {maximum}' if maximum is not None
                  else f'>= {minimum}')
        raise ValueError(f'{where} must be a whole number {bounds}, got {value}')
    return value


def _all_finite(data):
    """Raise ValueError naming the place of the first NaN or infinite number."""
    stack = [('', data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((_path(where, k), v) for k, v in value.items()
                         if isinstance(v, (dict, list, float)))
        elif isinstance(value, list):
            stack.extend((f'{where}[{idx}]', v) for idx, v in enumerate(value)
                         if isinstance(v, (dict, list, float)))
        elif not math.isfinite(value):
            raise ValueError(f'{where} must be a finite number, got {value!r}')


def _node(text, where):
    name, sep, end = _text(text, where).rpartition(',')
    if not sep or not name or end.strip() not in ('0', '1'):
        raise ValueError(f"{where} must name a section end as 'section,0' or "
                         f"'section,1', got {text!r}")
    return (name, int(end))


def _read_section(data, where):
    _obj(data, where)
    try:
        section = Section(L=_item(data, 'L', where), diam=_item(data, 'diam', where),
                          cm=_item(data, 'cm', where), Ra=_item(data, 'Ra', where),
                          v0=data.get('v0', -65.),
                          end_pts=_item(data, 'end_pts', where))
    except TypeError as err:
        raise TypeError(f'{where}: {err}') from None
    except ValueError as err:
        if str(err).startswith(where):
            raise
        raise ValueError(f'{where}: {err}') from None
    syns = _list(_item(data, 'syns', where), _path(where, 'syns'))
    for idx, receptor in enumerate(syns):
        _text(receptor, f'{_path(where, "syns")}[{idx}]')
    section.syns = list(syns)
    mechs = _obj(_item(data, 'mechs', where), _path(where, 'mechs'))
    if 'nseg' in data:
        # kept as written: hnn-core 0.6.1 does not update nseg when a
        # section's length changes, and the file records the one it used
        section.nseg = _integer(data['nseg'], _path(where, 'nseg'), 1, _MAX_NSEG)
    for mech, values in mechs.items():
        mech_where = _path(_path(where, 'mechs'), mech)
        for attr, value in _obj(values, mech_where).items():
            value_where = _path(mech_where, attr)
            if isinstance(value, list):  # [segment centres, value at each]
                if len(value) != 2 or not all(
                        isinstance(v, list) and len(v) == section.nseg and
                        all(isinstance(x, numbers.Real) and not isinstance(x, bool)
                            for x in v) for v in value):
                    raise ValueError(f'{value_where} must be a number or '
                                     f'[segment centres, values], two lists of '
                                     f'{section.nseg} numbers (nseg), got '
                                     f'{reprlib.repr(value)}')
            else:
                _number(value, value_where)
    section.mechs = deepcopy(mechs)
    return section


def _read_cell(where, data):
    _obj(data, where)
    sections_where = _path(where, 'sections')
    sections = {}
    for sec_name, sec in _obj(_item(data, 'sections', where), sections_where).items():
        sections[sec_name] = _read_section(sec, _path(sections_where, sec_name))
    if 'soma' not in sections:
        raise ValueError(f"{sections_where} must include 'soma'")
    tree_where = _path(where, 'cell_tree')
    tree_data = _item(data, 'cell_tree', where)
    tree = None
    if tree_data is not None:
        tree = {}
        for parent, children in _obj(tree_data, tree_where).items():
            child_where = _path(tree_where, parent)
            tree[_node(parent, child_where)] = [
                _node(child, f'{child_where}[{idx}]')
                for idx, child in enumerate(_list(children, child_where))]
    synapses_where = _path(where, 'synapses')
    synapses = _obj(_item(data, 'synapses', where), synapses_where)
    for receptor, values in synapses.items():
        receptor_where = _path(synapses_where, receptor)
        for key in ('e', 'tau1', 'tau2'):
            _number(_item(_obj(values, receptor_where), key, receptor_where),
                    _path(receptor_where, key))
    sect_loc_where = _path(where, 'sect_loc')
    sect_loc = _obj(_item(data, 'sect_loc', where), sect_loc_where)
    for loc, names in sect_loc.items():
        loc_where = _path(sect_loc_where, loc)
        for idx, name in enumerate(_list(names, loc_where)):
            _text(name, f'{loc_where}[{idx}]')
    pos = _list(_item(data, 'pos', where), _path(where, 'pos'))
    gid = data.get('gid')
    if gid is not None:
        _integer(gid, _path(where, 'gid'), minimum=0)
    try:
        cell = Cell(_text(_item(data, 'name', where), _path(where, 'name')), tuple(pos),
                    sections=sections, synapses=deepcopy(synapses),
                    sect_loc=deepcopy(sect_loc), cell_tree=tree, gid=gid)
    except (TypeError, ValueError, KeyError) as err:
        message = err.args[0] if isinstance(err, KeyError) else err
        raise ValueError(f'{where}: {message}') from None
    described_where = _path(where, 'mechanism_descriptions')
    for idx, description in enumerate(_list(data.get('mechanism_descriptions', []),
                                             described_where)):
        try:
            described = description_from_dict(description)
        except (TypeError, ValueError) as err:
            raise ValueError(f'{described_where}[{idx}]: {err}') from None
        cell.mechanism_descriptions[described.name] = described
    return cell


def _read_cell_types(cell_types_data):
    cell_types = {}
    for name, data in _obj(cell_types_data, 'cell_types').items():
        where = _path('cell_types', name)
        _obj(data, where)
        if 'cell_object' in data and 'cell_metadata' in data:
            cell_data = data['cell_object']
            metadata = dict(_obj(data['cell_metadata'], _path(where, 'cell_metadata')))
            where = _path(where, 'cell_object')
        else:  # files written before cell types had metadata
            cell_data = data
            metadata = dict(DEFAULT_METADATA.get(name, {'measure_dipole': False}))
        cell_types[name] = {'cell_object': _read_cell(where, cell_data),
                            'cell_metadata': metadata}
    return cell_types


def _read_positions(pos_dict, cell_types):
    _obj(pos_dict, 'pos_dict')
    out = {'origin': tuple(_list(_item(pos_dict, 'origin', 'pos_dict'),
                                 "pos_dict['origin']"))}
    for name in cell_types:
        if name not in pos_dict:
            raise ValueError(f'The configuration has no positions for the cell type '
                             f'{name!r}')
        where = _path('pos_dict', name)
        out[name] = [tuple(_list(p, f'{where}[{idx}]'))
                     for idx, p in enumerate(_list(pos_dict[name], where))]
    return out


def _read_gid_ranges(data):
    ranges = {}
    for name, entry in _obj(data, 'gid_ranges').items():
        where = _path('gid_ranges', name)
        _obj(entry, where)
        ranges[name] = tuple(_integer(_item(entry, key, where), _path(where, key),
                                      minimum=0) for key in ('start', 'stop'))
    return ranges


def _add_drive(net, data, where):
    name = _text(_item(data, 'name', where), _path(where, 'name'))
    kind = _text(_item(data, 'type', where), _path(where, 'type'))
    dyn = _obj(_item(data, 'dynamics', where), _path(where, 'dynamics'))
    common = dict(location=data['location'], weights_ampa=data['weights_ampa'],
                  weights_nmda=data['weights_nmda'],
                  synaptic_delays=data['synaptic_delays'],
                  probability=data.get('probability', 1.0))
    if 'space_constant' in data:
        common['space_constant'] = data['space_constant']
    if kind == 'spike_train':
        source_ids = _list(dyn['source_ids'], _path(_path(where, 'dynamics'),
                                                    'source_ids'))
        spike_times = _list(dyn['spike_times'], _path(_path(where, 'dynamics'),
                                                      'spike_times'))
        net.add_spike_train_drive(
            name, spike_data=dict(zip(source_ids, spike_times)),
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


def _gid_list(value, where, n_gids):
    return [_integer(gid, f'{where}[{idx}]', 0, n_gids - 1)
            for idx, gid in enumerate(_list(value, where))]


def _read_connectivity(net, conns_data):
    net.connectivity[:] = []
    n_gids = max((r.stop for r in net.gid_ranges.values()), default=0)
    for idx, data in enumerate(_list(conns_data, 'connectivity')):
        where = f'connectivity[{idx}]'
        _obj(data, where)
        pairs_where = _path(where, 'gid_pairs')
        pairs = _obj(_item(data, 'gid_pairs', where), pairs_where)
        src, targets = [], []
        for text, tgts in pairs.items():
            if not (isinstance(text, str) and text.strip().isdigit()):
                raise ValueError(f'{pairs_where} must be keyed by source gids (whole '
                                 f'numbers as text), got {text!r}')
            src.append(int(text))
            targets.append(_gid_list(tgts, _path(pairs_where, text), n_gids))
        nc_where = _path(where, 'nc_dict')
        nc = _obj(_item(data, 'nc_dict', where), nc_where)
        for key in ('src_gids', 'target_gids'):
            if data.get(key):
                _gid_list(data[key], _path(where, key), n_gids)
        if not src:
            continue  # every pair was pruned away: nothing to connect
        empty = not any(targets)
        if empty:  # sources without targets: made for the gids named
            targets = [_gid_list(_item(data, 'target_gids', where),
                                 _path(where, 'target_gids'), n_gids)] * len(src)
        try:
            # the pairs are read as they are: pruning happened when they were made
            net.add_connection(src, targets, _item(data, 'loc', where),
                               _item(data, 'receptor', where),
                               _item(nc, 'A_weight', nc_where),
                               _item(nc, 'A_delay', nc_where),
                               _item(nc, 'lamtha', nc_where),
                               threshold=nc.get('threshold'), gain=nc.get('gain', 1.0),
                               allow_autapses=bool(_item(data, 'allow_autapses',
                                                         where)))
        except (TypeError, ValueError) as err:
            if str(err).startswith(where):
                raise
            raise type(err)(f'{where} of the configuration: {err}') from None
        conn = net.connectivity[-1]
        if empty:
            conn['gid_pairs'] = {gid: [] for gid in src}
        probability = data.get('probability', 1.0)
        _number(probability, _path(where, 'probability'))
        if not 0 < probability <= 1:
            raise ValueError(f"{_path(where, 'probability')} must be in (0, 1], got "
                             f'{probability}')
        conn['probability'] = probability
        for key in ('src_gids', 'target_gids'):
            if data.get(key):
                conn[key] = data[key]
        if 'num_srcs' in data:
            conn['num_srcs'] = _integer(data['num_srcs'], _path(where, 'num_srcs'),
                                        minimum=0)


def _read_biases(net, data):
    for bias_name, per_type in _obj(data, 'external_biases').items():
        bias_where = _path('external_biases', bias_name)
        for cell_type, bias in _obj(per_type, bias_where).items():
            where = _path(bias_where, cell_type)
            _obj(bias, where)
            try:
                net.add_tonic_bias(amplitude={cell_type: _item(bias, 'amplitude',
                                                               where)},
                                   t0=_item(bias, 't0', where),
                                   tstop=_item(bias, 'tstop', where),
                                   section=bias.get('section', 'soma'),
                                   bias_name=bias_name)
            except (TypeError, ValueError) as err:
                if str(err).startswith(where):
                    raise
                raise type(err)(f'{where}: {err}') from None


def _read_rec_arrays(net, data):
    """Add the electrode arrays of ``data``; like 0.6.1, without their recordings."""
    for name, array in _obj(data, 'rec_arrays').items():
        where = _path('rec_arrays', name)
        _obj(array, where)
        positions = _list(_item(array, 'positions', where), f'{where}[\'positions\']')
        try:
            net.add_electrode_array(
                name, positions,
                conductivity=_item(array, 'conductivity', where),
                method=_item(array, 'method', where),
                min_distance=_item(array, 'min_distance', where))
        except (TypeError, ValueError) as err:
            if str(err).startswith(where):
                raise
            raise type(err)(f'{where}: {err}') from None


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

    Notes
    -----
    Electrode arrays (``rec_arrays``) are added without the times and voltages
    a file may hold, as hnn-core 0.6.1 does.
    Every number must be finite; a value of the wrong kind, or out of range,
    is a ValueError or TypeError that names its place in ``net_data`` (e.g.
    ``connectivity[3]['nc_dict']['A_weight']``).
    """
    from .network import Network
    _validate_type(net_data, dict, 'net_data')
    _validate_type(read_drives, bool, 'read_drives')
    _validate_type(read_external_biases, bool, 'read_external_biases')
    _all_finite(net_data)
    celsius = _number(_item(net_data, 'celsius', ''), 'celsius')
    threshold = _number(_item(net_data, 'threshold', ''), 'threshold')
    legacy_mode = _item(net_data, 'legacy_mode', '')
    if not isinstance(legacy_mode, bool):
        raise ValueError(f'legacy_mode must be true or false, got '
                         f'{_describe(legacy_mode)}')
    mesh_shape = tuple(_integer(_item(net_data, key, ''), key, minimum=1)
                       for key in ('N_pyr_x', 'N_pyr_y'))
    delay = _number(net_data.get('delay', 1.0), 'delay', minimum=0)
    cell_types = _read_cell_types(_item(net_data, 'cell_types', ''))
    written = _read_gid_ranges(_item(net_data, 'gid_ranges', ''))
    positions = _read_positions(_item(net_data, 'pos_dict', ''), cell_types)
    try:
        net = Network({'celsius': celsius, 'threshold': threshold},
                      legacy_mode=legacy_mode, mesh_shape=mesh_shape,
                      pos_dict=positions, cell_types=cell_types)
    except (TypeError, ValueError) as err:
        raise type(err)(f'cell_types or pos_dict: {err}') from None
    drives = []
    for key, drive in _obj(_item(net_data, 'external_drives', ''),
                           'external_drives').items():
        where = _path('external_drives', key)
        name = _item(_obj(drive, where), 'name', where)
        if name not in written:
            raise ValueError(f'{where}: the drive {name!r} has no entry in gid_ranges')
        drives.append((written[name][0], where, drive))
    for _, where, drive in sorted(drives, key=lambda entry: entry[0]):
        try:
            _add_drive(net, drive, where)
        except KeyError as err:
            raise ValueError(f"Drive {drive.get('name')!r} of the configuration lacks "
                             f'{err.args[0]!r} ({where})') from None
        except (TypeError, ValueError) as err:
            if str(err).startswith(where):
                raise
            raise type(err)(f'{where}: {err}') from None
    ours = {name: (r.start, r.stop) for name, r in net.gid_ranges.items()}
    if written != ours:
        raise ValueError(f'The gid ranges of the configuration, {written}, do not '
                         f'follow from its cell types and drives ({ours})')
    if read_external_biases:
        _read_biases(net, net_data.get('external_biases', {}))
    _read_connectivity(net, _item(net_data, 'connectivity', ''))
    _read_rec_arrays(net, net_data.get('rec_arrays', {}))
    net.threshold = threshold
    net.delay = delay
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

    Notes
    -----
    A value that cannot be read is a ValueError or TypeError naming ``fname``
    and the value's place in it; a key set twice in one JSON object is a
    warning (the last value is used).
    """
    from .params import _load_json
    _validate_type(fname, 'path-like', 'fname')
    try:
        net_data = _load_json(fname)
    except UnicodeDecodeError as err:
        raise ValueError(f'{fname} is not a network configuration: it is not a text '
                         f'file ({err.reason} at byte {err.start})') from None
    except ValueError as err:
        if 'is not valid JSON' not in str(err):
            raise
        raise ValueError(f'{fname} is not a network configuration: it is not valid '
                         f'JSON ({str(err).split("is not valid JSON: ", 1)[-1]})'
                         ) from None
    if not isinstance(net_data, dict) or \
            net_data.get('object_type') not in ('Network', OBJECT_TYPE_DESCRIBED):
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
