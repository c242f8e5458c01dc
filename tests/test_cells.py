"""Cell templates: morphology, biophysics and dipole weights (no NEURON needed)."""
import json
import warnings

import numpy as np
import pytest

from hnn_core import Network, read_params
from hnn_core.cell_template import compile_cell, SectionTemplate, CellTemplate
from hnn_core.cells_default import default_cell_types
from hnn_core.network import DEFAULT_PARAMS


def cell_templates(params=None):
    """The compiled templates of the model's cell types."""
    return {name: compile_cell(entry['cell_object'], name,
                               entry['cell_metadata']['measure_dipole'])
            for name, entry in default_cell_types(params).items()}


@pytest.fixture(scope='module')
def templates():
    return cell_templates()


def area(sec):
    """Membrane area (um2) of each segment: pi * (d * l)."""
    return np.pi * (sec.diam_effective * (sec.L / sec.nseg))


def test_section_and_segment_counts(templates):
    counts = {ct: (len(t.sections), t.n_segments) for ct, t in templates.items()}
    assert counts == {'L2_basket': (1, 1), 'L2_pyramidal': (8, 32),
                      'L5_basket': (1, 1), 'L5_pyramidal': (9, 55)}
    nseg = {s.name: s.nseg for s in templates['L5_pyramidal'].sections}
    assert nseg == {'soma': 1, 'apical_trunk': 3, 'apical_1': 13, 'apical_2': 13,
                    'apical_tuft': 9, 'apical_oblique': 5, 'basal_1': 1,
                    'basal_2': 5, 'basal_3': 5}


def test_sections_and_segments_of_the_default_network(templates):
    """The 10x10 network builds 1770 sections and 8770 segments, as hnn-core 0.6.1."""
    from hnn_core import neymotin_2020_model
    net = neymotin_2020_model()
    n_cells = {ct: len(net.gid_ranges[ct]) for ct in net.cell_types}
    assert n_cells == {'L2_basket': 35, 'L2_pyramidal': 100, 'L5_basket': 35,
                       'L5_pyramidal': 100}
    n_sec = sum(n * len(templates[ct].sections) for ct, n in n_cells.items())
    n_seg = sum(n * templates[ct].n_segments for ct, n in n_cells.items())
    assert (n_sec, n_seg) == (1770, 8770)


@pytest.mark.parametrize('L, nseg', [(22.1, 1), (100, 1), (102, 3), (255, 5),
                                     (306, 7), (340, 7), (425, 9), (680, 13),
                                     (238, 5), (150, 3), (200, 5)])
def test_nseg_rule(L, nseg):
    assert SectionTemplate('x', L=L, diam=1., cm=1., Ra=1.).nseg == nseg


def test_float32_diameters_and_areas(templates):
    l5 = templates['L5_pyramidal']
    assert l5.section('soma').diam_effective == 28.899999618530273
    assert l5.section('apical_1').diam_effective == 7.480000019073486
    assert templates['L2_pyramidal'].section('soma').diam_effective == \
        23.399999618530273
    assert area(l5.section('soma')) == 3540.889033122579
    whole = sum(area(s) * s.nseg for s in l5.sections)
    np.testing.assert_allclose(whole, 57380.561167323765, rtol=1e-14)
    l2 = templates['L2_pyramidal']
    np.testing.assert_allclose(area(l2.section('soma')), 1624.6431983922887, rtol=1e-15)
    np.testing.assert_allclose(sum(area(s) * s.nseg for s in l2.sections),
                               18552.81689644047, rtol=1e-14)
    np.testing.assert_allclose(area(templates['L2_basket'].sections[0]), 2450.442270,
                               rtol=1e-9)


def test_axial_resistances(templates):
    l2, l5 = templates['L2_pyramidal'], templates['L5_pyramidal']
    cases = [(l2.section('apical_1'), 3.343591366473321),
             (l5.section('soma'), 0.05945372248364304),
             (l2.section('soma'), 0.05138906212302738),
             (l5.section('apical_1'), 1.1903439832483975)]
    for sec, r_half in cases:
        np.testing.assert_allclose(sec.half_segment_resistance(), r_half, rtol=1e-15)


def test_biophysics(templates):
    l5 = templates['L5_pyramidal']
    soma, tuft = l5.section('soma'), l5.section('apical_tuft')
    assert soma.mechanisms['hh2'] == {'gnabar_hh2': 0.16, 'gkbar_hh2': 0.01,
                                      'gl_hh2': 4.26e-5, 'el_hh2': -65.0}
    assert tuft.mechanisms['hh2']['el_hh2'] == -71.0
    assert soma.mechanisms['cad'] == {'taur_cad': 20.0}
    assert soma.mechanisms['ar'] == {'gbar_ar': 1e-6}
    # distance-dependent anomalous rectifier in the L5 dendrites
    np.testing.assert_allclose(l5.section('apical_trunk').mechanisms['ar']['gbar_ar'],
                               [1.1829366e-6, 1.3099645e-6, 1.4506330e-6], rtol=1e-7)
    np.testing.assert_allclose(l5.section('basal_1').mechanisms['ar']['gbar_ar'],
                               [1.1359849e-6], rtol=1e-7)
    np.testing.assert_allclose(l5.section('basal_2').mechanisms['ar']['gbar_ar'][0],
                               1.3930561e-6, rtol=1e-7)
    np.testing.assert_allclose(tuft.mechanisms['ar']['gbar_ar'][-1], 3.0101698e-4,
                               rtol=1e-7)
    assert {s.name: s.v_init for s in l5.sections} == {
        'soma': -72.0, 'apical_trunk': -72.0, 'apical_oblique': -72.0,
        'apical_1': -71.32, 'apical_2': -69.08, 'apical_tuft': -67.30,
        'basal_1': -72.0, 'basal_2': -72.0, 'basal_3': -72.0}
    l2 = templates['L2_pyramidal']
    assert set(l2.section('soma').mechanisms) == {'hh2', 'km'}
    assert l2.section('soma').synapses == {'gabaa': (-80.0, 0.5, 5.0),
                                           'gabab': (-80.0, 1.0, 20.0)}
    assert set(l2.section('basal_2').synapses) == {'ampa', 'nmda', 'gabaa', 'gabab'}
    assert set(templates['L2_basket'].sections[0].synapses) == {'ampa', 'nmda', 'gabaa'}
    assert templates['L5_basket'].locations['distal'] == ()


def test_cell_values_come_from_params_in_v01_networks():
    with open(DEFAULT_PARAMS) as fid:
        params = json.load(fid)
    params['L5Pyr_apical1_L'] = 1000.
    params['L2Pyr_dend_gnabar_hh2'] = 0.2
    params['L5Pyr_nmda_tau2'] = 30.
    t = cell_templates(params)
    assert t['L5_pyramidal'].section('apical_1').L == 1000.
    assert t['L5_pyramidal'].section('apical_1').nseg == 21
    assert t['L2_pyramidal'].section('basal_3').mechanisms['hh2']['gnabar_hh2'] == 0.2
    assert t['L5_pyramidal'].section('apical_tuft').synapses['nmda'] == (0., 1., 30.)
    # hnn-core 0.1's Network(params) reads them, hnn-core 0.6's models do not
    v01 = Network(params)
    assert v01.cell_types['L5_pyramidal']['cell_object'].sections['apical_1'].L == 1000.
    from hnn_core import neymotin_2020_model
    with pytest.warns(UserWarning, match='3 cell value.*L5Pyr_apical1_L'):
        net = neymotin_2020_model(params, mesh_shape=(1, 1))
    assert net.cell_types['L5_pyramidal']['cell_object'].sections['apical_1'].L == 680.


def test_drive_values_of_a_file_are_not_called_cell_values():
    # L2Pyr_Gauss_* and L5Pyr_Pois_* keys share the cell values' prefix but are
    # drives, which the 0.6 models do read (add_drives_from_params)
    from hnn_core import neymotin_2020_model
    params = read_params(DEFAULT_PARAMS)
    params['L2Pyr_Gauss_A_weight'] = 0.5
    params['L5Pyr_Pois_lamtha'] = 2.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        neymotin_2020_model(params, mesh_shape=(1, 1))


def test_dipole_weights(templates):
    for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
        t = templates[cell_type]
        w = t.dipole_weights()
        assert w.shape == (t.n_segments,)
        # a uniform voltage drives no axial current, hence no dipole
        assert abs(w.sum()) < 1e-9 * np.abs(w).sum()
    assert not templates['L2_basket'].dipole_weights().any()


def test_dipole_of_a_single_resistor_chain():
    """A soma and one straight dendrite: Q = sum over resistors of I * l."""
    soma = SectionTemplate('soma', L=10., diam=10., cm=1., Ra=100.,
                           direction=(0, 0, 1))
    trunk = SectionTemplate('apical_trunk', L=300., diam=2., cm=1., Ra=100.,
                            parent='soma', direction=(0, 0, 1))
    t = CellTemplate('L2_pyramidal', (soma, trunk), {}, measure_dipole=True)
    v = np.array([-60., -61., -63., -66., -70., -75., -81., -88.])
    # interior nodes: soma (1) + trunk (7); zero-area nodes: root, soma end, trunk end
    r_s, r_t = soma.half_segment_resistance(), trunk.half_segment_resistance()
    v_root = v[0]  # the root node only touches the soma
    v_soma_end = (v[0] / r_s + v[1] / r_t) / (1 / r_s + 1 / r_t)
    v_trunk_end = v[-1]
    expected = ((v_root - v[0]) / r_s * 5 + (v[0] - v_soma_end) / r_s * 5 +
                (v_soma_end - v[1]) / r_t * 300 / 14 +
                sum((v[i] - v[i + 1]) / (2 * r_t) * 300 / 7 for i in range(1, 7)) +
                (v[7] - v_trunk_end) / r_t * 300 / 14)
    np.testing.assert_allclose(t.dipole_weights() @ v, expected, rtol=1e-12)


def test_cos_theta(templates):
    from hnn_core.cell_template import _cos_to_trunk
    l5 = templates['L5_pyramidal']
    trunk = l5.section('apical_trunk')
    cos = {s.name: _cos_to_trunk(s, trunk) for s in l5.sections}
    assert cos['apical_oblique'] == 0
    assert cos['basal_1'] == -1 and cos['apical_tuft'] == 1
    # -sqrt(2)/2; hnn-core 0.6.1 has it one ulp away, which changes nothing visible
    np.testing.assert_allclose(cos['basal_2'], -0.7071067811865475, rtol=1e-15)
