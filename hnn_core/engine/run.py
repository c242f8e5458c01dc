"""Run one trial in NEURON or CoreNEURON and reduce it to plain numpy arrays.

The dipole is a fixed linear map of the pyramidal cells' segment voltages. How
those voltages are read depends on the engine:

* ``'coreneuron'``: the run advances in chunks of about ``CORENEURON_CHUNK``
  (40 ms) of simulated time; the segment voltages recorded during a chunk are
  folded into per-cell dipoles and freed after it, so memory stays bounded by
  one chunk, and progress is reported between chunks.
* ``'neuron'``: after every step NEURON calls back with the voltages gathered
  into one vector (``CVode.extra_scatter_gather``); they are folded into per-cell
  dipoles at once, so no voltage is kept at all.

Either way each process keeps one dipole row per local pyramidal cell; rank 0
gathers the rows and sums them in gid order, which makes the layer dipoles
independent of how cells are spread over MPI ranks.
"""

import os
import time

import numpy as np
from neuron import h

from ..progress import ProgressEvent, print_progress
from ._fpenv import coreneuron_fp_mode
from .mechanisms import load_mechanisms, compile_mechanisms, coreneuron_library
from .model import (NeuronNetwork, get_cvode, get_parallel_context, new_ptr_vector,
                    new_vector, pset_v, record_cai, record_i, record_v)

PROGRESS_INTERVAL = 10.0  # ms of simulated time between progress reports
# CoreNEURON copies the whole model in and out at every psolve call (~0.1 s for
# the default network), so it runs in chunks of several progress intervals (the
# progress lines of a chunk are printed when it ends); the voltages recorded in
# one chunk stay small (~35 MB for the default network).
CORENEURON_CHUNK = 40.0  # ms
ENGINES = ('coreneuron', 'neuron')


def available_engines():
    """Engines this installation can run, fastest first."""
    return ENGINES if coreneuron_library(compile_mechanisms()) else ('neuron',)


def _give_back_freed_heap():
    """Return the heap a finished trial freed to the system (glibc only).

    malloc keeps freed memory for reuse; the next trial's objects do not fit
    in the gaps exactly, so in a long loop of trials the process grew by about
    0.1 MB per 10x10 trial while malloc's bytes in use stayed flat.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


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


class _DipoleRows:
    """One dipole time series (fAm) per local cell, per measured cell type.

    Only segments with a non-zero dipole weight are read: inside an unbranched
    section the axial-current terms telescope, so only the segments next to a
    section's ends count (12 of 32 in an L2 cell, 15 of 55 in an L5 cell).
    """

    def __init__(self, net):
        self.layers = {}
        for cell_type in net.plan.dipole_types:
            cells = sorted(net.cells_of_type(cell_type), key=lambda c: c.gid)
            weights = net.plan.templates[cell_type].dipole_weights()
            used = np.flatnonzero(weights)
            self.layers[cell_type] = (np.array([c.gid for c in cells], int),
                                      weights[used],
                                      [self._pick(c, used) for c in cells])
        self.rows = {layer: [] for layer in self.layers}

    @staticmethod
    def _pick(cell, used):
        segments = [seg for sec in cell.sections.values() for seg in sec]
        return [segments[k] for k in used]

    def segments(self):
        """The segments read, in layer, gid and template order."""
        return [seg for _, _, cells in self.layers.values() for segs in cells
                for seg in segs]

    def add(self, layer, block):
        """Append dipoles of shape (n_cells, n_samples) computed from voltages."""
        self.rows[layer].append(block)

    def sum_over_cells(self, pc, rank, n_samples):
        """Layer dipoles on rank 0 (summed in gid order); None elsewhere."""
        mine = {layer: (gids, np.concatenate(self.rows[layer], axis=1)
                        if self.rows[layer] else None)
                for layer, (gids, _, _) in self.layers.items()}
        gathered = pc.py_gather(mine, 0)
        if rank != 0:
            return None
        out = {}
        for layer in self.layers:
            parts = [part[layer] for part in gathered if part[layer][1] is not None]
            if not parts:
                out[layer] = np.zeros(n_samples)
                continue
            gids = np.concatenate([g for g, _ in parts])
            rows = np.concatenate([r for _, r in parts])
            out[layer] = rows[np.argsort(gids)].sum(axis=0)
        return out


class _RecordedVoltages:
    """CoreNEURON path: record segment voltages, fold them chunk by chunk."""

    def __init__(self, rows):
        self.rows = rows
        self.vectors = {layer: [record_v(seg)
                                for segs in cells for seg in segs]
                        for layer, (_, _, cells) in rows.layers.items()}

    def collect(self):
        for layer, (gids, weights, _) in self.rows.layers.items():
            vectors = self.vectors[layer]
            if not len(gids):
                continue
            n_seg = len(weights)
            block = np.empty((len(gids), len(vectors[0])))
            for k in range(len(gids)):  # one cell at a time keeps the copies small
                volts = np.array([np.asarray(v) for v in vectors[k * n_seg:(k + 1) * n_seg]])
                # einsum rather than @: BLAS worker threads would compete with
                # the simulator for the core
                block[k] = np.einsum('s,st->t', weights, volts)
            self.rows.add(layer, block)
            for v in vectors:
                v.resize(0)


class _GatheredVoltages:
    """NEURON path: fold the voltages into dipoles after every step."""

    def __init__(self, rows, tstop, dt, report_time, t_vec):
        self.rows = rows
        self.t_vec = t_vec
        self.segments = rows.segments()
        self.n_steps = 0
        self.buffer = new_vector(max(len(self.segments), 1))
        self.values = np.asarray(self.buffer)  # a view (see _samples)
        self.pointers = new_ptr_vector(max(len(self.segments), 1))
        self._point()
        if hasattr(self.pointers, 'ptr_update_callback'):
            # NEURON 8 moves voltages when it reorders memory; NEURON 9's
            # pointers follow the data by themselves.
            self.pointers.ptr_update_callback(self._point)
        n_max = int(tstop / dt + 2)  # steps psolve can take, with a margin
        self.blocks = {layer: np.zeros((len(gids), n_max))
                       for layer, (gids, _, _) in rows.layers.items()}
        self.slices = {}
        start = 0
        for layer, (gids, weights, _) in rows.layers.items():
            self.slices[layer] = slice(start, start + len(gids) * len(weights))
            start += len(gids) * len(weights)
        self.report_time = report_time
        self.marks = _progress_marks(tstop, dt) if report_time else []
        self.dt = dt

    def _point(self):
        for i, seg in enumerate(self.segments):
            pset_v(self.pointers, i, seg)

    def after_step(self):
        # Called after each step's solve, just before the step's samples are
        # recorded, so the recorded time vector tells the step number (hoc's t
        # is only brought up to date when psolve returns).
        self.n_steps = int(self.t_vec.size())
        self.pointers.gather(self.buffer)
        for layer, (gids, weights, _) in self.rows.layers.items():
            if len(gids):
                volts = self.values[self.slices[layer]].reshape(len(gids), -1)
                self.blocks[layer][:, self.n_steps] = np.einsum('cs,s->c', volts,
                                                                weights)
        t = self.n_steps * self.dt
        if self.marks and t >= self.marks[0] - self.dt / 2:
            self.marks.pop(0)
            self.report_time(t)

    def finish(self):
        for layer, block in self.blocks.items():
            self.rows.add(layer, block[:, :self.n_steps + 1])

    def release(self):
        # NEURON 8's pointer vector holds its update callback, a method of this
        # object, where Python's garbage collector cannot see it: drop the
        # vector, or the cycle keeps every section of the trial alive.
        self.pointers = None


class _TraceRecorder:
    """Somatic or all-section voltages, synaptic currents and [Ca2+]i on request.

    Samples are moved out of NEURON's vectors chunk by chunk, so those never hold
    more than one chunk.
    """

    def __init__(self, net, record):
        self.traces = {'vsec': {}, 'isec': {}, 'ca': {}}
        self._sources = []  # (list of chunks, NEURON vector)
        for gid, cell in net.cells.items():
            for kind in ('vsec', 'isec', 'ca'):
                where = record.get(kind, False)
                if not where:
                    continue
                names = ['soma'] if where == 'soma' else list(cell.sections)
                per_cell = {}
                for name in names:
                    sec = cell.sections[name]
                    if kind == 'vsec':
                        per_cell[name] = self._add(record_v(sec(0.5)))
                    elif kind == 'ca':
                        if h.ismembrane('cad', sec=sec):
                            per_cell[name] = self._add(record_cai(sec(0.5)))
                    else:
                        per_cell[name] = {
                            f'{name}_{receptor}': self._add(record_i(syn))
                            for receptor, syn in cell.section_synapses(name).items()}
                self.traces[kind][gid] = per_cell

    def _add(self, vector):
        chunks = []
        self._sources.append((chunks, vector))
        return chunks

    def collect(self):
        for chunks, vec in self._sources:
            chunks.append(_samples(vec))
            vec.resize(0)

    def result(self):
        """The traces with every list of chunks joined into one array."""
        def join(node):
            if isinstance(node, dict):
                return {k: join(v) for k, v in node.items()}
            return np.concatenate(node)
        return join(self.traces)


def _record_time():
    """A vector recording t at every step; None where no section exists.

    Recording t needs a section to attach to. With more ranks than cells, a rank
    may hold drive cells only (or nothing); it has no voltages to sample, and
    rank 0, which reports the times, always holds gid 0, a cell.
    """
    if next(iter(h.allsec()), None) is None:
        return None
    return new_vector().record(h._ref_t)


def _merge_on_rank0(pc, rank, local):
    """Gather each rank's dict of per-gid traces and spikes on rank 0."""
    gathered = pc.py_gather(local, 0)
    if rank != 0:
        return None
    merged = {'spike_times': np.concatenate([g['spike_times'] for g in gathered]),
              'spike_gids': np.concatenate([g['spike_gids'] for g in gathered])}
    for kind in ('vsec', 'isec', 'ca'):
        merged[kind] = {}
        for part in gathered:
            merged[kind].update(part[kind])
        merged[kind] = dict(sorted(merged[kind].items()))
    return merged


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


def _solve_coreneuron(plan, rows, traces, t_vec, report_time):
    from neuron import coreneuron
    lib = coreneuron_library(load_mechanisms())
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
            return _coreneuron_chunks(plan, rows, traces, t_vec, report_time)
    finally:
        coreneuron.enable = False


def _coreneuron_chunks(plan, rows, traces, t_vec, report_time):
    """Advance CoreNEURON chunk by chunk, folding voltages after each; the times."""
    voltages = _RecordedVoltages(rows)
    h.finitialize()
    times = []
    marks = _progress_marks(plan.tstop, plan.dt) if report_time else []
    # equal chunks of about CORENEURON_CHUNK ms, ending on whole steps
    n_chunks = max(1, int(round(plan.tstop / CORENEURON_CHUNK)))
    ends = [round(k * plan.tstop / n_chunks / plan.dt) * plan.dt
            for k in range(1, n_chunks)] + [plan.tstop]
    for t_end in ends:
        get_parallel_context().psolve(t_end)
        if t_vec is not None:
            times.append(_samples(t_vec))
            t_vec.resize(0)
        voltages.collect()
        traces.collect()
        while marks and marks[0] - plan.dt / 2 <= h.t:
            report_time(marks.pop(0))  # the simulation has passed this time
    return np.concatenate(times) if times else np.empty(0)


def _solve_neuron(plan, rows, traces, t_vec, report_time):
    if t_vec is None:  # a rank with drive cells only: no voltages to gather
        h.finitialize()
        get_parallel_context().psolve(plan.tstop)
        return np.empty(0)
    cvode = get_cvode()
    gathered = _GatheredVoltages(rows, plan.tstop, plan.dt, report_time, t_vec)
    callback = gathered.after_step  # the same object must be removed afterwards
    cvode.extra_scatter_gather(0, callback)
    try:
        h.finitialize()
        get_parallel_context().psolve(plan.tstop)
    finally:
        cvode.extra_scatter_gather_remove(callback)
        gathered.release()
    gathered.finish()
    traces.collect()
    return _samples(t_vec)


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
    result : dict | None
        On rank 0: ``times`` (ms, NEURON's accumulated time of every sample),
        ``dipole`` (dict measured cell type -> raw dipole summed over its
        cells, fAm, the sample at t = 0 set to 0 as the reference records it),
        ``spike_times`` (ms) and ``spike_gids`` of all cells, the requested
        traces (``vsec``, ``isec``, ``ca``: gid -> section -> array),
        ``timings`` (s: ``build``, ``solve``) and ``n_netcons`` (connections
        made on rank 0). None on other ranks.
    """
    try:
        return _run_trial(plan, trial_idx, rank, n_ranks, verbose, report)
    finally:
        # only once the trial's frame (and every object it held) is gone
        _give_back_freed_heap()


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

    load_mechanisms(announce=lambda lib: event('mechanisms', path=lib))
    pc = get_parallel_context()
    event('build')
    start = time.perf_counter()
    net = NeuronNetwork(plan, trial_idx, rank, n_ranks)
    event('built')
    event('start', n_ranks=n_ranks)
    report_time = _time_reporter(report, trial_idx, n_trials, plan.tstop)
    try:
        rows = _DipoleRows(net)
        traces = _TraceRecorder(net, plan.record)
        t_vec = _record_time()
        net.record_spikes()

        cvode = get_cvode()
        cvode.active(0)
        cvode.cache_efficient(1)
        h.secondorder = 0
        h.dt = plan.dt
        pc.set_maxstep(10)
        built = time.perf_counter()
        # No voltage argument to finitialize (in the solvers): every section
        # keeps its own initial potential.
        if plan.engine == 'coreneuron':
            times = _solve_coreneuron(plan, rows, traces, t_vec, report_time)
        else:
            times = _solve_neuron(plan, rows, traces, t_vec, report_time)
        solved = time.perf_counter()
        dipole = rows.sum_over_cells(pc, rank, len(times))
        spike_times, spike_gids = net.spike_vectors
        local = {'spike_times': _samples(spike_times),
                 'spike_gids': _samples(spike_gids).astype(int), **traces.result()}
        del spike_times, spike_gids  # net.clear() must hold the last references
        merged = _merge_on_rank0(pc, rank, local)
        if rank != 0:
            return None
        for series in dipole.values():
            # The reference clears its dipole accumulator during initialisation
            # and records 0 at t = 0.
            series[0] = 0.0
        event('done')
        return {'times': times, 'dipole': dipole, **merged,
                'timings': {'build': built - start, 'solve': solved - built},
                'n_netcons': len(net.netcons)}
    finally:
        net.clear()
