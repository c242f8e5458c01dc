"""Cell templates of the Jones et al. 2009 model, as plain data.

A template lists the sections of one cell type (geometry, topology, passive and
active membrane properties, synapses) with the values of the parameter file. It
knows nothing about NEURON: the engine turns it into sections, and the geometry
alone gives the linear map from node voltages to the cell's current dipole.

Units: lengths and diameters in um, cm in uF/cm2, Ra in ohm cm, voltages in mV,
time constants in ms, conductance densities as each mechanism defines them.
"""

from dataclasses import dataclass, field

import numpy as np

CELL_TYPES = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')
PYRAMIDAL_TYPES = ('L2_pyramidal', 'L5_pyramidal')
RECEPTORS = ('ampa', 'nmda', 'gabaa', 'gabab')
LOCATIONS = ('proximal', 'distal', 'soma')

# Prefix of each pyramidal type in the parameter file, and its section names there.
_PARAM_PREFIX = {'L2_pyramidal': 'L2Pyr', 'L5_pyramidal': 'L5Pyr'}
_PARAM_SECTION = {'soma': 'soma', 'apical_trunk': 'apicaltrunk',
                  'apical_1': 'apical1', 'apical_2': 'apical2',
                  'apical_tuft': 'apicaltuft', 'apical_oblique': 'apicaloblique',
                  'basal_1': 'basal1', 'basal_2': 'basal2', 'basal_3': 'basal3'}


@dataclass(frozen=True)
class Section:
    """One unbranched cylinder of a cell template.

    Attributes
    ----------
    name : str
        Section name, e.g. ``'apical_tuft'``.
    L : float
        Length (um).
    diam : float
        Diameter (um) as given in the parameters. The simulator uses
        :attr:`diam_effective`.
    cm : float
        Specific membrane capacitance (uF/cm2).
    Ra : float
        Axial resistivity (ohm cm).
    parent : str | None
        Name of the parent section (None for the root, the soma).
    parent_x : float
        Point of the parent (0 or 1) this section's 0-end attaches to.
    direction : tuple of float
        Unit-free direction (end - start) of the section in the template; only
        its angle to the apical trunk matters (it sets the dipole projection).
    mechanisms : dict
        Mechanism name -> {parameter: value}. A value is a float for the whole
        section or a tuple with one value per segment.
    synapses : dict
        Receptor name -> (e, tau1, tau2) of a double-exponential synapse at the
        section's centre (mV, ms, ms).
    v_init : float
        Initial membrane potential (mV).
    """

    name: str
    L: float
    diam: float
    cm: float
    Ra: float
    parent: object = None
    parent_x: float = 1.0
    direction: tuple = (0.0, 0.0, 1.0)
    mechanisms: dict = field(default_factory=dict)
    synapses: dict = field(default_factory=dict)
    v_init: float = -65.0

    @property
    def nseg(self):
        """Number of segments: 1 up to 100 um, else floor(L / 50) made odd."""
        if self.L <= 100:
            return 1
        nseg = int(self.L // 50)
        return nseg + 1 if nseg % 2 == 0 else nseg

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
    """The sections of one cell type, in topological order (soma first).

    Attributes
    ----------
    cell_type : str
        One of ``'L2_basket'``, ``'L2_pyramidal'``, ``'L5_basket'``,
        ``'L5_pyramidal'``.
    sections : tuple of Section
        Parents come before their children.
    locations : dict
        Synaptic target group name (``'proximal'``, ``'distal'``, ``'soma'``) ->
        tuple of section names. A connection to a group makes one synapse
        contact per section of the group.
    """

    cell_type: str
    sections: tuple
    locations: dict

    @property
    def section_names(self):
        return tuple(sec.name for sec in self.sections)

    @property
    def n_segments(self):
        return sum(sec.nseg for sec in self.sections)

    @property
    def is_pyramidal(self):
        return self.cell_type in PYRAMIDAL_TYPES

    def section(self, name):
        for sec in self.sections:
            if sec.name == name:
                return sec
        raise KeyError(f'{self.cell_type} has no section {name!r}; its sections are '
                       f'{", ".join(self.section_names)}')

    def segment_centers(self):
        """Path distance (um) from the soma's 0-end to every segment centre."""
        start = {}
        out = []
        for sec in self.sections:
            if sec.parent is None:
                s0 = 0.0
            else:
                s0 = start[sec.parent] + sec_parent_length(self, sec)
            start[sec.name] = s0
            n = sec.nseg
            out.extend(s0 + (i + 0.5) / n * sec.L for i in range(n))
        return np.array(out)

    def end_points(self):
        """Start and end points (um) of every section, for drawing the cell.

        The soma's 0-end sits at the origin. Walking the tree from the soma,
        each section starts at the point of its parent it attaches to
        (``parent_x`` along the parent: 0 its start, 1 its end) and is a straight
        segment of length ``L`` along its unit-normalised ``direction``. For the
        L5 pyramidal cell this puts the apical tuft's end at z = 1926 um.

        Returns
        -------
        end_points : dict of str -> (ndarray, ndarray)
            Section name -> (start, end), each an array of shape (3,) holding
            x, y, z (um), in template order.
        """
        points = {}
        for sec in self.sections:
            if sec.parent is None:
                start = np.zeros(3)
            else:
                p_start, p_end = points[sec.parent]
                start = p_start + sec.parent_x * (p_end - p_start)
            direction = np.asarray(sec.direction, dtype=float)
            norm = np.linalg.norm(direction)
            if not norm > 0:
                raise ValueError(f'Section {sec.name!r} of {self.cell_type} has a '
                                 f'zero direction {sec.direction}')
            points[sec.name] = (start, start + sec.L * direction / norm)
        return points

    def dipole_weights(self):
        """Weights w (nA um / mV / ... = fAm per mV) with Q(t) = w @ V(t).

        V holds the voltage of every segment centre (the interior nodes) in template
        order. The current dipole of the cell is the sum, over every axial
        resistor, of its current times its length projected on the apical axis.
        The zero-area nodes at section ends obey Kirchhoff's current law exactly at
        every step, so their voltages are fixed weighted means of their
        neighbours and fold into the weights of those neighbours.
        """
        return _dipole_weights(self)


def sec_parent_length(template, sec):
    """Path length (um) inside the parent from its 0-end to where ``sec`` attaches."""
    return template.section(sec.parent).L * sec.parent_x


def _cos_to_trunk(sec, trunk):
    a = np.asarray(sec.direction, float)
    b = np.asarray(trunk.direction, float)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _dipole_weights(template):
    if not template.is_pyramidal:
        return np.zeros(template.n_segments)
    trunk = template.section('apical_trunk')
    # Node ids: interior nodes 0..n_int-1 in template order, then zero-area nodes.
    first_node = {}
    n_int = 0
    for sec in template.sections:
        first_node[sec.name] = n_int
        n_int += sec.nseg
    end_node = {sec.name: n_int + 1 + k for k, sec in enumerate(template.sections)}
    root_node = n_int
    n_nodes = n_int + 1 + len(template.sections)

    coef = np.zeros(n_nodes)
    # neighbours of each zero-area node: (node, conductance)
    links = {z: [] for z in range(n_int, n_nodes)}
    for sec in template.sections:
        if sec.parent is None or sec.parent_x == 0:
            if sec.parent is not None and template.section(sec.parent).parent is not None:
                raise NotImplementedError('children attached at x=0 of a non-root '
                                          'section are not supported')
            attach = root_node
        else:
            attach = end_node[sec.parent]
        n = sec.nseg
        r_half = sec.half_segment_resistance()
        seg_len = sec.L / n
        cos_theta = _cos_to_trunk(sec, trunk)
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


def _synapses(params, prefix, receptors):
    return {rec: (float(params[f'{prefix}_{rec}_e']),
                  float(params[f'{prefix}_{rec}_tau1']),
                  float(params[f'{prefix}_{rec}_tau2'])) for rec in receptors}


def _pyramidal_template(cell_type, params):
    """L2 or L5 pyramidal cell from the parameter dict (keys as in default.json)."""
    prefix = _PARAM_PREFIX[cell_type]
    is_l5 = cell_type == 'L5_pyramidal'

    def geom(name):
        key = _PARAM_SECTION[name]
        return float(params[f'{prefix}_{key}_L']), float(params[f'{prefix}_{key}_diam'])

    def channels(part):
        p = f'{prefix}_{part}'
        mechs = {'hh2': {'gnabar': float(params[f'{p}_gnabar_hh2']),
                         'gkbar': float(params[f'{p}_gkbar_hh2']),
                         'gl': float(params[f'{p}_gl_hh2']),
                         'el': float(params[f'{p}_el_hh2'])},
                 'km': {'gbar': float(params[f'{p}_gbar_km'])}}
        if is_l5:
            mechs.update({'ca': {'gbar': float(params[f'{p}_gbar_ca'])},
                          'cad': {'taur': float(params[f'{p}_taur_cad'])},
                          'kca': {'gbar': float(params[f'{p}_gbar_kca'])},
                          'cat': {'gbar': float(params[f'{p}_gbar_cat'])},
                          'ar': {'gbar': float(params[f'{p}_gbar_ar'])}})
        return mechs

    # (name, parent, parent_x, direction in the template, initial V)
    if is_l5:
        layout = [('soma', None, 1.0, (0, 0, 23), -72.0),
                  ('apical_trunk', 'soma', 1.0, (0, 0, 60), -72.0),
                  ('apical_oblique', 'apical_trunk', 1.0, (-150, 0, 0), -72.0),
                  ('apical_1', 'apical_trunk', 1.0, (0, 0, 400), -71.32),
                  ('apical_2', 'apical_1', 1.0, (0, 0, 400), -69.08),
                  ('apical_tuft', 'apical_2', 1.0, (0, 0, 250), -67.30),
                  ('basal_1', 'soma', 0.0, (0, 0, -50), -72.0),
                  ('basal_2', 'basal_1', 1.0, (-106, 0, -106), -72.0),
                  ('basal_3', 'basal_1', 1.0, (106, 0, -106), -72.0)]
    else:
        layout = [('soma', None, 1.0, (0, 0, 13), -71.46),
                  ('apical_trunk', 'soma', 1.0, (0, 0, 35), -71.46),
                  ('apical_oblique', 'apical_trunk', 1.0, (-200, 0, 0), -71.46),
                  ('apical_1', 'apical_trunk', 1.0, (0, 0, 180), -71.46),
                  ('apical_tuft', 'apical_1', 1.0, (0, 0, 140), -71.46),
                  ('basal_1', 'soma', 0.0, (0, 0, -50), -71.46),
                  ('basal_2', 'basal_1', 1.0, (-106, 0, -106), -71.46),
                  ('basal_3', 'basal_1', 1.0, (106, 0, -106), -71.46)]

    soma_syn = _synapses(params, prefix, ('gabaa', 'gabab'))
    dend_syn = _synapses(params, prefix, RECEPTORS)
    sections = []
    for name, parent, parent_x, direction, v_init in layout:
        L, diam = geom(name)
        part = 'soma' if name == 'soma' else 'dend'
        sections.append(Section(
            name=name, L=L, diam=diam,
            cm=float(params[f'{prefix}_{part}_cm']),
            Ra=float(params[f'{prefix}_{part}_Ra']),
            parent=parent, parent_x=parent_x,
            direction=tuple(float(c) for c in direction),
            mechanisms=channels(part),
            synapses=soma_syn if part == 'soma' else dend_syn,
            v_init=v_init))
    template = CellTemplate(
        cell_type=cell_type, sections=tuple(sections),
        locations={'proximal': ('apical_oblique', 'basal_2', 'basal_3'),
                   'distal': ('apical_tuft',),
                   'soma': ('soma',)})
    if is_l5:
        template = _with_distance_dependent_ar(template)
    return template


def _with_distance_dependent_ar(template):
    """L5 dendrites: gbar_ar grows as gbar * exp(0.003 x), x = path distance (um)."""
    centers = template.segment_centers()
    sections = []
    start = 0
    for sec in template.sections:
        n = sec.nseg
        if sec.name != 'soma':
            base = sec.mechanisms['ar']['gbar']
            per_seg = tuple(float(base * np.exp(0.003 * x))
                            for x in centers[start:start + n])
            mechanisms = dict(sec.mechanisms)
            mechanisms['ar'] = {'gbar': per_seg}
            sec = Section(**{**sec.__dict__, 'mechanisms': mechanisms})
        sections.append(sec)
        start += n
    return CellTemplate(template.cell_type, tuple(sections), template.locations)


def _basket_template(cell_type):
    """Single-compartment fast-spiking basket cell (L2 and L5 are identical).

    The basket cells have no entries in the parameter file; their values are the
    model's built-in ones (hh2 with its default conductances).
    """
    soma = Section(name='soma', L=39.0, diam=20.0, cm=0.85, Ra=200.0,
                   mechanisms={'hh2': {'gnabar': 0.12, 'gkbar': 0.036,
                                       'gl': 0.0003, 'el': -54.3}},
                   synapses={'ampa': (0.0, 0.5, 5.0), 'nmda': (0.0, 1.0, 20.0),
                             'gabaa': (-80.0, 0.5, 5.0)},
                   v_init=-64.9737)
    # Nothing in the model reaches an L5 basket cell distally.
    distal = ('soma',) if cell_type == 'L2_basket' else ()
    return CellTemplate(cell_type=cell_type, sections=(soma,),
                        locations={'proximal': ('soma',), 'distal': distal,
                                   'soma': ('soma',)})


def cell_templates(params):
    """Templates of the four cell types, keyed by type, from a parameter dict."""
    return {'L2_basket': _basket_template('L2_basket'),
            'L2_pyramidal': _pyramidal_template('L2_pyramidal', params),
            'L5_basket': _basket_template('L5_basket'),
            'L5_pyramidal': _pyramidal_template('L5_pyramidal', params)}
