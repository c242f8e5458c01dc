"""Drive spike times and their seeding rules (no NEURON needed)."""
import numpy as np
import pytest

from hnn_core import Network, neymotin_2020_model, read_params
from hnn_core.drives import drive_spike_times, emitted_times
from hnn_core.network import DEFAULT_PARAMS

from test_network import add_example_drives


def first_times(net, name, trial, tstop=170.):
    times = drive_spike_times(net, name, trial, net._n_gids, tstop)
    return [t[0] if len(t) else None for t in times]


def test_seedcore_rule_of_the_reference_example():
    """hnn-core 0.1: seed = seedcore + trial + absolute gid (model doc 7.3.1 A)."""
    net = add_example_drives(Network(read_params(DEFAULT_PARAMS)), seedcore=4)
    d1, p1, p2 = (first_times(net, n, 0) for n in ('evdist1', 'evprox1', 'evprox2'))
    assert d1[0] == 66.30498327062551
    assert p1[0] == 23.80641637082997
    assert p2[0] == 141.76252038319825
    # drive cells facing the unweighted L5 baskets draw nothing
    assert d1[135:170] == [None] * 35 and None not in d1[:135] + d1[170:]
    d1_trial1 = first_times(net, 'evdist1', 1)
    assert d1_trial1[0] == 69.51520334882605
    # trial t + 1 of drive cell k reuses trial t of drive cell k + 1
    assert d1_trial1[0] == d1[1]
    # ... across drives too: evdist1's last cell in trial 1 uses evprox1's first seed
    np.testing.assert_allclose((d1_trial1[269] - 63.53) / 3.85,
                               (p1[0] - 26.61) / 2.47, rtol=1e-12)


def test_sync_within_trial():
    net = add_example_drives(Network(read_params(DEFAULT_PARAMS)), seedcore=4)
    for name in net.external_drives:
        net.external_drives[name]['dynamics']['sync_within_trial'] = True
    expected = {'evdist1': 63.72466257250032, 'evprox1': 26.734887416643062,
                'evprox2': 137.5411790205007}
    for name, value in expected.items():
        times = [t for t in first_times(net, name, 0) if t is not None]
        assert set(times) == {value}
    assert len([t for t in first_times(net, 'evdist1', 0) if t is not None]) == 235
    assert first_times(net, 'evdist1', 1)[0] == np.random.RandomState(5).normal(
        63.53, 3.85)


def test_event_seed_rule():
    """hnn-core 0.6: seed = event_seed + trial * n_gids + offset (7.3.1 B)."""
    net = add_example_drives(neymotin_2020_model(), event_seed=4)
    assert net._n_gids == 1045
    for name, mu, sigma in (('evdist1', 63.53, 3.85), ('evprox1', 26.61, 2.47)):
        for trial in (0, 1):
            times = first_times(net, name, trial)
            for k in (0, 1, 100):
                seed = 4 + trial * 1045 + k
                assert times[k] == np.random.RandomState(seed).normal(mu, sigma)
    # identical streams: cell k of every drive draws the same standard normal
    d1, p1 = first_times(net, 'evdist1', 0), first_times(net, 'evprox1', 0)
    np.testing.assert_allclose((np.array(d1) - 63.53) / 3.85,
                               (np.array(p1[:235]) - 26.61) / 2.47, rtol=1e-10)
    assert d1[0] == 63.72466257250032


def test_event_seed_times_do_not_depend_on_drive_order():
    a = add_example_drives(neymotin_2020_model(mesh_shape=(3, 3)), event_seed=4)
    b = neymotin_2020_model(mesh_shape=(3, 3))
    names = list(a.external_drives)[::-1]
    for name in names:
        drive = a.external_drives[name]
        dyn = drive['dynamics']
        b.add_evoked_drive(name, mu=dyn['mu'], sigma=dyn['sigma'],
                           numspikes=dyn['numspikes'], location=drive['location'],
                           weights_ampa=drive['weights_ampa'] or None,
                           weights_nmda=drive['weights_nmda'] or None,
                           synaptic_delays=drive['synaptic_delays'], event_seed=4)
    assert a.gid_ranges['evprox2'] != b.gid_ranges['evprox2']
    for trial in (0, 1):
        for name in names:
            ta = drive_spike_times(a, name, trial, a._n_gids, 170.)
            tb = drive_spike_times(b, name, trial, b._n_gids, 170.)
            for x, y in zip(ta, tb):
                np.testing.assert_array_equal(x, y)


def test_default_seed_follows_the_constructor():
    v01 = Network(read_params(DEFAULT_PARAMS))
    v01.add_evoked_drive('ev', mu=20., sigma=1., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.1})
    assert v01.external_drives['ev']['seedcore'] == 2
    assert v01.external_drives['ev']['event_seed'] is None
    assert v01.external_drives['ev']['dynamics'] == {
        'mu': 20., 'sigma': 1., 'numspikes': 1, 'sync_within_trial': False}
    cur = neymotin_2020_model()
    cur.add_evoked_drive('ev', mu=20., sigma=1., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.1})
    assert cur.external_drives['ev']['event_seed'] == 2
    assert cur.external_drives['ev']['dynamics'] == {'mu': 20., 'sigma': 1.,
                                                     'numspikes': 1}


def test_numspikes_and_time_window():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', mu=5., sigma=10., numspikes=20, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.1}, event_seed=7)
    (times,) = drive_spike_times(net, 'ev', 0, net._n_gids, 12.)
    draws = np.random.RandomState(7).normal(5., 10., 20)
    kept = np.sort(draws[(draws > 0) & (draws <= 12.)])
    assert 0 < len(times) < 20
    np.testing.assert_array_equal(times, emitted_times(kept))
    # hnn-core 0.1 drops only times <= 0
    params = read_params(DEFAULT_PARAMS)
    params.update(N_pyr_x=1, N_pyr_y=1)
    old = Network(params)
    old.add_evoked_drive('ev', mu=5., sigma=10., numspikes=20, location='proximal',
                         weights_ampa={'L5_pyramidal': 0.1}, seedcore=4)
    times = drive_spike_times(old, 'ev', 0, old._n_gids, 12.)[3]
    draws = np.random.RandomState(4 + 4 + 3).normal(5., 10., 20)
    np.testing.assert_array_equal(times, emitted_times(np.sort(draws[draws > 0])))


def test_emitted_times_recurrence():
    rng = np.random.RandomState(0)
    for _ in range(50):
        listed = np.sort(rng.uniform(0, 170, 6))
        out = emitted_times(listed)
        assert out[0] == listed[0]
        for k in range(1, 6):
            assert out[k] == (out[k - 1] + listed[k]) - out[k - 1]
        np.testing.assert_allclose(out, listed, rtol=1e-15)


def _scalar_poisson_times(prng, tstart, tstop, rate):
    """hnn-core's rule as a loop of scalar draws."""
    times, t = [], tstart
    while t < tstop:
        t += 1000. * prng.exponential(1. / rate)
        if t < tstop:
            times.append(t)
    return times


@pytest.mark.parametrize('rate, tstart, tstop', [(10., 0., 170.), (1e3, 5., 1000.),
                                                 (37.5, 50., 50.5), (1e5, 0., 20.),
                                                 (0.1, 0., 100.), (10., 100., 50.)])
def test_poisson_times_are_those_of_scalar_draws(rate, tstart, tstop):
    from hnn_core.drives import _poisson_times
    for seed in range(50):
        expected = _scalar_poisson_times(np.random.RandomState(seed), tstart, tstop,
                                         rate)
        got = _poisson_times(np.random.RandomState(seed), tstart, tstop, rate)
        assert list(got) == expected  # bit for bit


def test_many_poisson_times_are_drawn_quickly():
    """A million spike times took 15 s as scalar draws."""
    from _fuzz import liveness
    from hnn_core.drives import _poisson_times
    with liveness(8):
        times = _poisson_times(np.random.RandomState(0), 0., 1000., 1e6)
    assert 0.99e6 < len(times) < 1.01e6
