"""Poisson, bursty, spike-train drives, tonic biases and drives from parameter files."""
import numpy as np
import pytest

from hnn_core import Network, neymotin_2020_model, read_params, simulate_dipole
from hnn_core.drives import drive_spike_times, emitted_times
from hnn_core.network import DEFAULT_PARAMS

W = {'L2_pyramidal': 0.01, 'L5_pyramidal': 0.01}


def spans(net):
    return {k: (v.start, v.stop) for k, v in net.gid_ranges.items()}


def test_params_drives_layout_and_seeds():
    """Model document 7.3, 7.5 and 7.6: gids, seeds and first event times."""
    params = read_params(DEFAULT_PARAMS)
    net = neymotin_2020_model(params, add_drives_from_params=True)
    assert spans(net) == {'L2_basket': (0, 35), 'L2_pyramidal': (35, 135),
                          'L5_basket': (135, 170), 'L5_pyramidal': (170, 270),
                          'evdist1': (270, 505), 'evprox1': (505, 775),
                          'evprox2': (775, 1045)}
    seeds = {k: d['event_seed'] for k, d in net.external_drives.items()}
    assert seeds == {'evdist1': 272, 'evprox1': 507, 'evprox2': 777}
    first = {name: [t[0] for t in drive_spike_times(net, name, trial, 1045, 170.)[:2]]
             for name in net.external_drives for trial in (0,)}
    assert first['evdist1'] == [65.49938871, 66.80152921] or np.allclose(
        first['evdist1'], [65.49938871, 66.80152921], rtol=0, atol=5e-9)
    np.testing.assert_allclose(first['evprox1'][0], 25.48240003, atol=5e-9)
    np.testing.assert_allclose(first['evprox2'][0], 133.21982075, atol=5e-9)
    trial1 = drive_spike_times(net, 'evdist1', 1, 1045, 170.)[0][0]
    np.testing.assert_allclose(trial1, 60.99889572, atol=5e-9)

    legacy = neymotin_2020_model(params, add_drives_from_params=True, legacy_mode=True)
    assert spans(legacy) == {'L2_basket': (0, 35), 'L2_pyramidal': (35, 135),
                             'L5_basket': (135, 170), 'L5_pyramidal': (170, 270),
                             'bursty1': (270, 280), 'bursty2': (280, 290),
                             'evdist1': (290, 560), 'evprox1': (560, 830),
                             'evprox2': (830, 1100), 'extgauss': (1100, 1370),
                             'extpois': (1370, 1640)}
    seeds = {k: legacy.external_drives[k]['event_seed']
             for k in ('evdist1', 'evprox1', 'evprox2')}
    assert seeds == {'evdist1': 274, 'evprox1': 544, 'evprox2': 814}
    assert legacy.external_drives['extgauss']['type'] == 'gaussian'
    # the null drives give no spike before tstop
    for name in ('bursty1', 'bursty2', 'extgauss', 'extpois'):
        times = drive_spike_times(legacy, name, 0, 1640, 170.)
        assert sum(len(t) for t in times) == 0, name


def test_hnn_01_params_drives_share_the_published_seeds():
    """Network(params, add_drives_from_params=True): seedcore + absolute gid."""
    net = Network(read_params(DEFAULT_PARAMS), add_drives_from_params=True)
    assert spans(net)['bursty1'] == (270, 271) and spans(net)['evdist1'] == (272, 542)
    legacy = neymotin_2020_model(read_params(DEFAULT_PARAMS), add_drives_from_params=True,
                              legacy_mode=True)
    for name in ('evdist1', 'evprox1', 'evprox2'):
        old = drive_spike_times(net, name, 0, net._n_gids, 170.)
        new = drive_spike_times(legacy, name, 0, legacy._n_gids, 170.)
        silent = [k for k, a in enumerate(old) if len(a) == 0]
        # hnn-core 0.1 leaves evdist1's drive cells facing L5 baskets silent
        assert silent == (list(range(135, 170)) if name == 'evdist1' else [])
        for k, (a, b) in enumerate(zip(old, new)):
            if k not in silent:
                np.testing.assert_array_equal(a, b)


def test_poisson_times():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_poisson_drive('pois', rate_constant=50, location='proximal', tstart=10.,
                          tstop=90., weights_ampa=W, event_seed=3)
    times = drive_spike_times(net, 'pois', 0, net._n_gids, 100.)
    assert len(times) == 2  # one drive cell per weighted cell
    prng = np.random.RandomState(3)
    expected, t = [], 10.
    while True:
        t += 1000. * prng.exponential(1 / 50.)
        if t >= 90.:
            break
        expected.append(t)
    np.testing.assert_array_equal(times[0], emitted_times(expected))
    assert np.all(times[1] >= 10.) and np.all(times[1] < 90.)
    # rates per target type
    net.add_poisson_drive('pois2', rate_constant={'L2_pyramidal': 1000.,
                                                  'L5_pyramidal': 1.},
                          location='distal', weights_ampa=W, event_seed=4)
    l2, l5 = drive_spike_times(net, 'pois2', 0, net._n_gids, 100.)
    assert len(l2) > 50 and len(l5) < 5


def test_bursty_times():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_bursty_drive('alpha', burst_rate=10., tstart=5., burst_std=0.,
                         numspikes=3, spike_isi=4., n_drive_cells=2, location='distal',
                         weights_ampa=W, event_seed=1)
    a, b = drive_spike_times(net, 'alpha', 0, net._n_gids, 100.)
    centres = np.arange(5., 100., 100.)
    expected = np.sort(np.concatenate([centres + d for d in (-4., 0., 4.)]))
    expected = expected[expected > 0]
    np.testing.assert_allclose(a, expected, atol=1e-12)
    np.testing.assert_allclose(b, expected, atol=1e-12)
    # hnn-core 0.1's repeats: one drive cell with every burst repeated
    old = Network(read_params(DEFAULT_PARAMS), mesh_shape=(1, 1))
    old.add_bursty_drive('alpha', burst_rate=20., tstart=10., burst_std=2., numspikes=1,
                         repeats=3, location='proximal', weights_ampa=W, seedcore=5)
    assert len(old.gid_ranges['alpha']) == 1
    (times,) = drive_spike_times(old, 'alpha', 0, old._n_gids, 100.)
    draws = np.random.RandomState(5 + 4).normal(np.repeat(np.arange(10., 100., 50.),
                                                          3), 2.)
    np.testing.assert_array_equal(times, emitted_times(np.sort(draws)))


def test_spike_train_drive_forms(tmp_path):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_spike_train_drive('replay', spike_data={'a': [5., 1.], 'b': [7.5]},
                              location='proximal', weights_ampa=W)
    assert len(net.gid_ranges['replay']) == 2
    t = drive_spike_times(net, 'replay', 1, net._n_gids, 100.)
    np.testing.assert_array_equal(t[0], [1., 5.])
    net.add_spike_train_drive('pairs', spike_data=[(3., 7), (4., 7), (9., 2)],
                              location='proximal', weights_ampa=W)
    t = drive_spike_times(net, 'pairs', 0, net._n_gids, 100.)
    np.testing.assert_array_equal(t[0], [9.])  # sources in sorted order: 2, 7
    np.testing.assert_array_equal(t[1], [3., 4.])
    with pytest.raises(ValueError, match="source 'b' must be finite times >= 0"):
        net.add_spike_train_drive('bad', spike_data={'b': [-1.]}, location='proximal',
                                  weights_ampa=W)
    with pytest.raises(TypeError, match='spike_data must be'):
        net.add_spike_train_drive('bad', spike_data=3, location='proximal',
                                  weights_ampa=W)


def test_tonic_bias_depolarizes():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_tonic_bias(amplitude={'L5_pyramidal': 2.0}, t0=5., tstop=30.)
    net.add_tonic_bias(cell_type='L2_basket', amplitude=0.5, T=20., bias_name='old')
    assert net.external_biases['tonic']['L5_pyramidal']['amplitude'] == 2.0
    assert net.external_biases['old']['L2_basket']['tstop'] == 20.
    simulate_dipole(net, tstop=40., record_vsec='soma', verbose=False)
    cr = net.cell_response
    v5 = cr.vsec[0][3]['soma']
    assert v5[int(4.9 / 0.025)] < -70 and v5.max() > 0  # spikes once driven
    assert {'L5_pyramidal', 'L2_basket'} <= set(cr.spike_types[0])


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(amplitude={'L4_pyramidal': 1.}), ValueError,
     "unknown cell type 'L4_pyramidal'.*'L2_basket'"),
    (dict(amplitude=1.), ValueError, 'cell_type is required'),
    (dict(cell_type='L2_basket'), ValueError, 'amplitude is required'),
    (dict(amplitude={'L2_basket': 1.}, t0=10., tstop=5.), ValueError,
     'tstop .* must not be before t0'),
    (dict(amplitude={'L2_basket': 1.}, section='apical_1'), ValueError,
     "L2_basket has no section 'apical_1'"),
    (dict(amplitude={'L2_basket': 'a'}), TypeError, r"amplitude\['L2_basket'\] must be"),
])
def test_tonic_bias_errors(kwargs, exc, match):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    with pytest.raises(exc, match=match):
        net.add_tonic_bias(**kwargs)
    assert net.external_biases == {}


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(rate_constant=-5.), ValueError, 'rate_constant must be'),
    (dict(rate_constant='5'), TypeError, 'rate_constant must be'),
    (dict(rate_constant={'L2_pyramidal': 5.}), ValueError,
     "must give a rate for every cell type.*'L5_pyramidal'"),
    (dict(rate_constant={'L2_pyramidal': 5., 'L5_pyramidal': 5., 'L9': 1.}),
     ValueError, "unknown cell type 'L9'"),
    (dict(rate_constant={'L2_pyramidal': 5., 'L5_pyramidal': 5.}, cell_specific=False,
          n_drive_cells=2), ValueError, 'only when cell_specific is True'),
    (dict(rate_constant=5., tstart=-1.), ValueError, 'tstart must be'),
    (dict(rate_constant=5., tstart=50., tstop=10.), ValueError,
     'tstop .* must not be before tstart'),
    (dict(rate_constant=5., location='apical'), ValueError, "'location'"),
])
def test_poisson_errors(kwargs, exc, match):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    args = {'location': 'proximal', 'weights_ampa': W, **kwargs}
    with pytest.raises(exc, match=match):
        net.add_poisson_drive('pois', **args)
    assert 'pois' not in net.gid_ranges


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(burst_rate=0.), ValueError, 'burst_rate must be'),
    (dict(burst_rate=10., numspikes=20, spike_isi=10.), ValueError,
     'longer than the burst period'),
    (dict(burst_rate=10., burst_std=-1.), ValueError, 'burst_std must be'),
    (dict(burst_rate=10., numspikes=2.5), TypeError, 'numspikes must be'),
    (dict(burst_rate=10., repeats=2, n_drive_cells=3), ValueError,
     'repeats .* or n_drive_cells'),
    (dict(burst_rate=10., distribution='uniform'), ValueError, "'distribution'"),
    (dict(burst_rate=10., tstart_std='x'), TypeError, 'tstart_std must be'),
])
def test_bursty_errors(kwargs, exc, match):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    with pytest.raises(exc, match=match):
        net.add_bursty_drive('burst', location='distal', weights_ampa=W, **kwargs)
    assert 'burst' not in net.gid_ranges


def test_postproc_follows_the_constructor():
    """hnn-core 0.1 smoothed and scaled by default; hnn-core 0.6 returns raw dipoles."""
    params = read_params(DEFAULT_PARAMS)
    params.update(N_pyr_x=1, N_pyr_y=1)
    old = Network(params)
    (old_dpl,) = simulate_dipole(old, tstop=40., verbose=False)
    new = neymotin_2020_model(params, mesh_shape=(1, 1))
    (new_dpl,) = simulate_dipole(new, tstop=40., verbose=False)
    assert old_dpl.scale_applied == 3000 and new_dpl.scale_applied == 1
    expected = new_dpl.copy().smooth(30).scale(3000)
    np.testing.assert_allclose(old_dpl.data['agg'], expected.data['agg'], rtol=1e-12)
    (raw,) = simulate_dipole(old, tstop=40., postproc=False, verbose=False)
    np.testing.assert_array_equal(raw.data['agg'], new_dpl.data['agg'])


def test_recording_options():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=0., numspikes=1, location='distal',
                         weights_ampa={'L5_pyramidal': 0.01})
    (dpl,) = simulate_dipole(net, tstop=20., record_vsec='all', record_isec='soma',
                             record_ca='all', verbose=False)
    cr = net.cell_response
    n = len(dpl.times)
    vsec = cr.vsec[0]
    assert set(vsec) == {0, 1, 2, 3}
    assert len(vsec[3]) == 9 and len(vsec[1]) == 8 and set(vsec[0]) == {'soma'}
    assert all(len(v) == n for cell in vsec.values() for v in cell.values())
    # the model document's single-event numbers (section 11.2)
    np.testing.assert_allclose([vsec[3]['soma'][int(t / 0.025)] for t in (6, 8, 10)],
                               [-72.049114968, -72.047102431, 48.375088522], rtol=1e-9)
    assert set(cr.isec[0][3]['soma']) == {'soma_gabaa', 'soma_gabab'}
    assert set(cr.ca[0][3]) == set(vsec[3]) and cr.ca[0][1] == {}
    assert cr.ca[0][3]['soma'][0] == 1e-4
    simulate_dipole(net, tstop=5., record_vsoma=True, verbose=False)
    assert set(net.cell_response.vsec[0][3]) == {'soma'}
    assert net.cell_response.isec[0] == {}
    with pytest.raises(ValueError, match="'record_vsec'.*'soma', 'all'"):
        simulate_dipole(net, tstop=5., record_vsec='dend')
    with pytest.raises(TypeError, match='record_vsoma must be'):
        simulate_dipole(net, tstop=5., record_vsoma='yes')


def test_tonic_bias_from_a_parameter_dict():
    """Itonic_* keys of a plain dict become tonic biases, basket keys without _soma."""
    params = dict(read_params(DEFAULT_PARAMS))
    params.update({'Itonic_A_L2Basket': 0.3, 'Itonic_t0_L2Basket': 10.,
                   'Itonic_T_L2Basket': 50., 'Itonic_A_L5Pyr_soma': 1.0,
                   'Itonic_t0_L5Pyr_soma': 10., 'Itonic_T_L5Pyr_soma': 50.})
    net = neymotin_2020_model(params, add_drives_from_params=True, mesh_shape=(1, 1))
    tonic = net.external_biases['tonic']
    assert tonic['L2_basket']['amplitude'] == 0.3
    assert tonic['L5_pyramidal']['amplitude'] == 1.0
    assert tonic['L5_pyramidal']['t0'] == 10. and tonic['L5_pyramidal']['tstop'] == 50.
    del params['Itonic_T_L2Basket']
    with pytest.raises(ValueError, match='missing Itonic_T_L2Basket'):
        neymotin_2020_model(params, add_drives_from_params=True, mesh_shape=(1, 1))
