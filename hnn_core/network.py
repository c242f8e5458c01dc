"""The laminar network: cells on a grid, local connectivity and external drives.

:class:`Network` is a pure description (no NEURON objects): the parameter dict,
cell positions, the gid of every cell and drive cell, and the drives. The engine
builds NEURON objects from it for each trial.

Two constructors exist because two generations of hnn-core scripts are in use:
``Network(params)`` follows hnn-core 0.1 (the reference example: grid size from the
parameters, one drive cell per network cell, ``seedcore`` seeding, post-processed
dipoles by default) and :func:`jones_2009_model` follows hnn-core 0.6 (grid from
``mesh_shape``, drive cells only for the cell types a drive weights, ``event_seed``
seeding, raw dipoles by default). Both build the same cells and local connections.
"""

import copy
import os.path as op

import numpy as np

from .cells import CELL_TYPES, cell_templates
from .drives import (_check_common, _evoked_dynamics, _poisson_dynamics,
                     _bursty_dynamics, _spike_train_sources, _drive_cell_layout,
                     _weighted_types)
from .params import read_params, Params
from ._validate import _validate_type, _check_int

_LAYER_SEPARATION = 1307.4  # um, between the L5 and L2 pyramidal somata
_INPLANE_DISTANCE = 1.0  # grid spacing; distances and space constants scale together
DEFAULT_PARAMS = op.join(op.dirname(op.abspath(__file__)), 'param', 'default.json')


def _pyramidal_xy(n_x, n_y):
    """Grid positions, x the outer loop and y the inner loop."""
    return [(x, y) for x in range(n_x) for y in range(n_y)]


def _basket_xy(n_x, n_y):
    """Basket cells on every third column, alternating rows, sorted stably by y."""
    even = [(x, y) for x in range(0, n_x, 3) for y in range(0, n_y, 2)]
    odd = [(x, y) for x in range(1, n_x, 3) for y in range(1, n_y, 2)]
    return sorted(even + odd, key=lambda xy: xy[1])


class Network:
    """The Jones et al. 2009 network of L2/L5 pyramidal and basket cells.

    This is hnn-core 0.1's constructor, used by the reference example. For the
    current one, see :func:`jones_2009_model`.

    Parameters
    ----------
    params : dict | Params
        Model parameters (keys as in ``hnn_core/param/default.json``). The grid is
        ``params['N_pyr_x'] x params['N_pyr_y']`` pyramidal cells per layer.
    add_drives_from_params : bool
        Add the drives the parameter dict describes (evoked, rhythmic, Gaussian,
        Poisson inputs and tonic currents), in sorted name order.
    legacy_mode : bool
        If True (the default here, as in hnn-core 0.1), every cell-specific drive
        has one drive cell per network cell and drive cell k drives cell k; the
        drive cells facing cell types the drive does not weight stay silent. If
        False, drive cells exist only for the weighted cell types.
    mesh_shape : tuple of int | None
        ``(n_x, n_y)`` pyramidal grid; None reads it from the parameters.

    Attributes
    ----------
    params : dict
        The parameters. Cell, connection and run settings are read from here at
        simulation time, so edits before a run are honoured.
    gid_ranges : dict of str -> range
        Gids of each cell type, then of each drive in ``external_drives`` (in the
        order they were added). Read-only: it follows ``external_drives``, so
        removing a drive from there (or :meth:`clear_drives`) frees its gids.
    pos_dict : dict of str -> list of tuple
        Soma positions (x, y, z) of each cell type (grid units for x and y, um
        for z), and ``'origin'``, where every drive cell sits.
    external_drives : dict of str -> dict
        The drives, editable before a run (e.g. their ``'dynamics'``; they are
        checked again when the simulation starts). Deleting an entry removes the
        drive, as if it had never been added.
    cell_response : CellResponse | None
        Spikes of the last simulation.
    """

    def __init__(self, params, add_drives_from_params=False, legacy_mode=True,
                 mesh_shape=None, *, _generation='0.1'):
        _validate_type(params, dict, 'params', 'dict or Params')
        _validate_type(add_drives_from_params, bool, 'add_drives_from_params')
        _validate_type(legacy_mode, bool, 'legacy_mode')
        # a plain dict is used as given (hnn-core 0.6), a Params as read
        self.params = params if isinstance(params, Params) else Params._from_dict(params)
        self.legacy_mode = legacy_mode
        self._generation = _generation
        if mesh_shape is None:
            mesh_shape = (self._param('N_pyr_x'), self._param('N_pyr_y'))
        _validate_type(mesh_shape, (tuple, list), 'mesh_shape')
        if len(mesh_shape) != 2:
            raise ValueError(f'mesh_shape must be (n_x, n_y), got {mesh_shape!r}')
        self.mesh_shape = (_check_int('mesh_shape[0]', mesh_shape[0], minimum=1),
                           _check_int('mesh_shape[1]', mesh_shape[1], minimum=1))
        self._inplane_distance = _INPLANE_DISTANCE
        self._place_cells()
        self.external_drives = dict()
        self._drive_sizes = dict()  # drive name -> number of drive cells
        self.external_biases = dict()
        self.cell_response = None
        if add_drives_from_params:
            from .param_drives import add_drives_from_params as add_drives
            add_drives(self)

    # -- construction -------------------------------------------------------
    def _param(self, key):
        try:
            return self.params[key]
        except KeyError:
            raise ValueError(f'The parameter {key!r} is missing from params; it is '
                             f'defined in {DEFAULT_PARAMS}') from None

    def _place_cells(self):
        n_x, n_y = self.mesh_shape
        z = _LAYER_SEPARATION
        pyr = _pyramidal_xy(n_x, n_y)
        basket = _basket_xy(n_x, n_y)
        layout = {'L2_basket': (basket, 0.8 * z), 'L2_pyramidal': (pyr, z),
                  'L5_basket': (basket, 0.2 * z), 'L5_pyramidal': (pyr, 0.0)}
        self.pos_dict = {}
        self._cell_gid_ranges = {}
        positions, type_index = [], []
        for idx, cell_type in enumerate(CELL_TYPES):
            xy, depth = layout[cell_type]
            first = len(positions)
            self._cell_gid_ranges[cell_type] = range(first, first + len(xy))
            self.pos_dict[cell_type] = [(float(x), float(y), depth) for x, y in xy]
            positions.extend(self.pos_dict[cell_type])
            type_index.extend([idx] * len(xy))
        self._origin = (float((n_x - 1) // 2), float((n_y - 1) // 2),
                        float(np.floor(z / 2)))
        self.pos_dict['origin'] = self._origin
        self._positions = np.array(positions)
        self._cell_type_index = np.array(type_index)
        self._n_cells = len(positions)

    @property
    def n_cells(self):
        """Number of real (non-drive) cells."""
        return self._n_cells

    @property
    def cellname_list(self):
        return list(CELL_TYPES)

    @property
    def gid_ranges(self):
        ranges = dict(self._cell_gid_ranges)
        first = self._n_cells
        # the number of drive cells is fixed when a drive is added (later weight
        # edits do not change it); the gids follow the drives still present
        for name in self.external_drives:
            n_drive_cells = self._drive_sizes[name]
            ranges[name] = range(first, first + n_drive_cells)
            first += n_drive_cells
        return ranges

    @property
    def _n_gids(self):
        return self._n_cells + sum(self._drive_sizes[name]
                                   for name in self.external_drives)

    def _cell_templates(self):
        try:
            return cell_templates(self.params)
        except KeyError as err:
            raise ValueError(f'The parameter {err.args[0]!r} is missing from params; '
                             f'it is defined in {DEFAULT_PARAMS}') from None

    # -- drives -------------------------------------------------------------
    def _add_drive(self, name, drive_type, common, dynamics):
        drive = dict(type=drive_type, **common, dynamics=dynamics)
        n_drive_cells, _, _ = _drive_cell_layout(self, drive)
        self._drive_sizes[name] = n_drive_cells
        self.external_drives[name] = drive

    def clear_drives(self):
        """Remove every external drive (their gids are freed); biases stay."""
        self.external_drives.clear()
        self._drive_sizes.clear()

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
            ``'proximal'`` (basal and oblique dendrites) or ``'distal'`` (apical
            tuft) synapses of the pyramidal cells; basket cells are contacted at
            the soma.
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
        probability : float
            Fraction of (drive cell, target) pairs kept, in (0, 1].
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
            Seed of the random subset of connections kept when ``probability`` < 1.
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
            ``'proximal'`` or ``'distal'``.
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
        weighted = _weighted_types(common['weights_ampa'], common['weights_nmda'])
        dynamics = _poisson_dynamics(tstart, tstop, rate_constant, cell_specific,
                                     weighted)
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
            ``'proximal'`` or ``'distal'``.
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
        from ._validate import _check_option
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
            ``'proximal'`` or ``'distal'``.
        weights_ampa, weights_nmda, synaptic_delays, space_constant, probability
            As in :meth:`add_evoked_drive`.
        conn_seed : int | None
            Seed of the connection subset when ``probability`` < 1 (None: 3).
        """
        if isinstance(spike_data, str):
            from .cell_response import read_spikes
            response = read_spikes(spike_data)
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
    def copy(self):
        """A deep copy of the model (parameters, drives), without any results."""
        response, self.cell_response = self.cell_response, None
        try:
            net = copy.deepcopy(self)
        finally:
            self.cell_response = response
        return net

    def plot_cells(self, ax=None, show=True):
        """Plot the cells' positions in 3-D; see :func:`hnn_core.viz.plot_cells`."""
        from .viz import plot_cells
        return plot_cells(self, ax=ax, show=show)

    def __repr__(self):
        n_x, n_y = self.mesh_shape
        counts = {c: len(self.gid_ranges[c]) for c in CELL_TYPES}
        return (f'<Network | {n_x} x {n_y} Pyramidal cells (L2, L5)\n'
                f'{counts["L2_basket"]} L2 basket cells\n'
                f'{counts["L5_basket"]} L5 basket cells>')


def jones_2009_model(params=None, add_drives_from_params=False, legacy_mode=False,
                     mesh_shape=(10, 10)):
    """The Jones et al. 2009 network, as hnn-core 0.6 builds it.

    Parameters
    ----------
    params : str | dict | None
        A parameter file (.json or .param), a dict, or None for the packaged
        ``default.json``.
    add_drives_from_params : bool
        Add the drives the parameters describe, as HNN-GUI does: in sorted name
        order, seeded with the file's ``prng_seedcore`` plus the drive's first gid.
    legacy_mode : bool
        HNN-GUI's layout: every drive has a drive cell per network cell, cell
        types without a weight get weight-0 connections, and the parameter
        file's inactive drives are kept (they use gids but never fire before
        tstop). With ``add_drives_from_params`` this reproduces HNN's published
        results.
    mesh_shape : tuple of int
        ``(n_x, n_y)``, the pyramidal grid of each layer.

    Returns
    -------
    net : Network
    """
    if params is None:
        params = DEFAULT_PARAMS
    _validate_type(params, ('path-like', dict), 'params', 'a path, a dict or None')
    if not isinstance(params, dict):
        params = read_params(params)
    return Network(params, add_drives_from_params=add_drives_from_params,
                   legacy_mode=legacy_mode, mesh_shape=mesh_shape,
                   _generation='0.6')
