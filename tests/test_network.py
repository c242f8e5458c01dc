"""Network layout: positions, gids and connectivity (no NEURON needed)."""
import numpy as np
import pytest

from hnn_core import (Network, neymotin_2020_model, read_params, simulate_dipole,
                      pick_connection)
from hnn_core.connectivity import connection_block
from hnn_core.network import DEFAULT_PARAMS

CELL_TYPES = ['L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal']

WEIGHTS_D1_AMPA = {'L2_basket': 0.006562, 'L2_pyramidal': .000007,
                   'L5_pyramidal': 0.142300}
WEIGHTS_D1_NMDA = {'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                   'L5_pyramidal': 0.080074}
WEIGHTS_P1 = {'L2_basket': 0.08831, 'L2_pyramidal': 0.01525, 'L5_basket': 0.19934,
              'L5_pyramidal': 0.00865}
WEIGHTS_P2 = {'L2_basket': 0.000003, 'L2_pyramidal': 1.438840, 'L5_basket': 0.008958,
              'L5_pyramidal': 0.684013}
DELAYS_PROX = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1.,
               'L5_pyramidal': 1.}


def add_example_drives(net, **seed):
    """The reference example's three evoked drives."""
    net.add_evoked_drive('evdist1', mu=63.53, sigma=3.85, numspikes=1,
                         weights_ampa=WEIGHTS_D1_AMPA, weights_nmda=WEIGHTS_D1_NMDA,
                         location='distal', synaptic_delays=0.1, **seed)
    net.add_evoked_drive('evprox1', mu=26.61, sigma=2.47, numspikes=1,
                         weights_ampa=WEIGHTS_P1, location='proximal',
                         synaptic_delays=DELAYS_PROX, **seed)
    net.add_evoked_drive('evprox2', mu=137.12, sigma=8.33, numspikes=1,
                         weights_ampa=WEIGHTS_P2, location='proximal',
                         synaptic_delays=DELAYS_PROX, **seed)
    return net


def spans(net):
    return {k: (v.start, v.stop) for k, v in net.gid_ranges.items()}


def test_positions():
    net = neymotin_2020_model()
    basket = [(x, y) for x, y, _ in net.pos_dict['L2_basket']]
    assert basket == [(0, 0), (3, 0), (6, 0), (9, 0), (1, 1), (4, 1), (7, 1), (0, 2),
                      (3, 2), (6, 2), (9, 2), (1, 3), (4, 3), (7, 3), (0, 4), (3, 4),
                      (6, 4), (9, 4), (1, 5), (4, 5), (7, 5), (0, 6), (3, 6), (6, 6),
                      (9, 6), (1, 7), (4, 7), (7, 7), (0, 8), (3, 8), (6, 8), (9, 8),
                      (1, 9), (4, 9), (7, 9)]
    assert [p[:2] for p in net.pos_dict['L5_basket']] == basket
    pyr = net.pos_dict['L5_pyramidal']
    assert pyr[0][:2] == (0, 0) and pyr[1][:2] == (0, 1) and pyr[10][:2] == (1, 0)
    assert net.pos_dict['origin'] == (4, 4, 653)
    small = neymotin_2020_model(mesh_shape=(3, 3))
    assert [p[:2] for p in small.pos_dict['L2_basket']] == [(0, 0), (1, 1), (0, 2)]
    assert small.pos_dict['origin'] == (1, 1, 653)
    one = neymotin_2020_model(mesh_shape=(1, 1))
    assert [p[:2] for p in one.pos_dict['L2_basket']] == [(0, 0)]
    assert one.pos_dict['origin'] == (0, 0, 653)


def test_cell_gid_ranges():
    net = neymotin_2020_model()
    assert spans(net) == {'L2_basket': (0, 35), 'L2_pyramidal': (35, 135),
                          'L5_basket': (135, 170), 'L5_pyramidal': (170, 270)}
    assert net.n_cells == 270
    params = read_params(DEFAULT_PARAMS)
    params.update(N_pyr_x=3, N_pyr_y=3)
    assert spans(Network(params))['L5_pyramidal'] == (15, 24)
    assert repr(Network(read_params(DEFAULT_PARAMS))) == (
        '<Network | 10 x 10 Pyramidal cells (L2, L5)\n35 L2 basket cells\n'
        '35 L5 basket cells>')
    assert repr(neymotin_2020_model(mesh_shape=(3, 3))) == (
        '<Network | 3 L2_basket cells\n9 L2_pyramidal cells\n3 L5_basket cells\n'
        '9 L5_pyramidal cells>')


def test_drive_gid_layouts():
    """One drive cell per cell (0.1), per weighted cell (0.6), all cells (legacy)."""
    v01 = add_example_drives(Network(read_params(DEFAULT_PARAMS)), seedcore=4)
    assert spans(v01)['evdist1'] == (270, 540)
    assert spans(v01)['evprox1'] == (540, 810)
    assert spans(v01)['evprox2'] == (810, 1080)
    current = add_example_drives(neymotin_2020_model(), event_seed=4)
    assert spans(current)['evdist1'] == (270, 505)
    assert spans(current)['evprox1'] == (505, 775)
    assert spans(current)['evprox2'] == (775, 1045)
    assert current.gid_ranges['evprox2'].stop == 1045
    small = add_example_drives(neymotin_2020_model(mesh_shape=(3, 3)), event_seed=4)
    assert spans(small)['evdist1'] == (24, 45)
    assert small.gid_ranges['evprox2'].stop == 93
    legacy = add_example_drives(neymotin_2020_model(mesh_shape=(3, 3), legacy_mode=True),
                                event_seed=4)
    assert spans(legacy)['evdist1'] == (24, 48)
    assert spans(legacy)['evprox2'] == (72, 96)


def _sections(net, conn):
    cell = net.cell_types[conn['target_type']]['cell_object']
    loc = conn['loc']
    return cell.sect_loc[loc] if loc in cell.sect_loc else [loc]


def _block(net, conn, tstop=None):
    return connection_block(conn, net.positions(), net.inplane_distance,
                            _sections(net, conn), tstop=tstop)


def _short(conn):
    short = {'L2_basket': 'L2Basket', 'L2_pyramidal': 'L2Pyr', 'L5_basket': 'L5Basket',
             'L5_pyramidal': 'L5Pyr'}
    return f"{short[conn['src_type']]}_{short[conn['target_type']]}_{conn['receptor']}"


def test_local_connection_counts():
    net = neymotin_2020_model()
    assert len(net.connectivity) == 16
    pairs, contacts = {}, {}
    for conn in net.connectivity:
        name = _short(conn)
        pairs[name] = pairs.get(name, 0) + conn.n_pairs
        contacts[name] = contacts.get(name, 0) + conn.n_pairs * len(_sections(net, conn))
    assert pairs == {
        'L2Pyr_L2Pyr_nmda': 9900, 'L2Pyr_L2Pyr_ampa': 9900,
        'L5Pyr_L5Pyr_nmda': 9900, 'L5Pyr_L5Pyr_ampa': 9900,
        'L2Basket_L2Pyr_gabaa': 3500, 'L2Basket_L2Pyr_gabab': 3500,
        'L5Basket_L5Pyr_gabaa': 3500, 'L5Basket_L5Pyr_gabab': 3500,
        'L2Pyr_L5Pyr_ampa': 20000, 'L2Basket_L5Pyr_gabaa': 3500,
        'L2Pyr_L2Basket_ampa': 3500, 'L2Basket_L2Basket_gabaa': 1225,
        'L5Basket_L5Basket_gabaa': 1190, 'L5Pyr_L5Basket_ampa': 3500,
        'L2Pyr_L5Basket_ampa': 3500}
    assert contacts['L2Pyr_L2Pyr_nmda'] == 29700
    assert contacts['L2Pyr_L5Pyr_ampa'] == 40000
    assert sum(contacts.values()) == 189215
    # hnn-core 0.1's Network(params) makes the same rules
    v01 = Network(read_params(DEFAULT_PARAMS))
    assert [(c['src_type'], c['target_type'], c['loc'], c['receptor'], c.n_pairs)
            for c in v01.connectivity] == \
        [(c['src_type'], c['target_type'], c['loc'], c['receptor'], c.n_pairs)
         for c in net.connectivity]
    # and hnn-core 0.6.1's Network(params, mesh_shape=...) none
    assert Network(read_params(DEFAULT_PARAMS), mesh_shape=(3, 3)).connectivity == []


def test_distance_dependence():
    net = neymotin_2020_model()
    blocks = {_short(c): _block(net, c) for c in net.connectivity}
    b = blocks['L2Pyr_L2Pyr_ampa']
    # autapses removed; a cell one grid step away
    assert not np.any(b.src_gids == b.tgt_gids)
    row = np.flatnonzero((b.src_gids == 35) & (b.tgt_gids == 36))[0]
    np.testing.assert_allclose(b.weights[row], 0.0005 * np.exp(-1 / 9), rtol=1e-15)
    np.testing.assert_allclose(b.delays[row], np.exp(1 / 9), rtol=1e-15)
    # the farthest pair across the grid: delay ~6.566e7 ms
    assert b.delays.max() == pytest.approx(6.566e7, rel=1e-3)
    self_conn = blocks['L2Basket_L2Basket_gabaa']
    assert np.any(self_conn.src_gids == self_conn.tgt_gids)
    # a gain multiplies the weight, not the delay
    net.connectivity[1]['nc_dict']['gain'] = 2.
    b2 = _block(net, net.connectivity[1])
    np.testing.assert_array_equal(b2.weights, 2 * b.weights)
    np.testing.assert_array_equal(b2.delays, b.delays)
    # the in-plane distance scales positions and space constants together
    net.set_cell_positions(inplane_distance=25.)
    assert net.pos_dict['L2_pyramidal'][1][:2] == (0., 25.)
    np.testing.assert_allclose(_block(net, net.connectivity[1]).weights, b2.weights,
                               rtol=1e-14)


def test_drive_connections():
    net = add_example_drives(neymotin_2020_model(), event_seed=4)
    count = {}
    for name in net.external_drives:
        conns = [net.connectivity[i] for i in pick_connection(net, src_gids=name)]
        assert all(c['src_type'] == name for c in conns)
        count[name] = sum(c.n_pairs * len(_sections(net, c)) for c in conns)
    # evdist1: L2 basket soma + L2/L5 tuft, AMPA and NMDA; evprox: AMPA only,
    # three proximal sections per pyramidal cell
    assert count == {'evdist1': 470, 'evprox1': 670, 'evprox2': 670}
    (idx,) = pick_connection(net, src_gids='evprox1', target_gids='L5_pyramidal')
    b = _block(net, net.connectivity[idx])
    row = np.flatnonzero(b.tgt_gids == 170)[0]  # the L5 cell at (0, 0)
    assert b.src_gids[row] == 505 + 35 + 100 + 35  # populations in type order
    np.testing.assert_allclose(b.weights[row], 2.47092e-4, rtol=1e-5)
    np.testing.assert_allclose(b.delays[row], 35.0073, rtol=1e-5)
    # the drive's connections come after the 16 local ones, AMPA before NMDA
    assert [(c['src_type'], c['target_type'], c['receptor'])
            for c in net.connectivity[16:22]] == [
        ('evdist1', 'L2_basket', 'ampa'), ('evdist1', 'L2_basket', 'nmda'),
        ('evdist1', 'L2_pyramidal', 'ampa'), ('evdist1', 'L2_pyramidal', 'nmda'),
        ('evdist1', 'L5_pyramidal', 'ampa'), ('evdist1', 'L5_pyramidal', 'nmda')]


def test_v01_drive_cells_face_their_cell():
    net = add_example_drives(Network(read_params(DEFAULT_PARAMS)), seedcore=4)
    src, tgt = [], []
    for idx in pick_connection(net, src_gids='evdist1'):
        s, t = net.connectivity[idx].pair_arrays()
        src.append(s)
        tgt.append(t)
    src, tgt = np.concatenate(src), np.concatenate(tgt)
    np.testing.assert_array_equal(src - 270, tgt)
    # the drive cells facing L5 baskets (not weighted) have no connection
    assert not np.any((tgt >= 135) & (tgt < 170))


def test_copy_keeps_model_and_drops_results():
    net = add_example_drives(neymotin_2020_model(mesh_shape=(3, 3)), event_seed=4)
    net.cell_response = 'results'
    net2 = net.copy()
    assert net2.cell_response is None and net.cell_response == 'results'
    assert spans(net2) == spans(net)
    net2.external_drives['evprox1']['dynamics']['mu'] = 10.
    assert net.external_drives['evprox1']['dynamics']['mu'] == 26.61


@pytest.mark.parametrize('tstop', [10., 170., 400.])
def test_connections_beyond_tstop_are_left_out_exactly(tstop):
    """The cut keeps exactly the pairs whose delay is at most tstop."""
    net = neymotin_2020_model(mesh_shape=(10, 7))
    n_full = n_cut = 0
    for conn in net.connectivity:
        full, cut = _block(net, conn), _block(net, conn, tstop=tstop)
        keep = full.delays <= tstop
        n_full, n_cut = n_full + full.n_pairs, n_cut + cut.n_pairs
        np.testing.assert_array_equal(full.src_gids[keep], cut.src_gids)
        np.testing.assert_array_equal(full.tgt_gids[keep], cut.tgt_gids)
        np.testing.assert_array_equal(full.weights[keep], cut.weights)
        np.testing.assert_array_equal(full.delays[keep], cut.delays)
    assert n_cut < n_full  # something was left out


def test_removing_drives_frees_their_gids():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    kwargs = dict(location='proximal', weights_ampa={'L5_pyramidal': 0.01})
    net.add_spike_train_drive('A', spike_data={0: [5.]}, **kwargs)
    net.add_spike_train_drive('B', spike_data={0: [6.]}, **kwargs)
    del net.external_drives['A']
    # the network is as if A had never been added
    assert list(net.gid_ranges) == list(CELL_TYPES) + ['B']
    assert net.gid_ranges['B'] == range(4, 5)
    net.add_spike_train_drive('C', spike_data={0: [7.]}, **kwargs)
    net.add_spike_train_drive('A', spike_data={0: [8.]}, **kwargs)  # name free again
    assert [net.gid_ranges[n] for n in 'BCA'] == [range(4, 5), range(5, 6), range(6, 7)]
    simulate_dipole(net, tstop=10., n_trials=1, verbose=False)
    drive_spikes = {gid: t for t, gid in zip(net.cell_response.spike_times[0],
                                             net.cell_response.spike_gids[0])
                    if gid >= 4}
    assert drive_spikes == {4: 6.0, 5: 7.0, 6: 8.0}
    net.clear_drives()
    assert net.external_drives == {} and list(net.gid_ranges) == list(CELL_TYPES)


@pytest.mark.parametrize('make, name', [
    (lambda: neymotin_2020_model(mesh_shape=(10 ** 5, 10 ** 5)), 'mesh_shape'),
    (lambda: neymotin_2020_model(mesh_shape=(2 ** 40, 1)), 'mesh_shape'),
    (lambda: neymotin_2020_model(mesh_shape=(1, 1)).add_evoked_drive(
        'ev', mu=1., sigma=1., numspikes=1, location='proximal',
        weights_ampa={'L2_pyramidal': 0.01}, cell_specific=False,
        n_drive_cells=10 ** 12), 'n_drive_cells'),
])
def test_networks_too_large_to_hold_are_refused(make, name):
    from _fuzz import liveness
    with liveness(20), pytest.raises(ValueError, match=rf'{name}.*gids'):
        make()
