"""Simulate one network over a grid of parameter values (hnn-core 0.6.1's API).

:class:`BatchSimulate` makes one network per point of the grid (a copy of the
base network changed by the user's ``set_params``) and simulates them all with
the trials of every point sharing the jobs, so that no core waits for the end
of a point or of a batch. Each finished batch of points can be saved to a file
of its own as soon as it is complete; a sweep that stopped half way resumes
from those files.
"""

import contextlib
import os
import os.path as op
import re
import time
from itertools import product

import numpy as np

from ._fileio import _atomic_write, _check_writable_folder
from ._progress import _format_elapsed
from ._validate import _validate_type, _check_option, _check_int, _check_finite

# what a batch file may hold besides 'param_values' and 'metadata', in the
# order hnn-core 0.6.1 writes them
SAVED_KINDS = ('dpl', 'spiking', 'lfp', 'voltages', 'currents', 'calcium')
_BACKENDS = ('loky', 'multiprocessing', 'dask')
_FILE_NAME = re.compile(r'^sim_run_(\d+)-(\d+)\.npz$')


def _batch_file_name(start_idx, end_idx):
    """hnn-core 0.6.1's name: first point's index, then one past the last one."""
    return f'sim_run_{start_idx}-{end_idx}.npz'


def _points_label(start_idx, end_idx):
    if end_idx - start_idx == 1:
        return f'point {start_idx}'
    return f'points {start_idx}-{end_idx - 1}'


def _object_array(items):
    """A 1-d object array of ``items``, each kept whole.

    ``np.array`` would look inside nested lists (e.g. a point's list of trial
    dipoles) and make a 2-d array, or fail on ragged ones.
    """
    out = np.empty(len(items), dtype=object)
    for idx, item in enumerate(items):
        out[idx] = item
    return out


def _same_value(a, b):
    """Whether two parameter values are equal (numpy scalars and arrays too)."""
    try:
        return bool(np.all(np.asarray(a == b))) and np.shape(a) == np.shape(b)
    except Exception:  # values that cannot be compared are not the same
        return False


def _same_points(saved, wanted):
    if len(saved) != len(wanted):
        return False
    for a, b in zip(saved, wanted):
        if not isinstance(a, dict) or set(a) != set(b):
            return False
        if not all(_same_value(a[key], b[key]) for key in b):
            return False
    return True


def _check_n_jobs(n_jobs):
    _validate_type(n_jobs, 'int', 'n_jobs')
    if n_jobs < 1 and n_jobs != -1:
        raise ValueError('n_jobs must be an integer >= 1, or -1 for every core, '
                         f'got {n_jobs}')
    return int(n_jobs)


def _check_backend(backend):
    if backend == 'threading':
        # one process has one NEURON: simulations cannot run side by side in it
        raise ValueError("backend='threading' cannot run simulations in parallel "
                         "(NEURON runs one model per process). Allowed values are "
                         f"{', '.join(map(repr, _BACKENDS))}.")
    return _check_option('backend', backend, _BACKENDS)


@contextlib.contextmanager
def _parallel_context(n_jobs, backend, dask_client):
    """Make the trials run on ``n_jobs`` jobs of joblib's ``backend``.

    A backend the user made active (``with JoblibBackend(...)`` or
    ``MPIBackend``) is kept as it is.
    """
    from .backends import _current_backend, JoblibBackend
    if _current_backend() is not None:
        yield
        return
    config = contextlib.nullcontext()
    if backend != 'loky':  # loky is joblib's own default; leave any user's choice
        from joblib import parallel_config
        kwargs = {} if dask_client is None else {'client': dask_client}
        config = parallel_config(backend=backend, **kwargs)
    with config:
        # made inside the joblib configuration: -1 counts that backend's workers
        with JoblibBackend(n_jobs=n_jobs, _verbose=False):
            yield


def _plain(param_values):
    """The values with numpy scalars as Python ones, for messages."""
    return {key: value.item() if isinstance(value, np.generic) else value
            for key, value in param_values.items()}


def _describe(param_values):
    return ', '.join(f'{key}={value:.6g}' if isinstance(value, float) else
                     f'{key}={value!r}' for key, value in _plain(param_values).items())


def _point_error(err, idx, param_values):
    """``err`` again, now saying which point of the grid raised it."""
    message = (f'set_params failed at point {idx} of the grid, '
               f'param_values={_plain(param_values)!r}: {err}')
    try:
        new = type(err)(message)
    except Exception:  # an exception class that needs other arguments
        new = RuntimeError(message)
    return new


class _LazyNetworks:
    """The networks of some points of a grid, each made only when it is reached.

    Iterating makes each point's network (a copy of the base network given to
    ``set_params``); indexing gives one already made, until :meth:`pop` lets it
    go. So only the networks in flight are in memory, whatever the grid's size.
    """

    def __init__(self, batch, points, indices, defer_errors=False):
        self._batch = batch
        self._points = points
        self._indices = indices
        self._made = {}
        self._defer_errors = defer_errors
        self.error = None  # the error that ended the iteration, if deferred

    def __len__(self):
        return len(self._indices)

    def __iter__(self):
        for pos, idx in enumerate(self._indices):
            try:
                self._made[pos] = self._batch._make_network(idx, self._points[idx])
            except Exception as err:
                if not self._defer_errors:
                    raise
                # the points before this one still run to the end (and are
                # saved); the caller raises the error after them
                self.error = err
                return
            yield self._made[pos]

    def __getitem__(self, pos):
        return self._made[pos]

    def pop(self, pos):
        return self._made.pop(pos)


class BatchSimulate:
    """Simulate a network for every point of a grid of parameter values.

    Parameters
    ----------
    set_params : callable | None
        ``set_params(param_values, net)`` changes ``net`` (a copy of the base
        network, a :class:`~hnn_core.Network`) in place for one point of the
        grid; ``param_values`` is a dict of parameter name -> value. It may
        add drives, change weights, etc. None leaves every copy as it is.
        It runs in this process (not in the worker processes) when the
        point's turn comes, possibly in a thread of joblib's while other
        points are simulated.
    net : Network | None
        The base network. None (the default) uses
        :func:`~hnn_core.neymotin_2020_model` ``()``.
    tstop : float
        Simulated time of each trial (ms). Default 170.
    dt : float
        Integration time step (ms). Default 0.025.
    n_trials : int
        Trials per point. Default 1.
    save_folder : str | os.PathLike
        Where the batch files go (created if needed). Default
        ``'./sim_results'``.
    batch_size : int
        Largest number of points in one batch: the points are processed, summarised
        (``summary_func``) and saved one batch at a time. Default 100.
    overwrite : bool
        True (the default) replaces existing batch files. False keeps them:
        a batch whose file already holds the same points (and ``tstop``,
        ``dt``, ``n_trials``, and the data asked for) is read back instead
        of simulated again, so an interrupted sweep resumes where it stopped;
        a file holding anything else raises ``FileExistsError``.
    save_outputs : bool
        Save each batch to a file. Default False.
    save_dpl : bool
        Keep (and save) the dipoles of each point. Default True.
    save_spiking : bool
        Keep (and save) the spikes: a dict of ``'spike_times'``,
        ``'spike_types'`` and ``'spike_gids'`` per point. Default False.
    save_lfp : bool
        Keep (and save) the network's electrode arrays (``net.rec_arrays``).
        Default False.
    save_voltages : bool
        Keep (and save) ``net.cell_response.vsec`` (needs ``record_vsec``).
        Default False.
    save_currents : bool
        Keep (and save) ``net.cell_response.isec`` (needs ``record_isec``).
        Default False.
    save_calcium : bool
        Record the calcium concentration (mM) of the sections chosen by
        ``record_vsec`` (the soma if it is False) and keep (and save)
        ``net.cell_response.ca``. Default False.
    record_vsec : False | 'soma' | 'all'
        Record the membrane potential of the soma or of every section.
    record_isec : False | 'soma' | 'all'
        Record the synaptic currents of the soma or of every section.
    postproc : bool
        Smooth and scale each dipole with the network's ``dipole_smooth_win``
        and ``dipole_scalefctr`` parameters. Default False.
    clear_cache : bool
        Keep no simulated data once a batch is summarised and saved (then
        :meth:`run` returns only the summary statistics). Default False.
    summary_func : callable | None
        ``summary_func(batch_results)`` is called with each batch's list of
        results (see :meth:`run`); what it returns is collected, one entry per
        batch, in ``'summary_statistics'``.

    Notes
    -----
    With ``save_outputs=True`` each batch is written, once all its points are
    done, to ``sim_run_{start_idx}-{end_idx}.npz`` in ``save_folder``, where
    ``start_idx`` is the index of its first point and ``end_idx`` one past its
    last one (the names and the format of hnn-core 0.6.1). A file is written
    under a temporary name and then renamed, so an interrupted run leaves only
    complete files.

    An error raised by ``set_params`` stops the sweep and says at which point of
    the grid (and with which values) it happened; with ``save_outputs=True``
    the points before it are simulated and their batches saved first.
    """

    def __init__(self, set_params, net=None, tstop=170, dt=0.025, n_trials=1,
                 save_folder='./sim_results', batch_size=100, overwrite=True,
                 save_outputs=False, save_dpl=True, save_spiking=False,
                 save_lfp=False, save_voltages=False, save_currents=False,
                 save_calcium=False, record_vsec=False, record_isec=False,
                 postproc=False, clear_cache=False, summary_func=None):
        from .network import Network
        _validate_type(set_params, ('callable', None), 'set_params',
                       'a function or None')
        if net is None:
            from .network_models import neymotin_2020_model
            net = neymotin_2020_model()
        _validate_type(net, Network, 'net', 'Network')
        tstop = _check_finite('tstop', tstop, minimum=0, strict=True)
        dt = _check_finite('dt', dt, minimum=0, strict=True)
        if dt > tstop:
            raise ValueError(f'dt must be at most tstop ({tstop} ms), got {dt}')
        n_trials = _check_int('n_trials', n_trials, minimum=1)
        _validate_type(save_folder, 'path-like', 'save_folder')
        batch_size = _check_int('batch_size', batch_size, minimum=1)
        for name, value in (('overwrite', overwrite), ('save_outputs', save_outputs),
                            ('save_dpl', save_dpl), ('save_spiking', save_spiking),
                            ('save_lfp', save_lfp), ('save_voltages', save_voltages),
                            ('save_currents', save_currents),
                            ('save_calcium', save_calcium), ('postproc', postproc),
                            ('clear_cache', clear_cache)):
            _validate_type(value, bool, name)
        for name, value in (('record_vsec', record_vsec), ('record_isec', record_isec)):
            if value is not False:
                _check_option(name, value, (False, 'soma', 'all'))
        _validate_type(summary_func, ('callable', None), 'summary_func',
                       'a function or None')

        self.set_params = set_params
        self.net = net
        self.tstop = tstop
        self.dt = dt
        self.n_trials = n_trials
        self.save_folder = save_folder
        self.batch_size = batch_size
        self.overwrite = overwrite
        self.save_outputs = save_outputs
        self.save_dpl = save_dpl
        self.save_spiking = save_spiking
        self.save_lfp = save_lfp
        self.save_voltages = save_voltages
        self.save_currents = save_currents
        self.save_calcium = save_calcium
        self.record_vsec = record_vsec
        self.record_isec = record_isec
        self.postproc = postproc
        self.clear_cache = clear_cache
        self.summary_func = summary_func
        self._verbose = True

    def __repr__(self):
        return (f'<BatchSimulate | tstop={self.tstop} ms, dt={self.dt} ms, '
                f'n_trials={self.n_trials}, batch_size={self.batch_size}>')

    # -- running -----------------------------------------------------------------
    def run(self, param_grid, return_output=True, combinations=True, n_jobs=-1,
            backend='loky', verbose=True, dask_client=None):
        """Simulate every point of ``param_grid``.

        The trials of all the points share the jobs. A batch (``batch_size``
        points) is summarised and saved as soon as its last point is done.

        Parameters
        ----------
        param_grid : dict
            Parameter name -> the values it takes (a list, tuple, range or
            1-d array).
        return_output : bool
            Return the results (else None). Default True.
        combinations : bool
            True (the default): a point for every combination of the values
            (the Cartesian product, the last parameter changing fastest).
            False: the i-th point takes the i-th value of each parameter (all
            must have as many values).
        n_jobs : int
            Number of trials simulated at once (one core each); -1 (the
            default) for every core (or every worker of the ``'dask'``
            backend). Ignored when a backend is already active (``with
            JoblibBackend(...)``, ``MPIBackend``). hnn-core 0.6.1's default was
            1; the results do not depend on it.
        backend : 'loky' | 'multiprocessing' | 'dask'
            joblib's backend for the jobs. ``'loky'`` (the default) is joblib's
            own default (a ``joblib.parallel_config`` the user made active is
            kept); ``'dask'`` needs a running ``dask.distributed`` client.
        verbose : bool
            Print a line for each point done and each batch saved or read back.
            Default True.
        dask_client : distributed.Client | None
            The client of the ``'dask'`` backend; None uses the current one.

        Returns
        -------
        results : dict | None
            ``'summary_statistics'``: what ``summary_func`` returned for each
            batch (an empty list without it). ``'simulated_data'`` (unless
            ``clear_cache``): a list per batch of a dict per point, with
            ``'param_values'``, ``'net'`` (the simulated network, whose
            ``cell_response`` holds its spikes), ``'dpl'`` (list of
            :class:`~hnn_core.Dipole`, one per trial), and ``'spiking'``,
            ``'lfp'``, ``'voltages'``, ``'currents'``, ``'calcium'`` if
            asked for. Points read back from files have no ``'net'``.
        """
        _validate_type(param_grid, dict, 'param_grid')
        _validate_type(return_output, bool, 'return_output')
        _validate_type(combinations, bool, 'combinations')
        n_jobs = _check_n_jobs(n_jobs)
        backend = _check_backend(backend)
        _validate_type(verbose, bool, 'verbose')
        if dask_client is not None and backend != 'dask':
            raise ValueError(f"dask_client is used only with backend='dask', got "
                             f"backend={backend!r}")
        self._verbose = verbose

        points = self._generate_param_combinations(param_grid, combinations)
        n_points = len(points)
        batch_size = min(self.batch_size, n_points)
        batches = [(start, min(start + batch_size, n_points))
                   for start in range(0, n_points, batch_size)]
        saved = {}
        if self.save_outputs:
            _check_writable_folder(self.save_folder, 'save_folder')
            if not self.overwrite:
                for start, end in batches:
                    fname = op.join(self.save_folder, _batch_file_name(start, end))
                    if op.exists(fname):
                        self._check_resumable(fname, points[start:end])
                        saved[start] = fname
        todo = [idx for start, end in batches if start not in saved
                for idx in range(start, end)]
        want_data = return_output and not self.clear_cache
        keep_results = want_data or self.summary_func is not None

        summaries, simulated_data = [], []
        clock = time.monotonic()
        with _parallel_context(n_jobs, backend, dask_client):
            results = self._simulate_points(points, todo, clock)
            try:
                for start, end in batches:
                    if start in saved:
                        batch_results = None
                        if keep_results:
                            batch_results = self._results_from_file(saved[start])
                        self._say(f'{_points_label(start, end)} read back from '
                                  f'{saved[start]}', clock)
                    else:
                        batch_results = [next(results) for _ in range(start, end)]
                        if self.save_outputs:
                            fname = self._save(batch_results, start, end)
                            self._say(f'{_points_label(start, end)} saved to '
                                      f'{fname}', clock)
                    if self.summary_func is not None:
                        summaries.append(self.summary_func(batch_results))
                    if want_data:
                        simulated_data.append(batch_results)
                    del batch_results
            finally:
                # stops the jobs still running if this ends early
                results.close()
        if not return_output:
            return None
        if self.clear_cache:
            return {'summary_statistics': summaries}
        return {'summary_statistics': summaries, 'simulated_data': simulated_data}

    def simulate_batch(self, param_combinations, n_jobs=-1, backend='loky'):
        """Simulate a list of points (nothing is saved or summarised).

        Parameters
        ----------
        param_combinations : list of dict
            The points: each a dict of parameter name -> value, given to
            ``set_params``.
        n_jobs : int
            Number of trials simulated at once; -1 (the default) for every
            core.
        backend : 'loky' | 'multiprocessing' | 'dask'
            joblib's backend for the jobs.

        Returns
        -------
        results : list of dict
            One dict per point, as in :meth:`run`'s ``'simulated_data'``.
        """
        _validate_type(param_combinations, list, 'param_combinations')
        for idx, point in enumerate(param_combinations):
            _validate_type(point, dict, f'param_combinations[{idx}]')
        n_jobs = _check_n_jobs(n_jobs)
        backend = _check_backend(backend)
        todo = list(range(len(param_combinations)))
        with _parallel_context(n_jobs, backend, None):
            results = self._simulate_points(param_combinations, todo,
                                            time.monotonic())
            try:
                return list(results)
            finally:
                results.close()

    def _simulate_points(self, points, todo, clock):
        """Yield the results of ``points[idx]`` for each idx of ``todo``, in order."""
        # looked up at call time, so that a wrapper of the module's function
        # (e.g. the gallery's smoke test) applies here too
        from . import simulation
        networks = _LazyNetworks(self, points, todo, defer_errors=self.save_outputs)
        record_ca = False
        if self.save_calcium:
            record_ca = self.record_vsec or 'soma'
        runs = simulation._simulate_many(
            networks, verbose=False, tstop=self.tstop, dt=self.dt,
            n_trials=self.n_trials, record_vsec=self.record_vsec,
            record_isec=self.record_isec, record_ca=record_ca,
            postproc=self.postproc)
        try:
            for n_done, (pos, dpls) in enumerate(runs, start=1):
                idx = todo[pos]
                net = networks.pop(pos)
                self._say(f'point {idx} done ({n_done}/{len(todo)}): '
                          f'{_describe(points[idx])}', clock)
                yield self._collect(net, points[idx], dpls)
        finally:
            runs.close()
        if networks.error is not None:
            raise networks.error

    def _make_network(self, idx, param_values):
        net = self.net.copy()
        if self.set_params is not None:
            try:
                self.set_params(param_values, net)
            except Exception as err:
                raise _point_error(err, idx, param_values) from err
        return net

    def _collect(self, net, param_values, dpls):
        result = {'net': net, 'param_values': param_values}
        response = net.cell_response
        if self.save_dpl:
            result['dpl'] = dpls
        if self.save_spiking:
            result['spiking'] = {'spike_times': response.spike_times,
                                 'spike_types': response.spike_types,
                                 'spike_gids': response.spike_gids}
        if self.save_lfp:
            result['lfp'] = net.rec_arrays
        if self.save_voltages:
            result['voltages'] = response.vsec
        if self.save_currents:
            result['currents'] = response.isec
        if self.save_calcium:
            result['calcium'] = response.ca
        return result

    def _say(self, text, clock):
        if self._verbose:
            print(f'BatchSimulate [{_format_elapsed(time.monotonic() - clock)}] '
                  f'{text}', flush=True)

    # -- the parameter grid ------------------------------------------------------
    def _generate_param_combinations(self, param_grid, combinations=True):
        """The points of the grid: a list of dicts of parameter name -> value."""
        _validate_type(param_grid, dict, 'param_grid')
        if not param_grid:
            raise ValueError('param_grid must name at least one parameter, got {}')
        values = []
        for key, grid_values in param_grid.items():
            if isinstance(grid_values, np.ndarray) and grid_values.ndim == 1:
                grid_values = list(grid_values)
            _validate_type(grid_values, (list, tuple, range), f'param_grid[{key!r}]',
                           'list, tuple, range or 1-d array')
            if len(grid_values) == 0:
                raise ValueError(f'param_grid[{key!r}] must hold at least one value')
            values.append(list(grid_values))
        keys = list(param_grid)
        if combinations:
            return [dict(zip(keys, combo)) for combo in product(*values)]
        lengths = {key: len(v) for key, v in zip(keys, values)}
        if len(set(lengths.values())) > 1:
            raise ValueError('With combinations=False every parameter of param_grid '
                             f'must have as many values; got {lengths}')
        return [dict(zip(keys, combo)) for combo in zip(*values)]

    # -- files -------------------------------------------------------------------
    def _wanted_kinds(self):
        return [kind for kind in SAVED_KINDS if getattr(self, f'save_{kind}')]

    def _metadata(self):
        return {'batch_size': self.batch_size, 'n_trials': self.n_trials,
                'tstop': self.tstop, 'dt': self.dt}

    def _save(self, results, start_idx, end_idx):
        """Write one batch's results; return the file's name."""
        _validate_type(results, list, 'results')
        start_idx = _check_int('start_idx', start_idx, minimum=0)
        end_idx = _check_int('end_idx', end_idx, minimum=start_idx + 1)
        os.makedirs(self.save_folder, exist_ok=True)
        fname = op.join(self.save_folder, _batch_file_name(start_idx, end_idx))
        if op.exists(fname) and not self.overwrite:
            raise FileExistsError(f'{fname} already exists and overwrite is False')
        data = {'param_values': _object_array([r['param_values'] for r in results])}
        for kind in self._wanted_kinds():
            if kind in results[0]:
                data[kind] = _object_array([r[kind] for r in results])
        data['metadata'] = np.array(self._metadata(), dtype=object)
        with _atomic_write(fname, 'wb') as fid:
            np.savez(fid, **data)
        return fname

    def _check_resumable(self, fname, points):
        """Raise FileExistsError unless ``fname`` holds these points as asked now."""
        try:
            saved = self.load_results(fname, return_data=['metadata'])
        except Exception as err:
            raise FileExistsError(f'{fname} exists but cannot be read ({err}); '
                                  'remove it, or pass overwrite=True') from err
        with np.load(fname, allow_pickle=True) as data:
            kinds = set(data.files)
        metadata = saved.get('metadata', {})
        reasons = []
        for key in ('tstop', 'dt', 'n_trials'):
            if metadata.get(key) != getattr(self, key):
                reasons.append(f'{key}={metadata.get(key)!r}, not '
                               f'{getattr(self, key)!r}')
        if not _same_points(saved.get('param_values', []), points):
            reasons.append('other parameter values')
        missing = [kind for kind in self._wanted_kinds() if kind not in kinds]
        if missing:
            reasons.append(f'no {", ".join(missing)}')
        if reasons:
            raise FileExistsError(
                f'{fname} already exists and holds other results '
                f'({"; ".join(reasons)}): pass overwrite=True to replace it, or '
                'choose another save_folder')

    def _results_from_file(self, fname):
        """A batch's results as :meth:`run` gives them, read back from its file."""
        loaded = self.load_results(fname)
        kinds = [kind for kind in self._wanted_kinds() if kind in loaded]
        return [dict({'param_values': param_values},
                     **{kind: loaded[kind][idx] for kind in kinds})
                for idx, param_values in enumerate(loaded['param_values'])]

    def load_results(self, file_path, return_data=None):
        """Read a batch file.

        Parameters
        ----------
        file_path : str | os.PathLike
            The file (``sim_run_{start_idx}-{end_idx}.npz``).
        return_data : list of str | None
            What to read besides ``'param_values'``: any of ``'dpl'``,
            ``'spiking'``, ``'lfp'``, ``'voltages'``, ``'currents'``,
            ``'calcium'``, ``'metadata'``. None: the kinds this object saves
            (its ``save_*`` arguments).

        Returns
        -------
        results : dict
            ``'param_values'`` (a dict per point) and each kind asked for that
            the file holds (a list with one entry per point; ``'metadata'`` is
            a dict of ``batch_size``, ``n_trials``, ``tstop`` and ``dt``).
        """
        _validate_type(file_path, 'path-like', 'file_path')
        if return_data is None:
            return_data = self._wanted_kinds()
        _validate_type(return_data, (list, tuple), 'return_data')
        for kind in return_data:
            _check_option('return_data', kind, SAVED_KINDS + ('metadata',))
        with np.load(file_path, allow_pickle=True) as data:
            return {key: data[key].tolist() for key in data.files
                    if key == 'param_values' or key in return_data}

    def load_all_results(self):
        """Read every batch file in ``save_folder``, in the order of their points.

        Returns
        -------
        all_results : list of dict
            What :meth:`load_results` gives for each file.
        """
        found = []
        for fname in os.listdir(self.save_folder):
            match = _FILE_NAME.match(fname)
            if match:
                found.append((int(match.group(1)), int(match.group(2)), fname))
        return [self.load_results(op.join(self.save_folder, fname))
                for _, _, fname in sorted(found)]
