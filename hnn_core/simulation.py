"""simulate_dipole: run trials of a network and collect dipoles and spikes."""

from dataclasses import dataclass, replace

import numpy as np

from .backends import _current_backend, _default_backend
from .cell_response import CellResponse
from .dipole import simulated_dipole
from .simulation_plan import make_plan
from .params import required
from ._validate import _validate_type, _check_int, _check_option, _check_finite


def _resolve_postproc(net, postproc):
    """Default post-processing follows the network's compatibility policy.

    hnn-core 0.1 (``Network(params)``) smoothed and scaled dipoles unless told not
    to; hnn-core 0.6 (``neymotin_2020_model``) returns raw dipoles.
    """
    if postproc is None:
        return net.compatibility.postproc
    _validate_type(postproc, bool, 'postproc')
    return postproc


def _resolve_record(record_vsec, record_isec, record_ca, record_vsoma, record_isoma):
    for name, value in (('record_vsoma', record_vsoma), ('record_isoma', record_isoma)):
        _validate_type(value, bool, name)
    record = {}
    for name, value, legacy in (('vsec', record_vsec, record_vsoma),
                                ('isec', record_isec, record_isoma),
                                ('ca', record_ca, False)):
        if value is not False:
            _check_option(f'record_{name}', value, (False, 'soma', 'all'))
        record[name] = value if value else ('soma' if legacy else False)
    return record


def _resolve_engine(engine, descriptions=()):
    from .engine import available_engines, ENGINES
    available = available_engines(descriptions)
    if engine is None:
        return available[0]
    _check_option('engine', engine, ENGINES)
    if engine not in available:
        raise ValueError(f"engine={engine!r} is not available with this NEURON "
                         f"installation; available engines are {available}")
    return engine


def _recorded_traces(net, record):
    """Time series recorded per trial besides the dipoles (an upper estimate)."""
    n = 0
    for name, entry in net.cell_types.items():
        sections = entry['cell_object'].sections.values()
        n_cells = len(net.gid_ranges.get(name, ()))
        n_syns = max((len(sec.syns) for sec in sections), default=0)
        for kind in ('vsec', 'isec', 'ca'):
            if record.get(kind):
                per_cell = 1 if record[kind] == 'soma' else len(sections)
                n += n_cells * per_cell * (n_syns if kind == 'isec' else 1)
    return n


def _check_run_memory(net, tstop, dt, n_trials, record):
    """Refuse a run whose recorded time series cannot fit in memory.

    Each measured cell keeps a dipole row for the whole trial while it runs;
    every trial's dipoles (and the recordings asked for) are kept to the end.
    """
    from .simulation_plan import available_memory
    n_steps = tstop / dt + 2
    n_measured = sum(len(net.gid_ranges.get(name, ())) for name, entry in
                     net.cell_types.items()
                     if entry['cell_metadata'].get('measure_dipole', False))
    per_trial = len(net.cell_types) + 2 + _recorded_traces(net, record)
    # the trial results and the Dipole objects made of them: two copies
    needed = 8. * n_steps * (n_measured + 2 * n_trials * per_trial) + 1e4 * n_trials
    available = available_memory()
    if not needed <= available:
        raise ValueError(
            f'tstop / dt = {n_steps - 2:.3g} time steps (tstop={tstop} ms, dt={dt} ms) '
            f'in n_trials={n_trials} trial(s) would need about {needed / 1e9:.3g} GB '
            f'to record, more than the {available / 1e9:.3g} GB available; lower '
            'tstop or n_trials, raise dt, or record less')


def simulate_dipole(net, tstop=None, dt=None, n_trials=None, record_vsec=False,
                    record_isec=False, record_ca=False, postproc=None, verbose=True,
                    record_vsoma=False, record_isoma=False, engine=None, progress=None):
    """Simulate the network's dipole for one or more trials.

    Trials differ only in the spike times of the drives (each trial has its own
    seeds). They run on the active backend (see :class:`JoblibBackend` and
    :class:`MPIBackend`). Without one, trials large enough to gain from it
    (e.g. of the default 10x10 network) use every usable core: a single trial
    has its cells spread over the cores as MPI ranks, several trials run side
    by side in joblib's worker processes, with the same results as in one
    process. Small trials, and runs inside a worker process (joblib,
    multiprocessing, dask, MPI) or a thread other than the main one, run one
    after another in this process. The environment variable
    ``HNN_CORE_CORES`` sets the most cores a trial uses by default (1: always in
    this process).

    Parameters
    ----------
    net : Network
        The network, with its drives.
    tstop : float | None
        Simulated time (ms); None uses ``net.params['tstop']``.
    dt : float | None
        Time step (ms); None uses ``net.params['dt']``.
    n_trials : int | None
        Number of trials; None uses ``net.params['N_trials']``.
    record_vsec : False | 'soma' | 'all'
        Record the membrane potential (mV) at the middle of the soma or of every
        section of every cell, into ``net.cell_response.vsec``.
    record_isec : False | 'soma' | 'all'
        Record the synaptic currents (nA) of the soma or of every section, into
        ``net.cell_response.isec``.
    record_ca : False | 'soma' | 'all'
        Record the intracellular calcium concentration (mM) of the L5 pyramidal
        cells, into ``net.cell_response.ca``.
    postproc : bool | None
        Smooth each dipole with a Hamming window of ``params['dipole_smooth_win']``
        ms and scale it by ``params['dipole_scalefctr']``. None (the default)
        follows the network's constructor: True for ``Network(params)`` (as in
        hnn-core 0.1), False for :func:`jones_2009_model` (as in hnn-core 0.6).
    verbose : bool
        Print the progress of each trial.
    record_vsoma, record_isoma : bool
        hnn-core 0.1's names for ``record_vsec='soma'`` and ``record_isec='soma'``.
    engine : None | 'coreneuron' | 'neuron'
        The simulator. ``'coreneuron'`` (the default where NEURON provides it)
        runs NEURON's CoreNEURON compiled for this CPU, several times faster;
        ``'neuron'`` runs NEURON itself. Both give the same dipoles and spikes
        (to about 1e-12 relative).
    progress : callable | None
        Called with a :class:`~hnn_core.progress.ProgressEvent` at each step of
        the run (model built, trial started, simulated time every 10 ms, trial
        done) instead of printing them; trials running in joblib's worker
        processes report when they are done. None prints the steps if
        ``verbose``.

    Returns
    -------
    dpls : list of Dipole
        One dipole per trial (nAm), after the baseline renormalisation of the
        model. Spikes of all trials go to ``net.cell_response``, replacing
        earlier results.
    """
    run = _prepare_run(net, tstop, dt, n_trials, record_vsec, record_isec, record_ca,
                       postproc, verbose, record_vsoma, record_isoma, engine, progress)
    backend = _current_backend() or _default_backend(run.plan, verbose, progress)
    results = backend.simulate(run.plan, verbose=verbose, progress=progress)
    return _finish_run(net, run, results)


def _simulate_many(nets, *, verbose=False, **run_kwargs):
    """Simulate several networks; yield ``(index, dipoles)`` as each is done.

    The runs share the active backend (every core when none is active: see
    ``backends._default_many_backend``): with joblib, the trials of all the
    networks are spread over its jobs together. Each network is checked and
    planned only when its turn comes, so an error names the network it is in
    and the ones yielded before it are kept. Each network gets its results
    (``cell_response``, electrode arrays) as :func:`simulate_dipole` gives
    them. ``run_kwargs`` are :func:`simulate_dipole`'s arguments.

    Parameters
    ----------
    nets : sequence of Network
        The networks (a list: each is read again when its results come).
    verbose : bool
        Print the progress of each trial (in worker processes, where their
        output goes).
    """
    from .backends import _default_many_backend
    backend = _current_backend() or _default_many_backend()
    runs = {}

    def plans():
        for idx, net in enumerate(nets):
            runs[idx] = _prepare_run(net, verbose=verbose, **run_kwargs)
            yield runs[idx].plan

    for idx, results in backend.simulate_plans(plans(), verbose=verbose):
        yield idx, _finish_run(nets[idx], runs.pop(idx), results)


@dataclass
class _Run:
    """What a run needs besides the network: its plan and how to finish it."""

    plan: object
    events: dict
    post: tuple = None  # (smoothing window in ms, scale factor) or None


def _prepare_run(net, tstop=None, dt=None, n_trials=None, record_vsec=False,
                 record_isec=False, record_ca=False, postproc=None, verbose=True,
                 record_vsoma=False, record_isoma=False, engine=None, progress=None):
    """Check the arguments of a run of ``net`` and make its plan (nothing runs)."""
    from .network import Network
    _validate_type(net, Network, 'net')
    tstop = required(net.params, 'tstop') if tstop is None else tstop
    # as in hnn-core 0.6.1, a network without these parameters (e.g. one read
    # from a configuration file) runs with dt 0.025 ms and one trial
    dt = net.params.get('dt', 0.025) if dt is None else dt
    n_trials = net.params.get('N_trials', 1) if n_trials is None else n_trials
    tstop = _check_finite('tstop', tstop, minimum=0, strict=True)
    dt = _check_finite('dt', dt)
    if not 0 < dt <= tstop:
        raise ValueError(f'dt must be > 0 ms and at most tstop ({tstop} ms), got {dt}')
    n_trials = _check_int('n_trials', n_trials, minimum=1)
    postproc = _resolve_postproc(net, postproc)
    _validate_type(verbose, bool, 'verbose')
    _validate_type(progress, ('callable', None), 'progress', 'a function or None')
    record = _resolve_record(record_vsec, record_isec, record_ca, record_vsoma,
                             record_isoma)

    _check_run_memory(net, float(tstop), float(dt), n_trials, record)
    plan, events = make_plan(net, tstop=float(tstop), dt=float(dt),
                             n_trials=n_trials, record=record)
    # which engines can run it depends on the mechanisms described in Python
    plan = replace(plan, engine=_resolve_engine(engine, plan.descriptions))
    post = None
    if postproc:  # read before the run, so a missing value fails early
        post = (required(net.params, 'dipole_smooth_win'),
                required(net.params, 'dipole_scalefctr'))
    return _Run(plan, events, post)


def _finish_run(net, run, results):
    """Turn the engine's results of ``run`` into dipoles; store the rest in ``net``."""
    plan = run.plan
    groups = _dipole_groups(net, plan)
    n_per_layer = net.mesh_shape[0] * net.mesh_shape[1]
    trial_layers = []
    for result in results:
        layers = {}
        for key, cell_types in groups.items():
            series = result.dipole[cell_types[0]]
            for cell_type in cell_types[1:]:
                series = series + result.dipole[cell_type]
            layers[key] = series
        trial_layers.append(layers)
    _check_finite_dipoles(results, trial_layers)
    dpls = [simulated_dipole(result.times, layers, n_per_layer, run.post)
            for result, layers in zip(results, trial_layers)]
    net.cell_response = _cell_response(plan, results)
    _store_extracellular(net, plan, results)
    for name, times in run.events.items():
        net.external_drives[name]['events'] = [[t.tolist() for t in trial]
                                               for trial in times]
    return dpls



def _check_finite_dipoles(results, trial_layers):
    """A dipole with NaN or inf is an error that says where it went wrong."""
    bad = []
    for trial_idx, (result, layers) in enumerate(zip(results, trial_layers)):
        times = np.asarray(result.times)
        for key, series in layers.items():
            wrong = ~np.isfinite(np.asarray(series, float))
            if wrong.any():
                first = int(np.flatnonzero(wrong)[0])
                bad.append(f'layer {key!r}, trial {trial_idx}, {int(wrong.sum())} of '
                           f'{len(wrong)} samples from t = {float(times[first])} ms')
    if bad:
        shown = '; '.join(bad[:5]) + ('; ...' if len(bad) > 5 else '')
        raise ValueError(
            f'The simulated dipole is not finite: {shown}. The voltages overflowed: '
            'check the values of the cells (mechanisms, geometry), the connection '
            'weights and the tonic bias amplitudes')


def _dipole_groups(net, plan):
    """Dipole column -> the measured cell types summed into it.

    A cell type's column is named by its layer (metadata ``'layer'`` '2' gives
    ``'L2'``), so the model's L2 and L5 pyramidal cells give ``'L2'`` and
    ``'L5'``; a measured type without a layer gets a column of its own name.
    """
    groups = {}
    for cell_type in plan.dipole_types:
        layer = net.cell_types[cell_type]['cell_metadata'].get('layer')
        if layer is None:
            key = cell_type
        else:
            key = str(layer) if str(layer).startswith('L') else f'L{layer}'
        groups.setdefault(key, []).append(cell_type)
    return groups


def _cell_response(plan, results):
    names = np.empty(max(stop for _, _, stop in plan.gid_names), dtype=object)
    for name, start, stop in plan.gid_names:
        names[start:stop] = name
    spike_times, spike_gids, spike_types = [], [], []
    for result in results:
        times, gids = result.spike_times, result.spike_gids
        order = np.lexsort((gids, times))
        spike_times.append(times[order].tolist())
        spike_gids.append(gids[order].tolist())
        spike_types.append(names[gids[order]].tolist())
    response = CellResponse(spike_times=spike_times, spike_gids=spike_gids,
                            spike_types=spike_types, times=results[0].times,
                            cell_type_names=list(plan.cell_types))
    for kind in ('vsec', 'isec', 'ca'):
        setattr(response, kind, [getattr(result, kind) for result in results])
    return response


def _store_extracellular(net, plan, results):
    """Put each electrode array's potentials (trials x contacts x times) in place."""
    for name in plan.electrode_arrays:
        array = net.rec_arrays[name]
        array._reset()
        array._set_data(results[0].times,
                        np.stack([result.extracellular[name] for result in results]))
