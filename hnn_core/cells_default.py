"""The cell types of the Jones et al. 2009 model, and their calcium variant.

:func:`pyramidal` and :func:`basket` make the published L2/L5 pyramidal and basket
cells as :class:`~hnn_core.cell.Cell` objects; :func:`pyramidal_ca` is the L5
pyramidal cell of Kohl et al. 2022 with distance-dependent calcium, sodium and
potassium conductances. Values not given in ``override_params`` are those of
HNN's parameter template (equal to ``param/default.json``).
"""

from functools import partial

import numpy as np

from .cell import Cell, Section, check_section_value
from ._validate import _validate_type, _check_option

PYRAMIDAL_TYPES = ('L2_pyramidal', 'L5_pyramidal')
BASKET_TYPES = ('L2_basket', 'L5_basket')
_PREFIX = {'L2_pyramidal': 'L2Pyr', 'L5_pyramidal': 'L5Pyr'}

_REFERENCE = 'https://doi.org/10.7554/eLife.51214'
# metadata of the four cell types of the model
DEFAULT_METADATA = {
    'L2_basket': {'morpho_type': 'basket', 'electro_type': 'inhibitory',
                  'layer': '2', 'measure_dipole': False, 'reference': _REFERENCE},
    'L2_pyramidal': {'morpho_type': 'pyramidal', 'electro_type': 'excitatory',
                     'layer': '2', 'measure_dipole': True, 'reference': _REFERENCE},
    'L5_basket': {'morpho_type': 'basket', 'electro_type': 'inhibitory',
                  'layer': '5', 'measure_dipole': False, 'reference': _REFERENCE},
    'L5_pyramidal': {'morpho_type': 'pyramidal', 'electro_type': 'excitatory',
                     'layer': '5', 'measure_dipole': True, 'reference': _REFERENCE},
}

# Section layout of the pyramidal cells: end points (um, before the cell is moved
# to its position and stretched to the section lengths) and initial voltages (mV).
_L2_LAYOUT = {
    'apical_trunk': ([[-50, 0, 778], [-50, 0, 813]], -71.46),
    'apical_1': ([[-50, 0, 813], [-50, 0, 993]], -71.46),
    'apical_tuft': ([[-50, 0, 993], [-50, 0, 1133]], -71.46),
    'apical_oblique': ([[-50, 0, 813], [-250, 0, 813]], -71.46),
    'basal_1': ([[-50, 0, 765], [-50, 0, 715]], -71.46),
    'basal_2': ([[-50, 0, 715], [-156, 0, 609]], -71.46),
    'basal_3': ([[-50, 0, 715], [56, 0, 609]], -71.46),
    'soma': ([[-50, 0, 765], [-50, 0, 778]], -71.46),
}
_L5_LAYOUT = {
    'apical_trunk': ([[0, 0, 23], [0, 0, 83]], -72.),
    'apical_1': ([[0, 0, 83], [0, 0, 483]], -71.32),
    'apical_2': ([[0, 0, 483], [0, 0, 883]], -69.08),
    'apical_tuft': ([[0, 0, 883], [0, 0, 1133]], -67.30),
    'apical_oblique': ([[0, 0, 83], [-150, 0, 83]], -72.),
    'basal_1': ([[0, 0, 0], [0, 0, -50]], -72.),
    'basal_2': ([[0, 0, -50], [-106, 0, -156]], -72.),
    'basal_3': ([[0, 0, -50], [106, 0, -156]], -72.),
    'soma': ([[0, 0, 0], [0, 0, 23]], -72.),
}
# (parent section, parent end) -> child sections attached by their 0-end
_JOINTS = {
    'L2_pyramidal': {('soma', 0): ['basal_1'], ('soma', 1): ['apical_trunk'],
                     ('apical_trunk', 1): ['apical_1', 'apical_oblique'],
                     ('apical_1', 1): ['apical_tuft'],
                     ('basal_1', 1): ['basal_2', 'basal_3']},
    'L5_pyramidal': {('soma', 0): ['basal_1'], ('soma', 1): ['apical_trunk'],
                     ('apical_trunk', 1): ['apical_1', 'apical_oblique'],
                     ('apical_1', 1): ['apical_2'], ('apical_2', 1): ['apical_tuft'],
                     ('basal_1', 1): ['basal_2', 'basal_3']},
}
# mechanism -> its parameters, in the order they are inserted
_MECHANISMS = {
    'L2_pyramidal': {'km': ['gbar_km'],
                     'hh2': ['gkbar_hh2', 'gnabar_hh2', 'gl_hh2', 'el_hh2']},
    'L5_pyramidal': {'hh2': ['gkbar_hh2', 'gnabar_hh2', 'gl_hh2', 'el_hh2'],
                     'ca': ['gbar_ca'], 'cad': ['taur_cad'], 'kca': ['gbar_kca'],
                     'km': ['gbar_km'], 'cat': ['gbar_cat'], 'ar': ['gbar_ar']},
}
RECEPTORS = ('ampa', 'nmda', 'gabaa', 'gabab')


def _exp_g_at_dist(x, gbar_at_zero, exp_term, offset, slope=1):
    """Conductance ``gbar_at_zero * (slope * exp(exp_term * x) + offset)``.

    Parameters
    ----------
    x : float
        Path distance from the soma (um).
    gbar_at_zero, exp_term, offset, slope : float
        Value scale, exponent rate (1/um), additive offset and slope.
    """
    return gbar_at_zero * (slope * np.exp(exp_term * x) + offset)


def _linear_g_at_dist(x, gsoma, gdend, xkink, hotzone_factor=1,
                      hotzone_boundaries=(0, 0)):
    """Conductance rising linearly from ``gsoma`` to ``gdend`` at ``xkink`` um.

    Beyond ``xkink`` the value stays ``gdend``; strictly between the two
    ``hotzone_boundaries`` (um) it is multiplied by ``hotzone_factor``.
    """
    gbar = gsoma + min(xkink, x) * (gdend - gsoma) / xkink
    if hotzone_boundaries[0] < x < hotzone_boundaries[1]:
        gbar *= hotzone_factor
    return gbar


def _pyramidal_values(cell_name, override_params):
    """The flat HNN parameters of a pyramidal cell type, with the overrides."""
    from .params import _template
    prefix = _PREFIX[cell_name] + '_'
    values = {k: v for k, v in _template().items() if k.startswith(prefix)}
    if override_params is not None:
        _validate_type(override_params, dict, 'override_params')
        values.update(override_params)
    return values


def _pyramidal_cell(cell_name, pos, values, gid):
    prefix = _PREFIX[cell_name]
    layout = _L2_LAYOUT if cell_name == 'L2_pyramidal' else _L5_LAYOUT

    def value(key):
        try:
            return values[f'{prefix}_{key}']
        except KeyError:
            raise KeyError(f'The parameter {prefix}_{key} of the {cell_name} cell '
                           'is missing') from None

    sections = {}
    for name, (end_pts, v0) in layout.items():
        part = 'soma' if name == 'soma' else 'dend'
        geometry = 'soma' if name == 'soma' else name.replace('_', '')
        keys = {'L': f'{geometry}_L', 'diam': f'{geometry}_diam', 'Ra': f'{part}_Ra',
                'cm': f'{part}_cm'}
        geometry_values = {}
        for attr, key in keys.items():
            try:
                geometry_values[attr] = check_section_value(attr, value(key))
            except (TypeError, ValueError) as err:
                raise type(err)(f'The parameter {prefix}_{key} ({cell_name} section '
                                f'{name!r}): {err}') from None
        section = Section(**geometry_values, v0=v0, end_pts=end_pts)
        section.syns = ['gabaa', 'gabab'] if name == 'soma' else list(RECEPTORS)
        section.mechs = {mech: {attr: value(f'{part}_{attr}') for attr in attrs}
                         for mech, attrs in _MECHANISMS[cell_name].items()}
        if cell_name == 'L5_pyramidal' and name != 'soma':
            # the h-like current grows along the dendrites, from 1e-6 S/cm2 at the
            # soma, whatever the parameter file says (as in every HNN version)
            section.mechs['ar']['gbar_ar'] = partial(
                _exp_g_at_dist, gbar_at_zero=1e-6, exp_term=3e-3, offset=0.0)
        sections[name] = section
    tree = {(name, 0): [(name, 1)] for name in layout if name != 'soma'}
    tree[('soma', 0)] = [('soma', 1)]
    for (parent, end), children in _JOINTS[cell_name].items():
        tree.setdefault((parent, end), []).extend((child, 0) for child in children)
    synapses = {receptor: {'e': value(f'{receptor}_e'),
                           'tau1': value(f'{receptor}_tau1'),
                           'tau2': value(f'{receptor}_tau2')}
                for receptor in RECEPTORS}
    sect_loc = {'proximal': ['apical_oblique', 'basal_2', 'basal_3'],
                'distal': ['apical_tuft']}
    return Cell(prefix, pos, sections=sections, synapses=synapses, sect_loc=sect_loc,
                cell_tree=tree, gid=gid)


def pyramidal(cell_name, pos=(0, 0, 0), override_params=None, gid=None):
    """An L2/3 or L5 pyramidal cell of the Jones et al. 2009 model.

    Parameters
    ----------
    cell_name : str
        ``'L2_pyramidal'`` or ``'L5_pyramidal'``.
    pos : tuple of float
        Position (x, y, z) of the soma (um).
    override_params : dict | None
        Flat HNN parameters to use instead of the defaults, e.g.
        ``{'L5Pyr_soma_gnabar_hh2': 0.2, 'L5Pyr_dend_gbar_ca': func}``; a value
        may be a function of the path distance (um) from the soma, evaluated
        at every segment of the dendrites (``_dend_`` keys).
    gid : int | None
        Global id.

    Returns
    -------
    cell : Cell
    """
    _validate_type(cell_name, str, 'cell_name')
    _check_option('cell_name', cell_name, PYRAMIDAL_TYPES)
    return _pyramidal_cell(cell_name, pos, _pyramidal_values(cell_name, override_params),
                           gid)


def basket(cell_name, pos=(0, 0, 0), gid=None):
    """A fast-spiking basket cell: one soma with hh2 at its default conductances.

    Parameters
    ----------
    cell_name : str
        ``'L2_basket'`` or ``'L5_basket'``. They differ only in where inputs
        arrive: an L5 basket cell has no ``'distal'`` location.
    pos : tuple of float
        Position (x, y, z) of the soma (um).
    gid : int | None
        Global id.

    Returns
    -------
    cell : Cell
    """
    _validate_type(cell_name, str, 'cell_name')
    _check_option('cell_name', cell_name, BASKET_TYPES)
    soma = Section(L=39., diam=20., cm=0.85, Ra=200., v0=-64.9737,
                   end_pts=[[0, 0, 0], [0, 0, 39.]])
    synapses = {'ampa': {'e': 0., 'tau1': 0.5, 'tau2': 5.},
                'gabaa': {'e': -80., 'tau1': 0.5, 'tau2': 5.},
                'nmda': {'e': 0., 'tau1': 1., 'tau2': 20.}}
    soma.syns = list(synapses)
    soma.mechs = {'hh2': {}}
    distal = ['soma'] if cell_name == 'L2_basket' else []
    return Cell(cell_name, pos, sections={'soma': soma}, synapses=synapses,
                sect_loc={'proximal': ['soma'], 'distal': distal}, cell_tree=None,
                gid=gid)


def pyramidal_ca(cell_name, pos, override_params=None, gid=None):
    """The L5 pyramidal cell with the calcium dynamics of Kohl et al. 2022.

    Somatic sodium and potassium are raised (gnabar 0.32, gkbar 0.06 S/cm2); in
    the dendrites the calcium conductance rises linearly from 10 to 40 pS/um2
    at 1501 um, sodium falls linearly from the somatic value to 28e-4 S/cm2 at
    962 um and potassium decays as ``0.06 (exp(-0.006 x) + 1e-4)`` S/cm2, x
    being the path distance (um) from the soma.

    Parameters
    ----------
    cell_name : str
        ``'L5_pyramidal'`` (or ``'L2_pyramidal'``, which ignores the L5 keys).
    pos : tuple of float
        Position (x, y, z) of the soma (um).
    override_params : dict | None
        Further flat HNN parameters; not modified.
    gid : int | None
        Global id.

    Returns
    -------
    cell : Cell
    """
    override = dict() if override_params is None else dict(override_params)
    override['L5Pyr_soma_gkbar_hh2'] = 0.06
    override['L5Pyr_soma_gnabar_hh2'] = 0.32
    override['L5Pyr_dend_gbar_ca'] = partial(_linear_g_at_dist, gsoma=10., gdend=40.,
                                             xkink=1501)
    override['L5Pyr_dend_gnabar_hh2'] = partial(
        _linear_g_at_dist, gsoma=override['L5Pyr_soma_gnabar_hh2'], gdend=28e-4,
        xkink=962)
    override['L5Pyr_dend_gkbar_hh2'] = partial(
        _exp_g_at_dist, gbar_at_zero=override['L5Pyr_soma_gkbar_hh2'],
        exp_term=-0.006, offset=1e-4)
    return pyramidal(cell_name, pos, override_params=override, gid=gid)


def default_cell_types(params=None):
    """The four cell types of the model with their metadata, in gid order.

    Parameters
    ----------
    params : dict | None
        Flat HNN parameters for the pyramidal cells (hnn-core 0.1 read them from
        the parameter file); None for the published values.

    Returns
    -------
    cell_types : dict
        Name -> ``{'cell_object': Cell, 'cell_metadata': dict}``.
    """
    cells = {'L2_basket': basket('L2_basket'),
             'L2_pyramidal': pyramidal('L2_pyramidal', override_params=params),
             'L5_basket': basket('L5_basket'),
             'L5_pyramidal': pyramidal('L5_pyramidal', override_params=params)}
    return {name: {'cell_object': cell, 'cell_metadata': dict(DEFAULT_METADATA[name])}
            for name, cell in cells.items()}
