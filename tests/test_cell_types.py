"""Cell types as data: Cell and Section edits, user-defined cell types."""
from functools import partial

import numpy as np
import pytest

from hnn_core import (Cell, Network, Section, neymotin_2020_model, pyramidal,
                      basket, pyramidal_ca, simulate_dipole, read_params)
from hnn_core.cells_default import _exp_g_at_dist, _linear_g_at_dist
from hnn_core.network import DEFAULT_PARAMS
from hnn_core.network_models import LOCAL_CONNECTIVITY, add_erp_drives_to_jones_model

ENGINES = ('neuron', 'coreneuron')


def test_pyramidal_cell_layout():
    cell = pyramidal('L5_pyramidal')
    assert cell.name == 'L5Pyr' and repr(cell) == '<Cell | gid=None>'
    assert list(cell.sections) == ['apical_trunk', 'apical_1', 'apical_2',
                                   'apical_tuft', 'apical_oblique', 'basal_1',
                                   'basal_2', 'basal_3', 'soma']
    assert cell.sections['soma'].end_pts == [[0., 0., 0.], [0., 0., 39.]]
    # end points follow the lengths: the tuft ends 1926 um above the soma
    assert cell.sections['apical_tuft'].end_pts[1] == pytest.approx([0., 0., 1926.])
    assert cell.cell_tree[('soma', 0)] == [('soma', 1), ('basal_1', 0)]
    assert cell.sect_loc == {'proximal': ['apical_oblique', 'basal_2', 'basal_3'],
                             'distal': ['apical_tuft']}
    assert cell.distance_section('apical_trunk', ('soma', 0)) == 39. + 102. / 2
    assert cell.sections['soma'].syns == ['gabaa', 'gabab']
    # the L2 cell's template points are moved to the soma at its position
    l2 = pyramidal('L2_pyramidal', pos=(1., 2., 3.))
    assert l2.sections['soma'].end_pts[0] == [1., 2., 3.]
    b = basket('L5_basket')
    assert b.sect_loc == {'proximal': ['soma'], 'distal': []}
    assert b.sections['soma'].mechs == {'hh2': {}}
    with pytest.raises(ValueError, match="'cell_name'.*'L2_pyramidal', 'L5_pyramidal'"):
        pyramidal('L4_pyramidal')


def test_distance_dependent_values():
    cell = pyramidal('L5_pyramidal')
    xs, values = cell.sections['apical_trunk'].mechs['ar']['gbar_ar']
    np.testing.assert_allclose(xs, [1 / 6, 1 / 2, 5 / 6])
    dist = 39. + 102. * np.array(xs)
    np.testing.assert_allclose(values, 1e-6 * np.exp(3e-3 * dist), rtol=1e-15)
    ca = pyramidal_ca('L5_pyramidal', pos=(0, 0, 0))
    assert ca.sections['soma'].mechs['hh2']['gnabar_hh2'] == 0.32
    xs, gca = ca.sections['apical_tuft'].mechs['ca']['gbar_ca']
    tuft_start = 39 + 102 + 680 + 680
    np.testing.assert_allclose(gca, [_linear_g_at_dist(tuft_start + x * 425, 10., 40.,
                                                       1501) for x in xs])
    assert gca[-1] == 40.  # beyond the kink
    assert _exp_g_at_dist(0., 2., 1., 0.5) == 3.
    # a function set after construction is evaluated when the run starts
    cell.sections['basal_1'].mechs['km']['gbar_km'] = partial(
        _linear_g_at_dist, gsoma=100., gdend=300., xkink=100.)
    from hnn_core.cell_template import compile_cell
    template = compile_cell(cell, 'L5_pyramidal')
    assert template.section('basal_1').mechanisms['km']['gbar_km'] == (185.,)
    cell.sections['basal_1'].mechs['km']['gbar_km'] = lambda x: np.nan
    with pytest.raises(ValueError, match=r"km.gbar_km|mechs\['km'\]\['gbar_km'\].*"
                                         "finite"):
        compile_cell(cell, 'L5_pyramidal')


def test_modify_section():
    cell = pyramidal('L5_pyramidal')
    basal_end = cell.sections['basal_2'].end_pts[1]
    nseg = cell.sections['apical_1'].nseg
    cell.modify_section('apical_1', L=800., diam=5., cm=1., Ra=150., v0=-70.)
    sec = cell.sections['apical_1']
    assert (sec.L, sec.diam, sec.cm, sec.Ra, sec.v0) == (800., 5., 1., 150., -70.)
    assert sec.nseg == nseg  # as in hnn-core 0.6.1
    # the sections beyond it moved up by 120 um
    assert cell.sections['apical_tuft'].end_pts[1] == pytest.approx([0., 0., 2046.])
    assert cell.sections['basal_2'].end_pts[1] == basal_end  # not beyond it
    with pytest.raises(ValueError, match="'sec_name'.*'apical_trunk'"):
        cell.modify_section('apical_3', L=10.)
    with pytest.raises(ValueError, match='L must be a finite number > 0'):
        cell.modify_section('apical_1', L=-10.)
    with pytest.raises(TypeError, match='diam must be'):
        cell.modify_section('apical_1', diam='5')
    with pytest.raises(ValueError, match='Ra must be a finite number > 0'):
        Section(L=10., diam=1., Ra=0., cm=1.)
    with pytest.raises(KeyError, match='soma must be defined'):
        Cell('x', (0, 0, 0), {'dend': Section(L=10., diam=1., Ra=1., cm=1.)}, {},
             {}, None)


def test_cell_to_dict_round_trip():
    from hnn_core.hnn_io import _read_cell
    cell = pyramidal_ca('L5_pyramidal', pos=(0, 0, 0))
    cell.modify_section('soma', cm=0.9)
    again = _read_cell('L5_pyramidal', cell.to_dict())
    assert again == cell
    assert again.to_dict() == cell.to_dict()


def _renamed_network(mesh, new='L5_pyr_copy'):
    """The default network with 'L5_pyramidal' renamed: positions, rules, drives."""
    default = neymotin_2020_model(mesh_shape=mesh)
    rename = {'L5_pyramidal': new}
    pos_dict = {rename.get(k, k): v for k, v in default.pos_dict.items()}
    cell_types = {rename.get(k, k): v for k, v in default.cell_types.items()}
    net = Network(read_params(DEFAULT_PARAMS), mesh_shape=mesh, pos_dict=pos_dict,
                  cell_types=cell_types)
    for src, target, loc, receptor, key, lamtha, autapses in LOCAL_CONNECTIVITY:
        net.add_connection(rename.get(src, src), rename.get(target, target), loc,
                           receptor, net.params[key], net.delay, lamtha,
                           allow_autapses=autapses)
    return net


def _erp_drives(net, l5):
    """add_erp_drives_to_jones_model's drives, with L5 pyramidal cells named l5."""
    ref = neymotin_2020_model(mesh_shape=(1, 1))
    add_erp_drives_to_jones_model(ref)
    for name, drive in ref.external_drives.items():
        keyed = {k: {(l5 if c == 'L5_pyramidal' else c): v for c, v in drive[k].items()}
                 for k in ('weights_ampa', 'weights_nmda', 'synaptic_delays')}
        dyn = drive['dynamics']
        net.add_evoked_drive(name, mu=dyn['mu'], sigma=dyn['sigma'],
                             numspikes=dyn['numspikes'], location=drive['location'],
                             weights_ampa=keyed['weights_ampa'] or None,
                             weights_nmda=keyed['weights_nmda'] or None,
                             synaptic_delays=keyed['synaptic_delays'],
                             event_seed=drive['event_seed'])


@pytest.mark.parametrize('engine', ENGINES)
def test_a_renamed_cell_type_gives_the_default_model_bit_for_bit(engine):
    default = neymotin_2020_model(mesh_shape=(3, 3))
    _erp_drives(default, 'L5_pyramidal')
    renamed = _renamed_network((3, 3))
    _erp_drives(renamed, 'L5_pyr_copy')
    assert list(renamed.gid_ranges.values()) == list(default.gid_ranges.values())
    dpls = [simulate_dipole(net, tstop=170., n_trials=2, verbose=False, engine=engine)
            for net in (default, renamed)]
    for a, b in zip(*dpls):
        assert list(a.data) == list(b.data) == ['agg', 'L2', 'L5']
        for layer in ('agg', 'L2', 'L5'):
            np.testing.assert_array_equal(a.data[layer], b.data[layer])
    for trial in range(2):
        assert default.cell_response.spike_times[trial] == \
            renamed.cell_response.spike_times[trial]
        assert default.cell_response.spike_gids[trial] == \
            renamed.cell_response.spike_gids[trial]
    assert 'L5_pyr_copy' in renamed.cell_response.spike_types[0]
    assert renamed.cell_response.cell_type_names == [
        'L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyr_copy']


def test_a_user_defined_cell_type():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    slow = net.cell_types['L2_basket']['cell_object'].copy()
    slow.synapses['gabaa']['tau2'] = 20.
    net.add_cell_type('L2_basket_slow', slow, [(0., 0., 1000.), (2., 2., 1000.)],
                      cell_metadata={'electro_type': 'inhibitory', 'layer': '2'})
    # its gids follow the cell types'; the drive's (and its connections) move up
    assert list(net.gid_ranges) == ['L2_basket', 'L2_pyramidal', 'L5_basket',
                                    'L5_pyramidal', 'L2_basket_slow', 'ev']
    assert net.gid_ranges['L2_basket_slow'] == range(24, 26)
    assert net.gid_ranges['ev'] == range(26, 29)
    assert sorted(net.connectivity[-1]['src_gids']) == [26, 27, 28]
    assert net.pos_dict['L2_basket_slow'] == ((0., 0., 1000.), (2., 2., 1000.))
    net.add_connection('L2_pyramidal', 'L2_basket_slow', 'soma', 'ampa', 0.01, 1., 3.)
    net.add_connection('L2_basket_slow', 'L2_pyramidal', 'soma', 'gabaa', 0.02, 1., 50.)
    net.add_evoked_drive('ev_slow', mu=5., sigma=0., numspikes=1, location='soma',
                         weights_ampa={'L2_basket_slow': 0.5})
    assert net.filter_cell_types(electro_type='inhibitory') == [
        'L2_basket', 'L5_basket', 'L2_basket_slow']
    dpls = simulate_dipole(net, tstop=40., n_trials=1, verbose=False)
    cr = net.cell_response
    slow_spikes = [g for g, t in zip(cr.spike_gids[0], cr.spike_types[0])
                   if t == 'L2_basket_slow']
    assert set(slow_spikes) == {24, 25}
    assert 'L2_basket_slow' in cr.cell_type_names
    rates = cr.mean_rates(0., 40., net.gid_ranges)
    assert rates['L2_basket_slow'] > 0
    # not measured: the dipole has the model's columns only
    assert list(dpls[0].data) == ['agg', 'L2', 'L5']


def test_a_measured_user_defined_cell_type_enters_the_dipole():
    def with_copy(layer):
        net = neymotin_2020_model(mesh_shape=(3, 3))
        cell = net.cell_types['L5_pyramidal']['cell_object'].copy()
        metadata = {'measure_dipole': True, 'electro_type': 'excitatory'}
        if layer is not None:
            metadata['layer'] = layer
        net.add_cell_type('L5_extra', cell, [(5., 5., 0.)], cell_metadata=metadata)
        net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='proximal',
                             weights_ampa={'L5_extra': 0.02})
        return net, simulate_dipole(net, tstop=30., n_trials=1, verbose=False)[0]

    _, own = with_copy(None)
    assert list(own.data) == ['agg', 'L2', 'L5', 'L5_extra']
    assert np.abs(own.data['L5_extra']).max() > 0
    np.testing.assert_allclose(own.data['agg'], own.data['L2'] + own.data['L5'] +
                               own.data['L5_extra'], rtol=1e-12, atol=1e-12)
    _, layered = with_copy('5')
    assert list(layered.data) == ['agg', 'L2', 'L5']
    # the extra cell's dipole is summed into L5 (the same baseline applies)
    np.testing.assert_allclose(layered.data['L5'], own.data['L5'] +
                               own.data['L5_extra'], rtol=1e-12, atol=1e-12)


def test_cell_type_registry_errors():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    cell = net.cell_types['L2_basket']['cell_object']
    with pytest.raises(ValueError, match="'L2_basket' already exists"):
        net.add_cell_type('L2_basket', cell, [(0, 0, 0)])
    with pytest.raises(ValueError, match='without white space'):
        net.add_cell_type('my cells', cell, [(0, 0, 0)])
    with pytest.raises(TypeError, match="cell_object'\\] must be an instance of Cell"):
        net.add_cell_type('x', 'basket', [(0, 0, 0)])
    with pytest.raises(ValueError, match="positions of 'x' must be a list of"):
        net.add_cell_type('x', cell, [(0, 0)])
    with pytest.raises(ValueError, match="positions must place at least one"):
        net.add_cell_type('x', cell, [])
    net.cell_types['ghost'] = {'cell_object': cell, 'cell_metadata': {}}
    with pytest.raises(ValueError, match=r"net.cell_types\['ghost'\] has no cells.*"
                                         'add_cell_type'):
        simulate_dipole(net, tstop=5., verbose=False)
    del net.cell_types['ghost']
    del net.cell_types['L5_basket']
    with pytest.raises(ValueError, match="places 'L5_basket' cells, but "
                                         'net.cell_types has no entry'):
        simulate_dipole(net, tstop=5., verbose=False)
    with pytest.raises(ValueError, match='pos_dict and cell_types together'):
        Network(read_params(DEFAULT_PARAMS), cell_types={})
    with pytest.raises(ValueError, match="'L2_basket' has no positions in pos_dict"):
        Network(read_params(DEFAULT_PARAMS), pos_dict={'origin': (0, 0, 0)},
                cell_types={'L2_basket': {'cell_object': cell, 'cell_metadata': {}}})


def test_measured_cell_needs_an_apical_trunk():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.cell_types['L2_basket']['cell_metadata']['measure_dipole'] = True
    with pytest.raises(ValueError, match="dipole of L2_basket is measured along its "
                                         "'apical_trunk'"):
        simulate_dipole(net, tstop=5., verbose=False)


def test_unknown_mechanism_parameter_is_named():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.cell_types['L2_basket']['cell_object'].sections['soma'].mechs['hh2'][
        'gnabar'] = 0.1
    with pytest.raises(ValueError, match="L2_basket section 'soma': no inserted "
                                         "mechanism has a parameter named 'gnabar'"):
        simulate_dipole(net, tstop=5., verbose=False, engine='neuron')


def test_writing_a_cell_keeps_its_functions():
    cell = pyramidal('L5_pyramidal')
    cell.sections['basal_1'].mechs['km']['gbar_km'] = partial(
        _linear_g_at_dist, gsoma=100., gdend=300., xkink=100.)
    written = cell.to_dict()
    assert written['sections']['basal_1']['mechs']['km']['gbar_km'] == [[0.5], [185.]]
    assert callable(cell.sections['basal_1'].mechs['km']['gbar_km'])


def _set(obj, key, value):
    obj[key] = value


@pytest.mark.parametrize('edit, exc, match', [
    (lambda c: setattr(c.sections['soma'], 'nseg', 0), ValueError,
     r"section 'soma': nseg must be an integer from 1"),
    (lambda c: setattr(c.sections['soma'], 'nseg', 1.5), TypeError,
     r"section 'soma': nseg must be"),
    (lambda c: setattr(c.sections['soma'], '_diam', 0.), ValueError,
     r"section 'soma': diam must be"),
    (lambda c: setattr(c.sections['apical_1'], '_Ra', -1.), ValueError,
     r"section 'apical_1': Ra must be"),
    (lambda c: setattr(c.sections['apical_1'], '_L', float('nan')), ValueError,
     r"section 'apical_1': L must be"),
    (lambda c: setattr(c.sections['soma'], '_v0', float('inf')), ValueError,
     r"section 'soma': v0 must be"),
    (lambda c: _set(c.sections['soma'].mechs['hh2'], 'gnabar_hh2', float('nan')),
     ValueError, r"section 'soma', mechs\['hh2'\]\['gnabar_hh2'\] must be finite"),
    (lambda c: _set(c.sections['soma'].mechs['hh2'], 'gnabar_hh2', [[0.5], [np.inf]]),
     ValueError, r"section 'soma', mechs\['hh2'\]\['gnabar_hh2'\] must be finite"),
    (lambda c: _set(c.sections['soma'].end_pts[1], 2, float('nan')), ValueError,
     r"section 'soma': end_pts must be"),
    (lambda c: _set(c.synapses['ampa'], 'tau1', float('nan')), ValueError,
     r"synapses\['ampa'\]\['tau1'\] must be"),
    (lambda c: _set(c.synapses['nmda'], 'tau2', 0.), ValueError,
     r"synapses\['nmda'\]\['tau2'\] must be"),
    (lambda c: _set(c.synapses['gabaa'], 'e', float('-inf')), ValueError,
     r"synapses\['gabaa'\]\['e'\] must be"),
    (lambda c: _set(c.synapses['gabaa'], 'e', '-80'), TypeError,
     r"synapses\['gabaa'\]\['e'\] must be"),
])
def test_direct_cell_edits_are_checked_before_a_run(edit, exc, match):
    """Edits that bypass modify_section name the cell type, section and value."""
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_tonic_bias(cell_type='L5_pyramidal', amplitude=1.)
    edit(net.cell_types['L5_pyramidal']['cell_object'])
    with pytest.raises(exc, match='L5_pyramidal.*' + match):
        simulate_dipole(net, tstop=2., verbose=False, engine='neuron')
    assert net.cell_response is None


def test_geometry_is_checked_when_set_naming_the_section():
    cell = pyramidal('L5_pyramidal')
    # NEURON keeps diameters in single precision: 1e-300 um would become 0
    with pytest.raises(ValueError, match=r"L5Pyr section 'apical_trunk': diam must"):
        cell.modify_section('apical_trunk', diam=1e-300)
    with pytest.raises(ValueError, match=r"L5Pyr section 'soma': Ra must be"):
        cell.modify_section('soma', Ra=-3.)
    assert cell.sections['soma'].Ra > 0 and cell.sections['apical_trunk'].diam > 1
    with pytest.raises(ValueError, match='diam must'):
        Section(L=10., diam=1e-300, Ra=1., cm=1.)
    with pytest.raises(ValueError, match='pos must be'):
        pyramidal('L5_pyramidal', pos=(np.nan, 0, 0))
    with pytest.raises(ValueError, match='pos must be'):
        basket('L2_basket', pos=(0, 0))


@pytest.mark.parametrize('key, value', [('L2Pyr_soma_diam', 0.),
                                        ('L5Pyr_dend_Ra', float('nan')),
                                        ('L2Pyr_apicaltrunk_L', -3)])
def test_cell_values_from_params_name_the_parameter(key, value):
    params = read_params(DEFAULT_PARAMS)
    params.update({key: value, 'N_pyr_x': 1, 'N_pyr_y': 1})
    with pytest.raises(ValueError, match=rf'{key}'):
        Network(params)


@pytest.mark.slow
def test_a_non_finite_dipole_says_where():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    hh2 = net.cell_types['L5_pyramidal']['cell_object'].sections['soma'].mechs['hh2']
    hh2['gl_hh2'], hh2['el_hh2'] = 1e300, 1e300  # finite, but the voltage overflows
    with pytest.raises(ValueError, match=r"dipole is not finite: layer 'L5', trial 0, "
                                         r"\d+ of \d+ samples from t = [\d.]+ ms"):
        simulate_dipole(net, tstop=2., verbose=False, engine='neuron')
    assert net.cell_response is None
