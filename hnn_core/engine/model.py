"""Instantiate a :class:`~hnn_core.simulation_plan.SimulationPlan` in NEURON.

Only the cells and drive cells that belong to this process (``gid % n_ranks ==
rank``) are built; connections reach remote sources through
``ParallelContext.gid_connect``, so one code path serves a single process and MPI.
"""

import numpy as np
from neuron import h

# Must match DEFINE MAXSPIKES in mod/drivesource.mod.
_MAX_SPIKES_PER_SOURCE = 128


# Two things NEURON 9.0 keeps for good when Python asks for them, thousands per
# trial of a large network, for the life of the process:
# * a 96-byte handle per object made by a Python constructor of a built-in
#   class (h.Vector(), h.NetCon(), h.ParallelContext(), ...);
# * 32 bytes of native memory per pointer Python takes to data of a section or
#   point process (seg._ref_v, syn._ref_i) that is later deleted.
# The same objects and pointers made by hoc functions are released normally, so
# the engine makes every such object and pointer with one of these.
_HOC_MAKERS = {
    # a Vector recording v, cai (at $1 of the section of the call, sec=) or the
    # current i of the point process $o1
    'record_v': 'obfunc hnn_core_record_v_() { localobj vec\n'
                'vec = new Vector()\nvec.record(&v($1))\nreturn vec }',
    'record_cai': 'obfunc hnn_core_record_cai_() { localobj vec\n'
                  'vec = new Vector()\nvec.record(&cai($1))\nreturn vec }',
    'record_i': 'obfunc hnn_core_record_i_() { localobj vec\n'
                'vec = new Vector()\nvec.record(&$o1.i)\nreturn vec }',
    # the membrane current (nA, with CVode.use_fast_imem(1)) at $1
    'record_imem': 'obfunc hnn_core_record_imem_() { localobj vec\n'
                   'vec = new Vector()\nvec.record(&i_membrane_($1))\nreturn vec }',
    # PtrVector $o1, element $2 -> v (or i_membrane_) at $3 of the section of the call
    'pset_v': 'proc hnn_core_pset_v_() { $o1.pset($2, &v($3)) }',
    'pset_imem': 'proc hnn_core_pset_imem_() { $o1.pset($2, &i_membrane_($3)) }',
    'vector': 'obfunc hnn_core_vector_() { return new Vector($1) }',
    'list': 'obfunc hnn_core_list_() { return new List() }',
    # the Vectors $3 to $4 - 1 of the List $o1, appended into the Vector $o2 and
    # emptied (one call instead of one per vector)
    'drain': 'proc hnn_core_drain_() { local i\n$o2.resize(0)\n'
             'for i = $3, $4 - 1 { $o2.append($o1.o(i))\n$o1.o(i).resize(0) } }',
    'ptr_vector': 'obfunc hnn_core_ptr_vector_() { return new PtrVector($1) }',
    # source: a point process or artificial cell; target: one or None
    'netcon': 'obfunc hnn_core_netcon_() { return new NetCon($o1, $o2) }',
    # ParallelContext $o1: one NetCon per element i < $8 of the Vectors, from gid
    # $o2.x[i] to the point process $o3.o($o4.x[i]) with weight $o5.x[i] and
    # delay $o6.x[i], appended to the List $o7 (a loop in hoc: on NEURON 9 each
    # NetCon made and set from Python costs three times as much, and freeing
    # its Python wrapper as much again)
    'connect': 'proc hnn_core_connect_() { local i  localobj nc\n'
               'for i = 0, $8 - 1 {\n'
               'nc = $o1.gid_connect($o2.x[i], $o3.o($o4.x[i]))\n'
               'nc.weight = $o5.x[i]\nnc.delay = $o6.x[i]\n$o7.append(nc) } }',
    # v at $1 of the section the call is made in (sec=), to no target ($o2 None)
    'detector': 'obfunc hnn_core_detector_() { return new NetCon(&v($1), $o2) }',
    'parallel_context': 'obfunc hnn_core_parallel_context_() { '
                        'return new ParallelContext() }',
    'cvode': 'obfunc hnn_core_cvode_() { return new CVode() }',
}
_makers = {}
_singletons = {}


def _maker(kind):
    maker = _makers.get(kind)
    if maker is None:
        name = _HOC_MAKERS[kind].split()[1].split('(')[0]
        if not h.name_declared(name):
            h(_HOC_MAKERS[kind])
        maker = _makers[kind] = getattr(h, name)
    return maker


def new_vector(size=0):
    """A NEURON Vector of ``size`` zeros."""
    return _maker('vector')(size)


def new_list(items=()):
    """A hoc List holding ``items``."""
    lst = _maker('list')()
    for item in items:
        lst.append(item)
    return lst


def drain(vectors, start, stop, into):
    """Move the samples of ``vectors[start:stop]`` (a hoc List) into ``into``.

    ``into`` holds them one vector after the other; the vectors are emptied.
    """
    _maker('drain')(vectors, into, start, stop)


def record_v(segment):
    """A Vector recording the membrane potential of ``segment``."""
    return _maker('record_v')(segment.x, sec=segment.sec)


def record_cai(segment):
    """A Vector recording the internal calcium concentration of ``segment``."""
    return _maker('record_cai')(segment.x, sec=segment.sec)


def record_i(point_process):
    """A Vector recording the current of ``point_process`` (e.g. a synapse)."""
    return _maker('record_i')(point_process)


def record_imem(segment):
    """A Vector recording the membrane current (nA) of ``segment``.

    Needs ``get_cvode().use_fast_imem(1)`` before the run.
    """
    return _maker('record_imem')(segment.x, sec=segment.sec)


def pset_v(pointers, index, segment):
    """Point element ``index`` of the PtrVector ``pointers`` at v of ``segment``."""
    _maker('pset_v')(pointers, index, segment.x, sec=segment.sec)


def pset_imem(pointers, index, segment):
    """Point element ``index`` of ``pointers`` at the membrane current of ``segment``."""
    _maker('pset_imem')(pointers, index, segment.x, sec=segment.sec)


def new_ptr_vector(size):
    """A NEURON PtrVector of ``size`` pointers."""
    return _maker('ptr_vector')(size)


def connect_gids(pc, sources, targets, synapses, weights, delays, into):
    """NetCons from the gids ``sources`` to ``synapses[targets]``, into a List.

    ``sources``, ``targets`` (indices into the hoc List ``synapses``),
    ``weights`` and ``delays`` are arrays of one element per NetCon, made in
    their order.
    """
    n = len(sources)
    vectors, views = _connect_buffers(n)
    for view, values in zip(views, (sources, targets, weights, delays)):
        view[:n] = values
    _maker('connect')(pc, vectors[0], synapses, vectors[1], vectors[2], vectors[3],
                      into, n)


def _connect_buffers(n):
    """Four Vectors of at least ``n`` elements, kept, and numpy views of them.

    Kept rather than made per call: filling Vectors from Python per call,
    through ``from_python`` or a new ``as_numpy`` view, made memory grow with
    every run (benchmarks/bench_memory.py, 10x10 CoreNEURON: malloc in use
    +0.023 MB per run, or resident +0.155 MB per run, against +0.001 and
    +0.010 without).
    """
    buffers = _singletons.get('connect_buffers')
    if buffers is None or len(buffers[1][0]) < n:
        size = max(n, 2 * len(buffers[1][0]) if buffers else 1 << 15)
        vectors = [new_vector(size) for _ in range(4)]
        buffers = _singletons['connect_buffers'] = (
            vectors, [vec.as_numpy() for vec in vectors])
    return buffers


def new_netcon(source, target=None):
    """A NetCon from a point process or artificial cell (to ``target``)."""
    return _maker('netcon')(source, target)


def new_detector(section, x=0.5):
    """A NetCon watching the membrane potential at ``x`` of ``section``."""
    return _maker('detector')(x, None, sec=section)


def get_parallel_context():
    """The ParallelContext of this process (all instances share one state)."""
    if 'pc' not in _singletons:
        _singletons['pc'] = _maker('parallel_context')()
    return _singletons['pc']


def get_cvode():
    """The CVode of this process (NEURON has a single integrator)."""
    if 'cvode' not in _singletons:
        _singletons['cvode'] = _maker('cvode')()
    return _singletons['cvode']


def _set_parameter(target, name, value, cell_type, section):
    """Set a mechanism parameter of a section or segment, naming it if unknown."""
    try:
        setattr(target, name, value)
    except (AttributeError, NameError, LookupError):
        raise ValueError(f'{cell_type} section {section!r}: no inserted mechanism has '
                         f'a parameter named {name!r} (parameters carry their '
                         "mechanism's suffix, e.g. 'gbar_km')") from None


class _Cell:
    """The NEURON objects of one real cell."""

    __slots__ = ('gid', 'cell_type', 'sections', 'synapses', 'detector',
                 '_synapse_specs', '_template', '_nrn_names')

    def __init__(self, gid, template, nrn_names):
        """Sections, topology, geometry and mechanisms (per-section values).

        Nothing here needs NEURON's node structure; :meth:`finish` does the
        rest once every cell exists, since the first access to a node after a
        change of the tree rebuilds the structure of the whole model.
        """
        self.gid = gid
        self.cell_type = template.cell_type
        self.sections = {}
        self.synapses = {}
        self._synapse_specs = {}
        self._template = template
        self._nrn_names = nrn_names
        for spec in template.sections:
            sec = h.Section(name=f'{template.cell_type}_{gid}_{spec.name}')
            sec.nseg = spec.nseg
            sec.L = spec.L
            sec.diam = spec.diam_effective
            sec.cm = spec.cm
            sec.Ra = spec.Ra
            for mech, values in spec.mechanisms.items():
                try:
                    sec.insert(nrn_names.get(mech, mech))
                except ValueError:
                    raise ValueError(f'{template.cell_type} {spec.name}: NEURON has no '
                                     f'mechanism named {mech!r}') from None
                for name, value in values.items():
                    if not isinstance(value, tuple):
                        _set_parameter(sec, self._parameter(mech, name), value,
                                       template.cell_type, spec.name)
            for receptor, params in spec.synapses.items():
                self._synapse_specs[(spec.name, receptor)] = params
            self.sections[spec.name] = sec
        for spec in template.sections:
            if spec.parent is not None:
                self.sections[spec.name].connect(
                    self.sections[spec.parent](spec.parent_x), spec.child_x)

    def finish(self, threshold):
        """Per-segment values, initial voltages and the spike detector."""
        for spec in self._template.sections:
            sec = self.sections[spec.name]
            for mech, values in spec.mechanisms.items():
                for name, value in values.items():
                    if isinstance(value, tuple):
                        name = self._parameter(mech, name)
                        for seg, seg_value in zip(sec, value):
                            _set_parameter(seg, name, seg_value, self.cell_type,
                                           spec.name)
            for seg in sec.allseg():
                seg.v = spec.v_init
        soma = self.sections['soma']
        self.detector = new_detector(soma, 0.5)
        self.detector.threshold = threshold

    def _parameter(self, mech, name):
        """A parameter's name in NEURON: a described mechanism's carries its digest."""
        if mech in self._nrn_names and name.endswith(f'_{mech}'):
            return name[:-len(mech)] + self._nrn_names[mech]
        return name

    def synapse(self, section, receptor):
        """The synapse of ``receptor`` on ``section``, made on first use.

        A synapse that never receives an event carries no current, so only the
        ones something connects to (or records) are worth simulating.
        """
        key = (section, receptor)
        syn = self.synapses.get(key)
        if syn is None:
            e, tau1, tau2 = self._synapse_specs[key]
            kind = getattr(h, self._nrn_names[receptor]) if receptor in self._nrn_names \
                else h.Exp2Syn
            syn = kind(self.sections[section](0.5))
            syn.e, syn.tau1, syn.tau2 = e, tau1, tau2
            self.synapses[key] = syn
        return syn

    def section_synapses(self, section):
        """Every synapse the template puts on ``section`` (receptor -> synapse)."""
        return {receptor: self.synapse(sec, receptor)
                for sec, receptor in self._synapse_specs if sec == section}


class _DriveCell:
    """One drive cell: a DriveSource (plus overflow sources for long trains)."""

    __slots__ = ('gid', 'sources', 'relays', 'output')

    def __init__(self, gid, times):
        self.gid = gid
        self.sources = []
        self.relays = []
        chunks = [times[k:k + _MAX_SPIKES_PER_SOURCE]
                  for k in range(0, max(len(times), 1), _MAX_SPIKES_PER_SOURCE)]
        for chunk in chunks:
            src = h.DriveSource()
            src.n = len(chunk)
            for k, t in enumerate(chunk):
                src.times[k] = t
            self.sources.append(src)
        main = self.sources[0]
        for extra in self.sources[1:]:
            relay = new_netcon(extra, main)
            relay.delay = 0
            self.relays.append(relay)
        self.output = new_netcon(main, None)


class NeuronNetwork:
    """The NEURON objects of one trial on this process."""

    def __init__(self, plan, trial_idx, rank=0, n_ranks=1, nrn_names=None):
        """``nrn_names``: description name -> its mechanism's name in NEURON."""
        self.pc = get_parallel_context()
        self.plan = plan
        self.rank = rank
        self.n_ranks = n_ranks
        h.celsius = plan.celsius
        self.cells = {}
        self.drive_cells = {}
        self.netcons = []  # from drive cells
        self.netcon_list = new_list()  # from other cells' gids, made in hoc
        self.clamps = []
        self.spike_vectors = ()
        self._build_cells(nrn_names or {})
        contacts = self._local_contacts(trial_idx)
        self._build_drive_cells(trial_idx, contacts)
        self._connect(contacts)
        self._add_biases()

    def _is_local(self, gid):
        return gid % self.n_ranks == self.rank

    def _build_cells(self, nrn_names):
        plan = self.plan
        for gid in range(self.rank, plan.n_cells, self.n_ranks):
            self.cells[gid] = _Cell(gid, plan.templates[plan.cell_type(gid)], nrn_names)
        for gid, cell in self.cells.items():
            cell.finish(plan.thresholds[gid])
            self.pc.set_gid2node(gid, self.rank)
            self.pc.cell(gid, cell.detector)

    def _local_contacts(self, trial_idx):
        """Per block, the pairs whose target is local and that can matter."""
        plan = self.plan
        n_gids = max([plan.n_cells] + [g + 1 for g in plan.drive_gids])
        # Sources that can fire in this trial: every real cell, and drive cells
        # with at least one spike time.
        can_fire = np.zeros(n_gids, bool)
        can_fire[:plan.n_cells] = True
        for gid, times in zip(plan.drive_gids, plan.drive_times[trial_idx]):
            can_fire[gid] = len(times) > 0
        contacts = []
        for block in plan.blocks:
            sections = block.sections
            if not sections:
                continue
            # Inert contacts are left out: weight-0 events change nothing, and an
            # event whose delay exceeds tstop can never be delivered.
            keep = (block.weights != 0) & (block.delays <= plan.tstop)
            keep &= can_fire[block.src_gids]
            keep &= (block.tgt_gids % self.n_ranks) == self.rank
            contacts.append((block, sections, keep))
        return contacts

    def _build_drive_cells(self, trial_idx, contacts):
        # A drive cell is built on its gid's owner rank (which records its
        # spikes) and replicated on every rank holding one of its targets, so
        # drive spikes never cross ranks: short drive delays would otherwise
        # shorten the interval between MPI spike exchanges.
        needed = set()
        for block, _, keep in contacts:
            needed.update(int(g) for g in np.unique(block.src_gids[keep])
                          if g >= self.plan.n_cells)
        times = self.plan.drive_times[trial_idx]
        for gid, gid_times in zip(self.plan.drive_gids, times):
            gid = int(gid)
            owner = self._is_local(gid)
            if len(gid_times) == 0 or not (owner or gid in needed):
                continue
            drive_cell = _DriveCell(gid, gid_times)
            if owner:
                self.pc.set_gid2node(gid, self.rank)
                self.pc.cell(gid, drive_cell.output)
            self.drive_cells[gid] = drive_cell

    def _connect(self, contacts):
        # The hot loop of the build (~1e5 connections). Connections from other
        # cells are made in hoc, a block at a time; those from this process's
        # drive cells (a few thousand) here. Either way each target's synapses
        # are made when the target is first met, and the NetCons in pair order.
        for block, sections, keep in contacts:
            sources, targets = block.src_gids[keep], block.tgt_gids[keep]
            if not len(sources):
                continue
            synapses, first = self._block_synapses(targets, sections, block.receptor)
            weights, delays = block.weights[keep], block.delays[keep]
            n_sec = len(sections)
            if not any(gid in self.drive_cells for gid in np.unique(sources).tolist()):
                connect_gids(self.pc, np.repeat(sources, n_sec),
                             (first[:, None] + np.arange(n_sec)).ravel(), synapses,
                             np.repeat(weights, n_sec), np.repeat(delays, n_sec),
                             self.netcon_list)
                continue
            for src, idx, weight, delay in zip(sources.tolist(), first.tolist(),
                                               weights.tolist(), delays.tolist()):
                drive_cell = self.drive_cells.get(src)
                for k in range(n_sec):
                    synapse = synapses.o(idx + k)
                    if drive_cell is None:
                        nc = self.pc.gid_connect(src, synapse)
                    else:
                        nc = new_netcon(drive_cell.sources[0], synapse)
                    nc.weight[0] = weight
                    nc.delay = delay
                    self.netcons.append(nc)

    def _block_synapses(self, targets, sections, receptor):
        """The synapses a block contacts, in a hoc List, made in order of targets.

        Returns the List and, for each pair, the index in it of its target's
        synapse on the first of ``sections`` (the others follow it).
        """
        _, first_seen = np.unique(targets, return_index=True)
        synapses, start = new_list(), {}
        for target in targets[np.sort(first_seen)].tolist():
            start[target] = int(synapses.count())
            for name in sections:
                synapses.append(self.cells[target].synapse(name, receptor))
        return synapses, np.array([start[t] for t in targets.tolist()])

    @property
    def n_netcons(self):
        """NetCons made by this process."""
        return len(self.netcons) + int(self.netcon_list.count())

    def _add_biases(self):
        # IClamp injects amp for del <= t < del + dur at the mid-step time.
        for cell_type, section, amplitude, t0, tstop in self.plan.biases:
            for cell in self.cells.values():
                if cell.cell_type != cell_type:
                    continue
                clamp = h.IClamp(cell.sections[section](0.5))
                clamp.amp = amplitude
                setattr(clamp, 'del', t0)
                clamp.dur = tstop - t0
                self.clamps.append(clamp)

    def cells_of_type(self, cell_type):
        return [cell for cell in self.cells.values() if cell.cell_type == cell_type]

    def record_spikes(self):
        """Record every spike of this process's cells and drive cells.

        The vectors (times, gids) are ``self.spike_vectors``; keep no other
        reference to them past :meth:`clear`.
        """
        self.spike_vectors = (new_vector(), new_vector())
        self.pc.spike_record(-1, *self.spike_vectors)

    def clear(self):
        """Release every NEURON object of this trial."""
        # The spike vectors go first: a spike source still recording into a
        # vector is never freed, not even once its cell and connections are.
        self.spike_vectors = ()
        self.pc.gid_clear()
        self.netcons = []
        self.netcon_list = new_list()
        self.clamps = []
        self.drive_cells = {}
        self.cells = {}
