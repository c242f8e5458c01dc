"""Run one trial in NEURON or CoreNEURON and reduce it to plain numpy arrays.

Every output is a recorder (:mod:`.recorders`): the dipole and the
extracellular potentials are fixed linear maps of per-segment voltages and
membrane currents, the traces are samples kept as they are. How the samples
reach the recorders depends on the engine:

* ``'coreneuron'``: the run advances in chunks of about ``CORENEURON_CHUNK``
  (40 ms times the number of MPI ranks, shorter when electrode arrays read every
  segment); Vectors record during a chunk, the recorders fold their samples
  after it and the vectors are emptied, so memory stays bounded by one chunk,
  and progress is reported between chunks.
* ``'neuron'``: after every step NEURON calls back with the values gathered
  into one vector (``CVode.extra_scatter_gather``); they are folded every few
  steps, so nothing is kept for the whole trial.

Each process folds its own cells; rank 0 gathers the parts and adds them in a
fixed order (gids for the dipole, ranks for the potentials), which makes the
outputs independent of how cells are spread over MPI ranks.
"""

import functools
import os
import time
from dataclasses import dataclass, field

import numpy as np
from neuron import h
from threadpoolctl import ThreadpoolController

from ..progress import ProgressEvent, print_progress
from ._fpenv import coreneuron_fp_mode
from . import generated
from .model import NeuronNetwork, get_cvode, get_parallel_context, new_vector
from .recorders import (DipoleRecorder, ExtracellularRecorder, TraceRecorder,
                        GatheredSamples, VectorSamples)

PROGRESS_INTERVAL = 10.0  # ms of simulated time between progress reports
# CoreNEURON copies the whole model in and out at every psolve call (30-50 ms
# for the default network), so it runs in chunks of several progress intervals
# (the progress lines of a chunk are printed when it ends); the voltages recorded
# in one chunk stay small (~35 MB for the default network).
CORENEURON_CHUNK = 40.0  # ms
# With electrode arrays, which read every segment, chunks are shortened (down
# to MIN_CHUNK) to hold at most this many recorded values per rank: for two
# arrays on the default network, a peak memory below hnn-core 0.6.1's with the
# same arrays (269 against 289 MiB; a chunk costs ~30 ms, so shorter ones are
# slower)
CHUNK_VALUES = 5e6
MIN_CHUNK = 5.0  # ms
ENGINES = ('coreneuron', 'neuron')


def available_engines(descriptions=()):
    """Engines this installation can run, fastest first.

    With mechanisms described in Python, CoreNEURON needs them compiled for it
    too (built here if need be; the build is cached).
    """
    return ENGINES if generated.coreneuron_library_for(descriptions) else ('neuron',)


def _give_back_freed_heap():
    """Return the heap a finished trial freed to the system (glibc only).

    malloc keeps freed memory for reuse; the next trial's objects do not fit
    in the gaps exactly, so in a long loop of trials the process grew by about
    0.1 MB per 10x10 trial while malloc's bytes in use stayed flat.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


@functools.cache
def _blas_threads():
    """The controller of this process's BLAS threads, made once.

    Making one scans the loaded libraries and opens each again, which leaves
    something behind every time: once per process, not per trial.
    """
    return ThreadpoolController()


def _find_malloc_trim():
    import ctypes
    try:
        return ctypes.CDLL('libc.so.6').malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _find_malloc_trim()


def _samples(vec):
    """A numpy copy of a NEURON Vector's values.

    Vectors are read through the buffer protocol, never ``Vector.as_numpy``:
    in NEURON 9.0 every call of the latter leaves a memoryview behind for
    good, one per recorded segment and chunk, which a long fit piles up.
    """
    return np.array(vec, dtype=float)


def _progress_marks(tstop, dt):
    """Times after which progress is reported: the first step, then every 10 ms."""
    marks = [dt]
    t = PROGRESS_INTERVAL
    while t < tstop - dt / 2:
        marks.append(t)
        t += PROGRESS_INTERVAL
    return marks


def _time_reporter(report, trial_idx, n_trials, tstop):
    """A function of t that reports the simulated time (None if nobody listens)."""
    if report is None:
        return None
    return lambda t: report(ProgressEvent('time', trial=trial_idx, n_trials=n_trials,
                                          t=float(t), tstop=tstop))


def _record_time():
    """A vector recording t at every step; None where no section exists.

    Recording t needs a section to attach to. With more ranks than cells, a rank
    may hold drive cells only (or nothing); it has no voltages to sample, and
    rank 0, which reports the times, always holds gid 0, a cell.
    """
    if next(iter(h.allsec()), None) is None:
        return None
    return new_vector().record(h._ref_t)


def _bind_nrncore_arg(coreneuron):
    """Make ``coreneuron.nrncore_arg`` one and the same object from now on.

    NEURON 8.2's psolve looks this method up once per call and never releases
    what it got: a new bound method each time, two per CoreNEURON chunk, for
    the life of the process (neuronsimulator/nrn#3216, fixed in NEURON 9).
    Bound once and kept on the instance, the lookup returns the same object,
    and the unreleased references cost nothing.
    """
    if 'nrncore_arg' not in vars(coreneuron):
        coreneuron.nrncore_arg = coreneuron.nrncore_arg


def _values_per_step(plan, n_ranks):
    """Values recorded by Vectors per step on one rank (an even share)."""
    counts = np.bincount(plan.cell_type_index, minlength=len(plan.cell_types))
    n = 0
    for n_cells, name in zip(counts, plan.cell_types):
        template = plan.templates[name]
        if template.measure_dipole:
            n += n_cells * np.count_nonzero(template.dipole_weights())
        if plan.electrode_arrays:
            n += n_cells * template.n_segments
    return n / max(n_ranks, 1)


def _chunk_ends(plan, n_ranks):
    """Where CoreNEURON's chunks end (ms): equal chunks ending on whole steps.

    Chunks last CORENEURON_CHUNK ms per rank: over N ranks each records 1/N of
    the values, so its chunks can be N times longer for the same memory, and
    fewer chunks mean fewer hand-overs of the model (30-50 ms each). Electrode
    arrays shorten them so that one rank's recorded values of a chunk stay
    below CHUNK_VALUES. The same on every rank, since all ranks advance together.
    """
    per_step = _values_per_step(plan, n_ranks)
    length = CORENEURON_CHUNK * max(n_ranks, 1)
    if plan.electrode_arrays and per_step * length / plan.dt > CHUNK_VALUES:
        length = max(CHUNK_VALUES / per_step * plan.dt, MIN_CHUNK)
    n_chunks = max(1, int(round(plan.tstop / length)))
    return [round(k * plan.tstop / n_chunks / plan.dt) * plan.dt
            for k in range(1, n_chunks)] + [plan.tstop]


def _solve_coreneuron(plan, samples, t_vec, report_time, n_ranks):
    from neuron import coreneuron
    lib = generated.coreneuron_library_for(plan.descriptions)
    if lib is None:
        raise RuntimeError("engine='coreneuron' needs the CoreNEURON mechanism "
                           "library, which this installation could not build; "
                           "use engine='neuron'")
    # CoreNEURON looks its mechanism library up in this variable at each run.
    os.environ['CORENEURONLIB'] = lib
    _bind_nrncore_arg(coreneuron)
    coreneuron.enable = True
    coreneuron.verbose = 0
    try:
        with coreneuron_fp_mode():
            return _coreneuron_chunks(plan, samples, t_vec, report_time, n_ranks)
    finally:
        coreneuron.enable = False


def _coreneuron_chunks(plan, samples, t_vec, report_time, n_ranks):
    """Advance CoreNEURON chunk by chunk, handing samples over after each; the times."""
    h.finitialize()
    times = []
    marks = _progress_marks(plan.tstop, plan.dt) if report_time else []
    for t_end in _chunk_ends(plan, n_ranks):
        get_parallel_context().psolve(t_end)
        if t_vec is not None:
            times.append(_samples(t_vec))
            t_vec.resize(0)
        samples.collect()
        while marks and marks[0] - plan.dt / 2 <= h.t:
            report_time(marks.pop(0))  # the simulation has passed this time
    return np.concatenate(times) if times else np.empty(0)


def _solve_neuron(plan, gathered, t_vec):
    """Run NEURON's own solver (``gathered`` folds the samples); the times."""
    h.finitialize()
    get_parallel_context().psolve(plan.tstop)
    if gathered is None:  # a rank with drive cells only: nothing was sampled
        return np.empty(0)
    gathered.flush()
    return _samples(t_vec)


def _solve(plan, recorders, t_vec, report_time, n_ranks):
    """Run the trial with the engine of the plan, feeding the recorders; the times."""
    sources = []
    try:
        if plan.engine == 'coreneuron':
            samples = VectorSamples(recorders.values())
            sources.append(samples)
            return _solve_coreneuron(plan, samples, t_vec, report_time, n_ranks)
        vectors = VectorSamples(r for r in recorders.values() if not r.gather)
        sources.append(vectors)
        gathered = None
        if t_vec is not None:  # NEURON calls back only where sections exist
            progress = _StepProgress(plan, report_time) if report_time else None
            gathered = GatheredSamples([r for r in recorders.values() if r.gather],
                                       t_vec, progress)
            sources.append(gathered)
        times = _solve_neuron(plan, gathered, t_vec)
        vectors.collect()
        return times
    finally:
        for source in sources:
            source.release()


class _StepProgress:
    """NEURON engine: report the simulated time every 10 ms from the step callback."""

    def __init__(self, plan, report_time):
        self.marks = _progress_marks(plan.tstop, plan.dt)
        self.dt = plan.dt
        self.report_time = report_time

    def __call__(self, n_steps):
        t = n_steps * self.dt
        if self.marks and t >= self.marks[0] - self.dt / 2:
            self.marks.pop(0)
            self.report_time(t)


@dataclass
class TrialResult:
    """What one trial produced, as plain numpy arrays (on MPI rank 0).

    Attributes
    ----------
    times : ndarray
        NEURON's accumulated time of every sample (ms).
    dipole : dict of str -> ndarray
        Measured cell type -> raw dipole summed over its cells (fAm), 0 at t = 0
        as the reference records it.
    spike_times : ndarray
        Spike times (ms) of all cells and drive cells.
    spike_gids : ndarray of int
        The gid of each spike.
    vsec, isec, ca : dict
        The traces asked for in ``plan.record``: gid -> section (or section and
        receptor) -> samples (mV, nA, mM); empty if none.
    extracellular : dict of str -> ndarray
        Electrode array name -> potentials (uV), shape (n_contacts, n_times).
    timings : dict
        ``build`` and ``solve`` wall times (s).
    n_netcons : int
        Connections made on rank 0.
    """

    times: np.ndarray
    dipole: dict
    spike_times: np.ndarray
    spike_gids: np.ndarray
    vsec: dict = field(default_factory=dict)
    isec: dict = field(default_factory=dict)
    ca: dict = field(default_factory=dict)
    extracellular: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    n_netcons: int = 0


def run_trial(plan, trial_idx, rank=0, n_ranks=1, verbose=True, report=None):
    """Simulate one trial of ``plan`` on this process.

    Parameters
    ----------
    plan : SimulationPlan
        ``plan.engine`` selects ``'coreneuron'`` or ``'neuron'``.
    trial_idx : int
        Which trial's drive spike times to use.
    rank, n_ranks : int
        This process builds the cells and drive cells with gid % n_ranks == rank;
        with n_ranks > 1 every rank must call this together (MPI).
    verbose : bool
        Print the progress (when ``report`` is None).
    report : callable | None
        Called with a :class:`~hnn_core.progress.ProgressEvent` at each step:
        mechanisms loaded, model built, trial started, then after the first
        step and every 10 ms of simulated time. Only rank 0 reports.

    Returns
    -------
    result : TrialResult | None
        On rank 0; None on other ranks.
    """
    if n_ranks == 1 and not generated.can_run_here(plan):
        from .fresh import run_trial_in_new_process
        if report is None and verbose:
            report = print_progress
        return run_trial_in_new_process(plan, trial_idx, report)
    try:
        # one BLAS thread: folding samples must not compete with the simulator
        # (or with other trials' processes) for the cores
        with _blas_threads().limit(limits=1, user_api='blas'):
            return _run_trial(plan, trial_idx, rank, n_ranks, verbose, report)
    finally:
        # only once the trial's frame (and every object it held) is gone
        _give_back_freed_heap()


def _make_recorders(net, plan, n_samples):
    recorders = {'dipole': DipoleRecorder(net, n_samples)}
    if plan.electrode_arrays:
        recorders['extracellular'] = ExtracellularRecorder(net, plan.electrode_arrays,
                                                           n_samples)
    recorders['traces'] = TraceRecorder(net, plan.record)
    return recorders


def _run_trial(plan, trial_idx, rank, n_ranks, verbose, report):
    if report is None and verbose:
        report = print_progress
    if rank != 0:
        report = None
    n_trials = plan.n_trials

    def event(kind, **kwargs):
        if report is not None:
            report(ProgressEvent(kind, trial=trial_idx, n_trials=n_trials,
                                 tstop=plan.tstop, **kwargs))

    nrn_names = generated.load(plan.descriptions,
                               announce=lambda lib: event('mechanisms', path=lib))
    pc = get_parallel_context()
    event('build')
    start = time.perf_counter()
    net = NeuronNetwork(plan, trial_idx, rank, n_ranks, nrn_names)
    event('built')
    event('start', n_ranks=n_ranks)
    report_time = _time_reporter(report, trial_idx, n_trials, plan.tstop)
    cvode = get_cvode()
    try:
        n_max = int(plan.tstop / plan.dt + 2)  # samples psolve can make, with a margin
        recorders = _make_recorders(net, plan, n_max)
        t_vec = _record_time()
        net.record_spikes()

        cvode.active(0)
        cvode.cache_efficient(1)
        if plan.electrode_arrays:  # membrane currents cost a little: only on request
            cvode.use_fast_imem(1)
        h.secondorder = 0
        h.dt = plan.dt
        pc.set_maxstep(10)
        built = time.perf_counter()
        # No voltage argument to finitialize (in the solvers): every section
        # keeps its own initial potential.
        times = _solve(plan, recorders, t_vec, report_time, n_ranks)
        solved = time.perf_counter()
        n_samples = len(times)
        outputs = {key: r.result(pc, rank, n_samples) for key, r in recorders.items()}
        del recorders
        spike_times, spike_gids = net.spike_vectors
        spikes = pc.py_gather((_samples(spike_times), _samples(spike_gids).astype(int)), 0)
        del spike_times, spike_gids  # net.clear() must hold the last references
        if rank != 0:
            return None
        event('done')
        return TrialResult(
            times=times, dipole=outputs['dipole'],
            spike_times=np.concatenate([t for t, _ in spikes]),
            spike_gids=np.concatenate([g for _, g in spikes]),
            extracellular=outputs.get('extracellular') or {},
            timings={'build': built - start, 'solve': solved - built},
            n_netcons=net.n_netcons, **outputs['traces'])
    finally:
        if plan.electrode_arrays:
            cvode.use_fast_imem(0)
        net.clear()
