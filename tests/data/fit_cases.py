"""A small fit shared by the oracle script ``make_cobyla_fit.py`` and our tests.

A 3x3 ``neymotin_2020_model`` with one proximal evoked drive (sigma 2 ms,
event_seed 5) whose time ``mu`` is fitted; the target is the network's own
dipole with the drive at 20 ms, scaled and smoothed. Only hnn-core 0.6.1's
public API is used, so both implementations build the same case from this code.
"""
TRUE_MU, TSTOP = 20., 50.
SCALE, WINDOW = 1000., 20.
WEIGHTS = {'L5_pyramidal': 0.2, 'L2_pyramidal': 0.1, 'L2_basket': 0.05, 'L5_basket': 0.05}
COBYLA_CASE = dict(constraints={'mu': (10., 34.)}, initial_params={'mu': TRUE_MU + 6.},
                   max_iter=16)


def set_params(net, params):
    """One proximal drive whose time (and, if given, L5 weight) is fitted."""
    weights = dict(WEIGHTS, L5_pyramidal=params.get('w', WEIGHTS['L5_pyramidal']))
    net.add_evoked_drive('evprox', mu=params['mu'], sigma=2., numspikes=1,
                         location='proximal', weights_ampa=weights, synaptic_delays=0.1,
                         event_seed=5)


def base_network():
    from hnn_core import neymotin_2020_model
    return neymotin_2020_model(mesh_shape=(3, 3))


def target_dipole(base_net):
    """The network's own dipole with the drive at TRUE_MU, scaled and smoothed."""
    from hnn_core import simulate_dipole
    net = base_net.copy()
    set_params(net, {'mu': TRUE_MU})
    dpl = simulate_dipole(net, tstop=TSTOP, n_trials=1)[0]
    return dpl.scale(SCALE).smooth(WINDOW)
