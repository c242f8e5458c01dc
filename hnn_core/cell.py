"""Cells as editable data: sections, membrane mechanisms, synapses and topology.

A :class:`Cell` describes one cell type of a network (``net.cell_types[name]
['cell_object']``): its :class:`Section` objects (geometry, passive properties,
initial voltage, inserted mechanisms and the receptors they carry), the synapse
kinetics of each receptor, the named groups of sections that connections target
(``sect_loc``, e.g. ``'proximal'``) and how the sections join (``cell_tree``).
Nothing here needs NEURON: the engine turns a cell into NEURON sections when a
simulation starts, so every edit made before a run takes effect in that run.

The layout and names are those of hnn-core 0.6.1, so scripts written for it (e.g.
``cell.modify_section('apical_1', L=300.)`` or
``cell.sections['soma'].mechs['hh2']['gnabar_hh2'] = 0.2``) run unchanged.

Units: lengths and diameters in um, ``cm`` in uF/cm2, ``Ra`` in ohm cm, voltages in
mV, synaptic time constants in ms, conductance densities as each mechanism
defines them (S/cm2 for ``hh2``, pS/um2 for ``km`` and ``ca``).
"""

import math
import numbers
from copy import deepcopy

import numpy as np

from ._validate import _validate_type, _check_option, _finite

# The nodes of a cell's tree are (section name, end) with end 0 or 1; the root is
# the 0-end of the soma.
_ROOT = ('soma', 0)


def _nseg_for(L):
    """Segments of a section of length L (um): 1 up to 100 um, else L // 50 made odd."""
    if L <= 100.:
        return 1
    nseg = int(L / 50.)
    return nseg + 1 if nseg % 2 == 0 else nseg


def _point(xyz):
    return [float(c) for c in xyz]


def _dot3(a, b):
    """a . b of two 3-vectors, rounded the same on every machine.

    numpy's dot and norm of short vectors take the CPU's fastest kernel, whose
    rounding differs between machines (fused multiply-adds with AVX-512, not
    with AVX2); end points and dipole weights must not depend on the machine.
    """
    return (float(a[0]) * float(b[0]) + float(a[1]) * float(b[1])) + \
        float(a[2]) * float(b[2])


def _norm3(a):
    """Euclidean length of a 3-vector, rounded the same on every machine."""
    return math.sqrt(_dot3(a, a))


def location_sections(cell, loc):
    """Names of the sections a connection to ``loc`` contacts on ``cell``.

    ``loc`` is a location group (``cell.sect_loc``, e.g. ``'proximal'``) or a
    section; None if it is neither.
    """
    if loc in cell.sect_loc:
        return list(cell.sect_loc[loc])
    if loc in cell.sections:
        return [loc]
    return None


def _check_positive(name, value):
    _validate_type(value, 'numeric', name)
    if not _finite(value) or value <= 0:
        raise ValueError(f'{name} must be a finite number > 0, got {value!r}')
    if name == 'diam' and not _FLOAT32_TINY <= value <= _FLOAT32_MAX:
        raise ValueError(f'diam must be from {_FLOAT32_TINY:.3g} to {_FLOAT32_MAX:.3g} '
                         'um (NEURON keeps diameters in single precision), got '
                         f'{value!r}')
    return value


def _check_finite(name, value):
    _validate_type(value, 'numeric', name)
    if not _finite(value):
        raise ValueError(f'{name} must be a finite number, got {value!r}')
    return value


_FLOAT32_TINY = float(np.finfo(np.float32).tiny)
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# NEURON's limit on the segments of a section
MAX_NSEG = 32767


def check_section_value(attr, value):
    """A section's L, diam, Ra, cm (finite, > 0) or v0 (finite); nseg (1..32767)."""
    if attr == 'v0':
        return _check_finite(attr, value)
    if attr == 'nseg':
        _validate_type(value, 'int', 'nseg')
        if not 1 <= value <= MAX_NSEG:
            raise ValueError(f'nseg must be an integer from 1 to {MAX_NSEG}, got '
                             f'{value!r}')
        return value
    return _check_positive(attr, value)


def check_end_pts(end_pts):
    """None, or 0 or 2 points of 3 finite coordinates (um)."""
    _validate_type(end_pts, (list, tuple), 'end_pts', 'list of [x, y, z]')
    try:
        pts = np.array(end_pts, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError('end_pts must be a list of [x, y, z] points (um), got '
                         f'{end_pts!r}') from None
    if len(end_pts) and (pts.shape != (2, 3) or not np.all(np.isfinite(pts))):
        raise ValueError('end_pts must be two [x, y, z] points of finite numbers '
                         f'(um), got {end_pts!r}')
    return end_pts


def check_pos(pos):
    """A position (x, y, z) of finite numbers (um), as a tuple."""
    try:
        arr = np.array(pos, dtype=float)
    except (TypeError, ValueError, OverflowError):
        arr = None
    if isinstance(pos, (str, bytes)) or arr is None or arr.shape != (3,) or \
            not np.all(np.isfinite(arr)):
        raise ValueError(f'pos must be (x, y, z), three finite numbers (um), got '
                         f'{pos!r}')
    return tuple(pos)


class Section:
    """One unbranched cylinder of a cell.

    Parameters
    ----------
    L : float
        Length (um).
    diam : float
        Diameter (um).
    Ra : float
        Axial resistivity (ohm cm).
    cm : float
        Specific membrane capacitance (uF/cm2).
    v0 : float
        Initial membrane potential (mV).
    end_pts : list of [x, y, z] | None
        Start and end points (um). Only their direction matters for the dipole
        (its projection on the apical trunk); :class:`Cell` moves them to the
        cell's position and stretches them to length ``L``.

    Attributes
    ----------
    L, diam, Ra, cm, v0, end_pts
        As above; change them with :meth:`Cell.modify_section`.
    nseg : int
        Number of segments, set from ``L`` when the section is made (1 up to
        100 um, else ``int(L / 50)`` made odd). As in hnn-core 0.6.1,
        :meth:`Cell.modify_section` leaves it as it is; assign it to refine.
    mechs : dict
        Mechanism name -> {parameter: value}, e.g. ``{'hh2': {'gnabar_hh2':
        0.18}}`` (parameters carry the mechanism suffix, as NEURON names them). A
        value is a number for the whole section, ``[seg_xs, seg_values]`` with
        one value per segment, or a function of the path distance (um) from the
        0-end of the soma, evaluated at every segment centre.
    syns : list of str
        Receptors with a synapse at the middle of this section (``'ampa'``,
        ``'nmda'``, ``'gabaa'``, ``'gabab'``).
    """

    def __init__(self, L, diam, Ra, cm, v0=-65., end_pts=None):
        self._L = check_section_value('L', L)
        self._diam = check_section_value('diam', diam)
        self._Ra = check_section_value('Ra', Ra)
        self._cm = check_section_value('cm', cm)
        self._v0 = check_section_value('v0', v0)
        if end_pts is None:
            end_pts = list()
        check_end_pts(end_pts)
        self._end_pts = [[float(c) for c in pt] for pt in end_pts]
        self.mechs = dict()
        self.syns = list()
        self.nseg = _nseg_for(self._L)

    L = property(lambda self: self._L, doc='Length (um).')
    diam = property(lambda self: self._diam, doc='Diameter (um).')
    Ra = property(lambda self: self._Ra, doc='Axial resistivity (ohm cm).')
    cm = property(lambda self: self._cm, doc='Membrane capacitance (uF/cm2).')
    v0 = property(lambda self: self._v0, doc='Initial membrane potential (mV).')
    end_pts = property(lambda self: self._end_pts,
                       doc='Start and end points [[x, y, z], [x, y, z]] (um).')

    def __repr__(self):
        return (f'L={self.L}, diam={self.diam}, cm={self.cm}, Ra={self.Ra}, '
                f'v0={self.v0}')

    def __eq__(self, other):
        if not isinstance(other, Section):
            return NotImplemented
        same_pts = (len(self.end_pts) == len(other.end_pts) and
                    np.allclose(self.end_pts, other.end_pts, rtol=0, atol=1e-5))
        return (same_pts and self.L == other.L and self.diam == other.diam and
                self.cm == other.cm and self.Ra == other.Ra and
                self.v0 == other.v0 and self.nseg == other.nseg and
                self.syns == other.syns and
                _values_equal(self.mechs, other.mechs))

    def to_dict(self):
        """The section as a dict of plain values (hnn-core 0.6.1's layout)."""
        return {'L': self.L, 'diam': self.diam, 'cm': self.cm, 'Ra': self.Ra,
                'end_pts': deepcopy(self.end_pts), 'nseg': self.nseg, 'v0': self.v0,
                'mechs': deepcopy(self.mechs), 'syns': list(self.syns)}


def _values_equal(a, b):
    """Equality of nested dicts/lists of numbers that treats arrays as lists."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple, np.ndarray)) and \
            isinstance(b, (list, tuple, np.ndarray)):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    return a == b


class Cell:
    """A cell type: its sections, synapses, target locations and topology.

    Parameters
    ----------
    name : str
        Name of the cell model (e.g. ``'L5Pyr'``).
    pos : tuple of float
        Position (x, y, z) of the soma's 0-end (um); the sections' end points
        are moved there.
    sections : dict of str -> Section
        The sections, by name; one must be ``'soma'``.
    synapses : dict of str -> dict
        Receptor -> ``{'e': reversal potential (mV), 'tau1': rise (ms),
        'tau2': decay (ms)}`` of its double-exponential synapses.
    sect_loc : dict of str -> list of str
        Location name (e.g. ``'proximal'``) -> the sections a connection to that
        location contacts (one synapse in each, with the full weight).
    cell_tree : dict | None
        How sections join: node -> list of child nodes, a node being
        ``(section name, end)`` with end 0 or 1. ``(sec, 0): [(sec, 1)]`` is the
        section itself; ``('soma', 1): [('apical_trunk', 0)]`` attaches the
        trunk's 0-end to the soma's 1-end. None for a one-section cell.
    gid : int | None
        Global id, set once (the templates of a network have none).

    Attributes
    ----------
    mechanism_descriptions : dict
        Name -> :class:`~hnn_core.channels.Channel` or
        :class:`~hnn_core.channels.Synapse`: the mechanisms described in Python
        that :meth:`insert_mechanism` and :meth:`add_synapse` put on this cell.

    Notes
    -----
    Mechanism values given as functions of the distance from the soma are
    evaluated when the cell is made, as in hnn-core 0.6.1 (so they follow the
    geometry at that time); a function assigned later is evaluated when the
    simulation starts.
    """

    def __init__(self, name, pos, sections, synapses, sect_loc, cell_tree, gid=None):
        _validate_type(name, str, 'name')
        _validate_type(sections, dict, 'sections', 'dict of str -> Section')
        for sec_name, section in sections.items():
            if not isinstance(section, Section):
                raise ValueError(f'sections[{sec_name!r}] must be a Section, got '
                                 f'{type(section).__name__}')
        if 'soma' not in sections:
            raise KeyError('soma must be defined for cell: sections needs a '
                           "'soma' entry")
        _validate_type(synapses, dict, 'synapses', 'dict of receptor -> dict')
        _validate_type(sect_loc, dict, 'sect_loc', 'dict of str -> list of str')
        _validate_type(cell_tree, (dict, None), 'cell_tree', 'dict or None')
        self.name = name
        self.pos = check_pos(pos)
        self.sections = sections
        self.synapses = synapses
        self.sect_loc = sect_loc
        self.cell_tree = cell_tree
        # name -> Channel or Synapse described in Python (insert_mechanism, add_synapse)
        self.mechanism_descriptions = {}
        self._gid = None
        if gid is not None:
            self.gid = gid
        self._update_end_pts()
        self._compute_section_mechs()

    @property
    def gid(self):
        """Global id of the cell (None for a template)."""
        return self._gid

    @gid.setter
    def gid(self, gid):
        _validate_type(gid, 'int', 'gid')
        if self._gid is not None:
            raise RuntimeError('Global ID for this cell already assigned!')
        self._gid = int(gid)

    def __repr__(self):
        return f'<Cell | gid={self._gid}>'

    def __eq__(self, other):
        if not isinstance(other, Cell):
            return NotImplemented
        return (self.name == other.name and tuple(self.pos) == tuple(other.pos) and
                self.sections.keys() == other.sections.keys() and
                all(self.sections[k] == other.sections[k] for k in self.sections) and
                _values_equal(self.synapses, other.synapses) and
                _values_equal(self.sect_loc, other.sect_loc) and
                self.cell_tree == other.cell_tree and
                self.mechanism_descriptions == other.mechanism_descriptions)

    def copy(self):
        """A deep copy."""
        return deepcopy(self)

    def to_dict(self):
        """The cell as a dict of plain values (hnn-core 0.6.1's layout).

        Mechanism values that are functions of the distance are written as their
        values at the segments (the cell itself keeps the functions).
        """
        evaluated = self.copy()
        evaluated._compute_section_mechs()
        tree = None
        if self.cell_tree is not None:
            tree = {f'{p[0]},{p[1]}': [f'{c[0]},{c[1]}' for c in children]
                    for p, children in self.cell_tree.items()}
        data = {'name': self.name, 'pos': list(self.pos),
                'sections': {k: s.to_dict() for k, s in evaluated.sections.items()},
                'synapses': deepcopy(self.synapses), 'cell_tree': tree,
                'sect_loc': deepcopy(self.sect_loc), 'gid': self.gid,
                # simulation-time records of hnn-core 0.6.1, always empty in files
                'dipole_pp': [], 'vsec': {}, 'isec': {}, 'ca': {},
                'tonic_biases': []}
        if self.mechanism_descriptions:  # not in 0.6.1's layout: only when used
            data['mechanism_descriptions'] = [
                d.to_dict() for d in self.mechanism_descriptions.values()]
        return data

    # -- geometry ---------------------------------------------------------------
    def distance_section(self, target_sec_name, curr_node):
        """Path distance (um) from a node to the middle of a section.

        Parameters
        ----------
        target_sec_name : str
            The section whose middle is measured.
        curr_node : tuple
            Where the path starts, ``(section name, end)``; ``('soma', 0)`` is
            the root of the cell.

        Returns
        -------
        distance : float
            NaN if the section cannot be reached from the node.
        """
        if self.cell_tree is None:
            raise TypeError('distance_section() cannot work with cell_tree as None.')
        return self._distance(target_sec_name, tuple(curr_node))

    def _distance(self, target, node):
        children = self.cell_tree.get(node)
        if children is None:
            return np.nan
        if (target, 0) in children or (target, 1) in children:
            return self.sections[target].L / 2
        best = np.nan
        for child in children:
            dist = self._distance(target, child)
            if child[0] == node[0]:  # walking along a section adds its length
                dist = dist + self.sections[child[0]].L
            if not np.isnan(dist):
                best = dist if np.isnan(best) else min(best, dist)
        return best

    def _update_end_pts(self):
        """Move the end points to ``pos`` and stretch each section to its L."""
        if self.cell_tree is None:
            return
        soma_pts = self.sections['soma'].end_pts
        if not soma_pts:
            return
        shift = np.asarray(self.pos, float) - np.asarray(soma_pts[0], float)
        for section in self.sections.values():
            section._end_pts = [_point(np.asarray(pt, float) + shift)
                                for pt in section.end_pts]
        self.define_shape(_ROOT)

    def define_shape(self, node):
        """Stretch the sections below ``node`` to their lengths, moving children.

        Parameters
        ----------
        node : tuple
            ``(section name, end)``; ``('soma', 0)`` reshapes the whole cell.
        """
        if self.cell_tree is None:
            return
        sec_name, end = node
        pts = self.sections[sec_name].end_pts
        if len(pts) == 2:
            near, far = np.asarray(pts[end], float), np.asarray(pts[1 - end], float)
            length = _norm3(far - near)
            if length > 0:
                new_far = near + (far - near) * (self.sections[sec_name].L / length)
                self._translate((sec_name, 1 - end), new_far - far)
        for child in self.cell_tree.get(node, ()):
            self.define_shape(child)

    def _translate(self, node, delta):
        """Move the point of ``node`` and every node below it by ``delta``."""
        sec_name, end = node
        pts = self.sections[sec_name].end_pts
        if len(pts) == 2:
            pts[end] = _point(np.asarray(pts[end], float) + delta)
        for child in self.cell_tree.get(node, ()):
            self._translate(child, delta)

    def modify_section(self, sec_name, L=None, diam=None, cm=None, Ra=None, v0=None):
        """Change the geometry or passive properties of one section.

        Parameters
        ----------
        sec_name : str
            A key of :attr:`sections`.
        L, diam : float | None
            Length and diameter (um); None leaves them unchanged. A new length
            stretches the section along its direction and moves the sections
            attached beyond it. The number of segments stays as it was (as in
            hnn-core 0.6.1).
        cm : float | None
            Membrane capacitance (uF/cm2).
        Ra : float | None
            Axial resistivity (ohm cm).
        v0 : float | None
            Initial membrane potential (mV).
        """
        _validate_type(sec_name, str, 'sec_name')
        _check_option('sec_name', sec_name, list(self.sections))
        section = self.sections[sec_name]
        values = {}
        # every value is checked before any is set: a refused call changes nothing
        for attr, value in (('L', L), ('diam', diam), ('cm', cm), ('Ra', Ra),
                            ('v0', v0)):
            if value is not None:
                try:
                    values[attr] = check_section_value(attr, value)
                except (TypeError, ValueError) as err:
                    raise type(err)(f'{self.name} section {sec_name!r}: {err}') \
                        from None
        old = {attr: getattr(section, attr) for attr in values}
        old_pts = {name: deepcopy(sec._end_pts) for name, sec in self.sections.items()}
        for attr, value in values.items():
            setattr(section, f'_{attr}', value)
        self._update_end_pts()
        if 'L' in values and not self._end_pts_usable():
            for attr, value in old.items():
                setattr(section, f'_{attr}', value)
            for name, pts in old_pts.items():
                self.sections[name]._end_pts = pts
            raise ValueError(f'{self.name} section {sec_name!r}: L={L} um leaves the '
                             'end points of the cell out of floating-point range '
                             '(or makes them coincide); give a length in um')

    def insert_mechanism(self, mechanism, sections=None, **values):
        """Insert a mechanism described in Python into sections of this cell.

        Parameters
        ----------
        mechanism : hnn_core.channels.Channel
            The channel. The cell keeps the description (network files carry
            it); another description under the same name replaces it in every
            section.
        sections : list of str | None
            Sections to insert it into; None for all.
        **values : float | callable | [seg_xs, seg_values]
            Parameter values by the parameter's own name (e.g. ``gbar=1e-4``):
            a number for every section, a function of the path distance from
            the soma (um), or ``[seg_xs, seg_values]``. Parameters not given
            keep the description's default. Parameters that tabulated rates
            read (``mechanism.shared_parameters``) are one value for all
            sections: change them on the description.

        Returns
        -------
        self : Cell
        """
        from .channels import Channel
        _validate_type(mechanism, Channel, 'mechanism', 'Channel')
        names = self._section_names(sections)
        for param in values:
            if param in mechanism.shared_parameters:
                raise ValueError(
                    f'{param!r} of {mechanism.name!r} is read by its tabulated rates, '
                    'so it is one value for all sections; set it in the description '
                    f'(per-section parameters: {", ".join(self._own(mechanism))})')
            _check_option('parameter', param, self._own(mechanism))
            value = values[param]
            if not callable(value) and not isinstance(value, (list, tuple)) and \
                    not (isinstance(value, numbers.Real) and _finite(value)):
                raise ValueError(f'{param}: expected a finite number, a function of '
                                 f'the distance or [seg_xs, seg_values], got {value!r}')
        self._describe(mechanism)
        for sec_name in names:
            self.sections[sec_name].mechs[mechanism.name] = {
                f'{param}_{mechanism.name}': value for param, value in values.items()}
        self._compute_section_mechs()
        return self

    def add_synapse(self, synapse, sections, e, tau1, tau2):
        """Put a synapse type described in Python on sections of this cell.

        Connections reach it with ``receptor=synapse.name``.

        Parameters
        ----------
        synapse : hnn_core.channels.Synapse
        sections : list of str
            Sections that get one at their middle.
        e : float
            Reversal potential (mV).
        tau1, tau2 : float
            Rise and decay time constants (ms).

        Returns
        -------
        self : Cell
        """
        from .cell_template import _check_synapse
        from .channels import Synapse
        _validate_type(synapse, Synapse, 'synapse', 'Synapse')
        names = self._section_names(sections)
        kinetics = {'e': e, 'tau1': tau1, 'tau2': tau2}
        _check_synapse(self.name, synapse.name, kinetics)
        self._describe(synapse)
        self.synapses[synapse.name] = {k: float(v) for k, v in kinetics.items()}
        for sec_name in names:
            if synapse.name not in self.sections[sec_name].syns:
                self.sections[sec_name].syns.append(synapse.name)
        return self

    @staticmethod
    def _own(mechanism):
        return [p for p in mechanism.parameters if p not in mechanism.shared_parameters]

    def _section_names(self, sections):
        if sections is None:
            return list(self.sections)
        if isinstance(sections, str):
            sections = [sections]
        _validate_type(sections, (list, tuple), 'sections', 'list of str')
        for name in sections:
            _check_option('sections', name, list(self.sections))
        return list(sections)

    def _describe(self, description):
        """Keep a description; a new one of the same name replaces the old."""
        self.mechanism_descriptions[description.name] = description

    def _end_pts_usable(self):
        for section in self.sections.values():
            pts = np.asarray(section.end_pts, float)
            if len(pts) and (not np.all(np.isfinite(pts)) or
                             not _norm3(pts[1] - pts[0]) > 0):
                return False
        return True

    def _compute_section_mechs(self):
        """Evaluate mechanism values given as functions of the distance from the soma.

        Each becomes ``[seg_xs, seg_values]``: the segment centres (0-1) and the
        function's value at the path distance of each centre from the soma's
        0-end.
        """
        for sec_name, section in self.sections.items():
            for mech_name, params in section.mechs.items():
                for attr, value in params.items():
                    if callable(value):
                        params[attr] = _segment_values(self, sec_name, value,
                                                   f'{mech_name}.{attr}')

    def plot_morphology(self, ax=None, color=None, pos=(0, 0, 0), xlim=None,
                        ylim=None, zlim=None, show=True):
        """Draw the sections in 3-D; see :func:`hnn_core.viz.plot_cell_morphology`.

        The limits (um, relative to ``pos``) default to the whole cell.
        """
        from .viz import plot_cell_morphology
        return plot_cell_morphology(self, ax=ax, color=color, pos=pos, xlim=xlim,
                                    ylim=ylim, zlim=zlim, show=show)


def _segment_values(cell, sec_name, function, what):
    """[seg_xs, values] of ``function`` of the path distance at each segment centre."""
    if cell.cell_tree is None:
        raise ValueError(f'{what} of section {sec_name!r} is a function of the '
                         'distance from the soma, which needs a cell_tree; '
                         'this cell has none')
    section = cell.sections[sec_name]
    middle = cell.distance_section(sec_name, _ROOT)
    if np.isnan(middle):
        raise ValueError(f'{what} of section {sec_name!r} is a function of the '
                         f'distance from the soma, but {sec_name!r} is not '
                         'connected to the soma in cell_tree')
    start = middle - section.L / 2
    xs = np.linspace(0, 1, section.nseg * 2 + 1)[1::2]
    values = []
    for x in xs:
        value = function(start + x * section.L)
        if not isinstance(value, numbers.Real) or not _finite(value):
            raise ValueError(f'{what} of section {sec_name!r} gave {value!r} at '
                             f'{start + x * section.L} um; it must give finite '
                             'numbers')
        values.append(float(value))
    return [xs.tolist(), values]
