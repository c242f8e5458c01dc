"""Bad input gets a TypeError or ValueError naming the parameter."""
import pytest

from hnn_core import Network, neymotin_2020_model, read_params, simulate_dipole
from hnn_core.network import DEFAULT_PARAMS

GOOD = dict(mu=20., sigma=1., numspikes=1, location='proximal',
            weights_ampa={'L2_pyramidal': 0.01})


def add(net=None, **kwargs):
    net = neymotin_2020_model(mesh_shape=(3, 3)) if net is None else net
    net.add_evoked_drive('ev', **{**GOOD, **kwargs})
    return net


@pytest.mark.parametrize('kwargs, exc, match', [
    (dict(location='apical'), ValueError, "'location'.*'distal', 'proximal', 'apical_1'"),
    (dict(location=3), TypeError, 'location must be'),
    (dict(sigma=-1.), ValueError, 'sigma must be'),
    (dict(sigma='1'), TypeError, 'sigma must be'),
    (dict(numspikes=-2), ValueError, 'numspikes must be an integer >= 1'),
    (dict(numspikes=0), ValueError, 'numspikes must be an integer >= 1'),
    (dict(numspikes=1.5), TypeError, 'numspikes must be'),
    (dict(mu='20'), TypeError, 'mu must be'),
    (dict(weights_ampa={'L2_pyr': 0.01}), ValueError,
     "unknown cell type 'L2_pyr'.*'L2_pyramidal'"),
    (dict(weights_ampa={'L2_pyramidal': -0.01}), ValueError,
     r"weights_ampa\['L2_pyramidal'\] must be"),
    (dict(weights_ampa=[0.01]), TypeError, 'weights_ampa must be'),
    (dict(weights_ampa=None), ValueError, 'at least one weight'),
    (dict(location='distal', weights_nmda={'L5_basket': 0.1}), ValueError,
     "weights_nmda has a weight for 'L5_basket'.*cannot reach"),
    (dict(synaptic_delays={'L5_pyramidal': 1.}), ValueError,
     "synaptic_delays must give a delay.*'L2_pyramidal'"),
    (dict(synaptic_delays=-1.), ValueError, 'synaptic_delays must be'),
    (dict(synaptic_delays='1'), TypeError, 'synaptic_delays must be'),
    (dict(space_constant=0.), ValueError, 'space_constant must be'),
    (dict(probability=1.5), ValueError, r'probability must be in \(0, 1\]'),
    (dict(seedcore=1, event_seed=2), ValueError, 'either seedcore.*or event_seed'),
    (dict(event_seed=2.5), TypeError, 'event_seed must be'),
    (dict(cell_specific=True, n_drive_cells=3), ValueError,
     "n_drive_cells must be 'n_cells'"),
    (dict(cell_specific=False, n_drive_cells=0), ValueError,
     'n_drive_cells must be an integer >= 1'),
    (dict(cell_specific=False, n_drive_cells='n_cells'), ValueError,
     'n_drive_cells must be a positive integer'),
    (dict(sync_within_trial='yes'), TypeError, 'sync_within_trial must be'),
])
def test_evoked_drive_arguments(kwargs, exc, match):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(exc, match=match):
        add(net, **kwargs)
    # nothing half-added
    assert 'ev' not in net.gid_ranges and 'ev' not in net.external_drives


def test_drive_name_used_twice():
    net = add()
    before = dict(net.gid_ranges)
    with pytest.raises(ValueError, match="named 'ev' already exists"):
        add(net)
    with pytest.raises(ValueError, match="named 'L2_basket' already exists"):
        net.add_evoked_drive('L2_basket', **GOOD)
    assert net.gid_ranges == before


@pytest.mark.parametrize('name', ['', 'my drive', 'ev\t1'])
def test_drive_name_must_be_one_word(name):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(ValueError, match='name must be a non-empty string without '
                                         'white space'):
        net.add_evoked_drive(name, **GOOD)
    assert net.external_drives == {}


def test_tonic_bias_defined_twice():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_tonic_bias(cell_type='L2_pyramidal', amplitude=1.0, tstop=10.)
    with pytest.raises(ValueError, match="named 'tonic' is already defined for "
                                         "L2_pyramidal; give another bias_name"):
        net.add_tonic_bias(cell_type='L2_pyramidal', amplitude=2.0)
    assert net.external_biases['tonic']['L2_pyramidal']['amplitude'] == 1.0
    net.add_tonic_bias(cell_type='L2_pyramidal', amplitude=2.0, bias_name='second')
    assert set(net.external_biases) == {'tonic', 'second'}


@pytest.mark.parametrize('key, value, exc, match', [
    ('sigma', -1., ValueError, 'sigma must be'),
    ('mu', 'abc', TypeError, 'mu must be'),
    ('numspikes', 0, ValueError, 'numspikes must be an integer >= 1'),
])
def test_edited_drive_is_checked_before_the_run(key, value, exc, match):
    net = add()
    net.external_drives['ev']['dynamics'][key] = value
    with pytest.raises(exc, match=r"net.external_drives\['ev'\]\['dynamics'\]: " + match):
        simulate_dipole(net, tstop=5., n_trials=1, verbose=False)
    assert net.cell_response is None  # nothing ran


@pytest.mark.parametrize('key, value', [('location', 'distal'),
                                        ('space_constant', 10.),
                                        ('synaptic_delays', 2.)])
def test_edited_connection_arguments_of_a_drive_are_refused(key, value):
    """A drive's connections are made when it is added: say so, do not ignore it."""
    net = add()
    net.external_drives['ev'][key] = value
    with pytest.raises(ValueError, match=rf"net.external_drives\['ev'\]\['{key}'\] "
                                         r"was changed.*pick_connection"):
        simulate_dipole(net, tstop=5., n_trials=1, verbose=False)
    assert net.cell_response is None  # nothing ran
    net = add()
    net.external_drives['ev']['weights_ampa']['L5_pyramidal'] = 0.01
    with pytest.raises(ValueError, match=r"\['weights_ampa'\] was changed"):
        simulate_dipole(net, tstop=5., n_trials=1, verbose=False)


def test_spike_train_times_must_be_numbers():
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(ValueError, match="spike times of source 0 must be numbers"):
        net.add_spike_train_drive('st', spike_data={0: ['a']}, location='proximal',
                                  weights_ampa={'L5_pyramidal': 0.01})
    assert net.external_drives == {}


def test_integer_delay_is_accepted():
    # hnn-core 0.1 silently lost an int delay and failed at build time
    net = add(synaptic_delays=1)
    assert net.external_drives['ev']['synaptic_delays'] == 1.0


def test_missing_parameter():
    params = read_params(DEFAULT_PARAMS)
    del params['gbar_L2Pyr_L2Pyr_ampa']
    with pytest.raises(ValueError, match="'gbar_L2Pyr_L2Pyr_ampa' is missing"):
        neymotin_2020_model(params, mesh_shape=(1, 1))
    params = read_params(DEFAULT_PARAMS)
    params['L5Pyr_soma_gbar_ca'] = 30.
    del params['L5Pyr_dend_gbar_ca']
    # hnn-core 0.1 reads the cells from the parameters (the published value where
    # one is missing), 0.6 uses the published values
    l5 = Network(params).cell_types['L5_pyramidal']['cell_object']
    assert l5.sections['soma'].mechs['ca'] == {'gbar_ca': 30.}
    assert l5.sections['apical_1'].mechs['ca'] == {'gbar_ca': 60.}
    params = read_params(DEFAULT_PARAMS)
    del params['celsius']
    net = add(neymotin_2020_model(params, mesh_shape=(1, 1)))
    with pytest.raises(ValueError, match="'celsius' is missing"):
        simulate_dipole(net, tstop=5., verbose=False)
    params = read_params(DEFAULT_PARAMS)
    del params['N_pyr_x']
    with pytest.raises(ValueError, match="'N_pyr_x' is missing"):
        Network(params)


def test_network_arguments():
    with pytest.raises(TypeError, match='params must be'):
        Network('default.json')
    with pytest.raises(ValueError, match='mesh_shape must be'):
        neymotin_2020_model(mesh_shape=(3,))
    with pytest.raises(ValueError, match=r'mesh_shape\[1\] must be an integer >= 1'):
        neymotin_2020_model(mesh_shape=(3, 0))
    with pytest.raises(TypeError, match='legacy_mode must be'):
        neymotin_2020_model(legacy_mode='yes')


def test_simulate_arguments():
    net = add()
    with pytest.raises(TypeError, match='net must be'):
        simulate_dipole('net', tstop=10.)
    with pytest.raises(ValueError, match='tstop must be > 0'):
        simulate_dipole(net, tstop=-1.)
    with pytest.raises(ValueError, match='dt must be > 0'):
        simulate_dipole(net, tstop=10., dt=0.)
    with pytest.raises(ValueError, match='n_trials must be an integer >= 1'):
        simulate_dipole(net, tstop=10., n_trials=0)
    with pytest.raises(TypeError, match='postproc must be'):
        simulate_dipole(net, tstop=10., postproc='yes')
    assert net.cell_response is None  # nothing ran


def test_read_params_errors(tmp_path):
    with pytest.raises(ValueError, match="extension '.txt'"):
        read_params(tmp_path / 'params.txt')
    bad = tmp_path / 'bad.json'
    bad.write_text('{"tstop": 170,,}')
    with pytest.raises(ValueError, match='bad.json is not valid JSON'):
        read_params(bad)


@pytest.mark.slow
@pytest.mark.parametrize('engine', ['neuron', 'coreneuron'])
def test_dt_longer_than_the_smallest_delay_is_refused_before_the_run(engine):
    """NEURON refuses such a run and CoreNEURON aborts the interpreter."""
    from hnn_core.engine import available_engines
    if engine not in available_engines():
        pytest.skip(f'{engine} not available')
    net = add()  # local connections: 1 ms at zero distance; the drive: 0.1 ms
    with pytest.raises(ValueError, match=r'dt \(10\.0 ms\) must not exceed the '
                                         r'smallest synaptic delay.*0\.1 ms.*'
                                         r"'ev' -> 'L2_pyramidal'"):
        simulate_dipole(net, tstop=50., dt=10., verbose=False, engine=engine)
    assert net.cell_response is None
    # connections between cells bound dt too (here 1 ms), not only drives
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(ValueError, match=r"smallest synaptic delay of the network, "
                                         r"1\.0 ms \(net\.connectivity\[\d+\]: "
                                         r"'L\d_\w+' -> 'L\d_\w+'"):
        simulate_dipole(net, tstop=5., dt=2.5, verbose=False, engine=engine)
    # a delay of 0 ms cannot run at any dt: name the connection to change
    net = add(synaptic_delays=0.)
    with pytest.raises(ValueError, match=r"smallest synaptic delay.*0\.0 ms"):
        simulate_dipole(net, tstop=5., verbose=False, engine=engine)
    # dt equal to the smallest delay runs
    net = add(synaptic_delays=0.5)
    simulate_dipole(net, tstop=2., dt=0.5, verbose=False, engine=engine)


POISSON = dict(rate_constant=10., location='proximal',
               weights_ampa={'L2_pyramidal': 0.01})
BURSTY = dict(burst_rate=10., location='proximal', weights_ampa={'L2_pyramidal': 0.01})


@pytest.mark.parametrize('method, kwargs, name', [
    ('add_poisson_drive', dict(POISSON, tstop=float('nan')), 'tstop'),
    ('add_poisson_drive', dict(POISSON, tstop=float('inf')), 'tstop'),
    ('add_poisson_drive', dict(POISSON, tstart=float('nan')), 'tstart'),
    ('add_poisson_drive', dict(POISSON, rate_constant={'L2_pyramidal': float('nan')}),
     'rate_constant'),
    ('add_bursty_drive', dict(BURSTY, tstop=float('nan')), 'tstop'),
    ('add_bursty_drive', dict(BURSTY, tstop=float('inf')), 'tstop'),
    ('add_bursty_drive', dict(BURSTY, tstart_std=float('inf')), 'tstart_std'),
    ('add_bursty_drive', dict(BURSTY, burst_rate=float('nan')), 'burst_rate'),
    ('add_evoked_drive', dict(GOOD, mu=float('inf')), 'mu'),
    ('add_evoked_drive', dict(GOOD, sigma=float('nan')), 'sigma'),
    ('add_tonic_bias', dict(cell_type='L2_pyramidal', amplitude=float('nan')),
     'amplitude'),
    ('add_tonic_bias', dict(cell_type='L2_pyramidal', amplitude=float('-inf')),
     'amplitude'),
    ('add_tonic_bias', dict(amplitude={'L5_pyramidal': float('inf')}), 'amplitude'),
    ('add_tonic_bias', dict(cell_type='L2_pyramidal', amplitude=1., tstop=float('nan')),
     'tstop'),
    ('add_tonic_bias', dict(cell_type='L2_pyramidal', amplitude=1., T=float('inf')),
     'tstop'),
    ('add_tonic_bias', dict(cell_type='L2_pyramidal', amplitude=1., t0=float('inf')),
     't0'),
])
def test_non_finite_drive_values_are_refused(method, kwargs, name):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    args = ('d',) if method != 'add_tonic_bias' else ()
    with pytest.raises(ValueError, match=rf'{name}\S* must be'):
        getattr(net, method)(*args, **kwargs)
    assert net.external_drives == {} and net.external_biases == {}


def test_erp_drives_need_a_finite_tstart():
    from hnn_core import add_erp_drives_to_jones_model
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(ValueError, match='tstart must be a finite number'):
        add_erp_drives_to_jones_model(net, tstart=float('nan'))
    assert net.external_drives == {}


@pytest.mark.parametrize('method, kwargs, key, value, name', [
    ('add_poisson_drive', POISSON, 'tstop', float('nan'), 'tstop'),
    ('add_poisson_drive', POISSON, 'tstop', float('inf'), 'tstop'),
    ('add_poisson_drive', POISSON, 'rate_constant', float('nan'), 'rate_constant'),
    ('add_bursty_drive', BURSTY, 'tstop', float('inf'), 'tstop'),
    ('add_bursty_drive', BURSTY, 'spike_isi', float('nan'), 'spike_isi'),
    ('add_evoked_drive', GOOD, 'mu', float('nan'), 'mu'),
    ('add_evoked_drive', GOOD, 'numspikes', True, 'numspikes'),
])
def test_edited_dynamics_are_rechecked(method, kwargs, key, value, name):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    getattr(net, method)('d', **kwargs)
    net.external_drives['d']['dynamics'][key] = value
    with pytest.raises((ValueError, TypeError),
                       match=rf"external_drives\['d'\]\['dynamics'\]: {name} must be"):
        simulate_dipole(net, tstop=5., verbose=False)
    assert net.cell_response is None


@pytest.mark.parametrize('key, value', [('amplitude', float('nan')),
                                        ('tstop', float('inf')), ('t0', -1.),
                                        ('amplitude', 'big')])
def test_edited_tonic_bias_is_rechecked(key, value):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_tonic_bias(cell_type='L2_pyramidal', amplitude=1.)
    net.external_biases['tonic']['L2_pyramidal'][key] = value
    with pytest.raises((ValueError, TypeError),
                       match=rf"external_biases\['tonic'\]\['L2_pyramidal'\]: {key}"):
        simulate_dipole(net, tstop=5., verbose=False)
    assert net.cell_response is None


@pytest.mark.parametrize('kwargs, name', [
    (dict(seedcore=2 ** 40), 'seedcore'), (dict(seedcore=-1), 'seedcore'),
    (dict(event_seed=-5), 'event_seed'), (dict(event_seed=2 ** 32), 'event_seed'),
    (dict(conn_seed=-5, probability=0.5), 'conn_seed'),
    (dict(conn_seed=-5), 'conn_seed'),
])
def test_seeds_out_of_range_are_refused_when_given(kwargs, name):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    with pytest.raises(ValueError, match=rf'{name} must be'):
        add(net, **kwargs)
    assert net.external_drives == {}
    with pytest.raises(ValueError, match='conn_seed must be'):
        net.add_connection('L2_basket', 'L2_pyramidal', 'soma', 'gabaa', 0.01, 1., 3.,
                           probability=0.5, conn_seed=-1)


@pytest.mark.parametrize('kwargs, name', [
    (dict(seedcore=2 ** 32 - 5), 'seedcore'),
    (dict(event_seed=2 ** 32 - 5), 'event_seed'),
])
def test_seeds_that_grow_out_of_range_in_a_run_are_named(kwargs, name):
    """The seed of a drive cell adds the trial and the cell's place to the seed."""
    net = add(**kwargs)
    with pytest.raises(ValueError, match=rf'{name} \(4294967291\).*n_trials'):
        simulate_dipole(net, tstop=5., n_trials=2, verbose=False)
    assert net.cell_response is None


def test_edited_seed_is_rechecked():
    net = add()
    net.external_drives['ev']['event_seed'] = -3
    with pytest.raises(ValueError, match=r"external_drives\['ev'\]: event_seed must"):
        simulate_dipole(net, tstop=5., verbose=False)
    net.external_drives['ev']['event_seed'] = 1.5
    with pytest.raises(TypeError, match=r"external_drives\['ev'\]: event_seed must"):
        simulate_dipole(net, tstop=5., verbose=False)


@pytest.mark.parametrize('method, kwargs, names', [
    ('add_poisson_drive', dict(POISSON, rate_constant=1e8), 'rate_constant'),
    ('add_poisson_drive', dict(POISSON, rate_constant={'L2_pyramidal': 1e9}),
     'rate_constant'),
    ('add_bursty_drive', dict(BURSTY, burst_rate=1e9, numspikes=1), 'burst_rate'),
    ('add_bursty_drive', dict(BURSTY, burst_rate=1., tstart_std=1e12), 'tstart_std'),
    ('add_evoked_drive', dict(GOOD, numspikes=10 ** 9), 'numspikes'),
])
def test_drive_events_that_cannot_fit_are_refused_before_drawing(method, kwargs,
                                                                  names):
    from _fuzz import liveness
    net = neymotin_2020_model(mesh_shape=(3, 3))
    getattr(net, method)('d', **kwargs)
    with liveness(20), pytest.raises(ValueError, match=rf"external_drives\['d'\] "
                                                       rf"would draw about .* spike "
                                                       rf"times.*{names}"):
        simulate_dipole(net, tstop=170., verbose=False)
    assert net.cell_response is None


def test_many_drive_events_warn(monkeypatch):
    import hnn_core.simulation_plan as plan
    monkeypatch.setattr(plan, 'WARN_DRIVE_EVENTS', 100)
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_poisson_drive('d', **dict(POISSON, rate_constant=1000.))
    with pytest.warns(UserWarning, match=r"external_drives\['d'\] will draw about "
                                         r"\d+ spike times"):
        simulate_dipole(net, tstop=60., n_trials=2, verbose=False)


@pytest.mark.parametrize('kwargs, names', [
    (dict(tstop=1e12), r'tstop.*dt'), (dict(tstop=5., dt=1e-12), r'tstop.*dt'),
    (dict(tstop=5., n_trials=10 ** 13), 'n_trials'),
])
def test_runs_that_cannot_fit_in_memory_are_refused(kwargs, names):
    from _fuzz import liveness
    net = neymotin_2020_model(mesh_shape=(1, 1))
    with liveness(20), pytest.raises(ValueError, match=names):
        simulate_dipole(net, verbose=False, engine='neuron', **kwargs)
    assert net.cell_response is None
