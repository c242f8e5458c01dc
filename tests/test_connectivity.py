"""Connectivity as data: add_connection, pick_connection, gains, edits (no NEURON)."""
import json
import os.path as op

import numpy as np
import pytest

from hnn_core import neymotin_2020_model, pick_connection, simulate_dipole
from conftest import DATA


def small():
    return neymotin_2020_model(mesh_shape=(3, 3))


def pairs_of(conn):
    return [(s, t) for s, tgts in conn['gid_pairs'].items() for t in tgts]


def test_connectivity_pairs_equal_the_oracles():
    """Every connection of the 'connectivity' case, pruning and drives included,
    has the same pairs, in the same order, as in hnn-core 0.6.1."""
    import model_cases
    net, _ = model_cases.build_case('connectivity_mesh3x3')
    ref = json.loads(str(np.load(op.join(DATA, 'connectivity_mesh3x3.npz'))
                         ['connectivity']))
    assert len(net.connectivity) == len(ref) == 31
    for conn, theirs in zip(net.connectivity, ref):
        for key in ('src_type', 'target_type', 'loc', 'receptor', 'probability',
                    'allow_autapses'):
            assert conn[key] == theirs[key], key
        assert conn['nc_dict'] == theirs['nc_dict']
        assert sorted(conn['src_gids']) == theirs['src_gids']
        assert sorted(conn['target_gids']) == theirs['target_gids']
        assert pairs_of(conn) == [tuple(p) for p in theirs['pairs']]


def test_add_connection_forms():
    net = small()
    net.clear_connectivity()
    assert net.connectivity == []
    l2p, l2b = net.gid_ranges['L2_pyramidal'], net.gid_ranges['L2_basket']
    net.add_connection('L2_pyramidal', 'L2_basket', 'soma', 'ampa', 1e-3, 1., 3.)
    net.add_connection(l2p[0], l2b, 'soma', 'ampa', 1e-3, 1., 3.)
    net.add_connection(list(l2p[:2]), list(l2b), 'soma', 'ampa', 1e-3, 1., 3.)
    net.add_connection(l2p[:2], [[l2b[0]], [l2b[1], l2b[2]]], 'soma', 'ampa', 1e-3,
                       1., 3.)
    all_pairs = [(s, t) for s in l2p for t in l2b]
    assert pairs_of(net.connectivity[0]) == all_pairs
    assert pairs_of(net.connectivity[1]) == all_pairs[:3]
    assert pairs_of(net.connectivity[2]) == all_pairs[:6]
    assert pairs_of(net.connectivity[3]) == [(l2p[0], l2b[0]), (l2p[1], l2b[1]),
                                             (l2p[1], l2b[2])]
    conn = net.connectivity[0]
    assert (conn['src_type'], conn['target_type']) == ('L2_pyramidal', 'L2_basket')
    assert (conn['num_srcs'], conn['num_targets']) == (9, 3)
    assert conn['nc_dict'] == {'A_delay': 1., 'A_weight': 1e-3, 'lamtha': 3.,
                               'threshold': net.threshold, 'gain': 1.}
    # a drive's gids are valid sources, names of drives too
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    net.add_connection('ev', 'L2_pyramidal', 'distal', 'ampa', 1e-3, 1., 3.)
    assert net.connectivity[-1]['src_type'] == 'ev'


def test_autapses_and_probability():
    net = small()
    net.clear_connectivity()
    net.add_connection('L2_basket', 'L2_basket', 'soma', 'gabaa', 0.02, 1., 20.,
                       allow_autapses=False)
    assert all(s != t for s, t in pairs_of(net.connectivity[0]))
    assert len(pairs_of(net.connectivity[0])) == 6
    for p, n_pairs in ((0.5, 40), (0.25, 20), (1 / 81, 1)):
        net.add_connection('L2_pyramidal', 'L5_pyramidal', 'distal', 'ampa', 1e-3,
                           1., 3., probability=p, conn_seed=7)
        conn = net.connectivity[-1]
        assert len(pairs_of(conn)) == n_pairs
        assert conn['probability'] == p
        assert len(conn['src_gids']) == conn['num_srcs'] == 9  # as made, not pruned
        # the same seed draws the same pairs: numpy's default_rng(7).choice
        draw = np.sort(np.random.default_rng(7).choice(range(81), n_pairs,
                                                        replace=False))
        full = [(s, t) for s in net.gid_ranges['L2_pyramidal']
                for t in net.gid_ranges['L5_pyramidal']]
        assert pairs_of(conn) == [full[k] for k in draw]


def test_gid_pairs_can_be_edited():
    net = small()
    conn = net.connectivity[0]  # L2 pyramidal -> L2 pyramidal, NMDA
    src = list(conn['gid_pairs'])[0]
    conn['gid_pairs'][src] = [src + 1]
    assert conn['gid_pairs'][src] == [src + 1]
    del conn['gid_pairs'][src + 1]
    assert src + 1 not in conn['gid_pairs']
    conn['gid_pairs'] = {3: [4, 5]}
    assert dict(conn['gid_pairs']) == {3: [4, 5]} and conn.n_pairs == 2
    with pytest.raises(TypeError, match=r"each gid of conn\['gid_pairs'\]\[3\] must be"):
        conn['gid_pairs'] = {3: ['a']}
    with pytest.raises(KeyError, match="no key 'weight'.*'nc_dict'"):
        conn['weight'] = 1.
    with pytest.raises(TypeError, match='cannot be removed'):
        del conn['loc']


def test_pick_connection():
    net = small()
    assert pick_connection(net) == []
    assert pick_connection(net, src_gids='L5_basket', target_gids='L5_pyramidal',
                           loc='soma', receptor='gabaa') == [6]
    assert pick_connection(net, src_gids='L2_pyramidal', target_gids='L5_pyramidal') \
        == [8, 9]
    assert pick_connection(net, src_gids='L2_pyramidal', loc='distal') == [9]
    assert pick_connection(net, loc=['distal', 'proximal'], receptor='gabaa') == [10]
    assert pick_connection(net, receptor=['gabaa', 'gabab']) == [4, 5, 6, 7, 10, 12, 13]
    gid = net.gid_ranges['L5_basket'][0]
    assert pick_connection(net, src_gids=gid) == [6, 7, 13]
    assert pick_connection(net, src_gids=['L2_basket', 'L5_basket'],
                           target_gids=gid) == [13]
    with pytest.raises(ValueError, match="'receptor'.*'ampa', 'nmda', 'gabaa', 'gabab'"):
        pick_connection(net, receptor='gaba')
    with pytest.raises(ValueError, match="'loc'.*'proximal', 'distal', 'soma'"):
        pick_connection(net, loc='dendrite')
    with pytest.raises(ValueError, match="'src_gids'.*'L2_basket'"):
        pick_connection(net, src_gids='L4_pyramidal')
    with pytest.raises(ValueError, match='gid 999 is not in the network'):
        pick_connection(net, src_gids=999)


def test_global_synaptic_gains():
    net = small()
    assert net.get_global_synaptic_gains() == {'e_e': 1., 'e_i': 1., 'i_e': 1.,
                                               'i_i': 1.}
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    copy = net.set_global_synaptic_gains(e_e=2., i_i=0.5, copy=True)
    assert net.get_global_synaptic_gains()['e_e'] == 1.
    assert copy.get_global_synaptic_gains() == {'e_e': 2., 'e_i': 1., 'i_e': 1.,
                                                'i_i': 0.5}
    # every excitatory -> excitatory rule, none of the drive's
    e_e = [c['nc_dict']['gain'] for c in copy.connectivity
           if c['src_type'] in ('L2_pyramidal', 'L5_pyramidal') and
           c['target_type'] in ('L2_pyramidal', 'L5_pyramidal')]
    assert len(e_e) == 6 and set(e_e) == {2.}
    assert copy.connectivity[-1]['nc_dict']['gain'] == 1.
    net.connectivity[0]['nc_dict']['gain'] = 3.
    with pytest.warns(UserWarning, match='e_e do not all have the same gain'):
        assert net.get_global_synaptic_gains()['e_e'] == 3.
    with pytest.raises(ValueError, match="non-negative.*-1.*'i_e'"):
        net.set_global_synaptic_gains(i_e=-1.)
    with pytest.raises(TypeError, match='e_i must be'):
        net.set_global_synaptic_gains(e_i='2')


def test_clear_connectivity_keeps_drives():
    net = small()
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    net.clear_connectivity()
    assert [c['src_type'] for c in net.connectivity] == ['ev']
    net.clear_drives()
    assert net.connectivity == []


def test_removing_a_drive_removes_its_connections_and_moves_later_ones():
    net = small()
    for name in ('a', 'b'):
        net.add_evoked_drive(name, mu=10., sigma=0., numspikes=1, location='proximal',
                             weights_ampa={'L2_basket': 0.01})
    (b_before,) = pick_connection(net, src_gids='b')
    assert sorted(net.connectivity[b_before]['src_gids']) == [27, 28, 29]
    del net.external_drives['a']
    (b_after,) = pick_connection(net, src_gids='b')
    assert [c['src_type'] for c in net.connectivity[16:]] == ['b']
    assert sorted(net.connectivity[b_after]['src_gids']) == [24, 25, 26]
    assert pairs_of(net.connectivity[b_after]) == [(24, 0), (25, 1), (26, 2)]


def test_edits_take_effect_in_the_next_run():
    net = small()
    net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_pyramidal': 0.02, 'L5_pyramidal': 0.02},
                         synaptic_delays=0.1)
    before = simulate_dipole(net, tstop=30., n_trials=1, verbose=False)[0]
    (idx,) = pick_connection(net, src_gids='ev', target_gids='L5_pyramidal')
    net.connectivity[idx]['nc_dict']['A_weight'] = 0.
    after = simulate_dipole(net, tstop=30., n_trials=1, verbose=False)[0]
    assert not np.allclose(before.data['L5'], after.data['L5'])
    np.testing.assert_allclose(before.data['L2'][:200], after.data['L2'][:200])


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(src_gids='L4_pyramidal'), ValueError, "'src_gids'.*'L2_basket'"),
    (dict(target_gids='L4_pyramidal'), ValueError, "'target_gids'.*'L2_basket'"),
    (dict(target_gids='ev'), ValueError, "'target_gids'.*'L5_pyramidal'"),
    (dict(src_gids=1000), ValueError, 'src_gids: gid 1000 is not in the network'),
    (dict(target_gids=[3, 20]), ValueError, 'All target_gids must be of the same'),
    (dict(src_gids=[0, 3]), ValueError, 'All src_gids must be of the same type'),
    (dict(src_gids=1.5), TypeError, 'src_gids must be'),
    (dict(loc='apical'), ValueError, "'loc'.*not defined for 'L2_pyramidal'.*'soma'"),
    (dict(loc='soma', receptor='ampa'), ValueError,
     "'ampa' receptor is not defined for the 'soma' section.*'gabaa', 'gabab'"),
    (dict(receptor='glutamate'), ValueError, "'receptor'.*'glutamate'"),
    (dict(weight=-1.), ValueError, r"A_weight'\] \(weight\) must be >= 0"),
    (dict(delay=-1.), ValueError, r"A_delay'\] \(delay\) must be >= 0"),
    (dict(lamtha=0.), ValueError, r"lamtha'\] \(space constant\) must be > 0"),
    (dict(lamtha=-3.), ValueError, r"lamtha'\] \(space constant\) must be > 0"),
    (dict(weight=np.nan), ValueError, 'must be a finite number'),
    (dict(gain=-1.), ValueError, "gain'\\] must be >= 0"),
    (dict(probability=0.), ValueError, r'probability must be in \(0, 1\]'),
    (dict(probability=1.5), ValueError, r'probability must be in \(0, 1\]'),
    (dict(allow_autapses='no'), TypeError, 'allow_autapses must be'),
    (dict(conn_seed=1.5), TypeError, 'conn_seed must be'),
])
def test_add_connection_errors(kwargs, exc, match):
    net = small()
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    n_before = len(net.connectivity)
    args = dict(src_gids='L2_pyramidal', target_gids='L2_pyramidal', loc='proximal',
                receptor='ampa', weight=1e-3, delay=1., lamtha=3.)
    with pytest.raises(exc, match=match):
        net.add_connection(**{**args, **kwargs})
    assert len(net.connectivity) == n_before  # nothing half-added


def test_edited_connection_is_checked_before_the_run():
    net = small()
    net.add_evoked_drive('ev', mu=10., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.01})
    for idx, key, value, match in (
            (3, 'loc', 'apical_9', r"net.connectivity\[3\]: Invalid value for the 'loc'"),
            (11, 'receptor', 'gabab', r"net.connectivity\[11\]: .*'gabab' receptor"),
            (3, 'src_type', 'L9', r"net.connectivity\[3\]\['src_type'\] is 'L9'")):
        conn = net.connectivity[idx]
        old = conn[key]
        conn[key] = value
        with pytest.raises(ValueError, match=match):
            simulate_dipole(net, tstop=5., verbose=False)
        conn[key] = old
    net.connectivity[3]['nc_dict']['lamtha'] = 0.
    with pytest.raises(ValueError, match=r"connectivity\[3\] nc_dict\['lamtha'\]"):
        simulate_dipole(net, tstop=5., verbose=False)
    net.connectivity[3]['nc_dict']['lamtha'] = 3.
    net.connectivity[3]['gid_pairs'] = {0: [3]}  # a basket cell as source
    with pytest.raises(ValueError, match=r"source gid 0, which is not a "
                                         r"'L5_pyramidal' cell"):
        simulate_dipole(net, tstop=5., verbose=False)
    assert net.cell_response is None  # nothing ran


def test_a_receptor_the_cells_define():
    net = small()
    l5 = net.cell_types['L5_pyramidal']['cell_object']
    l5.synapses['gabaa_slow'] = {'e': -80., 'tau1': 2., 'tau2': 40.}
    l5.sections['apical_tuft'].syns.append('gabaa_slow')
    net.add_connection('L2_basket', 'L5_pyramidal', 'distal', 'gabaa_slow', 0.001, 1.,
                       50.)
    assert pick_connection(net, receptor='gabaa_slow') == [16]
    with pytest.raises(ValueError, match="'gabaa_slow' receptor is not defined for "
                                         "the 'soma' section"):
        net.add_connection('L2_basket', 'L5_pyramidal', 'soma', 'gabaa_slow', 0.001,
                           1., 50.)
    simulate_dipole(net, tstop=5., verbose=False)


def test_assigning_the_drives_keeps_the_network_consistent():
    net = small()
    for name in ('a', 'b'):
        net.add_evoked_drive(name, mu=10., sigma=0., numspikes=1, location='proximal',
                             weights_ampa={'L2_basket': 0.01})
    net.external_drives = {'b': net.external_drives['b']}
    assert list(net.gid_ranges)[-1] == 'b' and net.gid_ranges['b'] == range(24, 27)
    assert [c['src_type'] for c in net.connectivity[16:]] == ['b']
    net.external_drives = {}
    assert len(net.connectivity) == 16
    with pytest.raises(ValueError, match="add 'c' with net.add_evoked_drive"):
        net.external_drives = {'c': {}}
