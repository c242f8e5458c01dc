"""The network: cell types placed in space, their connections and external drives.

:class:`Network` is a pure description (no NEURON objects) that every part of the
package reads: the registry of cell types (``net.cell_types``, each a
:class:`~hnn_core.cell.Cell` template with its metadata), the soma positions, the
gid of every cell and drive cell (``net.gid_ranges``), the connections
(``net.connectivity``) and the drives. The engine builds NEURON objects from it
for each trial, so every edit made before a run takes effect in that run.

``Network(params)`` follows hnn-core 0.1 (the reference example): the grid comes
from the parameters and the model's local connectivity is added. Given
``mesh_shape``, ``pos_dict`` or ``cell_types`` (arguments only hnn-core 0.6.1
has) it follows 0.6.1: cells without any connection. The published models are
made by :func:`~hnn_core.neymotin_2020_model` and its relatives
(:mod:`hnn_core.network_models`).
"""

import copy
import warnings
from types import MappingProxyType

import numpy as np

from .cell import Cell
from .compat import make_policy
from .connectivity import (make_connection, pick_connection, gid_to_type,
                           _shift_gids, _population_of)
from .drives import (_check_common, _evoked_dynamics, _poisson_dynamics,
                     _bursty_dynamics, _spike_train_sources, _weighted_types,
                     connect_drive, drive_targets, n_drive_cells_of,
                     CONNECTION_KEYS)
from .params import Params, _template, required, DEFAULT_PARAMS
from ._validate import (_validate_type, _check_int, _check_option, _check_new_name,
                        _finite)

_LAYER_SEPARATION = 1307.4  # um, between the L5 and L2 pyramidal somata
_INPLANE_DISTANCE = 1.0  # um, the grid spacing; space constants are measured in it


def _grid_positions(n_x, n_y, inplane_distance, layer_separation):
    """Soma positions (um) of the model's four cell types on an n_x by n_y grid.

    Pyramidal cells sit on every grid point (x the outer loop), L2 ones
    ``layer_separation`` above L5; basket cells on every third column, rows
    alternating, sorted stably by y, at 0.8 and 0.2 of the separation. The
    origin (where drive cells sit) is the grid's middle point.
    """
    xs = np.arange(n_x) * inplane_distance
    ys = np.arange(n_y) * inplane_distance
    pyramidal = [(float(x), float(y)) for x in xs for y in ys]
    even = [(float(x), float(y)) for x in np.arange(0, n_x, 3) * inplane_distance
            for y in np.arange(0, n_y, 2) * inplane_distance]
    odd = [(float(x), float(y)) for x in np.arange(1, n_x, 3) * inplane_distance
           for y in np.arange(1, n_y, 2) * inplane_distance]
    basket = sorted(even + odd, key=lambda xy: xy[1])
    z = layer_separation

    def at(xy, depth):
        return np.array([(x, y, depth) for x, y in xy], float).reshape(-1, 3)

    positions = {'L2_basket': at(basket, 0.8 * z), 'L2_pyramidal': at(pyramidal, z),
                 'L5_basket': at(basket, 0.2 * z), 'L5_pyramidal': at(pyramidal, 0.)}
    origin = (float(xs[(n_x - 1) // 2]), float(ys[(n_y - 1) // 2]),
              float(np.floor(z / 2)))
    return positions, origin


# gids are stored as int32 (connectivity.GID_DTYPE)
GID_MAX = 2 ** 31 - 1
# what a gid costs in the description (its position, pos_dict entry, share of the
# connections' arrays), a lower bound of what a run needs
_BYTES_PER_GID = 200


def _check_gid_budget(n_existing, n_new, name, what):
    """Refuse more gids than int32 holds or than memory can describe."""
    from .simulation_plan import available_memory
    total = n_existing + n_new
    available = available_memory()
    if total > GID_MAX or total * _BYTES_PER_GID > available:
        raise ValueError(
            f'{name} gives {what}, {total:.3g} gids in all, more than the network '
            f'can hold (at most {GID_MAX} gids, and about '
            f'{available / _BYTES_PER_GID:.3g} in the memory available)')


def _check_positions(name, positions):
    try:
        arr = np.array([tuple(float(c) for c in pos) for pos in positions], float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f'The positions of {name!r} must be a list of (x, y, z) '
                         'tuples (um)') from None
    arr = arr.reshape(-1, 3) if arr.size == 0 else arr
    if arr.ndim != 2 or arr.shape[1] != 3 or not np.all(np.isfinite(arr)):
        raise ValueError(f'The positions of {name!r} must be a list of finite (x, y, '
                         'z) tuples (um)')
    return arr


def _check_cell_type_entry(name, entry):
    where = f'cell_types[{name!r}]'
    _validate_type(entry, dict, where, "dict with 'cell_object' and 'cell_metadata'")
    if 'cell_object' not in entry:
        raise ValueError(f"{where} needs a 'cell_object' (a Cell) and a "
                         "'cell_metadata' dict")
    _validate_type(entry['cell_object'], Cell, f"{where}['cell_object']", 'Cell')
    metadata = entry.get('cell_metadata', {})
    _validate_type(metadata, dict, f"{where}['cell_metadata']")
    return {'cell_object': entry['cell_object'], 'cell_metadata': metadata}


class _DriveDict(dict):
    """``net.external_drives``: removing a drive also removes its connections."""

    def __init__(self, network):
        super().__init__()
        self._network = network

    def __delitem__(self, name):
        old = self._network.gid_ranges
        super().__delitem__(name)
        self._network._forget_drive(name, old)

    def pop(self, name, *default):
        if name not in self:
            return super().pop(name, *default)
        drive = self[name]
        del self[name]
        return drive

    def popitem(self):
        name = next(reversed(self))
        return name, self.pop(name)

    def clear(self):
        for name in list(self):
            del self[name]



def _is_cell_value_key(key):
    """Whether a parameter key holds a pyramidal cell value (not a drive's).

    The Gaussian and Poisson drives' keys (``L2Pyr_Gauss_mu``,
    ``L5Pyr_Pois_lamtha``) share the cells' prefix.
    """
    return (key.startswith(('L2Pyr_', 'L5Pyr_')) and
            key.split('_')[1] not in ('Gauss', 'Pois'))

class Network:
    """Cell types placed on a grid, their connections and their external drives.

    Called as ``Network(params)`` it is hnn-core 0.1's network (the reference
    example): the grid is ``params['N_pyr_x'] x params['N_pyr_y']``, the cells
    take their values from the parameters and the local connectivity of Jones
    et al. 2009 is added. Called with ``mesh_shape``, ``pos_dict`` or
    ``cell_types`` it is hnn-core 0.6.1's: cells without any connection (use
    :func:`~hnn_core.neymotin_2020_model` for the connected model). See
    :attr:`compatibility`.

    Parameters
    ----------
    params : dict | Params
        Model parameters (keys as in ``hnn_core/param/default.json``).
    add_drives_from_params : bool
        Add the drives the parameters describe (evoked, rhythmic, Gaussian,
        Poisson inputs and tonic currents), in sorted name order.
    legacy_mode : bool | None
        HNN-GUI's drive layout: every cell-specific drive has one drive cell per
        network cell, drive cell k facing cell k. None means True for
        hnn-core 0.1's call and False for 0.6.1's. Drives can then only target
        location groups, not single sections.
    mesh_shape : tuple of int | None
        ``(n_x, n_y)`` pyramidal grid; None reads it from the parameters (0.1)
        or uses (10, 10) (0.6.1).
    pos_dict : dict | None
        Soma positions (um), cell type -> list of (x, y, z), plus ``'origin'``
        (where drive cells sit); give it with ``cell_types``.
    cell_types : dict | None
        Cell type -> ``{'cell_object': Cell, 'cell_metadata': dict}``, in gid
        order; the metadata may hold ``'measure_dipole'`` (bool), ``'layer'``
        ('2', '5', ...: names the dipole column), ``'electro_type'``
        ('excitatory' or 'inhibitory': the global synaptic gains),
        ``'morpho_type'`` and ``'reference'``.

    Attributes
    ----------
    params : Params
        The parameters.
    cell_types : dict
        Cell type -> ``{'cell_object': Cell, 'cell_metadata': dict}``. Edit the
        cell objects (e.g. ``modify_section``, their ``mechs`` or ``synapses``)
        or replace them before a run; add cell types with
        :meth:`add_cell_type`.
    gid_ranges : dict of str -> range
        Gids of each cell type, then of each drive in ``external_drives`` (in
        the order they were added). Read-only.
    pos_dict : mapping
        Soma positions (um): cell type -> tuple of (x, y, z), ``'origin'``, and
        each drive (its cells sit at the origin). Read-only; move cells with
        :meth:`set_cell_positions`.
    connectivity : list of Connection
        Every connection, local ones and drives' ones, in the order they were
        made; see :meth:`add_connection` and
        :func:`~hnn_core.network.pick_connection`.
    external_drives : dict of str -> dict
        The drives. Their ``'dynamics'`` can be edited before a run; after a
        run ``'events'`` holds each trial's spike times per drive cell.
        Deleting an entry removes the drive and its connections, as if it had
        never been added.
    external_biases : dict of str -> dict
        Tonic currents: bias name -> cell type -> {'amplitude', 't0', 'tstop',
        'section'}.
    threshold : float
        Default spike threshold (mV) of new connections.
    delay : float
        Delay (ms) of the model's local connections at zero distance.
    cell_response : CellResponse | None
        Spikes of the last simulation.
    rec_arrays : dict of str -> ExtracellularArray
        Extracellular electrode arrays, by name (see
        :meth:`add_electrode_array`); after a simulation each holds the
        potentials of every trial.
    """

    def __init__(self, params, add_drives_from_params=False, legacy_mode=None,
                 mesh_shape=None, pos_dict=None, cell_types=None, *, _version=None):
        _validate_type(params, dict, 'params', 'dict or Params')
        _validate_type(add_drives_from_params, bool, 'add_drives_from_params')
        _validate_type(legacy_mode, (bool, None), 'legacy_mode', 'bool')
        if _version is None:
            given = (mesh_shape, pos_dict, cell_types)
            _version = '0.6' if any(x is not None for x in given) else '0.1'
        self._compatibility = make_policy(_version, legacy_mode)
        # a plain dict is used as given (hnn-core 0.6), a Params as read
        self.params = params if isinstance(params, Params) else Params._from_dict(params)
        names = ('mesh_shape[0]', 'mesh_shape[1]')
        if mesh_shape is None and _version == '0.1':
            mesh_shape = (self._param('N_pyr_x'), self._param('N_pyr_y'))
            names = ("params['N_pyr_x'] (mesh_shape[0])",
                     "params['N_pyr_y'] (mesh_shape[1])")
        elif mesh_shape is None:
            mesh_shape = (10, 10)
        _validate_type(mesh_shape, (tuple, list), 'mesh_shape')
        if len(mesh_shape) != 2:
            raise ValueError(f'mesh_shape must be (n_x, n_y), got {mesh_shape!r}')
        self.mesh_shape = (_check_int(names[0], mesh_shape[0], minimum=1),
                           _check_int(names[1], mesh_shape[1], minimum=1))
        if cell_types is None:
            n_x, n_y = self.mesh_shape
            # pyramidal cells on every grid point of both layers, basket cells on
            # about a third of them
            _check_gid_budget(0, 3 * n_x * n_y, 'mesh_shape',
                              f'{n_x} x {n_y} grid points')
        self._inplane_distance = _INPLANE_DISTANCE
        self._layer_separation = _LAYER_SEPARATION
        self.cell_types = dict()
        self._cell_positions = dict()  # cell type -> (n, 3) array, in gid order
        if (pos_dict is None) != (cell_types is None):
            raise ValueError('Give pos_dict and cell_types together (a custom set of '
                             'cell types and their positions), or neither')
        if cell_types is None:
            self._add_default_cell_types()
        else:
            self._add_custom_cell_types(pos_dict, cell_types)
        self._external_drives = _DriveDict(self)
        self._drive_sizes = dict()  # drive name -> number of drive cells
        self._drive_args = dict()  # drive name -> what its connections were made of
        self.external_biases = dict()
        self.connectivity = list()
        from .network_models import _param_number
        self.threshold = _param_number(self.params, 'threshold')
        self.delay = 1.0
        self.cell_response = None
        self.rec_arrays = dict()
        if self._compatibility.local_connectivity:
            from .network_models import add_local_connectivity
            add_local_connectivity(self)
        if add_drives_from_params:
            from .param_drives import add_drives_from_params as add_drives
            add_drives(self)

    # -- construction -------------------------------------------------------
    def _param(self, key):
        return required(self.params, key)

    def _add_default_cell_types(self):
        from .cells_default import default_cell_types
        if self._compatibility.cells_from_params:
            cell_params = {k: v for k, v in self.params.items()
                           if k.startswith(('L2Pyr_', 'L5Pyr_'))}
            try:
                types = default_cell_types(cell_params)
            except KeyError as err:
                raise ValueError(f'{err.args[0]}; it is defined in '
                                 f'{DEFAULT_PARAMS}') from None
        else:
            self._warn_unused_cell_params()
            types = default_cell_types()
        positions, self._origin = _grid_positions(
            *self.mesh_shape, self._inplane_distance, self._layer_separation)
        for name, entry in types.items():
            self.cell_types[name] = entry
            self._cell_positions[name] = positions[name]

    def _warn_unused_cell_params(self):
        """hnn-core 0.6 ignores a parameter file's cell values: say so if they differ."""
        defaults = _template()
        differ = [k for k, v in self.params.items()
                  if _is_cell_value_key(k) and k in defaults and
                  not isinstance(v, str) and v != defaults[k]]
        if differ:
            shown = ', '.join(differ[:5]) + (', ...' if len(differ) > 5 else '')
            warnings.warn(
                f'The parameters set {len(differ)} cell value(s) ({shown}) that this '
                'model does not read: as in hnn-core 0.6, its cells use the published '
                "values. Edit net.cell_types[...]['cell_object'] (e.g. with "
                'modify_section, or cells_default.pyramidal(..., override_params=)) '
                'to change them', UserWarning, stacklevel=4)

    def _add_custom_cell_types(self, pos_dict, cell_types):
        _validate_type(pos_dict, dict, 'pos_dict')
        _validate_type(cell_types, dict, 'cell_types')
        if 'origin' not in pos_dict:
            raise ValueError("pos_dict needs an 'origin' entry: the (x, y, z) position "
                             '(um) where drive cells sit')
        origin = _check_positions('origin', [pos_dict['origin']])[0]
        self._origin = tuple(float(c) for c in origin)
        for name, entry in cell_types.items():
            _validate_type(name, str, 'a cell type name')
            if name not in pos_dict:
                raise ValueError(f'Cell type {name!r} has no positions in pos_dict; '
                                 f'pos_dict holds {", ".join(map(repr, pos_dict))}')
            self.cell_types[name] = _check_cell_type_entry(name, entry)
            self._cell_positions[name] = _check_positions(name, pos_dict[name])

    def add_cell_type(self, name, cell, positions, *, cell_metadata=None):
        """Add a cell type: a template cell placed at the given soma positions.

        Its gids follow those of the existing cell types (drive cells move up).
        Connect it with :meth:`add_connection` and drive it by naming it in a
        drive's weights; it is simulated, recorded in spikes and plots, and, if
        its metadata says ``'measure_dipole': True``, summed into the dipole.

        Parameters
        ----------
        name : str
            Its name (one word), e.g. ``'L2_basket_slow'``.
        cell : Cell
            The template, e.g. a modified copy of an existing one
            (``net.cell_types['L2_basket']['cell_object'].copy()``).
        positions : list of tuple
            Soma positions (x, y, z) (um), one per cell.
        cell_metadata : dict | None
            As in ``net.cell_types``: ``'measure_dipole'`` (default False),
            ``'layer'``, ``'electro_type'``, ``'morpho_type'``.
        """
        _check_new_name(name, self.gid_ranges)
        entry = _check_cell_type_entry(name, {'cell_object': cell,
                                              'cell_metadata': cell_metadata or {}})
        entry['cell_metadata'] = dict(entry['cell_metadata'])
        entry['cell_metadata'].setdefault('measure_dipole', False)
        arr = _check_positions(name, positions)
        if not len(arr):
            raise ValueError(f'positions must place at least one {name!r} cell')
        old = self.gid_ranges
        self.cell_types[name] = entry
        self._cell_positions[name] = arr
        self._relayout(old)

    # -- layout -------------------------------------------------------------
    @property
    def external_drives(self):
        return self._external_drives

    @external_drives.setter
    def external_drives(self, drives):
        """Keep the drives named in ``drives`` (e.g. ``{}`` removes them all)."""
        _validate_type(drives, dict, 'external_drives')
        unknown = [name for name in drives if name not in self._external_drives]
        if unknown:
            raise ValueError(f'external_drives can only keep drives the network has; '
                             f'add {", ".join(map(repr, unknown))} with '
                             'net.add_evoked_drive or its siblings')
        for name in [n for n in self._external_drives if n not in drives]:
            del self._external_drives[name]

    @property
    def compatibility(self):
        """The :class:`~hnn_core.compat.CompatibilityPolicy` this network follows."""
        return self._compatibility

    @property
    def legacy_mode(self):
        """Whether drives use HNN-GUI's layout (see :attr:`compatibility`)."""
        return self._compatibility.legacy_mode

    @property
    def n_cells(self):
        """Number of real (non-drive) cells."""
        return sum(len(p) for p in self._cell_positions.values())

    @property
    def cellname_list(self):
        """Names of the cell types, in gid order (hnn-core 0.1's attribute)."""
        return list(self._cell_positions)

    @property
    def gid_ranges(self):
        ranges = dict()
        first = 0
        for name, positions in self._cell_positions.items():
            ranges[name] = range(first, first + len(positions))
            first += len(positions)
        # a drive keeps the number of drive cells it was added with; the gids
        # follow the drives still present
        for name in self.external_drives:
            if name in self._drive_sizes:
                ranges[name] = range(first, first + self._drive_sizes[name])
                first += self._drive_sizes[name]
        return ranges

    @property
    def _n_gids(self):
        """Number of gids: cells and drive cells (the 0.6 seeds use it)."""
        return self.n_cells + sum(self._drive_sizes[name] for name in
                                  self.external_drives if name in self._drive_sizes)

    @property
    def pos_dict(self):
        out = {name: tuple(tuple(float(c) for c in pos) for pos in positions)
               for name, positions in self._cell_positions.items()}
        out['origin'] = tuple(self._origin)
        for name in self.external_drives:
            out[name] = (tuple(self._origin),) * self._drive_sizes.get(name, 0)
        return MappingProxyType(out)

    @property
    def inplane_distance(self):
        """Grid spacing (um); connections' space constants are measured in it."""
        return self._inplane_distance

    @property
    def layer_separation(self):
        """Distance (um) between the L5 and L2 pyramidal somata."""
        return self._layer_separation

    def positions(self):
        """Soma position (um) of every gid, drive cells at the origin.

        Returns
        -------
        positions : ndarray, shape (n_gids, 3)
        """
        parts = list(self._cell_positions.values())
        n_drive_cells = self._n_gids - self.n_cells
        parts.append(np.tile(np.asarray(self._origin, float), (n_drive_cells, 1)))
        return np.concatenate(parts) if parts else np.empty((0, 3))

    def gid_to_type(self, gid):
        """The cell type or drive of a gid (None if the network has no such gid)."""
        return gid_to_type(gid, self.gid_ranges)

    def set_cell_positions(self, *, inplane_distance=None, layer_separation=None):
        """Place the model's cell types on their grid again, with new spacings.

        Parameters
        ----------
        inplane_distance : float | None
            Distance (um) between neighbouring pyramidal somata in the grid; the
            space constants of connections scale with it, so it does not change
            the simulation. None keeps the current value.
        layer_separation : float | None
            Distance (um) between the L5 and L2 pyramidal somata. None keeps
            the current value.

        Notes
        -----
        Only the cell types named like the model's four (``'L2_basket'``,
        ``'L2_pyramidal'``, ``'L5_basket'``, ``'L5_pyramidal'``) move; others
        keep their positions.
        """
        values = {}
        for name, value, current in (
                ('inplane_distance', inplane_distance, self._inplane_distance),
                ('layer_separation', layer_separation, self._layer_separation)):
            value = current if value is None else value
            _validate_type(value, 'numeric', name)
            if not (_finite(value) and value > 0):
                raise ValueError(f'{name} must be a positive number (um), got {value}')
            values[name] = float(value)
        positions, self._origin = _grid_positions(
            *self.mesh_shape, values['inplane_distance'], values['layer_separation'])
        for name, pos in positions.items():
            if name in self._cell_positions and \
                    len(self._cell_positions[name]) == len(pos):
                self._cell_positions[name] = pos
        self._inplane_distance = values['inplane_distance']
        self._layer_separation = values['layer_separation']

    def _relayout(self, old_ranges):
        """Keep connections on their cells after the gid layout changed.

        Connections hold absolute gids; when a population before theirs grows or
        shrinks, they move with it. Connections of a population that is gone
        are removed.
        """
        new_ranges = self.gid_ranges
        kept = []
        for conn in self.connectivity:
            src, tgt = conn.member_arrays()
            src_name = _population_of(src[:1], old_ranges)[0] if len(src) else None
            tgt_name = _population_of(tgt[:1], old_ranges)[0] if len(tgt) else None
            if src_name not in new_ranges or tgt_name not in new_ranges:
                continue
            _shift_gids(conn,
                        new_ranges[src_name].start - old_ranges[src_name].start,
                        new_ranges[tgt_name].start - old_ranges[tgt_name].start)
            kept.append(conn)
        self.connectivity[:] = kept

    def _forget_drive(self, name, old_ranges):
        self._relayout(old_ranges)
        self._drive_sizes.pop(name, None)
        self._drive_args.pop(name, None)

    # -- connections ----------------------------------------------------------
    def add_connection(self, src_gids, target_gids, loc, receptor, weight, delay,
                       lamtha, threshold=None, gain=1.0, allow_autapses=True,
                       probability=1.0, conn_seed=None):
        """Connect source cells to target cells; appended to ``net.connectivity``.

        Every source connects to every target (or to its own list of targets),
        with weights and delays that depend on the distance d between the
        somata in the xy plane: ``weight * gain * exp(-d^2 / L^2)`` and
        ``delay / exp(-d^2 / L^2)`` with L = lamtha * the in-plane distance.

        Parameters
        ----------
        src_gids : str | int | range | list of int
            Source cells: a cell type or drive name (all its cells) or gids,
            all of one cell type or drive.
        target_gids : str | int | range | list of int | list of list of int
            Target cells of one cell type: a name, gids, or one list of target
            gids per source gid.
        loc : str
            Where the synapses go: a location group of the target cells
            (``'proximal'``, ``'distal'``) or one of their sections (e.g.
            ``'soma'``, ``'apical_tuft'``). A group gives one synapse in each of
            its sections, each with the full weight.
        receptor : str
            ``'ampa'``, ``'nmda'``, ``'gabaa'`` or ``'gabab'``; every section
            of ``loc`` must carry it.
        weight : float
            Peak synaptic conductance at zero distance (uS), >= 0.
        delay : float
            Synaptic delay at zero distance (ms), >= 0.
        lamtha : float
            Space constant, in units of the in-plane distance, > 0.
        threshold : float | None
            Spike threshold (mV) of the source cells, as seen by this
            connection; None uses ``net.threshold``. As in NEURON (and
            hnn-core 0.6.1), a cell has one threshold: that of the last
            connection made from it.
        gain : float
            Factor on the weight, >= 0 (see :meth:`set_global_synaptic_gains`).
        allow_autapses : bool
            If False, no cell connects to itself.
        probability : float
            In (0, 1]: keep ``round(n_pairs * probability)`` of the pairs,
            drawn with numpy's ``default_rng(conn_seed)`` exactly as hnn-core
            0.6.1 draws them.
        conn_seed : int | None
            Seed of that draw (None: a new one each time).
        """
        if threshold is None:
            threshold = self.threshold
        conn = make_connection(self.gid_ranges, self.cell_types, src_gids,
                               target_gids, loc, receptor, weight, delay, lamtha,
                               threshold, gain=gain, allow_autapses=allow_autapses,
                               probability=probability, conn_seed=conn_seed)
        self.connectivity.append(conn)

    def clear_connectivity(self):
        """Remove every connection between cells (drives stay connected)."""
        self.connectivity[:] = [conn for conn in self.connectivity
                                if conn['src_type'] in self.external_drives]

    def _cells_by_electro_type(self):
        """Gids of the excitatory and of the inhibitory cell types."""
        excitatory, inhibitory = [], []
        for name, entry in self.cell_types.items():
            kind = entry['cell_metadata'].get('electro_type')
            if kind == 'excitatory':
                excitatory.extend(self.gid_ranges[name])
            elif kind == 'inhibitory':
                inhibitory.extend(self.gid_ranges[name])
        return excitatory, inhibitory

    def _gain_groups(self):
        e, i = self._cells_by_electro_type()
        return {'e_e': (e, e), 'e_i': (e, i), 'i_e': (i, e), 'i_i': (i, i)}

    def set_global_synaptic_gains(self, e_e=None, e_i=None, i_e=None, i_i=None,
                                  copy=False):
        """Set the gain of every connection between excitatory/inhibitory cells.

        Cell types count as excitatory or inhibitory by their metadata
        (``'electro_type'``). Drives' connections are not changed.

        Parameters
        ----------
        e_e, e_i, i_e, i_i : float | None
            Gains (>= 0) of excitatory-to-excitatory, excitatory-to-inhibitory,
            inhibitory-to-excitatory and inhibitory-to-inhibitory connections;
            None leaves them as they are.
        copy : bool
            Return a changed copy and leave this network as it is.

        Returns
        -------
        net : Network | None
            The copy if ``copy`` is True.
        """
        _validate_type(copy, bool, 'copy')
        gains = {'e_e': e_e, 'e_i': e_i, 'i_e': i_e, 'i_i': i_i}
        for name, gain in gains.items():
            if gain is not None:
                _validate_type(gain, 'numeric', name, 'int or float')
                if not (_finite(gain) and gain >= 0):
                    raise ValueError(f'Synaptic gains must be non-negative finite '
                                     f'numbers. Got {gain} for {name!r}.')
        net = self.copy() if copy else self
        for name, (src, tgt) in net._gain_groups().items():
            if gains[name] is None or not src or not tgt:
                continue
            for idx in pick_connection(net, src_gids=src, target_gids=tgt):
                net.connectivity[idx]['nc_dict']['gain'] = gains[name]
        return net if copy else None

    def get_global_synaptic_gains(self):
        """The gains of the four kinds of connection (see set_global_synaptic_gains).

        Returns
        -------
        gains : dict
            ``'e_e'``, ``'e_i'``, ``'i_e'``, ``'i_i'`` -> the gain of the first
            connection of that kind; kinds without a connection are left out.
            Warns if the connections of a kind do not all have that gain.
        """
        values, uneven = {}, []
        for name, (src, tgt) in self._gain_groups().items():
            picks = pick_connection(self, src_gids=src, target_gids=tgt) \
                if src and tgt else []
            if not picks:
                continue
            gains = [self.connectivity[idx]['nc_dict']['gain'] for idx in picks]
            values[name] = gains[0]
            if not np.allclose(gains, gains[0]):
                uneven.append(name)
        if uneven:
            warnings.warn(f'The connections of kind {", ".join(uneven)} do not all '
                          'have the same gain; the gain of the first one is given',
                          UserWarning, stacklevel=2)
        return values

    # -- drives -------------------------------------------------------------
    def _add_drive(self, name, drive_type, common, dynamics):
        drive = dict(name=name, type=drive_type, **common, dynamics=dynamics,
                     events=list())
        drive['n_drive_cells'] = n_drive_cells_of(self, drive)
        drive['target_types'] = [c for c, _ in drive_targets(self, drive)]
        self._drive_sizes[name] = drive['n_drive_cells']
        dict.__setitem__(self.external_drives, name, drive)
        try:
            connect_drive(self, name, drive)
        except BaseException:
            del self.external_drives[name]  # and the connections made so far
            raise
        self._drive_args[name] = copy.deepcopy({k: drive[k] for k in CONNECTION_KEYS})

    def clear_drives(self):
        """Remove every external drive and its connections (biases stay)."""
        self.external_drives.clear()

    def check_drives(self):
        """Raise a named error if a drive was edited in a way a run cannot honour.

        A drive's dynamics may be edited; what its connections were made of
        (location, weights, delays, ...) may not, since the connections are in
        ``net.connectivity`` already.
        """
        for name, drive in self.external_drives.items():
            if name not in self._drive_args:
                raise ValueError(f'net.external_drives[{name!r}] was not added with an '
                                 'add_*_drive method; add drives with '
                                 'net.add_evoked_drive and its siblings')
            for key, value in self._drive_args[name].items():
                if drive.get(key) != value:
                    raise ValueError(
                        f'net.external_drives[{name!r}][{key!r}] was changed, but a '
                        "drive's connections are made when it is added. Edit them "
                        f'in net.connectivity (pick_connection(net, src_gids={name!r}))'
                        f', or remove the drive (del net.external_drives[{name!r}]) '
                        'and add it again')

    def add_evoked_drive(self, name, *, mu, sigma, numspikes, location,
                         sync_within_trial=False, n_drive_cells='n_cells',
                         cell_specific=True, weights_ampa=None, weights_nmda=None,
                         space_constant=3., synaptic_delays=0.1, probability=1.0,
                         seedcore=None, event_seed=None, conn_seed=3):
        """Add an evoked drive: Gaussian-distributed spike times.

        Accepts both generations' call shapes: hnn-core 0.1's (``seedcore=``,
        ``sync_within_trial=``) and hnn-core 0.6's (``event_seed=``,
        ``n_drive_cells=``, ``cell_specific=``, ``probability=``, ``conn_seed=``).

        Parameters
        ----------
        name : str
            Unique name of the drive, e.g. ``'evprox1'``.
        mu : float
            Mean spike time (ms).
        sigma : float
            Standard deviation of the spike times (ms), >= 0.
        numspikes : int
            Number of spikes of each drive cell per trial, >= 1.
        location : str
            Where the drive's synapses go: ``'proximal'`` (basal and oblique
            dendrites of pyramidal cells, the soma of basket cells),
            ``'distal'`` (apical tuft; L2 basket soma), another location group,
            or a section every targeted cell type has (e.g. ``'soma'``,
            ``'apical_tuft'``; not in legacy mode).
        sync_within_trial : bool
            If True, every drive cell fires at the same times within a trial
            (hnn-core 0.1: seed + trial for every drive cell).
        n_drive_cells : int | 'n_cells'
            Number of drive cells; ``'n_cells'`` (one per target cell) when
            ``cell_specific`` is True.
        cell_specific : bool
            If True, each drive cell drives one network cell; otherwise every drive
            cell drives every cell of the weighted types.
        weights_ampa, weights_nmda : dict | None
            Cell type -> peak synaptic conductance (uS) at zero distance.
        space_constant : float
            Length constant lambda of the Gaussian fall-off of weights (and rise
            of delays) with distance from the drive's origin (grid units).
        synaptic_delays : float | dict
            Delay (ms) at zero distance, for all cell types or per cell type.
        probability : float | dict
            Fraction of (drive cell, target) pairs kept, in (0, 1], for all
            cell types or per cell type.
        seedcore : int | None
            hnn-core 0.1 seeding: drive cell g draws from seed
            ``seedcore + trial + g`` (absolute gid). So trial t + 1 of a drive
            cell reuses the stream of trial t of the next gid, a property of the
            published results that is kept on purpose.
        event_seed : int | None
            hnn-core 0.6 seeding: ``event_seed + trial * n_gids + offset`` with
            offset the drive cell's index in the drive. Drives whose seeds differ
            by k share streams shifted by k cells, as in hnn-core 0.6.
            With neither seed given, the network's generation decides (seed 2).
        conn_seed : int
            Seed of the random subset of connections kept when ``probability`` < 1;
            the k-th target cell type uses ``conn_seed + k``.
        """
        dynamics = _evoked_dynamics(mu, sigma, numspikes, sync_within_trial)
        common = _check_common(self, name, location, weights_ampa, weights_nmda,
                               synaptic_delays, space_constant, probability,
                               n_drive_cells, cell_specific, seedcore, event_seed,
                               conn_seed)
        if common['seedcore'] is None and not sync_within_trial:
            del dynamics['sync_within_trial']  # hnn-core 0.6 has no such key
        self._add_drive(name, 'evoked', common, dynamics)

    def add_poisson_drive(self, name, *, rate_constant, location, tstart=0,
                          tstop=None, n_drive_cells='n_cells', cell_specific=True,
                          weights_ampa=None, weights_nmda=None, space_constant=100.,
                          synaptic_delays=0.1, probability=1.0, seedcore=None,
                          event_seed=None, conn_seed=3):
        """Add a drive whose cells fire as homogeneous Poisson processes.

        Parameters
        ----------
        name : str
            Unique name of the drive.
        rate_constant : float | dict
            Firing rate (Hz) of each drive cell; a dict of cell type -> rate
            gives each cell-specific drive cell the rate of its target's type.
        location : str
            As in :meth:`add_evoked_drive`.
        tstart, tstop : float
            The process runs on [tstart, tstop) (ms); tstop None means the end of
            the simulation.
        n_drive_cells, cell_specific, weights_ampa, weights_nmda, space_constant,
        synaptic_delays, probability, seedcore, event_seed, conn_seed
            As in :meth:`add_evoked_drive`. The seeding rules are kept from the
            hnn-core version each argument comes from, quirks included.
        """
        common = _check_common(self, name, location, weights_ampa, weights_nmda,
                               synaptic_delays, space_constant, probability,
                               n_drive_cells, cell_specific, seedcore, event_seed,
                               conn_seed)
        cell_types = list(self.cell_types)
        weighted = _weighted_types(common['weights_ampa'], common['weights_nmda'],
                                   cell_types)
        dynamics = _poisson_dynamics(tstart, tstop, rate_constant, cell_specific,
                                     weighted, cell_types)
        self._add_drive(name, 'poisson', common, dynamics)

    def add_bursty_drive(self, name, *, location, burst_rate, tstart=0,
                         tstart_std=0, tstop=None, burst_std=0, numspikes=2,
                         spike_isi=10, n_drive_cells=1, cell_specific=False,
                         repeats=None, weights_ampa=None, weights_nmda=None,
                         synaptic_delays=0.1, space_constant=100., probability=1.0,
                         seedcore=None, event_seed=None, conn_seed=3,
                         distribution='normal'):
        """Add a rhythmic drive: bursts of spikes at ``burst_rate``.

        Burst centres are ``tstart, tstart + 1000 / burst_rate, ...`` up to tstop,
        each jittered by a normal deviate of ``burst_std`` ms; every burst has
        ``numspikes`` spikes ``spike_isi`` ms apart around its centre.

        Parameters
        ----------
        name : str
            Unique name of the drive.
        location : str
            As in :meth:`add_evoked_drive`.
        burst_rate : float
            Bursts per second (Hz).
        tstart, tstart_std : float
            Time of the first burst (ms) and the standard deviation of a jitter
            applied to it once per trial, the same for all drive cells.
        tstop : float | None
            End of the drive (ms); None means the end of the simulation.
        burst_std : float
            Jitter of each burst centre (ms).
        numspikes : int
            Spikes per burst.
        spike_isi : float
            Interval between the spikes of a burst (ms).
        n_drive_cells : int
            Number of drive cells, each with its own random stream (hnn-core 0.6).
        repeats : int | None
            hnn-core 0.1's form: one drive cell carrying ``repeats`` jittered
            copies of every burst.
        distribution : str
            Only ``'normal'`` (hnn-core 0.1 argument).
        cell_specific, weights_ampa, weights_nmda, synaptic_delays,
        space_constant, probability, seedcore, event_seed, conn_seed
            As in :meth:`add_evoked_drive`. Each cell type is driven with its own
            weight and delay (hnn-core 0.1 applied the L5 pyramidal ones to all
            types, a bug not reproduced here).
        """
        _check_option('distribution', distribution, ('normal',))
        if repeats is not None and n_drive_cells != 1:
            raise ValueError('Give repeats (hnn-core 0.1) or n_drive_cells (hnn-core '
                             '0.6), not both')
        dynamics = _bursty_dynamics(tstart, tstart_std, tstop, burst_rate, burst_std,
                                    numspikes, spike_isi, repeats)
        common = _check_common(self, name, location, weights_ampa, weights_nmda,
                               synaptic_delays, space_constant, probability,
                               n_drive_cells, cell_specific, seedcore, event_seed,
                               conn_seed)
        self._add_drive(name, 'bursty', common, dynamics)

    def add_spike_train_drive(self, name, *, spike_data, location, weights_ampa=None,
                              weights_nmda=None, synaptic_delays=0.1,
                              space_constant=3.0, probability=1.0, conn_seed=None):
        """Replay given spike trains into the network.

        One drive cell per spike source; every drive cell drives every cell of
        the weighted types. The same spikes are replayed in every trial.

        Parameters
        ----------
        name : str
            Unique name of the drive.
        spike_data : dict | list | str
            ``{source id: [times (ms)]}``, a list of ``(time, source id)`` pairs,
            or the name (or glob) of spike files written by
            :meth:`CellResponse.write`, of which the first trial is replayed.
        location : str
            As in :meth:`add_evoked_drive`.
        weights_ampa, weights_nmda, synaptic_delays, space_constant, probability
            As in :meth:`add_evoked_drive`.
        conn_seed : int | None
            Seed of the connection subset when ``probability`` < 1 (None: 3).
        """
        if isinstance(spike_data, str):
            from .cell_response import read_spikes
            try:
                response = read_spikes(spike_data)
            except (OSError, ValueError) as err:
                raise type(err)(f'spike_data: {err}') from None
            spike_data = list(zip(response.spike_times[0], response.spike_gids[0]))
        ids, trains = _spike_train_sources(spike_data)
        common = _check_common(self, name, location, weights_ampa, weights_nmda,
                               synaptic_delays, space_constant, probability,
                               len(ids), False, None, None,
                               3 if conn_seed is None else conn_seed)
        self._add_drive(name, 'spike_train', common,
                        {'source_ids': ids, 'spike_times': trains})

    def add_tonic_bias(self, *, cell_type=None, amplitude=None, t0=0, tstop=None,
                       T=None, section='soma', bias_name='tonic'):
        """Inject a constant current into every cell of some cell types.

        Parameters
        ----------
        cell_type : str | None
            The cell type when ``amplitude`` is one number.
        amplitude : float | dict
            Current (nA, depolarising if positive), or a dict of cell type ->
            current.
        t0 : float
            Onset (ms).
        tstop : float | None
            End (ms); None means the end of the simulation. ``T`` is hnn-core
            0.1's name for it.
        section : str
            Section receiving the current at its middle (default the soma).
        bias_name : str
            Name under which the bias is stored in ``net.external_biases``.
        """
        from .drives import _check_tonic
        if T is not None:
            if tstop is not None:
                raise ValueError('Give tstop or T (its hnn-core 0.1 name), not both')
            tstop = T
        t0 = 0 if t0 is None else t0
        biases = _check_tonic(self, cell_type, amplitude, t0, tstop, section,
                              bias_name)
        self.external_biases.setdefault(bias_name, {}).update(biases)

    # -- utilities ------------------------------------------------------------
    def filter_cell_types(self, **metadata_filters):
        """Names of the cell types whose metadata has all the given values.

        Examples
        --------
        >>> net.filter_cell_types(electro_type='inhibitory')   # doctest: +SKIP
        ['L2_basket', 'L5_basket']
        """
        return [name for name, entry in self.cell_types.items()
                if all(entry['cell_metadata'].get(k, object()) == v
                       for k, v in metadata_filters.items())]

    def copy(self):
        """A deep copy of the model, without results.

        Drive events are cleared; the electrode arrays are kept, without their
        data (as in hnn-core 0.6.1).
        """
        response, self.cell_response = self.cell_response, None
        try:
            net = copy.deepcopy(self)
        finally:
            self.cell_response = response
        for drive in net.external_drives.values():
            drive['events'] = list()
        net._reset_rec_arrays()
        return net

    def _reset_rec_arrays(self):
        """Clear the data of every electrode array (a new run fills them)."""
        for array in self.rec_arrays.values():
            array._reset()

    def add_electrode_array(self, name, electrode_pos, *, conductivity=0.3,
                            method='psa', min_distance=0.5):
        """Add an array of extracellular electrodes, recorded in every simulation.

        Parameters
        ----------
        name : str
            Name of the array, the key of ``net.rec_arrays``; must be new.
        electrode_pos : tuple | list of tuple
            The (x, y, z) position of each contact (µm); one triplet is one
            contact.
        conductivity : float
            Extracellular conductivity (S/m).
        method : ``'psa'`` | ``'lsa'``
            Point or line source approximation; see
            :class:`~hnn_core.extracellular.ExtracellularArray`.
        min_distance : float
            Shortest distance from a contact to a current source (µm).
        """
        from .extracellular import ExtracellularArray
        _validate_type(name, str, 'name')
        if name in self.rec_arrays:
            raise ValueError(f'An electrode array named {name!r} already exists; '
                             f'choose another name (existing: '
                             f'{", ".join(map(repr, self.rec_arrays))})')
        self.rec_arrays[name] = ExtracellularArray(
            electrode_pos, conductivity=conductivity, method=method,
            min_distance=min_distance)

    def __eq__(self, other):
        if not isinstance(other, Network):
            return NotImplemented
        if len(self.connectivity) != len(other.connectivity):
            return False
        unmatched = list(other.connectivity)
        for conn in self.connectivity:
            for k, candidate in enumerate(unmatched):
                if conn == candidate:
                    del unmatched[k]
                    break
            else:
                return False
        return (self.gid_ranges == other.gid_ranges and
                dict(self.pos_dict) == dict(other.pos_dict) and
                self.cell_types == other.cell_types and
                self.external_biases == other.external_biases and
                _drives_equal(self.external_drives, other.external_drives) and
                self.threshold == other.threshold and self.delay == other.delay and
                self.legacy_mode == other.legacy_mode and
                self.rec_arrays == other.rec_arrays)

    __hash__ = None

    def to_dict(self, write_output=False):
        """The network as a dict of plain values; see :func:`hnn_core.network_to_dict`."""
        from .hnn_io import network_to_dict
        return network_to_dict(self, write_output=write_output)

    def write_configuration(self, fname, overwrite=True):
        """Write the network to a JSON configuration file (hnn-core 0.6.1's format).

        Parameters
        ----------
        fname : str | path-like
            The ``.json`` file.
        overwrite : bool
            Replace an existing file; if False, an existing file is an error.
        """
        from .hnn_io import write_network_configuration
        write_network_configuration(self, fname, overwrite=overwrite)

    def plot_cells(self, ax=None, show=True):
        """Plot the cells' positions in 3-D; see :func:`hnn_core.viz.plot_cells`."""
        from .viz import plot_cells
        return plot_cells(self, ax=ax, show=show)

    def __repr__(self):
        counts = {name: len(r) for name, r in self.gid_ranges.items()
                  if name in self._cell_positions}
        if self._compatibility.version == '0.1' and list(counts) == [
                'L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal']:
            n_x, n_y = self.mesh_shape
            return (f'<Network | {n_x} x {n_y} Pyramidal cells (L2, L5)\n'
                    f'{counts["L2_basket"]} L2 basket cells\n'
                    f'{counts["L5_basket"]} L5 basket cells>')
        lines = '\n'.join(f'{n} {name} cells' for name, n in counts.items())
        return f'<Network | {lines}>'


def _drives_equal(a, b):
    if a.keys() != b.keys():
        return False
    for name in a:
        da = {k: v for k, v in a[name].items() if k != 'events'}
        db = {k: v for k, v in b[name].items() if k != 'events'}
        if da != db:
            return False
    return True


def jones_2009_model(params=None, add_drives_from_params=False, legacy_mode=False,
                     mesh_shape=(10, 10)):
    """The Jones et al. 2009 network (deprecated name of neymotin_2020_model).

    See :func:`hnn_core.neymotin_2020_model`; this name warns, as in
    hnn-core 0.6.1.
    """
    from .network_models import neymotin_2020_model, _DEPRECATED_NAME
    warnings.warn(_DEPRECATED_NAME, DeprecationWarning, stacklevel=2)
    return neymotin_2020_model(params, add_drives_from_params, legacy_mode, mesh_shape)
