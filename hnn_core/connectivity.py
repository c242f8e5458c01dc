"""Synaptic connections as data: one :class:`Connection` per rule.

A connection joins source cells (a cell type or a drive) to target cells of one
type, at one location (a group of sections such as ``'proximal'``, or one
section) and one receptor. It reads and edits like hnn-core 0.6.1's connection
dicts (``conn['nc_dict']['A_weight'] = 1e-3``, ``conn['gid_pairs']``, ...), while
the (source, target) pairs are kept as integer arrays: the 20 x 20 network has
over a million of them.

Weights and delays fall off with the distance d between the source and target
somata in the xy plane, with lambda = ``lamtha`` times the network's in-plane
distance::

    weight = A_weight * gain * exp(-d^2 / lambda^2)
    delay = A_delay / exp(-d^2 / lambda^2)

A pair makes one synaptic contact per section of the location, each with the
full weight.
"""

import numbers
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np

from .cell import location_sections
from ._validate import (_validate_type, _check_option, _check_probability,
                        _check_seed, _finite)

RECEPTORS = ('ampa', 'nmda', 'gabaa', 'gabab')
_NC_KEYS = ('A_delay', 'A_weight', 'lamtha', 'threshold', 'gain')
_KEYS = ('target_type', 'target_gids', 'num_targets', 'src_type', 'src_gids',
         'num_srcs', 'gid_pairs', 'loc', 'receptor', 'nc_dict', 'probability',
         'allow_autapses')


# gids as stored in connections: 4 bytes each halve the memory of the pairs of a
# large network (over a million for 20 x 20), and a network never has 2**31 cells
GID_DTYPE = np.int32


def _as_int_array(values):
    return np.asarray(values, dtype=GID_DTYPE).reshape(-1)


class _GroupedPairs:
    """Pairs listed source by source: ``targets`` holds each source's targets in turn.

    Attributes: ``sources`` (keys of gid_pairs, in order), ``counts`` (targets of
    each source), ``targets``.
    """

    def __init__(self, sources, counts, targets):
        self.sources = _as_int_array(sources)
        self.counts = _as_int_array(counts)
        self.targets = _as_int_array(targets)

    def grouped(self):
        return self.sources, self.counts, self.targets

    @property
    def n_pairs(self):
        return len(self.targets)

    def pair_arrays(self):
        return np.repeat(self.sources, self.counts), self.targets

    def connected_sources(self):
        return self.sources[self.counts > 0]

    def shifted(self, src_offset, target_offset):
        return _GroupedPairs(self.sources + src_offset, self.counts,
                             self.targets + target_offset)


class _AllToAll:
    """Every source to every one of ``shared`` (but itself, unless ``autapses``).

    The model's rules and most drives connect whole populations; kept this way,
    their pairs take no memory until a run (or a look at gid_pairs) needs them.
    """

    def __init__(self, sources, shared, autapses):
        self.sources = _as_int_array(sources)
        self.shared = _as_int_array(shared)
        self.autapses = autapses

    def _self_pair(self):
        """Per source, whether it is among the shared targets (and left out)."""
        if self.autapses:
            return np.zeros(len(self.sources), bool)
        return np.isin(self.sources, self.shared)

    def grouped(self):
        src, tgt = self.pair_arrays()
        counts = len(self.shared) - self._self_pair()
        return self.sources, _as_int_array(counts), tgt

    @property
    def n_pairs(self):
        return len(self.sources) * len(self.shared) - int(self._self_pair().sum())

    def pair_arrays(self):
        src = np.repeat(self.sources, len(self.shared))
        tgt = np.tile(self.shared, len(self.sources))
        if not self.autapses:
            keep = src != tgt
            src, tgt = src[keep], tgt[keep]
        return src, tgt

    def connected_sources(self):
        return self.sources[len(self.shared) - self._self_pair() > 0]

    def shifted(self, src_offset, target_offset):
        return _AllToAll(self.sources + src_offset, self.shared + target_offset,
                         self.autapses)


def _read_only(*arrays):
    views = tuple(a.view() for a in arrays)
    for view in views:
        view.flags.writeable = False
    return views


class Connection(MutableMapping):
    """One connection rule of ``net.connectivity``.

    Keys (as in hnn-core 0.6.1): ``src_type``, ``target_type`` (names of the
    source population, a cell type or a drive, and of the target cell type),
    ``src_gids``, ``target_gids`` (sets of the gids the rule was made for;
    ``num_srcs``, ``num_targets`` count them), ``gid_pairs`` (source gid -> list
    of its target gids, after pruning), ``loc``, ``receptor``, ``nc_dict``
    (``A_weight`` in uS, ``A_delay`` in ms, ``lamtha`` in in-plane distances,
    ``threshold`` in mV, ``gain``), ``probability`` and ``allow_autapses``.

    Every value can be edited before a run (``conn['nc_dict']['gain'] = 2.``,
    ``conn['gid_pairs'][gid] = [...]``); the edit takes effect in the next
    simulation, where it is checked. Make connections with
    :meth:`hnn_core.Network.add_connection`.
    """

    def __init__(self, src_type, target_type, pairs, src_members, target_members,
                 num_srcs, loc, receptor, nc_dict, probability, allow_autapses):
        self._pairs = pairs  # a _GroupedPairs or _AllToAll
        self._src_members = np.unique(_as_int_array(src_members))
        self._target_members = np.unique(_as_int_array(target_members))
        self._values = {'src_type': src_type, 'target_type': target_type,
                        'num_srcs': num_srcs,
                        'num_targets': len(self._target_members), 'loc': loc,
                        'receptor': receptor, 'nc_dict': nc_dict,
                        'probability': probability, 'allow_autapses': allow_autapses}

    # -- mapping interface -----------------------------------------------------
    def __getitem__(self, key):
        if key == 'gid_pairs':
            return _GidPairs(self)
        if key == 'src_gids':
            return set(self._src_members.tolist())
        if key == 'target_gids':
            return set(self._target_members.tolist())
        if key in self._values:
            return self._values[key]
        raise KeyError(key)

    def __setitem__(self, key, value):
        if key == 'gid_pairs':
            _validate_type(value, Mapping, "conn['gid_pairs']",
                           'dict of source gid -> list of target gids')
            self._set_pairs(list(value.items()))
        elif key in ('src_gids', 'target_gids'):
            members = np.unique(_gid_list(value, f'conn[{key!r}]'))
            if key == 'src_gids':
                self._src_members = members
            else:
                self._target_members = members
                self._values['num_targets'] = len(members)
        elif key in self._values:
            self._values[key] = value
        else:
            raise KeyError(f'A connection has no key {key!r}; its keys are '
                           f'{", ".join(map(repr, _KEYS))}')

    def __delitem__(self, key):
        raise TypeError(f'The keys of a connection cannot be removed (tried {key!r}); '
                        'remove the whole connection from net.connectivity instead')

    def __iter__(self):
        return iter(_KEYS)

    def __len__(self):
        return len(_KEYS)

    def __eq__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        if set(other.keys()) != set(_KEYS):
            return False
        if isinstance(other, Connection):
            same_pairs = all(np.array_equal(a, b) for a, b in
                             zip(self._pairs.grouped(), other._pairs.grouped()))
        else:
            same_pairs = dict(self['gid_pairs']) == dict(other['gid_pairs'])
        return same_pairs and all(self[k] == other[k] for k in _KEYS
                                  if k != 'gid_pairs')

    __hash__ = None

    def __repr__(self):
        nc = self['nc_dict']
        return (f"{self['src_type']} -> {self['target_type']}\n"
                f"cell counts: {self['num_srcs']} srcs, {self['num_targets']} "
                f"targets\nconnection probability: {self['probability']} \n"
                f"loc: '{self['loc']}'; receptor: '{self['receptor']}'\n"
                f"weight: {nc.get('A_weight')}; delay: {nc.get('A_delay')}; "
                f"lamtha: {nc.get('lamtha')}; threshold: {nc.get('threshold')}; "
                f"gain: {nc.get('gain')}")

    def __deepcopy__(self, memo):
        from copy import deepcopy
        new = Connection.__new__(Connection)
        new._pairs = self._pairs.shifted(0, 0)  # a copy
        new._src_members = self._src_members.copy()
        new._target_members = self._target_members.copy()
        new._values = deepcopy(self._values, memo)
        return new

    # -- arrays ------------------------------------------------------------------
    @property
    def n_pairs(self):
        """Number of (source, target) pairs."""
        return self._pairs.n_pairs

    def pair_arrays(self):
        """(source gids, target gids) of every pair, as read-only int arrays."""
        return _read_only(*self._pairs.pair_arrays())

    def connected_sources(self):
        """Source gids that have at least one target, as a read-only int array."""
        return _read_only(self._pairs.connected_sources())[0]

    def member_arrays(self):
        """(source gids, target gids) the rule was made for, as read-only arrays."""
        return _read_only(self._src_members, self._target_members)

    def _set_pairs(self, items):
        sources, counts, targets = [], [], []
        for src, tgts in items:
            sources.append(_one_gid(src, "a source gid of conn['gid_pairs']"))
            tgts = _gid_list(tgts, f"conn['gid_pairs'][{src!r}]")
            counts.append(len(tgts))
            targets.append(tgts)
        self._pairs = _GroupedPairs(sources, counts,
                                    np.concatenate(targets) if targets else [])


class _GidPairs(MutableMapping):
    """``conn['gid_pairs']``: source gid -> list of target gids, written through."""

    def __init__(self, conn):
        self._conn = conn

    def __getitem__(self, src):
        for key, targets in self.items():
            if key == src:
                return targets
        raise KeyError(src)

    def __setitem__(self, src, targets):
        items = list(self.items())
        src = _one_gid(src, "a source gid of conn['gid_pairs']")
        keys = [k for k, _ in items]
        if src in keys:
            items[keys.index(src)] = (src, targets)
        else:
            items.append((src, targets))
        self._conn._set_pairs(items)

    def __delitem__(self, src):
        items = [(k, t) for k, t in self.items() if k != src]
        if len(items) == len(self):
            raise KeyError(src)
        self._conn._set_pairs(items)

    def __iter__(self):
        return iter(self._conn._pairs.sources.tolist())

    def __len__(self):
        return len(self._conn._pairs.sources)

    def items(self):
        sources, counts, targets = self._conn._pairs.grouped()
        bounds = np.concatenate([[0], np.cumsum(counts)])
        return [(src, targets[bounds[k]:bounds[k + 1]].tolist())
                for k, src in enumerate(sources.tolist())]

    def __eq__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.items()) == {k: list(v) for k, v in other.items()}

    def __repr__(self):
        return repr(dict(self.items()))


# -- gids ------------------------------------------------------------------------
def _one_gid(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{name} must be an int, got {type(value).__name__} '
                        f'({value!r})')
    return int(value)


def _gid_list(values, name):
    """An int64 array from a list, tuple, range, set or array of integers."""
    if isinstance(values, (str, bytes)) or not hasattr(values, '__iter__'):
        raise TypeError(f'{name} must be a list of int, got {type(values).__name__}')
    values = list(values)
    for value in values:
        _one_gid(value, f'each gid of {name}')
        if not -2 ** 63 <= value < 2 ** 63:
            raise ValueError(f'{name}: gid {value} is not in the network')
    return np.asarray(values, dtype=np.int64)


def gid_to_type(gid, gid_ranges):
    """The cell type or drive whose gid range holds ``gid``; None if none does."""
    for name, gids in gid_ranges.items():
        if gid in gids:
            return name
    return None


def _population_of(gids, gid_ranges):
    """Name of the population per gid (None outside every range)."""
    starts = np.array([r.start for r in gid_ranges.values()], np.int64)
    stops = np.array([r.stop for r in gid_ranges.values()], np.int64)
    names = list(gid_ranges)
    idx = np.searchsorted(starts, gids, side='right') - 1
    out = []
    for gid, k in zip(gids.tolist(), idx.tolist()):
        out.append(names[k] if k >= 0 and gid < stops[k] else None)
    return out


def resolve_gids(gids, gid_ranges, valid_names, arg_name, same_type=True):
    """gids as an int64 array, from a name, a list of names, an int, range or list.

    As hnn-core 0.6.1: a name (cell type or drive) means all its gids; every
    gid must lie in ``gid_ranges``; with ``same_type`` all must be of one type.
    None gives an empty array.
    """
    if gids is None:
        return np.empty(0, np.int64)
    if isinstance(gids, str):
        _check_option(arg_name, gids, valid_names)
        return np.arange(gid_ranges[gids].start, gid_ranges[gids].stop,
                         dtype=np.int64)
    if isinstance(gids, bool):
        raise TypeError(f'{arg_name} must be an instance of int, list, range or str, '
                        f'got bool ({gids!r})')
    if isinstance(gids, numbers.Integral):
        gids = [int(gids)]
    elif isinstance(gids, (list, tuple, range, np.ndarray)):
        gids = list(gids)
    else:
        raise TypeError(f'{arg_name} must be an instance of int, list, range or str, '
                        f'got {type(gids).__name__} ({gids!r})')
    if gids and all(isinstance(g, str) for g in gids):
        for name in gids:
            _check_option(arg_name, name, valid_names)
        return np.concatenate([np.arange(gid_ranges[n].start, gid_ranges[n].stop,
                                         dtype=np.int64) for n in gids])
    arr = _gid_list(gids, arg_name)
    if not len(arr):
        return arr
    types = _population_of(arr, gid_ranges)
    for gid, name in zip(arr.tolist(), types):
        if name is None:
            raise ValueError(f'{arg_name}: gid {gid} is not in the network; its gids '
                             f'run from 0 to {max(r.stop for r in gid_ranges.values()) - 1}'
                             f' ({_describe_ranges(gid_ranges)})')
        if name not in valid_names:
            raise ValueError(f'{arg_name}: gid {gid} belongs to {name!r}, which cannot '
                             f'be used here; allowed are '
                             f'{", ".join(map(repr, valid_names))}')
    if same_type and len(set(types)) > 1:
        raise ValueError(f'All {arg_name} must be of the same type, got gids of '
                         f'{", ".join(map(repr, dict.fromkeys(types)))}')
    return arr


def _describe_ranges(gid_ranges):
    return ', '.join(f'{name}: {r.start}-{r.stop - 1}' if len(r) else f'{name}: none'
                     for name, r in gid_ranges.items())


# -- making connections ------------------------------------------------------------
def _check_nc_value(name, value, minimum=None, strict=False):
    _validate_type(value, 'numeric', name, 'int or float')
    if not _finite(value):
        raise ValueError(f'{name} must be a finite number, got {value!r}')
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        bound = f'> {minimum}' if strict else f'>= {minimum}'
        raise ValueError(f'{name} must be {bound}, got {value!r}')
    return value


def check_nc_dict(nc_dict, where):
    """Raise a named error unless nc_dict holds valid connection parameters."""
    _validate_type(nc_dict, dict, f'{where}nc_dict')
    missing = [k for k in _NC_KEYS if k not in nc_dict]
    if missing:
        raise ValueError(f'{where}nc_dict lacks {", ".join(map(repr, missing))}; it '
                         f'needs {", ".join(map(repr, _NC_KEYS))}')
    _check_nc_value(f"{where}nc_dict['A_weight'] (weight)", nc_dict['A_weight'], 0)
    _check_nc_value(f"{where}nc_dict['A_delay'] (delay)", nc_dict['A_delay'], 0)
    _check_nc_value(f"{where}nc_dict['lamtha'] (space constant)", nc_dict['lamtha'],
                    0, strict=True)
    _check_nc_value(f"{where}nc_dict['threshold']", nc_dict['threshold'])
    _check_nc_value(f"{where}nc_dict['gain']", nc_dict['gain'], 0)


def check_loc_receptor(cell, target_type, loc, receptor, where=''):
    """Raise a named error unless ``loc`` and ``receptor`` exist on the target cell.

    ``loc`` is a location group of the cell (``cell.sect_loc``) or one of its
    sections; every section it names must carry ``receptor``. ``where``
    prefixes the messages (e.g. ``'net.connectivity[3]: '``).
    """
    _validate_type(loc, str, f'{where}loc')
    _validate_type(receptor, str, f'{where}receptor')
    valid_loc = list(cell.sect_loc) + list(cell.sections)
    if loc not in valid_loc:
        raise ValueError(f"{where}Invalid value for the 'loc' parameter: {loc!r} (the "
                         f"loc {loc!r} is not defined for {target_type!r} cells). "
                         f"Allowed values are {', '.join(map(repr, valid_loc))}.")
    for sec_name in location_sections(cell, loc):
        if sec_name not in cell.sections:
            raise ValueError(f"{where}{target_type}: location {loc!r} names the "
                             f"section {sec_name!r}, which the cell does not have")
        syns = cell.sections[sec_name].syns
        if receptor not in syns:
            raise ValueError(
                f"{where}Invalid value for the 'receptor' parameter: {receptor!r} (the "
                f"{receptor!r} receptor is not defined for the {sec_name!r} section "
                f"of {target_type!r} cells). Allowed values are "
                f"{', '.join(map(repr, syns))}.")


def _prune(sources, counts, targets, probability, conn_seed):
    """Keep round(n_pairs * probability) pairs drawn without replacement.

    The draw is numpy's ``default_rng(conn_seed).choice(range(n_pairs), k,
    replace=False)`` over the pairs in gid_pairs order, as hnn-core 0.6.1 makes
    it; sources left without targets are dropped.
    """
    n_pairs = len(targets)
    n_keep = int(np.round(n_pairs * probability))
    rng = np.random.default_rng(conn_seed)
    keep = np.zeros(n_pairs, bool)
    keep[rng.choice(range(n_pairs), n_keep, replace=False)] = True
    owner = np.repeat(np.arange(len(sources)), counts)
    new_counts = np.bincount(owner[keep], minlength=len(sources))
    has_targets = new_counts > 0
    return sources[has_targets], new_counts[has_targets], targets[keep]


def make_connection(gid_ranges, cell_types, src_gids, target_gids, loc, receptor,
                    weight, delay, lamtha, threshold, gain=1.0, allow_autapses=True,
                    probability=1.0, conn_seed=None):
    """A :class:`Connection` with the semantics of hnn-core 0.6.1's add_connection.

    See :meth:`hnn_core.Network.add_connection` for the parameters; here
    ``gid_ranges`` and ``cell_types`` are those of the network and ``threshold``
    is already resolved.
    """
    src = resolve_gids(src_gids, gid_ranges, list(gid_ranges), 'src_gids')
    if not len(src):
        raise ValueError('src_gids must name at least one source cell')
    valid_targets = list(cell_types)
    if isinstance(target_gids, list) and target_gids and \
            all(isinstance(t, (list, range, np.ndarray)) for t in target_gids):
        # one target list per source
        if len(target_gids) != len(src):
            raise ValueError(f'target_gids must have one list for each source: got '
                             f'{len(target_gids)} lists for {len(src)} source gids')
        per_source = [resolve_gids(list(t), gid_ranges, valid_targets,
                                   f'target_gids[{k}]') for k, t in
                      enumerate(target_gids)]
    else:
        shared = resolve_gids(target_gids, gid_ranges, valid_targets, 'target_gids')
        per_source = None
    all_targets = shared if per_source is None else (
        np.concatenate(per_source) if per_source else np.empty(0, np.int64))
    if not len(all_targets):
        raise ValueError('target_gids must name at least one target cell')
    types = set(_population_of(np.unique(all_targets), gid_ranges))
    if len(types) > 1:
        raise ValueError(f'All target_gids must be of the same type, got gids of '
                         f'{", ".join(sorted(map(repr, types)))}')
    target_type = types.pop()
    src_type = _population_of(src[:1], gid_ranges)[0]

    _validate_type(allow_autapses, bool, 'allow_autapses')
    _check_probability('probability', probability)
    _validate_type(conn_seed, ('int', None), 'conn_seed', 'int or None')
    if conn_seed is not None:
        _check_seed('conn_seed', conn_seed, maximum=None)
    nc_dict = {'A_delay': delay, 'A_weight': weight, 'lamtha': lamtha,
               'threshold': threshold, 'gain': gain}
    check_nc_dict(nc_dict, '')
    check_loc_receptor(cell_types[target_type]['cell_object'], target_type, loc,
                       receptor)

    # gid_pairs: later lists of a repeated source replace earlier ones (as a dict)
    if per_source is None:
        _, first = np.unique(src, return_index=True)
        pairs = _AllToAll(src[np.sort(first)], shared, allow_autapses)
    else:
        latest = {}
        for gid, tgts in zip(src.tolist(), per_source):
            latest[gid] = tgts
        pairs = _GroupedPairs(list(latest), [len(t) for t in latest.values()],
                              np.concatenate(list(latest.values())) if latest else [])
        if not allow_autapses:
            pairs = _GroupedPairs(*_without_autapses(*pairs.grouped()))
    if probability != 1.0:
        pairs = _GroupedPairs(*_prune(*pairs.grouped(), probability, conn_seed))
    return Connection(src_type, target_type, pairs, src_members=src,
                      target_members=all_targets, num_srcs=len(src), loc=loc,
                      receptor=receptor, nc_dict=nc_dict, probability=probability,
                      allow_autapses=allow_autapses)


def _without_autapses(sources, counts, targets):
    keep = targets != np.repeat(sources, counts)
    owner = np.repeat(np.arange(len(sources)), counts)
    return sources, np.bincount(owner[keep], minlength=len(sources)), targets[keep]


def _shift_gids(conn, src_offset, target_offset):
    """Move a connection's gids when the populations before them grow or shrink."""
    if src_offset or target_offset:
        conn._pairs = conn._pairs.shifted(src_offset, target_offset)
        conn._src_members = conn._src_members + src_offset
        conn._target_members = conn._target_members + target_offset


# -- picking -----------------------------------------------------------------------
def _names_list(value, valid, arg_name):
    _validate_type(value, (str, list, None), arg_name, 'str, list, or None')
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    for item in values:
        _validate_type(item, str, f'each item of {arg_name}')
        _check_option(arg_name, item, valid)
    return values


def pick_connection(net, src_gids=None, target_gids=None, loc=None, receptor=None):
    """Indices of the connections of ``net.connectivity`` that match a search.

    Parameters
    ----------
    net : Network
        The network.
    src_gids : str | int | range | list of int | list of str | None
        Source cells: a cell type or drive name (all its gids), names, or gids.
    target_gids : str | int | range | list of int | list of str | None
        Target cells, likewise (cell types only).
    loc : str | list of str | None
        Location(s): ``'proximal'``, ``'distal'``, ``'soma'`` or another
        section or location group of the target cells.
    receptor : str | list of str | None
        Receptor(s): ``'ampa'``, ``'nmda'``, ``'gabaa'``, ``'gabab'`` or another
        receptor the cells define.

    Returns
    -------
    conn_indices : list of int
        Sorted indices into ``net.connectivity``. Values given for one
        argument are alternatives (a connection matches if it holds any of
        the gids, or has any of the locations); arguments combine (all must
        match). A connection's gids are those it was made for
        (``conn['src_gids']``, ``conn['target_gids']``). No argument matches
        nothing.
    """
    gid_ranges = net.gid_ranges
    src = resolve_gids(src_gids, gid_ranges, list(gid_ranges), 'src_gids',
                       same_type=False)
    tgt = resolve_gids(target_gids, gid_ranges, list(net.cell_types), 'target_gids',
                       same_type=False)
    valid_loc = ['proximal', 'distal', 'soma']
    for cell_type in net.cell_types.values():
        cell = cell_type['cell_object']
        valid_loc += [n for n in list(cell.sect_loc) + list(cell.sections)
                      if n not in valid_loc]
    valid_receptors = list(RECEPTORS)
    for cell_type in net.cell_types.values():
        valid_receptors += [r for r in cell_type['cell_object'].synapses
                            if r not in valid_receptors]
    locs = _names_list(loc, valid_loc, 'loc')
    receptors = _names_list(receptor, valid_receptors, 'receptor')
    searches = []
    if src_gids is not None:
        searches.append(lambda c: np.isin(c.member_arrays()[0], src).any())
    if target_gids is not None:
        searches.append(lambda c: np.isin(c.member_arrays()[1], tgt).any())
    if loc is not None:
        searches.append(lambda c: c['loc'] in locs)
    if receptor is not None:
        searches.append(lambda c: c['receptor'] in receptors)
    if not searches:
        return []
    return [idx for idx, conn in enumerate(net.connectivity)
            if all(match(conn) for match in searches)]


# -- for the engine ------------------------------------------------------------------
@dataclass
class ConnectionBlock:
    """The pairs of one connection with their weights and delays, for the engine.

    Attributes
    ----------
    name : str
        ``'<source>_<target>_<receptor>'``, for messages.
    target_type : str
    receptor : str
    sections : tuple of str
        Sections of every target that get a synapse.
    src_gids, tgt_gids : ndarray of int, shape (n_pairs,)
    weights : ndarray of float, shape (n_pairs,)
        Peak conductance of each contact (uS).
    delays : ndarray of float, shape (n_pairs,)
        Delay from the source's spike to the synapse (ms).
    """

    name: str
    target_type: str
    receptor: str
    sections: tuple
    src_gids: np.ndarray
    tgt_gids: np.ndarray
    weights: np.ndarray
    delays: np.ndarray

    @property
    def n_pairs(self):
        return len(self.src_gids)


def connection_block(conn, positions, inplane_distance, sections, tstop=None):
    """The :class:`ConnectionBlock` of a connection.

    Parameters
    ----------
    conn : Connection
    positions : ndarray, shape (n_gids, 3)
        Soma position of every gid (um); drive cells sit at the origin.
    inplane_distance : float
        The grid spacing (um) that ``lamtha`` is measured in.
    sections : tuple of str
        The target sections of the connection's location.
    tstop : float | None
        If given, pairs whose delay exceeds it are left out: no spike can
        cross them before the end of the run.
    """
    src, tgt = conn.pair_arrays()
    nc = conn['nc_dict']
    lamtha = nc['lamtha'] * inplane_distance
    d = np.sqrt(np.sum((positions[tgt, :2] - positions[src, :2]) ** 2, axis=1))
    factor = np.exp(-(d ** 2) / (lamtha ** 2))
    weights = (nc['A_weight'] * nc['gain']) * factor
    with np.errstate(divide='ignore', over='ignore'):
        delays = nc['A_delay'] / factor
    if tstop is not None:
        keep = delays <= tstop
        src, tgt, weights, delays = src[keep], tgt[keep], weights[keep], delays[keep]
    return ConnectionBlock(
        name=f"{conn['src_type']}_{conn['target_type']}_{conn['receptor']}",
        target_type=conn['target_type'], receptor=conn['receptor'],
        sections=tuple(sections), src_gids=np.asarray(src), tgt_gids=np.asarray(tgt),
        weights=weights, delays=delays)
