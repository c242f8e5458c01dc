"""Parameter files: reading, the template, wildcards, writing."""
import json
import os.path as op
import warnings

import pytest

from hnn_core import Params, read_params
from hnn_core.network import DEFAULT_PARAMS

from conftest import DATA


def test_default_json_through_the_template():
    params = read_params(DEFAULT_PARAMS)
    assert len(params) == 230
    with open(DEFAULT_PARAMS) as fid:
        raw = json.load(fid)
    assert len(raw) == 212
    # template-only keys take the template defaults; two file keys are not template keys
    assert params['L2Basket_Gauss_mu'] == 2000. and params['sim_prefix'] == 'default'
    assert 'save_vsoma' not in params and 'prng_seedcore_evdist_2' not in params
    for key, value in raw.items():
        if key in params:
            assert params[key] == value


def test_print_matches_the_reference_example():
    with open(op.join(DATA, 'plot_simulate_evoked.out.txt')) as fid:
        out = fid.read()
    first = out[:out.index('\n}\n') + 2]
    assert str(read_params(DEFAULT_PARAMS)) == first
    second = out[len(first) + 1:]
    second = second[:second.index('\n}\n') + 2]
    assert str(read_params(DEFAULT_PARAMS)['L2Pyr_soma*']) == second


def test_wildcards():
    params = read_params(DEFAULT_PARAMS)
    soma = params['L2Pyr_soma*']
    assert isinstance(soma, Params) and len(soma) == 9
    soma['L2Pyr_soma_L'] = 1.
    assert params['L2Pyr_soma_L'] == 22.1  # a copy
    params['gbar_L2*'] = 0.5
    assert params['gbar_L2Pyr_L2Pyr_ampa'] == 0.5 and params['gbar_L2Basket_L5Pyr'] == 0.5
    assert params['gbar_L5Pyr_L5Pyr_ampa'] == 0.0005
    with pytest.raises(KeyError):
        params['no_such_key*']
    with pytest.raises(KeyError):
        params['no_such_key']


def test_legacy_param_file():
    params = read_params(op.join(DATA, 'default.param'))
    assert len(params) == 230
    assert params['tstop'] == 170 and isinstance(params['tstop'], int)
    assert params['dt'] == 0.025 and isinstance(params['dt'], float)
    assert params['N_pyr_x'] == 10 and isinstance(params['N_pyr_x'], int)
    assert params['prng_seedcore_evprox_1'] == 4
    assert params['sync_evinput'] == 0
    assert params['distribution_prox'] == 'normal'
    # the Itonic_* keys of the file are HNN keys the template drops silently
    assert not any(k.startswith('Itonic') for k in params)
    json_params = read_params(DEFAULT_PARAMS)
    differ = {k for k in params if params[k] != json_params[k]}
    assert differ == {'prng_seedcore_input_prox', 'prng_seedcore_input_dist',
                      'prng_seedcore_extpois', 'prng_seedcore_extgauss',
                      'prng_seedcore_evprox_1', 'prng_seedcore_evdist_1',
                      'prng_seedcore_evprox_2'}


@pytest.mark.parametrize('ext', ['.json', '.param'])
def test_round_trip(tmp_path, ext):
    params = read_params(DEFAULT_PARAMS)
    params['tstop'] = 123.25
    params['N_pyr_x'] = 4
    params['sync_evinput'] = True
    fname = tmp_path / f'params{ext}'
    params.write(fname)
    back = read_params(fname)
    assert set(back) == set(params)
    for key in params:
        assert back[key] == params[key], key
    assert back['tstop'] == 123.25 and isinstance(back['N_pyr_x'], int)


def test_unknown_keys_warn_known_ones_pass(tmp_path):
    fname = tmp_path / 'p.json'
    fname.write_text(json.dumps({'tstop': 100., 'my_own_key': 3, 'save_vsoma': 0,
                                 'Itonic_A_L2Basket': 0.1}))
    with pytest.warns(UserWarning, match="p.json.*'my_own_key'") as record:
        params = read_params(fname)
    assert len(record) == 1 and 'save_vsoma' not in str(record[0].message)
    assert params['tstop'] == 100. and 'my_own_key' not in params
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        Params({'tstop': 100., 'save_vsoma': 1, 'prng_seedcore_opt': 0})


def test_malformed_files(tmp_path):
    bad = tmp_path / 'bad.param'
    bad.write_text('tstop: 170\ndt 0.025\n')
    with pytest.raises(ValueError, match=r'bad.param, line 2: expected "key: value"'):
        read_params(bad)
    bad.write_text('tstop: 170: 3\n')
    with pytest.raises(ValueError, match='line 1'):
        read_params(bad)
    # blank lines and comments are fine
    ok = tmp_path / 'ok.param'
    ok.write_text('# a comment\n\ntstop: 100\n')
    assert read_params(ok)['tstop'] == 100
    wrong = tmp_path / 'wrong.json'
    wrong.write_text(json.dumps({'tstop': 'long'}))
    with pytest.raises(ValueError, match="wrong.json: The parameter 'tstop' must be a "
                                         "number"):
        read_params(wrong)
    wrong.write_text(json.dumps({'tstop': [1, 2]}))
    with pytest.raises(ValueError, match="value of 'tstop' must be"):
        read_params(wrong)
    wrong.write_text(json.dumps({'sim_prefix': 3}))
    with pytest.raises(ValueError, match="'sim_prefix' must be text"):
        read_params(wrong)
    empty = tmp_path / 'empty.json'
    empty.write_text('{}')
    with pytest.raises(ValueError, match='holds no parameters'):
        read_params(empty)
    with pytest.raises(ValueError, match="extension '.txt'.*'.json' and '.param'"):
        read_params(tmp_path / 'x.txt')


def test_setting_unknown_keys(tmp_path):
    params = read_params(DEFAULT_PARAMS)
    with pytest.raises(KeyError, match="No parameter matches the pattern "
                                       "'gbar_L2pyr_\\*'"):
        params['gbar_L2pyr_*'] = 0.
    assert 'gbar_L2pyr_*' not in params
    with pytest.warns(UserWarning, match="'tstpo' is not a parameter that any HNN "
                                         "version defines"):
        params['tstpo'] = 5.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        params['gbar_L2Pyr_*'] = 0.  # matches: no warning
        params['t_evprox_3'] = 40.  # a further evoked input: known to HNN
    assert params['gbar_L2Pyr_L5Pyr'] == 0.


def test_param_file_problems(tmp_path):
    dup = tmp_path / 'dup.param'
    dup.write_text('tstop: 100.\ndt: 0.025\ntstop: 120.\n')
    with pytest.warns(UserWarning, match=r"dup.param, line 3: 'tstop' is set again "
                                         r"\(first on line 1\)"):
        params = read_params(dup)
    assert params['tstop'] == 120.
    binary = tmp_path / 'binary.param'
    binary.write_bytes(b'tstop: 1\n\xff\xfe\x00\x81')
    with pytest.raises(ValueError, match='binary.param is not a text file'):
        read_params(binary)


def test_template_grows_with_evoked_inputs():
    params = Params({'t_evprox_1': 10., 't_evprox_2': 20., 't_evprox_3': 30.,
                     't_evdist_1': 40., 't_evdist_2': 50.})
    assert params['t_evprox_3'] == 30. and params['numspikes_evdist_2'] == 1
    assert 'gbar_evprox_3_L5Basket_nmda' in params
    assert 'gbar_evdist_2_L5Basket_ampa' not in params
