"""Network configuration files, both ways between this package and hnn-core 0.6.1."""
import gzip
import io
import json
import os.path as op

import numpy as np
import pytest

from hnn_core import (read_network_configuration, network_to_dict, dict_to_network,
                      convert_to_json, neymotin_2020_model, simulate_dipole,
                      read_params)
from hnn_core.network_models import add_erp_drives_to_jones_model
from conftest import DATA
from test_model_reference import check_against_oracle
import model_cases

ENGINES = ('neuron', 'coreneuron')


def _engines():
    from hnn_core.engine import available_engines
    return available_engines()


@pytest.mark.reference
@pytest.mark.parametrize('engine', ENGINES)
def test_a_file_written_by_hnn_core_061_simulates_as_there(engine):
    """oracle_network_config.json: law_2021_model with edits, drives and a bias,
    written by hnn-core 0.6.1, which simulated it (oracle_network_config.npz)."""
    if engine not in _engines():
        pytest.skip(f'{engine} is not available')
    net = read_network_configuration(op.join(DATA, 'oracle_network_config.json'))
    assert set(net.external_drives) == {'evdist1', 'evprox1', 'evprox2',
                                        'poisson_prox', 'bursty_dist'}
    assert net.external_biases
    dpls = simulate_dipole(net, tstop=170., n_trials=2, verbose=False, engine=engine)
    check_against_oracle(net, dpls, np.load(op.join(DATA, 'oracle_network_config.npz')),
                         engine)


def test_our_configuration_file_is_what_we_write():
    """hnn_core_network_config.json, which hnn-core 0.6.1 read and simulated, is
    still exactly what this package writes for the same network."""
    from make_hnn_core_config import build
    with open(op.join(DATA, 'hnn_core_network_config.json')) as fid:
        written = json.load(fid)
    assert json.loads(json.dumps(network_to_dict(build()))) == written


@pytest.mark.reference
@pytest.mark.parametrize('engine', ENGINES)
def test_a_file_written_here_simulates_in_hnn_core_061_as_here(engine):
    if engine not in _engines():
        pytest.skip(f'{engine} is not available')
    from make_hnn_core_config import build
    net = build()
    dpls = simulate_dipole(net, tstop=170., n_trials=2, verbose=False, engine=engine)
    check_against_oracle(net, dpls,
                         np.load(op.join(DATA, 'hnn_core_network_config.npz')), engine)


@pytest.mark.parametrize('engine', ENGINES)
def test_round_trip_is_bit_identical(engine, tmp_path):
    if engine not in _engines():
        pytest.skip(f'{engine} is not available')
    net, _ = model_cases.build_case('connectivity_mesh3x3')
    net.cell_types['L5_pyramidal']['cell_object'].modify_section('soma', cm=0.95)
    again = dict_to_network(network_to_dict(net))
    assert again == net
    fname = tmp_path / 'net.json'
    net.write_configuration(fname)
    from_file = read_network_configuration(fname)
    assert from_file == net
    runs = [simulate_dipole(n, tstop=60., n_trials=1, verbose=False, engine=engine)[0]
            for n in (net, again, from_file)]
    for other in runs[1:]:
        for layer in ('agg', 'L2', 'L5'):
            np.testing.assert_array_equal(runs[0].data[layer], other.data[layer])
    assert net.cell_response.spike_times == from_file.cell_response.spike_times


def test_reading_options(tmp_path):
    net = neymotin_2020_model(mesh_shape=(3, 3))
    add_erp_drives_to_jones_model(net)
    net.add_tonic_bias(amplitude={'L2_basket': 0.2}, t0=5., tstop=50.)
    net_data = network_to_dict(net)
    assert net_data['object_type'] == 'Network'
    bare = dict_to_network(net_data, read_drives=False, read_external_biases=False)
    assert bare.external_drives == {} and bare.external_biases == {}
    assert all(c['src_type'] in bare.cell_types for c in bare.connectivity)
    assert len(bare.connectivity) == 16
    # a text stream works as well as a file
    stream = io.StringIO()
    net.write_configuration(stream)
    assert json.load(stream)['gid_ranges']['evprox2'] == {'start': 69, 'stop': 93}
    fname = tmp_path / 'net.json'
    net.write_configuration(fname)
    with pytest.raises(FileExistsError, match='overwrite=True'):
        net.write_configuration(fname, overwrite=False)


def test_not_a_network_configuration(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"object_type": "Dipole"}')
    with pytest.raises(ValueError, match="not a network configuration.*holds an object "
                                         "of type 'Dipole'"):
        read_network_configuration(bad)
    with pytest.raises(ValueError, match='holds a flat parameter file.*read_params'):
        read_network_configuration(op.join(DATA, 'params_drives_3x3.json')
                                   .replace('params_drives_3x3.json',
                                            '../../hnn_core/param/default.json'))
    bad.write_text('[1, 2]')
    with pytest.raises(ValueError, match='holds list'):
        read_network_configuration(bad)
    bad.write_text('{"object_type": "Network", ')
    with pytest.raises(ValueError, match='bad.json is not a network configuration: it '
                                         'is not valid JSON'):
        read_network_configuration(bad)
    data = network_to_dict(neymotin_2020_model(mesh_shape=(1, 1)))
    del data['cell_types']['L2_basket']['cell_object']['sections']
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"cell_types\['L2_basket'\]\['cell_object'\] "
                                         "of the configuration lacks 'sections'"):
        read_network_configuration(bad)


def test_convert_to_json(tmp_path):
    """A legacy .param file becomes a configuration without its placeholder drives,
    in hnn-core 0.6.1's layout (compared with its own conversion of the file)."""
    out = tmp_path / 'default'
    convert_to_json(op.join(DATA, 'default.param'), out)
    net = read_network_configuration(tmp_path / 'default.json')
    assert list(net.external_drives) == ['evdist1', 'evprox1', 'evprox2']
    assert net.legacy_mode
    with open(tmp_path / 'default.json') as fid:
        mine = json.load(fid)
    with gzip.open(op.join(DATA, 'oracle_default_param_config.json.gz'), 'rt') as fid:
        theirs = json.load(fid)
    assert _same_layout(mine, theirs)
    # it simulates as the network it was made from
    params = read_params(op.join(DATA, 'default.param'))
    ref = neymotin_2020_model(params, add_drives_from_params=True, legacy_mode=True,
                              mesh_shape=(10, 10))
    for name in ('bursty1', 'bursty2', 'extgauss', 'extpois'):
        del ref.external_drives[name]
    assert net == ref


def _same_layout(mine, theirs, path='', tol=1e-9):
    """Same keys (ours may add some to drives) and values (floats within tol)."""
    if isinstance(theirs, dict):
        extra_ok = path.startswith('external_drives') and path.count('/') == 1
        missing = set(theirs) - set(mine)
        assert not missing, (path, missing)
        if not extra_ok:
            assert set(mine) == set(theirs), (path, set(mine) ^ set(theirs))
        return all(_same_layout(mine[k], theirs[k], f'{path}/{k}'.lstrip('/'), tol)
                   for k in theirs)
    if path.endswith(('src_gids', 'target_gids')):  # sets, written as lists
        assert sorted(mine) == sorted(theirs), path
        return True
    if isinstance(theirs, list):
        assert len(mine) == len(theirs), path
        return all(_same_layout(a, b, f'{path}[]', tol) for a, b in zip(mine, theirs))
    if isinstance(theirs, float) or isinstance(mine, float):
        assert np.isclose(mine, theirs, rtol=tol, atol=1e-9), (path, mine, theirs)
        return True
    assert mine == theirs, (path, mine, theirs)
    return True


def test_writing_the_output_of_a_run():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    add_erp_drives_to_jones_model(net)
    simulate_dipole(net, tstop=40., verbose=False, record_vsec='soma')
    data = json.loads(json.dumps(network_to_dict(net, write_output=True)))
    response = data['cell_response']
    assert response['spike_gids'] == net.cell_response.spike_gids
    assert response['cell_type_names'] == list(net.cell_types)
    assert len(response['vsec'][0]['0']['soma']) == len(net.cell_response.times)
    assert data['external_drives']['evprox1']['events'] == \
        net.external_drives['evprox1']['events']
    # a configuration file holds the network only
    assert network_to_dict(net)['cell_response'] == {}
    assert network_to_dict(net)['external_drives']['evprox1']['events'] == []


def test_a_connection_without_pairs_reads_back():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    gid = net.gid_ranges['L2_pyramidal'][0]
    net.add_connection(gid, gid, 'proximal', 'ampa', 1e-3, 1., 3.,
                       allow_autapses=False)
    assert dict(net.connectivity[-1]['gid_pairs']) == {gid: []}
    again = dict_to_network(network_to_dict(net))
    assert again == net
    assert dict(again.connectivity[-1]['gid_pairs']) == {gid: []}


# -- hardening (issue 17) ------------------------------------------------------------
@pytest.fixture(scope='module')
def small_config():
    """The configuration of a 1 x 1 network with drives and a bias, as plain data."""
    net = neymotin_2020_model(mesh_shape=(1, 1))
    add_erp_drives_to_jones_model(net)
    net.add_tonic_bias(amplitude={'L2_basket': 0.2}, t0=5., tstop=50.)
    return json.loads(json.dumps(network_to_dict(net)))


def _write_changed(tmp_path, data, path, value):
    """data with data[path[0]][path[1]]... = value, written to tmp_path / 'net.json'."""
    data = json.loads(json.dumps(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    fname = tmp_path / 'net.json'
    fname.write_text(json.dumps(data))  # NaN and inf become NaN and Infinity
    return fname


_SOMA = ('cell_types', 'L2_pyramidal', 'cell_object', 'sections', 'soma')


@pytest.mark.parametrize('path, value, named', [
    (('celsius',), float('nan'), "celsius"),
    (('delay',), float('inf'), "delay"),
    (_SOMA + ('mechs', 'hh2', 'gkbar_hh2'), float('nan'),
     "cell_types['L2_pyramidal']['cell_object']['sections']['soma']['mechs']['hh2']"
     "['gkbar_hh2']"),
    (('cell_types', 'L5_pyramidal', 'cell_object', 'synapses', 'ampa', 'tau1'),
     -float('inf'), "['synapses']['ampa']['tau1']"),
    (('external_biases', 'tonic', 'L2_basket', 'amplitude'), float('nan'),
     "external_biases['tonic']['L2_basket']['amplitude']"),
    (('pos_dict', 'origin', 0), float('inf'), "pos_dict['origin'][0]"),
])
def test_configuration_non_finite_values_are_named(tmp_path, small_config, path,
                                                   value, named):
    fname = _write_changed(tmp_path, small_config, path, value)
    with pytest.raises(ValueError) as err:
        read_network_configuration(fname)
    message = str(err.value)
    assert 'net.json' in message and named in message and 'finite' in message, message


@pytest.mark.parametrize('path, value, named', [
    (('celsius',), 'hot', 'celsius'),
    (('threshold',), [0], 'threshold'),
    (('legacy_mode',), 'yes', 'legacy_mode'),
    (('N_pyr_x',), 2.5, 'N_pyr_x'),
    (('cell_types',), [1], 'cell_types'),
    (('cell_types', 'L2_basket'), 3, "cell_types['L2_basket']"),
    (_SOMA[:-1], [1, 2], "['sections']"),
    (_SOMA + ('nseg',), 0, "['nseg']"),
    (_SOMA + ('nseg',), 2.5, "['nseg']"),
    (_SOMA + ('nseg',), 10 ** 9, "['nseg']"),
    (_SOMA + ('mechs',), [], "['mechs']"),
    (('cell_types', 'L2_pyramidal', 'cell_object', 'cell_tree'), {'soma': []},
     "['cell_tree']"),
    (('connectivity',), 5, 'connectivity'),
    (('connectivity', 0), 5, 'connectivity[0]'),
    (('connectivity', 0, 'gid_pairs'), {'x': [1]}, "connectivity[0]['gid_pairs']"),
    (('connectivity', 0, 'nc_dict'), None, "connectivity[0]['nc_dict']"),
    (('external_drives', 'evprox1'), 3, "external_drives['evprox1']"),
    (('external_drives', 'evprox1', 'dynamics'), [], "['dynamics']"),
    (('gid_ranges', 'evprox1', 'start'), 'a', "gid_ranges['evprox1']['start']"),
    (('gid_ranges',), None, 'gid_ranges'),
    (('external_biases', 'tonic'), [1], "external_biases['tonic']"),
    (('pos_dict',), 'here', 'pos_dict'),
])
def test_configuration_wrong_types_are_named(tmp_path, small_config, path, value,
                                             named):
    fname = _write_changed(tmp_path, small_config, path, value)
    with pytest.raises((ValueError, TypeError)) as err:
        read_network_configuration(fname)
    message = str(err.value)
    assert 'net.json' in message and named in message, message


def test_configuration_duplicate_keys_warn(tmp_path, small_config):
    fname = tmp_path / 'dup.json'
    text = json.dumps(small_config)
    fname.write_text(text[:-1] + ', "celsius": 30.0}')
    with pytest.warns(UserWarning, match=r"dup.json: 'celsius' is set twice; the last "
                                         r"value \(30.0\) is used"):
        net = read_network_configuration(fname)
    assert net.params['celsius'] == 30.


@pytest.mark.parametrize('depth', [900, 100000])
def test_configuration_deep_nesting_names_the_file(tmp_path, depth):
    fname = tmp_path / 'deep.json'
    fname.write_text('{"object_type": "Network", "x": ' + '[' * depth + ']' * depth
                     + '}')
    with pytest.raises(ValueError, match='deep.json is nested too deeply'):
        read_network_configuration(fname)


def test_write_configuration_is_atomic(tmp_path, monkeypatch):
    import errno
    import hnn_core.hnn_io as hnn_io
    net = neymotin_2020_model(mesh_shape=(1, 1))
    fname = tmp_path / 'net.json'
    net.write_configuration(fname)
    before = fname.read_text()
    real_dump = json.dump

    def dump_then_fill_the_disk(obj, fid, **kwargs):
        real_dump({'object_type': 'Network'}, fid)  # a part of a file
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(hnn_io.json, 'dump', dump_then_fill_the_disk)
    net.add_tonic_bias(amplitude={'L2_basket': 0.2}, t0=5., tstop=50.)
    with pytest.raises(OSError, match='net.json.*No space left on device'):
        net.write_configuration(fname)
    assert fname.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ['net.json']
