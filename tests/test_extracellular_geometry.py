"""Geometry of extracellular recordings: NEURON's 3-d points and 0.6.1's R."""

import json
import os
import os.path as op
import subprocess

import numpy as np
import pytest

from hnn_core.cell_template import CellTemplate, SectionTemplate, compile_cell
from hnn_core.extracellular_geometry import (_section_geometry, section_end_points,
                                             transfer_matrix)

ORACLE_PYTHON = '/root/.cache/hnn-oracle/venv/bin/python'


def _build_in_neuron(sections, pos):
    """NEURON sections made the way hnn-core 0.6.1 makes them.

    ``sections``: (name, end_pts, L, diam, nseg, parent, parent_x, child_x).
    """
    from neuron import h
    built = {}
    for name, end_pts, L, diam, nseg, *_ in sections:
        sec = h.Section(name=f'geometry_test_{name}')
        built[name] = sec
        h.pt3dclear(sec=sec)
        h.pt3dconst(0, sec=sec)
        for pt in end_pts:
            h.pt3dadd(pt[0] + pos[0], pt[1] + pos[1], pt[2] + pos[2], 1, sec=sec)
        sec.L = L
        sec.diam = diam
        sec.nseg = nseg
    for name, *_, parent, parent_x, child_x in sections:
        if parent is not None:
            built[name].connect(built[parent], parent_x, child_x)
    h.define_shape()
    return built


def _neuron_points(built, names):
    from neuron import h
    points, lengths, seg_x = [], [], []
    for name in names:
        sec = built[name]
        points.append([[sec.x3d(i), sec.y3d(i), sec.z3d(i)]
                       for i in (0, sec.n3d() - 1)])
        lengths.append(sec.L)
        seg_x.append([seg.x for seg in sec])
    for sec in built.values():
        h.delete_section(sec=sec)
    return np.array(points), np.array(lengths), seg_x


def _check_against_neuron(template, pos, from_cell=None):
    """section_end_points (and lengths, seg.x) equal NEURON's, bit for bit."""
    if from_cell is not None:  # build from the editable cell, not the template
        tree = {}
        for (parent, p_end), children in (from_cell.cell_tree or {}).items():
            for child, c_end in children:
                if child != parent:
                    tree[child] = (parent, p_end, c_end)
        sections = [(name, s.end_pts, s.L, s.diam, s.nseg,
                     *tree.get(name, (None, 1., 0.)))
                    for name, s in from_cell.sections.items()]
    else:
        sections = [(s.name, s.end_pts, s.L, s.diam, s.nseg, s.parent, s.parent_x,
                     s.child_x) for s in template.sections]
    names = template.section_names
    assert [s[0] for s in sections] == list(names)
    nrn_points, nrn_lengths, nrn_seg_x = _neuron_points(
        _build_in_neuron(sections, pos), names)
    points = section_end_points(template, pos)
    assert points.shape == (len(names), 2, 3)
    np.testing.assert_array_equal(points, nrn_points,
                                  err_msg=f'{template.cell_type} at {pos}')
    np.testing.assert_array_equal(_section_geometry(template, pos)[1], nrn_lengths)
    for sec, seg_x in zip(template.sections, nrn_seg_x):  # seg.x as used for R
        np.testing.assert_array_equal((np.arange(sec.nseg) + 0.5) / sec.nseg, seg_x)


@pytest.mark.both_neurons
def test_section_end_points_match_neuron():
    """Every default cell type at grid positions, an edited cell, far positions."""
    from hnn_core import neymotin_2020_model
    net = neymotin_2020_model()
    for cell_type, entry in net.cell_types.items():
        cell = entry['cell_object']
        template = compile_cell(cell, cell_type)
        positions = net.pos_dict[cell_type]
        for idx in sorted({0, 1, len(positions) // 3, len(positions) - 1}):
            _check_against_neuron(template, positions[idx], from_cell=cell)

    cell = net.cell_types['L5_pyramidal']['cell_object'].copy()
    cell.modify_section('apical_1', L=812.3)
    cell.modify_section('basal_2', L=101.7)
    cell.modify_section('soma', L=27.3)
    template = compile_cell(cell, 'L5_pyramidal')
    _check_against_neuron(template, net.pos_dict['L5_pyramidal'][57], from_cell=cell)
    _check_against_neuron(template, (12345.678, -9876.54321, 54321.123),
                          from_cell=cell)
    template = compile_cell(net.cell_types['L5_pyramidal']['cell_object'],
                            'L5_pyramidal')
    _check_against_neuron(template, (-98765.4321, 4321.0987, 123456.789))

    # joints the default cells do not use: a section hanging by its 1-end, a
    # child of such a section, and joints inside a section
    pts = [((0., 0., 0.), (0., 0., 23.)), ((1.3, 0., 23.), (1.3, 0., 83.)),
           ((0., 2.7, 83.), (-40.1, 2.7, 83.)), ((5., 5., 5.), (9., 11., -3.)),
           ((0.1, 0.2, 0.3), (0.7, -10.9, 50.3))]
    joints = [(None, 1., 0.), ('s0', 1., 1.), ('s1', 0.3, 0.), ('s1', 0., 0.),
              ('s0', 0.5, 1.)]
    sections = tuple(SectionTemplate(name=f's{i}', L=17.3 + 31 * i, diam=2., cm=1.,
                                     Ra=100., nseg=2 * i + 1, parent=parent,
                                     parent_x=px, child_x=cx, end_pts=pt)
                     for i, (pt, (parent, px, cx)) in enumerate(zip(pts, joints)))
    _check_against_neuron(CellTemplate('odd', sections, {}), (3., 7., 1307.4))

    # random trees: points, lengths and joints where single-precision shifts
    # and rescaling round differently from double ones
    rng = np.random.default_rng(12)
    for tree in range(12):
        sections = []
        for i in range(rng.integers(2, 8)):
            p0 = rng.normal(size=3) * 10 ** rng.uniform(-1, 3)
            p1 = p0 + rng.normal(size=3) * 10 ** rng.uniform(-1, 3)
            sections.append(SectionTemplate(
                name=f's{i}', L=float(rng.uniform(1, 900)), diam=2., cm=1., Ra=100.,
                nseg=int(rng.integers(1, 30)),
                parent=None if i == 0 else f's{rng.integers(0, i)}',
                parent_x=float(rng.choice([0., 1., 0.5, 0.3])),
                child_x=0. if i == 0 else float(rng.choice([0., 1.])),
                end_pts=(tuple(p0), tuple(p1))))
        pos = rng.normal(size=3) * 10 ** rng.uniform(0, 4)
        _check_against_neuron(CellTemplate(f'random{tree}', tuple(sections), {}), pos)


def test_section_end_points_need_end_pts():
    sections = (SectionTemplate(name='soma', L=20., diam=20., cm=1., Ra=100.,
                                end_pts=((0., 0., 0.), (0., 0., 20.))),
                SectionTemplate(name='dend', L=100., diam=2., cm=1., Ra=100.,
                                parent='soma'))
    template = CellTemplate('no_pts', sections, {})
    with pytest.raises(ValueError, match="'dend' of no_pts.*end_pts"):
        section_end_points(template, (0., 0., 0.))
    with pytest.raises(ValueError, match="'dend' of no_pts.*end_pts"):
        transfer_matrix(template, (0., 0., 0.), [(0., 0., 0.)], conductivity=0.3,
                        method='psa', min_distance=0.5)


def test_transfer_matrix_simple_cases():
    """A one-segment section: the point source formula; far away, lsa ~ psa."""
    sections = (SectionTemplate(name='soma', L=30., diam=20., cm=1., Ra=100., nseg=1,
                                end_pts=((0., 0., 0.), (0., 0., 30.))),)
    template = CellTemplate('one', sections, {})
    pos = (0., 0., -15.)  # the segment's centre at the origin
    contacts = [(40., 0., 0.), (0., 0.2, 0.), (0., 3000., 0.)]
    psa = transfer_matrix(template, pos, contacts, conductivity=0.3,
                          method='psa', min_distance=0.5)
    dist = np.array([40., 0.5, 3000.])
    np.testing.assert_allclose(psa[:, 0], 1e3 / (4 * np.pi * 0.3 * dist), rtol=1e-14)
    lsa = transfer_matrix(template, pos, contacts, conductivity=0.3,
                          method='lsa', min_distance=0.5)
    assert lsa.shape == (3, 1)
    np.testing.assert_allclose(lsa[2], psa[2], rtol=1e-4)
    # a line source seen from its side: 2 asinh(15 / 40) / 30 instead of 1 / 40
    np.testing.assert_allclose(lsa[0, 0] / psa[0, 0], 40 * 2 * np.arcsinh(15 / 40) / 30,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="method"):
        transfer_matrix(template, (0., 0., 0.), contacts, conductivity=0.3,
                        method='csd', min_distance=0.5)


_ORACLE_SCRIPT = r'''
import json, sys
from neuron import h
from hnn_core.cells_default import basket, pyramidal
from hnn_core.extracellular import _transfer_resistance
out = []
for case in json.loads(sys.stdin.read()):
    make = basket if 'basket' in case['cell_type'] else pyramidal
    cell = make(case['cell_type'])
    for name, L in case['edits']:
        cell.modify_section(name, L=L)
    cell.pos = tuple(case['pos'])
    cell._create_sections(cell.sections, cell.cell_tree)
    result = {}
    for method in ('psa', 'lsa'):
        result[method] = [
            [float(r) for name in case['sections']
             for r in _transfer_resistance(cell._nrn_sections[name], contact,
                                           conductivity=case['conductivity'],
                                           method=method,
                                           min_distance=case['min_distance'])]
            for contact in case['contacts']]
    out.append(result)
    for sec in cell._nrn_sections.values():
        h.delete_section(sec=sec)
print(json.dumps(out))
'''


def _oracle_cases():
    from hnn_core.cells_default import basket, pyramidal
    specs = [('L5_pyramidal', (27., 6., 0.), [], 0.3, 0.5),
             ('L2_pyramidal', (3., 7., 1307.4), [], 0.3, 0.5),
             ('L2_basket', (0., 0., 1307.4), [], 0.3, 0.5),
             ('L5_basket', (45., 18., 0.), [], 0.25, 2.),
             ('L5_pyramidal', (12., 21., 0.), [('apical_1', 812.3), ('basal_2', 101.7)],
              0.3, 0.5)]
    cases = []
    for cell_type, pos, edits, conductivity, min_distance in specs:
        cell = (basket if 'basket' in cell_type else pyramidal)(cell_type)
        for name, L in edits:
            cell.modify_section(name, L=L)
        template = compile_cell(cell, cell_type)
        x, y, z = pos
        contacts = [(x, y, z + dz) for dz in (-700., -85., 0., 19.5, 500., 2600.)]
        contacts += [(x + 50., y - 30., z + dz) for dz in (-200., 100., 1200.)]
        contacts += [(x - 400., y, z + 141.), (x + 2000., y + 5., z + 3000.)]
        contacts.append((x + 0.1, y, z + 19.5))  # nearer than min_distance: soma
        contacts.append((x, y + 0.2, z + 0.05))  # and near a section end
        cases.append(dict(cell_type=cell_type, pos=list(pos), edits=edits,
                          sections=list(template.section_names), contacts=contacts,
                          conductivity=conductivity, min_distance=min_distance,
                          template=template))
    return cases


@pytest.mark.reference
def test_transfer_matrix_matches_oracle(tmp_path):
    """psa and lsa against 0.6.1's own _transfer_resistance on NEURON's sections."""
    if not op.exists(ORACLE_PYTHON):
        pytest.skip('the hnn-core 0.6.1 oracle is not set up (bash '
                    '../shared/oracle/setup.sh)')
    cases = _oracle_cases()
    payload = json.dumps([{k: v for k, v in c.items() if k != 'template'}
                          for c in cases])
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    # run outside the clone so that the oracle imports its own hnn_core
    proc = subprocess.run([ORACLE_PYTHON, '-c', _ORACLE_SCRIPT], input=payload,
                          capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    oracle = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, expected in zip(cases, oracle):
        for method in ('psa', 'lsa'):
            R = transfer_matrix(case['template'], case['pos'], case['contacts'],
                                conductivity=case['conductivity'], method=method,
                                min_distance=case['min_distance'])
            ref = np.array(expected[method])
            assert R.shape == ref.shape
            np.testing.assert_allclose(R, ref, rtol=1e-13, atol=0,
                                       err_msg=f"{case['cell_type']} {method}")
