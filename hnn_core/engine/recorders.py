"""What a trial records: one small interface for every output of the engine.

A recorder is made on a built trial (:class:`~.model.NeuronNetwork`) and says
which quantities it reads (its *probes*: a segment's ``v`` or ``i_membrane_``,
a segment's ``cai``, a synapse's ``i``). The solver delivers their samples in
blocks of time, by one of two sample sources:

* :class:`VectorSamples`: NEURON Vectors record every step; after each
  CoreNEURON chunk (or after a NEURON run) their samples are handed over in
  blocks of rows and the vectors emptied, so they never hold more than a chunk;
* :class:`GatheredSamples` (NEURON only): after every step the probes are
  gathered into one vector through pointers and buffered for a few steps, so
  nothing is recorded for the whole trial.

Each recorder folds the blocks it receives (:meth:`Recorder.fold`) into its
output and, at the end, returns plain arrays on rank 0 (:meth:`Recorder.result`),
merging MPI ranks in a fixed order. Adding a new kind of output means adding one
recorder.
"""

import neuron
import numpy as np
from neuron import h

from ..extracellular_geometry import transfer_matrix
from .model import (drain, get_cvode, new_list, new_ptr_vector, new_vector, pset_imem,
                    pset_v, record_cai, record_i, record_imem, record_v)

# probe kind -> (Vector maker, PtrVector setter or None)
_PROBES = {'v': (record_v, pset_v), 'i_membrane_': (record_imem, pset_imem),
           'cai': (record_cai, None), 'i': (record_i, None)}
# NEURON 8 moves the data that pointers point at when it reorders its memory;
# NEURON 9's pointers follow the data by themselves
_POINTERS_MOVE = int(neuron.__version__.split('.')[0]) < 9
# NEURON engine: steps buffered before a fold (a few MB for the default network)
GATHER_BLOCK_STEPS = 64


class Recorder:
    """One output of a trial.

    Attributes
    ----------
    probes : list of (str, object)
        (kind, segment or point process) read every step, in row order.
    gather : bool
        Whether NEURON's own solver may gather the probes step by step
        (``v`` and ``i_membrane_`` only); otherwise Vectors record them.
    """

    probes = ()
    gather = False

    def row_groups(self):
        """Rows handed over together from Vectors (a few MB at most each)."""
        n = len(self.probes)
        return [slice(k, min(k + 512, n)) for k in range(0, n, 512)]

    def fold(self, rows, block, start):
        """Take the samples ``block`` (rows x samples) from sample ``start`` on."""
        raise NotImplementedError

    def result(self, pc, rank, n_samples):
        """The output on rank 0 (None on other ranks); collective over ranks."""
        raise NotImplementedError


class DipoleRecorder(Recorder):
    """One current dipole time series (fAm) per measured cell.

    Only segments with a non-zero dipole weight are read: inside an unbranched
    section the axial-current terms telescope, so only the segments next to a
    section's ends count (12 of 32 in an L2 cell, 15 of 55 in an L5 cell).
    """

    gather = True

    def __init__(self, net, n_samples):
        self.layers = {}  # cell type -> (gids, weights, first probe row)
        self.probes = []
        self.per_cell = {}  # cell type -> (n_cells, n_samples) dipoles
        for cell_type in net.plan.dipole_types:
            cells = sorted(net.cells_of_type(cell_type), key=lambda c: c.gid)
            weights = net.plan.templates[cell_type].dipole_weights()
            used = np.flatnonzero(weights)
            self.layers[cell_type] = (np.array([c.gid for c in cells], int),
                                      weights[used], len(self.probes))
            for cell in cells:
                segments = [seg for sec in cell.sections.values() for seg in sec]
                self.probes.extend(('v', segments[k]) for k in used)
            self.per_cell[cell_type] = np.zeros((len(cells), n_samples))

    def row_groups(self):
        groups = []
        for gids, weights, first in self.layers.values():
            n = len(weights)
            groups.extend(slice(first + k * n, first + (k + 1) * n)
                          for k in range(len(gids)))
        return groups

    def fold(self, rows, block, start):
        stop = start + block.shape[1]
        for cell_type, (gids, weights, first) in self.layers.items():
            n_seg = len(weights)
            lo = max(rows.start, first)
            hi = min(rows.stop, first + len(gids) * n_seg)
            if lo >= hi:
                continue
            # blocks hold whole cells: a cell's rows are never split
            volts = block[lo - rows.start:hi - rows.start].reshape(-1, n_seg,
                                                                  block.shape[1])
            cells = slice((lo - first) // n_seg, (hi - first) // n_seg)
            # a fixed order of summation, whatever the blocks: the dipole does
            # not depend on chunk lengths (which other outputs change) or steps
            total = weights[0] * volts[:, 0]
            for k in range(1, n_seg):
                total += weights[k] * volts[:, k]
            self.per_cell[cell_type][cells, start:stop] = total

    def result(self, pc, rank, n_samples):
        """Dipole (fAm) per measured cell type, summed over cells in gid order."""
        mine = {cell_type: (gids, self.per_cell[cell_type][:, :n_samples])
                for cell_type, (gids, _, _) in self.layers.items()}
        gathered = pc.py_gather(mine, 0)
        if rank != 0:
            return None
        out = {}
        for cell_type in self.layers:
            parts = [part[cell_type] for part in gathered if len(part[cell_type][0])]
            if not parts:
                out[cell_type] = np.zeros(n_samples)
                continue
            gids = np.concatenate([g for g, _ in parts])
            rows = np.concatenate([r for _, r in parts])
            out[cell_type] = rows[np.argsort(gids)].sum(axis=0)
            # The reference clears its dipole accumulator during initialisation
            # and records 0 at t = 0.
            out[cell_type][0] = 0.0
        return out


class ExtracellularRecorder(Recorder):
    """The potentials (uV) at the contacts of every electrode array.

    V(t) = R @ i(t), with i the membrane current (nA) of every segment of every
    cell of this process and R the transfer resistances (uV / nA) of the
    arrays' contacts, stacked (:func:`~hnn_core.extracellular_geometry.transfer_matrix`).
    All arrays share one reading of the currents.
    """

    gather = True

    def __init__(self, net, specs, n_samples):
        self.names = list(specs)
        contacts = np.concatenate([specs[name].positions for name in self.names])
        self.bounds = np.cumsum([0] + [len(specs[name].positions) for name in self.names])
        blocks = []
        self.probes = []
        for gid in sorted(net.cells):
            cell = net.cells[gid]
            template = net.plan.templates[cell.cell_type]
            pos = net.plan.cell_positions[gid]
            blocks.append(np.concatenate([
                transfer_matrix(template, pos, specs[name].positions,
                                conductivity=specs[name].conductivity,
                                method=specs[name].method,
                                min_distance=specs[name].min_distance)
                for name in self.names]))
            self.probes.extend(('i_membrane_', seg) for sec in cell.sections.values()
                               for seg in sec)
        self.matrix = (np.concatenate(blocks, axis=1) if blocks
                       else np.empty((len(contacts), 0)))
        self.voltages = np.zeros((len(contacts), n_samples))

    def fold(self, rows, block, start):
        stop = start + block.shape[1]
        self.voltages[:, start:stop] += self.matrix[:, rows] @ block

    def result(self, pc, rank, n_samples):
        """Array name -> contacts x samples (uV); ranks' parts added in rank order."""
        gathered = pc.py_gather(self.voltages[:, :n_samples], 0)
        if rank != 0:
            return None
        total = gathered[0].copy()
        for part in gathered[1:]:
            total += part
        # as hnn-core 0.6.1: the potential is defined to be 0 at t = 0
        total[:, 0] = 0.0
        return {name: total[lo:hi] for name, lo, hi in
                zip(self.names, self.bounds[:-1], self.bounds[1:])}


class TraceRecorder(Recorder):
    """Voltages, synaptic currents and [Ca2+]i of sections, as requested.

    ``record`` maps ``'vsec'``, ``'isec'``, ``'ca'`` to False, ``'soma'`` or
    ``'all'``; the result maps each to gid -> section (or synapse) -> samples.
    """

    def __init__(self, net, record):
        self.probes = []
        self.layout = {'vsec': {}, 'isec': {}, 'ca': {}}  # kind -> gid -> name -> row
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
                        per_cell[name] = self._add('v', sec(0.5))
                    elif kind == 'ca':
                        if h.ismembrane('cad', sec=sec):
                            per_cell[name] = self._add('cai', sec(0.5))
                    else:
                        per_cell[name] = {
                            f'{name}_{receptor}': self._add('i', syn)
                            for receptor, syn in cell.section_synapses(name).items()}
                self.layout[kind][gid] = per_cell
        self.chunks = [[] for _ in self.probes]

    def _add(self, kind, target):
        self.probes.append((kind, target))
        return len(self.probes) - 1

    def fold(self, rows, block, start):
        for k, samples in zip(range(rows.start, rows.stop), block):
            self.chunks[k].append(samples.copy())

    def result(self, pc, rank, n_samples):
        """kind -> gid -> section -> samples, merged over ranks in gid order."""
        local = _joined(self.layout, self.chunks)
        gathered = pc.py_gather(local, 0)
        if rank != 0:
            return None
        merged = {}
        for kind in ('vsec', 'isec', 'ca'):
            merged[kind] = {}
            for part in gathered:
                merged[kind].update(part[kind])
            merged[kind] = dict(sorted(merged[kind].items()))
        return merged


def _joined(layout, chunks):
    """``layout`` with every row number replaced by that row's joined samples.

    A plain function: a recursive closure would be a reference cycle that keeps
    the recorder (and through its probes, every section of the trial) alive
    until the garbage collector runs, inside the next trial's model.
    """
    if isinstance(layout, dict):
        return {key: _joined(value, chunks) for key, value in layout.items()}
    return np.concatenate(chunks[layout]) if chunks[layout] else np.empty(0)


class VectorSamples:
    """Samples of recorders' probes recorded by NEURON Vectors.

    :meth:`collect` hands every recorder the samples since the last call, in
    blocks of its :meth:`Recorder.row_groups`, and empties the vectors. A block
    leaves NEURON in one call (thousands of vectors per chunk with electrode
    arrays: one Python call each would cost more than folding them).
    """

    def __init__(self, recorders):
        self.recorders = list(recorders)
        self.vectors = [new_list(_PROBES[kind][0](target) for kind, target in r.probes)
                        for r in self.recorders]
        self.block = new_vector()
        self.n_collected = 0

    def collect(self):
        n = None
        for recorder, vectors in zip(self.recorders, self.vectors):
            for rows in recorder.row_groups():
                drain(vectors, rows.start, rows.stop, self.block)
                # a view of NEURON's memory, valid until the next drain
                values = np.asarray(self.block).reshape(rows.stop - rows.start, -1)
                if n is None:
                    n = values.shape[1]
                recorder.fold(rows, values, self.n_collected)
                del values
        self.n_collected += n or 0

    def release(self):
        self.vectors = []
        self.block = None


class GatheredSamples:
    """NEURON engine: gather the recorders' probes after every step.

    NEURON calls :meth:`after_step` once per step, after the solve and before
    the step's samples are recorded, so the recorded time vector tells the step
    number (hoc's t is brought up to date only when psolve returns). Samples are
    buffered for ``GATHER_BLOCK_STEPS`` steps and then folded as one block.
    """

    def __init__(self, recorders, t_vec, after_step=None):
        self.recorders = list(recorders)
        self.t_vec = t_vec
        self.extra = after_step
        self.targets = [(kind, target) for r in self.recorders for kind, target in r.probes]
        self.spans = []
        start = 0
        for r in self.recorders:
            self.spans.append(slice(start, start + len(r.probes)))
            start += len(r.probes)
        n = max(len(self.targets), 1)
        self.buffer = new_vector(n)
        self.values = np.asarray(self.buffer)  # a view of the vector's memory
        self.pointers = new_ptr_vector(n)
        if _POINTERS_MOVE:
            # NEURON 8 moves voltages when it reorders memory (as it does when
            # the first membrane-current pointer is taken, while pointing), so
            # the callback must be in place first
            self.pointers.ptr_update_callback(self._point)
        self._point()
        # one row per step: each step's values are written side by side
        self.block = np.empty((GATHER_BLOCK_STEPS, n))
        self.filled = 0
        self.first = 0
        self.n_steps = 0
        self.callback = self.after_step  # the same object must be removed
        get_cvode().extra_scatter_gather(0, self.callback)

    def _point(self):
        for i, (kind, segment) in enumerate(self.targets):
            _PROBES[kind][1](self.pointers, i, segment)

    def after_step(self):
        self.n_steps = int(self.t_vec.size())
        if self.filled == 0:
            self.first = self.n_steps
        self.pointers.gather(self.buffer)
        self.block[self.filled] = self.values
        self.filled += 1
        if self.filled == GATHER_BLOCK_STEPS:
            self.flush()
        if self.extra is not None:
            self.extra(self.n_steps)

    def flush(self):
        if not self.filled:
            return
        for recorder, span in zip(self.recorders, self.spans):
            if span.stop > span.start:
                recorder.fold(slice(0, span.stop - span.start),
                              self.block[:self.filled, span].T, self.first)
        self.filled = 0

    def release(self):
        """Stop gathering and drop the pointers.

        NEURON 8's pointer vector holds its update callback, a method of this
        object, where Python's garbage collector cannot see it: dropping the
        vector breaks the cycle that would keep every section alive.
        """
        get_cvode().extra_scatter_gather_remove(self.callback)
        self.callback = None
        self.pointers = None
