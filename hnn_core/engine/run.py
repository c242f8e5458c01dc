"""Run one trial in NEURON and reduce it to plain numpy arrays.

The run advances in chunks (every 10 ms of simulated time) so that progress can be
reported and the recorded segment voltages can be turned into dipoles and
discarded as the run goes: memory stays bounded by one chunk, however long the
trial.
"""

import numpy as np
from neuron import h

from .mechanisms import load_mechanisms
from .model import NeuronNetwork

PROGRESS_INTERVAL = 10.0  # ms of simulated time between progress reports
DIPOLE_LAYERS = {'L2': 'L2_pyramidal', 'L5': 'L5_pyramidal'}


def _chunk_ends(tstop, dt):
    """Times to advance to: one step first, then every 10 ms, then tstop."""
    ends = [dt]
    t = PROGRESS_INTERVAL
    while t < tstop:
        ends.append(t)
        t += PROGRESS_INTERVAL
    ends.append(tstop)
    return sorted(set(e for e in ends if e <= tstop))


class _DipoleRecorder:
    """Records segment voltages of pyramidal cells and folds them into dipoles.

    Each chunk's per-cell dipoles are gathered on rank 0 and summed over cells in
    gid order, so the layer sums are the same however cells are spread over
    ranks (floating-point addition is not associative).
    """

    def __init__(self, net):
        self.pc = net.pc
        self.rank = net.rank
        self.layers = {}
        for layer, cell_type in DIPOLE_LAYERS.items():
            cells = sorted(net.pyramidal_cells(cell_type), key=lambda c: c.gid)
            weights = net.plan.templates[cell_type].dipole_weights()
            vectors = [h.Vector().record(ref)
                       for cell in cells for ref in cell.segment_voltage_refs()]
            gids = np.array([cell.gid for cell in cells], int)
            self.layers[layer] = (weights, gids, vectors)
        self.chunks = {layer: [] for layer in self.layers}

    def collect(self):
        """Reduce the samples recorded since the last call and free them."""
        mine = {}
        for layer, (weights, gids, vectors) in self.layers.items():
            if len(gids):
                volts = np.array([v.as_numpy() for v in vectors])
                volts = volts.reshape(len(gids), len(weights), -1)
                mine[layer] = (gids, np.einsum('s,cst->ct', weights, volts))  # fAm
            else:
                mine[layer] = (gids, None)
            for v in vectors:
                v.resize(0)
        gathered = self.pc.py_gather(mine, 0)
        if self.rank != 0:
            return
        for layer in self.layers:
            parts = [part[layer] for part in gathered if part[layer][1] is not None]
            if not parts:
                continue
            gids = np.concatenate([g for g, _ in parts])
            rows = np.concatenate([r for _, r in parts])
            self.chunks[layer].append(rows[np.argsort(gids)].sum(axis=0))

    def result(self, n_samples):
        return {layer: (np.concatenate(chunks) if chunks else np.zeros(n_samples))
                for layer, chunks in self.chunks.items()}


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
                        per_cell[name] = self._add(sec(0.5)._ref_v)
                    elif kind == 'ca':
                        if h.ismembrane('cad', sec=sec):
                            per_cell[name] = self._add(sec(0.5)._ref_cai)
                    else:
                        per_cell[name] = {
                            f'{name}_{receptor}': self._add(syn._ref_i)
                            for receptor, syn in cell.section_synapses(name).items()}
                self.traces[kind][gid] = per_cell

    def _add(self, ref):
        chunks = []
        self._sources.append((chunks, h.Vector().record(ref)))
        return chunks

    def collect(self):
        for chunks, vec in self._sources:
            chunks.append(vec.as_numpy().copy())
            vec.resize(0)

    def result(self):
        """The traces with every list of chunks joined into one array."""
        def join(node):
            if isinstance(node, dict):
                return {k: join(v) for k, v in node.items()}
            return np.concatenate(node)
        return join(self.traces)


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


def run_trial(plan, trial_idx, rank=0, n_ranks=1, verbose=True):
    """Simulate one trial of ``plan`` on this process.

    Parameters
    ----------
    plan : SimulationPlan
    trial_idx : int
        Which trial's drive spike times to use.
    rank, n_ranks : int
        This process builds the cells and drive cells with gid % n_ranks == rank;
        with n_ranks > 1 every rank must call this together (MPI).
    verbose : bool
        Report the build and, after the first step and every 10 ms, the
        simulated time (printed by rank 0 only).

    Returns
    -------
    result : dict | None
        On rank 0: ``times`` (ms, NEURON's accumulated time of every sample),
        ``dipole`` (dict 'L2'/'L5' -> raw dipole summed over the layer's cells,
        fAm, the sample at t = 0 set to 0 as the reference records it),
        ``spike_times`` (ms) and ``spike_gids`` of all cells, and the requested
        traces (``vsec``, ``isec``, ``ca``: gid -> section -> array). None on
        other ranks.
    """
    verbose = verbose and rank == 0
    load_mechanisms(verbose=verbose)
    pc = h.ParallelContext()
    if verbose:
        print('Building the NEURON model', flush=True)
    net = NeuronNetwork(plan, trial_idx, rank, n_ranks)
    if verbose:
        print('[Done]', flush=True)
        print(f'running trial {trial_idx + 1} on {n_ranks} cores', flush=True)
    try:
        recorder = _DipoleRecorder(net)
        traces = _TraceRecorder(net, plan.record)
        t_vec = h.Vector().record(h._ref_t)
        spike_times, spike_gids = h.Vector(), h.Vector()
        pc.spike_record(-1, spike_times, spike_gids)

        h.CVode().active(0)
        h.secondorder = 0
        h.dt = plan.dt
        pc.set_maxstep(10)
        # No voltage argument: every section keeps its own initial potential.
        h.finitialize()

        times = []
        for t_end in _chunk_ends(plan.tstop, plan.dt):
            pc.psolve(t_end)
            times.append(t_vec.as_numpy().copy())
            t_vec.resize(0)
            recorder.collect()
            traces.collect()
            if verbose and h.t < plan.tstop - plan.dt / 2:
                print(f'Simulation time: {round(h.t, 2)} ms...', flush=True)
        local = {'spike_times': spike_times.as_numpy().copy(),
                 'spike_gids': spike_gids.as_numpy().astype(int), **traces.result()}
        merged = _merge_on_rank0(pc, rank, local)
        if rank != 0:
            return None
        times = np.concatenate(times)
        dipole = recorder.result(len(times))
        for series in dipole.values():
            # The reference clears its dipole accumulator during initialisation
            # and records 0 at t = 0.
            series[0] = 0.0
        return {'times': times, 'dipole': dipole, **merged}
    finally:
        net.clear()
