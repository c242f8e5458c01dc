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
    # (the third warning names the defaults this partial file takes)
    messages = [str(w.message) for w in record if 'does not set' not in str(w.message)]
    assert len(messages) == 2 and not any("save_vsoma" in m for m in messages)
    assert any("Itonic_A_L2Basket (0.1 nA) is not applied" in m for m in messages)
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


# -- hardening (issue 17) ------------------------------------------------------------
@pytest.mark.parametrize('ext, text, key', [
    ('.json', '{"celsius": NaN}', 'celsius'),
    ('.json', '{"T_pois": Infinity}', 'T_pois'),
    ('.json', '{"threshold": -Infinity}', 'threshold'),
    ('.json', '{"gbar_L2Pyr_L2Pyr_ampa": 1e999}', 'gbar_L2Pyr_L2Pyr_ampa'),
    ('.json', '{"tstop": 50, "save_vsoma": NaN}', 'save_vsoma'),  # a key not used
    ('.param', 'tstop: 50\nT_pois: 1e999\n', 'T_pois'),
    ('.param', 'celsius: -1e999\n', 'celsius'),
    ('.param', 'threshold: nan\n', 'threshold'),
    ('.param', 'L2Pyr_soma_gkbar_hh2: inf\n', 'L2Pyr_soma_gkbar_hh2'),
    ('.param', 'dt: Infinity\n', 'dt'),
])
def test_non_finite_values_are_refused(tmp_path, ext, text, key):
    fname = tmp_path / f'bad{ext}'
    fname.write_text(text)
    with pytest.raises(ValueError, match=rf'bad\{ext}.*{key!r} must be a finite '
                                         'number'):
        read_params(fname)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), -float('inf')])
def test_params_refuse_non_finite_values(value):
    with pytest.raises(ValueError, match="'celsius' must be a finite number"):
        Params({'celsius': value})
    params = Params()
    with pytest.raises(ValueError, match="'dt' must be a finite number"):
        params['dt'] = value
    with pytest.raises(ValueError, match="'gbar_L2Pyr_L2Pyr_ampa' must be a finite"):
        params['gbar_L2Pyr_*'] = value
    assert params['dt'] == 0.025 and params['gbar_L2Pyr_L2Pyr_ampa'] == 0.


def test_params_keys_must_be_text():
    with pytest.raises(TypeError, match=r'params_input.*keys.*text.*got 1'):
        Params({1: 2})
    with pytest.raises(TypeError, match='params_input'):
        Params({('tstop',): 2})


def test_duplicate_json_keys_are_named(tmp_path):
    fname = tmp_path / 'dup.json'
    fname.write_text('{"tstop": 50, "dt": 0.05, "tstop": 60}')
    with pytest.warns(UserWarning, match=r"dup.json: 'tstop' is set twice; the last "
                                         r"value \(60\) is used"):
        params = read_params(fname)
    assert params['tstop'] == 60


@pytest.mark.parametrize('text', ['[' * 100000 + ']' * 100000,
                                  '{"a": ' * 100000 + '1' + '}' * 100000])
def test_deeply_nested_json_names_the_file(tmp_path, text):
    fname = tmp_path / 'deep.json'
    fname.write_text(text)
    with pytest.raises(ValueError, match='deep.json.*nested too deeply'):
        read_params(fname)


def test_partial_file_names_the_defaults_it_takes(tmp_path):
    fname = tmp_path / 'partial.json'
    fname.write_text('{"tstop": 50}')
    with pytest.warns(UserWarning, match=r'partial.json does not set \d+ of the '
                                         'parameters') as record:
        read_params(fname)
    message = str(record[0].message)
    for text in ('N_pyr_x=1', 'N_pyr_y=1', 'dt=0.025', 'N_trials=1'):
        assert text in message, message
    assert 'tstop' not in message.split('defaults')[1]
    # complete files, and files written by Params.write, take no default silently
    for complete in (DEFAULT_PARAMS, op.join(DATA, 'default.param')):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            params = read_params(complete)
    for ext in ('.json', '.param'):
        params.write(tmp_path / f'written{ext}')
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            read_params(tmp_path / f'written{ext}')


def test_tonic_inputs_of_a_file_are_said_to_be_dropped(tmp_path):
    fname = tmp_path / 'tonic.param'
    text = open(op.join(DATA, 'default.param')).read()
    fname.write_text(text.replace('Itonic_A_L2Pyr_soma: 0.0',
                                  'Itonic_A_L2Pyr_soma: 0.5'))
    with pytest.warns(UserWarning, match=r"tonic.param: the tonic input "
                                         r"Itonic_A_L2Pyr_soma \(0.5 nA\) is not "
                                         r"applied.*add_tonic_bias"):
        params = read_params(fname)
    assert not any(k.startswith('Itonic') for k in params)
    # default.param's tonic inputs are all 0 nA: nothing is lost, nothing is said
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        read_params(op.join(DATA, 'default.param'))


def _default_with(tmp_path, name='p.json', **values):
    """default.json with some values changed, written to tmp_path / name."""
    with open(DEFAULT_PARAMS) as fid:
        params = json.load(fid)
    params.update(values)
    fname = tmp_path / name
    fname.write_text(json.dumps(params))
    return fname


@pytest.mark.parametrize('key, value, allowed', [
    ('sigma_t_evprox_1', -1, '>= 0'),
    ('repeats_prox', 0, '>= 1'),
    ('f_input_dist', 0., '> 0'),
    ('L2Pyr_Pois_lamtha', 'high', 'number'),
    ('numspikes_evprox_2', 0, '>= 1'),
    ('numspikes_evprox_2', 1.5, 'int'),
    ('gbar_evprox_1_L2Pyr_ampa', -0.01, '>= 0'),
    ('prng_seedcore_evprox_1', 2.5, 'int'),
    ('sync_evinput', 'yes', 'number'),
])
def test_drive_values_are_named_by_their_file_key(tmp_path, key, value, allowed):
    from hnn_core import neymotin_2020_model
    # legacy mode (the command line's) keeps the rhythmic drives of default.json
    fname = _default_with(tmp_path, 'drives.json', **{key: value})
    with pytest.raises((ValueError, TypeError)) as err:
        neymotin_2020_model(str(fname), add_drives_from_params=True, legacy_mode=True,
                            mesh_shape=(1, 1))
    message = str(err.value)
    assert key in message and 'drives.json' in message and allowed in message, message


@pytest.mark.parametrize('legacy_mode', [False, True])
def test_file_drive_checks_keep_valid_files(legacy_mode):
    """The checks of the file's drive values refuse nothing the published files hold."""
    from hnn_core import neymotin_2020_model
    for fname in (DEFAULT_PARAMS, op.join(DATA, 'default.param')):
        net = neymotin_2020_model(fname, add_drives_from_params=True,
                                  legacy_mode=legacy_mode, mesh_shape=(2, 2))
        assert {'evprox1', 'evprox2', 'evdist1'} <= set(net.external_drives)


def test_bursty_distribution_is_said(tmp_path):
    from hnn_core import neymotin_2020_model
    fname = _default_with(tmp_path, 'uniform.json', distribution_prox='uniform')
    with pytest.warns(UserWarning, match=r"uniform.json: distribution_prox 'uniform' "
                                         r"is not supported.*normal"):
        neymotin_2020_model(str(fname), add_drives_from_params=True, legacy_mode=True,
                            mesh_shape=(1, 1))
    fname = _default_with(tmp_path, 'other.json', distribution_dist='gamma')
    with pytest.raises(ValueError, match=r"other.json: distribution_dist must be "
                                         r"'normal' or 'uniform', got 'gamma'"):
        neymotin_2020_model(str(fname), add_drives_from_params=True, legacy_mode=True,
                            mesh_shape=(1, 1))


def _fail_halfway(fid, text):
    """Write half of text, then fail as a full disk does."""
    import errno
    fid.write(text[:len(text) // 2])
    fid.flush()
    raise OSError(errno.ENOSPC, 'No space left on device')


@pytest.mark.parametrize('ext', ['.json', '.param'])
def test_params_write_is_atomic(tmp_path, monkeypatch, ext):
    params = read_params(DEFAULT_PARAMS)
    fname = tmp_path / f'params{ext}'
    params.write(fname)
    before = fname.read_text()
    params['tstop'] = 99.

    real_open = open

    class _FullDisk:
        """A file object (of any file opened for writing) that fills the disk."""

        def __init__(self, fid):
            self._fid = fid

        def write(self, text):
            _fail_halfway(self._fid, text)

        def __getattr__(self, name):
            return getattr(self._fid, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fid.close()

    import hnn_core.params as params_module
    import hnn_core._fileio as fileio
    monkeypatch.setattr(params_module, 'open',
                        lambda *a, **k: _FullDisk(real_open(*a, **k)), raising=False)
    real_fdopen = fileio.os.fdopen
    monkeypatch.setattr(fileio.os, 'fdopen',
                        lambda *a, **k: _FullDisk(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match=rf'params\{ext}.*No space left'):
        params.write(fname)
    assert fname.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [fname.name]
