"""A cell type compiled for the engine: frozen, picklable, NEURON-free.

:func:`compile_cell` turns an editable :class:`~hnn_core.cell.Cell` into a
:class:`CellTemplate` when a simulation starts: every mechanism value becomes a
number or one number per segment, locations become tuples of section names, and
the geometry alone gives the linear map from segment voltages to the cell's
current dipole (:meth:`CellTemplate.dipole_weights`).

Units: lengths and diameters in um, cm in uF/cm2, Ra in ohm cm, voltages in mV,
time constants in ms, conductance densities as each mechanism defines them.
"""

from dataclasses import dataclass, field

import numpy as np

from .cell import (_dot3, _norm3, _nseg_for, _segment_values, check_section_value,
                   check_end_pts, _check_finite, _check_positive)


@dataclass(frozen=True)
class SectionTemplate:
    """One section as the engine builds it.

    Attributes
    ----------
    name : str
    L, diam : float
        Length and diameter (um); the simulator uses :attr:`diam_effective`.
    cm : float
        Membrane capacitance (uF/cm2).
    Ra : float
        Axial resistivity (ohm cm).
    nseg : int
        Number of segments.
    parent : str | None
        Section this one is attached to (None for the root, the soma).
    parent_x, child_x : float
        Where on the parent (0 or 1) which end of this section (0 or 1) attaches.
    direction : tuple of float
        End point minus start point; only its angle to the apical trunk
        matters (the dipole projection).
    end_pts : tuple
        The two (x, y, z) end points (um) in the cell's own frame (soma at the
        cell's reference position), as :attr:`~hnn_core.cell.Section.end_pts`;
        an empty tuple for a section without end points. Extracellular
        potentials place the section from them.
    mechanisms : dict
        Mechanism -> {NEURON parameter name (e.g. ``'gbar_km'``): value}; a value
        is a float for the whole section or a tuple with one value per segment.
    synapses : dict
        Receptor -> (e, tau1, tau2) of the synapse at the section's middle (mV,
        ms, ms).
    v_init : float
        Initial membrane potential (mV).
    """

    name: str
    L: float
    diam: float
    cm: float
    Ra: float
    nseg: int = None
    parent: object = None
    parent_x: float = 1.0
    child_x: float = 0.0
    direction: tuple = (0.0, 0.0, 1.0)
    end_pts: tuple = ()
    mechanisms: dict = field(default_factory=dict)
    synapses: dict = field(default_factory=dict)
    v_init: float = -65.0

    def __post_init__(self):
        if self.nseg is None:
            object.__setattr__(self, 'nseg', _nseg_for(self.L))

    @property
    def diam_effective(self):
        """Diameter (um) rounded to single precision, as NEURON stores 3-D points."""
        return float(np.float32(self.diam))

    def half_segment_resistance(self):
        """Axial resistance (MOhm) of half a segment: 0.01 * 4 Ra (l/2) / (pi d^2)."""
        d = self.diam_effective
        return 0.01 * 4 * self.Ra * (self.L / self.nseg / 2) / (np.pi * d ** 2)


@dataclass(frozen=True)
class CellTemplate:
    """The sections of one cell type, in the cell's order.

    Attributes
    ----------
    cell_type : str
        Name of the cell type in the network.
    sections : tuple of SectionTemplate
    locations : dict
        Location group (e.g. ``'proximal'``) -> tuple of section names; a
        connection to a group contacts each of its sections with the full weight.
    measure_dipole : bool
        Whether the cell's current dipole is recorded.
    descriptions : tuple
        The mechanisms described in Python that the sections use
        (:class:`~hnn_core.channels.Channel`, :class:`~hnn_core.channels.Synapse`).
    """

    cell_type: str
    sections: tuple
    locations: dict
    measure_dipole: bool = False
    descriptions: tuple = ()

    @property
    def section_names(self):
        return tuple(sec.name for sec in self.sections)

    @property
    def n_segments(self):
        return sum(sec.nseg for sec in self.sections)

    def section(self, name):
        for sec in self.sections:
            if sec.name == name:
                return sec
        raise KeyError(f'{self.cell_type} has no section {name!r}; its sections are '
                       f'{", ".join(self.section_names)}')

    def target_sections(self, loc):
        """Sections a connection to ``loc`` (a location group or a section) contacts."""
        if loc in self.locations:
            return tuple(self.locations[loc])
        if loc in self.section_names:
            return (loc,)
        raise KeyError(loc)

    def dipole_weights(self):
        """Weights w (fAm per mV) with Q(t) = w @ V(t).

        V holds the voltage of every segment centre (the interior nodes) in
        template order. The current dipole of the cell is the sum, over every
        axial resistor, of its current times its length projected on the
        apical trunk. The zero-area nodes at section ends obey Kirchhoff's
        current law exactly at every step, so their voltages are fixed weighted
        means of their neighbours and fold into the weights of those neighbours.
        Zero for a cell whose dipole is not measured.
        """
        if not self.measure_dipole:
            return np.zeros(self.n_segments)
        return _dipole_weights(self)


def _cos_to_trunk(sec, trunk, cell_type='a cell'):
    a = np.asarray(sec.direction, float)
    b = np.asarray(trunk.direction, float)
    for s, v in ((sec, a), (trunk, b)):
        if not _norm3(v) > 0:
            raise ValueError(f'{cell_type} section {s.name!r}: end_pts must be two '
                             'different points, its direction enters the dipole')
    return _dot3(a, b) / (_norm3(a) * _norm3(b))


def _dipole_weights(template):
    if 'apical_trunk' not in template.section_names:
        raise ValueError(f'The dipole of {template.cell_type} is measured along its '
                         "'apical_trunk' section, which it does not have; set "
                         "cell_metadata['measure_dipole'] to False or add the section")
    trunk = template.section('apical_trunk')
    by_name = {sec.name: sec for sec in template.sections}
    # Node ids: interior nodes 0..n_int-1 in template order, then the root node,
    # then the zero-area node at the 1-end of every section.
    first_node = {}
    n_int = 0
    for sec in template.sections:
        first_node[sec.name] = n_int
        n_int += sec.nseg
    end_node = {sec.name: n_int + 1 + k for k, sec in enumerate(template.sections)}
    root_node = n_int
    n_nodes = n_int + 1 + len(template.sections)

    coef = np.zeros(n_nodes)
    links = {z: [] for z in range(n_int, n_nodes)}  # zero-area node -> neighbours
    for sec in template.sections:
        if sec.child_x != 0:
            raise NotImplementedError(
                f'{template.cell_type}: section {sec.name!r} is attached by its '
                '1-end; the dipole needs every section attached by its 0-end')
        if sec.parent is None or sec.parent_x == 0:
            if sec.parent is not None and by_name[sec.parent].parent is not None:
                raise NotImplementedError(
                    f'{template.cell_type}: section {sec.name!r} is attached to the '
                    f'0-end of {sec.parent!r}; the dipole supports that only on the '
                    'root section')
            attach = root_node
        elif sec.parent_x == 1:
            attach = end_node[sec.parent]
        else:
            raise NotImplementedError(
                f'{template.cell_type}: section {sec.name!r} is attached inside '
                f'{sec.parent!r} (x={sec.parent_x}); the dipole needs sections '
                'attached at the ends of their parents')
        n = sec.nseg
        r_half = sec.half_segment_resistance()
        seg_len = sec.L / n
        cos_theta = _cos_to_trunk(sec, trunk, template.cell_type)
        nodes = [attach] + list(range(first_node[sec.name],
                                      first_node[sec.name] + n)) + [end_node[sec.name]]
        resist = [r_half] + [2 * r_half] * (n - 1) + [r_half]
        lengths = [seg_len / 2] + [seg_len] * (n - 1) + [seg_len / 2]
        for a, b, r, length in zip(nodes[:-1], nodes[1:], resist, lengths):
            c = cos_theta * length / r
            coef[a] += c
            coef[b] -= c
            for z, other in ((a, b), (b, a)):
                if z >= n_int:
                    links[z].append((other, 1.0 / r))
    weights = coef[:n_int].copy()
    for z, neighbours in links.items():
        if not neighbours:
            continue
        g_total = sum(g for _, g in neighbours)
        for other, g in neighbours:
            if other >= n_int:
                raise RuntimeError('two zero-area nodes are adjacent')
            weights[other] += coef[z] * g / g_total
    return weights


def _topology(cell):
    """Section name -> (parent, parent_x, child_x) from the cell's tree."""
    joints = {}
    for (parent, parent_end), children in (cell.cell_tree or {}).items():
        for child, child_end in children:
            if child == parent:
                continue
            if child in joints:
                raise ValueError(f'Section {child!r} of {cell.name} is attached twice '
                                 'in cell_tree')
            joints[child] = (parent, float(parent_end), float(child_end))
    for name in joints:
        if name not in cell.sections or joints[name][0] not in cell.sections:
            raise ValueError(f'cell_tree of {cell.name} names a section that does not '
                             f'exist near {name!r}; its sections are '
                             f'{", ".join(cell.sections)}')
    return joints


def _mechanism_values(cell, sec_name, section, cell_type):
    mechanisms = {}
    for mech, params in section.mechs.items():
        values = {}
        for attr, value in params.items():
            where = f'{cell_type} section {sec_name!r}, mechs[{mech!r}][{attr!r}]'
            if callable(value):
                value = _segment_values(cell, sec_name, value,
                                        f'mechs[{mech!r}][{attr!r}]')
            if isinstance(value, (list, tuple)):
                if len(value) != 2 or not isinstance(value[1], (list, tuple,
                                                                np.ndarray)) or \
                        len(value[1]) != section.nseg:
                    raise ValueError(f'{where} must be a number or [seg_xs, values] '
                                     f'with {section.nseg} values (one per segment: '
                                     f'nseg is {section.nseg})')
                try:
                    values[attr] = tuple(float(v) for v in value[1])
                except (TypeError, ValueError, OverflowError):
                    raise ValueError(f'{where} must hold numbers, got {value!r}') \
                        from None
            else:
                try:
                    values[attr] = float(value)
                except (TypeError, ValueError, OverflowError):
                    raise ValueError(f'{where} must be a number, got {value!r}') from None
            if not np.all(np.isfinite(values[attr])):
                raise ValueError(f'{where} must be finite, got {value!r}')
        mechanisms[mech] = values
    return mechanisms


def _check_section(section, where):
    """A section's values as set directly (modify_section checks its own)."""
    try:
        for attr in ('L', 'diam', 'Ra', 'cm', 'v0', 'nseg'):
            check_section_value(attr, getattr(section, attr))
        check_end_pts(section.end_pts)
    except (TypeError, ValueError) as err:
        raise type(err)(f'{where}: {err}') from None


def _check_synapse(cell_type, receptor, synapse):
    where = f'{cell_type}: synapses[{receptor!r}]'
    if not isinstance(synapse, dict) or not all(k in synapse for k in
                                                ('e', 'tau1', 'tau2')):
        raise ValueError(f"{where} must be a dict with 'e' (mV), 'tau1' and 'tau2' "
                         f'(ms), got {synapse!r}')
    _check_finite(f"{where}['e']", synapse['e'])
    _check_positive(f"{where}['tau1']", synapse['tau1'])
    _check_positive(f"{where}['tau2']", synapse['tau2'])


def compile_cell(cell, cell_type, measure_dipole=False):
    """The :class:`CellTemplate` of a :class:`~hnn_core.cell.Cell` as it is now.

    Parameters
    ----------
    cell : Cell
    cell_type : str
        Its name in the network.
    measure_dipole : bool
        Whether its dipole is recorded.
    """
    joints = _topology(cell)
    sections = []
    for name, section in cell.sections.items():
        _check_section(section, f'{cell_type} section {name!r}')
        parent, parent_x, child_x = joints.get(name, (None, 1.0, 0.0))
        pts = section.end_pts
        direction = (tuple(float(b - a) for a, b in zip(pts[0], pts[1]))
                     if len(pts) == 2 else (0.0, 0.0, 1.0))
        end_pts = tuple(tuple(float(c) for c in pt) for pt in pts)
        missing = [r for r in section.syns if r not in cell.synapses]
        if missing:
            raise ValueError(f'{cell_type} section {name!r} carries the receptor(s) '
                             f'{", ".join(map(repr, missing))}, which the cell\'s '
                             f'synapses do not define; they define '
                             f'{", ".join(map(repr, cell.synapses))}')
        for receptor in section.syns:
            _check_synapse(cell_type, receptor, cell.synapses[receptor])
        synapses = {r: (float(cell.synapses[r]['e']), float(cell.synapses[r]['tau1']),
                        float(cell.synapses[r]['tau2'])) for r in section.syns}
        sections.append(SectionTemplate(
            name=name, L=float(section.L), diam=float(section.diam),
            cm=float(section.cm), Ra=float(section.Ra), nseg=int(section.nseg),
            parent=parent, parent_x=parent_x, child_x=child_x, direction=direction,
            end_pts=end_pts, mechanisms=_mechanism_values(cell, name, section, cell_type), synapses=synapses,
            v_init=float(section.v0)))
    locations = {}
    for loc, names in cell.sect_loc.items():
        unknown = [n for n in names if n not in cell.sections]
        if unknown:
            raise ValueError(f"{cell_type}: sect_loc[{loc!r}] names unknown sections "
                             f"{', '.join(map(repr, unknown))}")
        locations[loc] = tuple(names)
    return CellTemplate(cell_type=cell_type, sections=tuple(sections),
                        locations=locations, measure_dipole=bool(measure_dipole),
                        descriptions=_used_descriptions(cell, cell_type))


def _used_descriptions(cell, cell_type):
    """The cell's descriptions its sections use; their parameter names checked."""
    described = getattr(cell, 'mechanism_descriptions', {})
    used = {}
    for sec_name, section in cell.sections.items():
        for name in list(section.mechs) + list(section.syns):
            if name not in described:
                continue
            description = used[name] = described[name]
            own = [p for p in description.parameters
                   if p not in getattr(description, 'shared_parameters', ())]
            for attr in section.mechs.get(name, {}):
                if not attr.endswith(f'_{name}') or attr[:-len(name) - 1] not in own:
                    allowed = ', '.join(f'{p}_{name}' for p in own) or 'none'
                    raise ValueError(
                        f'{cell_type} section {sec_name!r}: {attr!r} is not a '
                        f'per-section parameter of {name!r} (those are: {allowed})')
    return tuple(used.values())
