"""Property-based bad input for parameter files, network files and the command line.

Every generated case ends in a ValueError/TypeError/OSError that names the file
and the offending key (or line, or place in the file, or command-line option), or
is accepted: then what was read is checked (the values the file set, all numbers
finite; a network whose every value survives strict JSON).
"""
import json
import math
import numbers
import os
import os.path as op
import warnings

import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import event, given, settings, strategies as st  # noqa: E402

from hnn_core import (Params, neymotin_2020_model, network_to_dict,  # noqa: E402
                      read_network_configuration, read_params)
from hnn_core.cli import _UsageError, _parser, _settings  # noqa: E402
from hnn_core.network import DEFAULT_PARAMS  # noqa: E402
from hnn_core.params import _template  # noqa: E402

from _fuzz import assert_names, case  # noqa: E402
from conftest import DATA  # noqa: E402

with open(DEFAULT_PARAMS) as _fid:
    DEFAULT = json.load(_fid)
with open(op.join(DATA, 'default.param')) as _fid:
    PARAM_LINES = _fid.read().splitlines()
TEMPLATE = _template()


class Raw(str):
    """A JSON token written as is (e.g. 1e999, which Python cannot hold)."""


# -- strategies ----------------------------------------------------------------------
special = st.sampled_from([
    math.nan, math.inf, -math.inf, Raw('1e999'), Raw('-1e999'), Raw('NaN'),
    Raw('-Infinity'), 0, -1, 1, 0.5, -0.5, 1e308, -1e308, 5e-324, 10 ** 30, True,
    False, None, '', 'normal', 'uniform', 'nan', 'inf', '1e999'])
# no subnormal floats from hypothesis: once NEURON is loaded in the process (other
# test files), the processor flushes them to zero and hypothesis refuses to draw
# them; 5e-324 above keeps one in the cases
numbers_ = st.one_of(st.floats(allow_subnormal=False),
                     st.integers(-10 ** 20, 10 ** 20))
containers = st.one_of(st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                       st.just([[[[1]]]]))
values = st.one_of(special, numbers_, st.text(max_size=6), containers)
key_names = st.one_of(st.sampled_from(sorted(DEFAULT)),
                      st.sampled_from(['Itonic_A_L2Pyr_soma', 'Itonic_t0_L2Basket',
                                       't_evprox_3', 'distribution_prox', 'my_key',
                                       '', ' tstop', 'save_vsoma', 'N_pyr_x']))


def _token(value):
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return 'NaN' if math.isnan(value) else ('Infinity' if value > 0
                                                else '-Infinity')
    return json.dumps(value)


def _json_text(pairs):
    """A JSON object of ``pairs``, keys possibly repeated, with raw tokens."""
    return '{' + ', '.join(f'{json.dumps(k)}: {_token(v)}' for k, v in pairs) + '}'


def _damage(draw, text):
    """The text as it is, or damaged as a file can be: cut, garbled, nested."""
    kind = draw(st.sampled_from(['none'] * 6 + ['cut', 'bytes', 'deep', 'list',
                                                'empty', 'latin1']))
    data = text.encode('utf-8')
    if kind == 'cut':
        data = data[:draw(st.integers(0, max(len(data) - 1, 0)))]
    elif kind == 'bytes':
        data = draw(st.binary(min_size=1, max_size=200))
    elif kind == 'deep':
        depth = draw(st.sampled_from([50, 101, 900, 5000, 200000]))
        data = ('{"tstop": ' + '[' * depth + ']' * depth + '}').encode()
    elif kind == 'list':
        data = b'[' + data + b']'
    elif kind == 'empty':
        data = draw(st.sampled_from([b'', b'{}', b'null', b'3', b'"text"']))
    elif kind == 'latin1':
        data = text.replace('normal', 'normé').encode('latin-1', errors='replace')
    return kind, data


@st.composite
def json_param_files(draw):
    """default.json with values set, keys left out or repeated; then maybe damaged."""
    pairs = list(DEFAULT.items())
    mutated = set()
    for _ in range(draw(st.integers(0, 3))):
        key, value = draw(key_names), draw(values)
        mutated.add(key)
        if draw(st.booleans()):
            pairs = [(k, v) for k, v in pairs if k != key]
        pairs.append((key, value))
    if draw(st.integers(0, 4)) == 0:  # a partial file
        keep = draw(st.integers(0, len(pairs)))
        pairs = pairs[-keep:] if keep else []
    kind, data = _damage(draw, _json_text(pairs))
    return kind, data, mutated, pairs


param_texts = st.one_of(
    st.sampled_from(['nan', 'NaN', 'inf', '-inf', 'Infinity', '1e999', '-1e999',
                     '1e308', '-1', '0', '1.5.3', 'abc', '', '0x10', '1_000', '١٢',
                     '1e-400', ' 3 ', 'normal', 'uniform', 'True', '\x00']),
    st.floats(allow_subnormal=False).map(repr),
    st.integers(-10 ** 20, 10 ** 20).map(str),
    st.text(st.characters(blacklist_characters='\r\n'), max_size=6))


@st.composite
def legacy_param_files(draw):
    """default.param with values replaced, lines broken, repeated or added."""
    lines = list(PARAM_LINES)
    keys, changed = set(), set()
    for _ in range(draw(st.integers(0, 3))):
        idx = draw(st.integers(0, len(lines) - 1))
        key = lines[idx].split(':')[0].strip()
        kind = draw(st.sampled_from(['value', 'value', 'value', 'colon', 'twice',
                                     'repeat', 'comment', 'new']))
        if kind == 'value':
            lines[idx] = f'{key}: {draw(param_texts)}'
        elif kind == 'colon':
            lines[idx] = lines[idx].replace(':', draw(st.sampled_from(['', ' ', '='])))
        elif kind == 'twice':
            lines[idx] = lines[idx] + ': 3'
        elif kind == 'repeat':
            lines.append(f'{key}: {draw(param_texts)}')
        elif kind == 'comment':
            lines.insert(idx, draw(st.sampled_from(['', '# note', '   '])))
            continue
        else:
            key = draw(key_names)
            lines.append(f'{key}: {draw(param_texts)}')
        keys.add(key.strip())
        changed.add(lines[idx] if kind in ('value', 'colon', 'twice') else lines[-1])
    kind, data = _damage(draw, '\n'.join(lines) + '\n')
    # a changed line is named by its number (line numbers after all changes)
    names = {repr(k) for k in keys} | {f'line {n}:' for n, line in
                                         enumerate(lines, start=1) if line in changed}
    return kind, data, names


def _outcome(result):
    """Note how the case ended (shown by pytest --hypothesis-show-statistics)."""
    event('accepted' if not isinstance(result, BaseException)
          else f'refused: {type(result).__name__}')
    return isinstance(result, BaseException)


@pytest.fixture(scope='module')
def fuzz_dir(tmp_path_factory):
    """One folder for the module's files: each case rewrites its file."""
    return str(tmp_path_factory.mktemp('fuzz'))


def _write(folder, name, data):
    fname = op.join(folder, name)
    with open(fname, 'wb') as fid:
        fid.write(data)
    return fname


def _read_quietly(reader, fname, *args, **kwargs):
    """reader(fname, ...); every warning it gives must name the file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = reader(fname, *args, **kwargs)
    for w in caught:
        if issubclass(w.category, UserWarning):
            assert op.basename(fname) in str(w.message), str(w.message)
    return result


def _assert_good_params(params):
    assert isinstance(params, Params)
    for key, value in params.items():
        assert isinstance(key, str)
        if isinstance(value, numbers.Real):
            assert math.isfinite(value), (key, value)


# -- parameter files ----------------------------------------------------------------
@settings(max_examples=230)
@given(spec=json_param_files())
def test_json_parameter_files(fuzz_dir, spec):
    kind, data, mutated, pairs = spec
    fname = _write(fuzz_dir, 'fuzz_params.json', data)
    result = case(_read_quietly, read_params, fname)
    if _outcome(result):
        assert_names(result, 'fuzz_params.json')
        if kind == 'none' and pairs:  # valid JSON: the problem is a value set
            assert_names(result, *[repr(k) for k in mutated], 'no parameters')
        return
    _assert_good_params(result)
    if kind == 'none':  # what the file set is what was read (the last of repeats)
        for key, value in dict(pairs).items():
            if key in result and not isinstance(value, Raw):
                assert result[key] == value, (key, result[key], value)


@settings(max_examples=220)
@given(spec=legacy_param_files())
def test_legacy_parameter_files(fuzz_dir, spec):
    kind, data, names = spec
    fname = _write(fuzz_dir, 'fuzz_params.param', data)
    result = case(_read_quietly, read_params, fname)
    if _outcome(result):
        assert_names(result, 'fuzz_params.param')
        if kind == 'none':
            assert_names(result, *names)
        return
    _assert_good_params(result)


# -- drives from parameter files ----------------------------------------------------
DRIVE_KEYS = [
    't_evprox_1', 'sigma_t_evprox_1', 'numspikes_evprox_1', 'gbar_evprox_1_L2Pyr_ampa',
    'gbar_evdist_1_L5Pyr_nmda', 'prng_seedcore_evprox_1', 'sync_evinput',
    't0_input_prox', 'tstop_input_prox', 'f_input_prox', 'f_stdev_prox',
    'events_per_cycle_prox', 'repeats_dist', 'input_prox_A_weight_L2Pyr_ampa',
    'input_dist_A_delay_L5', 't0_input_stdev_prox', 'prng_seedcore_input_prox',
    'distribution_dist', 'L2Basket_Gauss_mu', 'L2Basket_Gauss_sigma',
    'L5Pyr_Gauss_A_weight', 'prng_seedcore_extgauss', 't0_pois', 'T_pois',
    'L2Pyr_Pois_A_weight_ampa', 'L5Basket_Pois_lamtha', 'prng_seedcore_extpois',
    'tstop']
drive_values = st.one_of(
    st.sampled_from([0, -1, 1, 2.5, 1e6, -1e6, 1e300, 0.1, 170., 2 ** 40, True,
                     'uniform', 'x']),
    st.floats(-1e3, 1e3, allow_subnormal=False), st.integers(-50, 50))


def _per_type(value):
    """The values of a drive's per-type setting (a dict, one number or None)."""
    if value is None:
        return []
    return list(value.values()) if isinstance(value, dict) else [value]


def _drive_values_are_sane(net):
    for name, drive in net.external_drives.items():
        for key, value in drive['dynamics'].items():
            if isinstance(value, numbers.Real):
                assert math.isfinite(value), (name, key, value)
        for key in ('weights_ampa', 'weights_nmda', 'synaptic_delays'):
            for value in _per_type(drive[key]):
                assert math.isfinite(value) and value >= 0, (name, key, value)
        seed = drive['event_seed'] if drive['seedcore'] is None else drive['seedcore']
        assert isinstance(seed, int), (name, seed)


@settings(max_examples=45)
@given(changes=st.dictionaries(st.sampled_from(DRIVE_KEYS), drive_values, min_size=1,
                               max_size=2),
       legacy_mode=st.booleans())
def test_drives_of_parameter_files(fuzz_dir, changes, legacy_mode):
    params = dict(DEFAULT, **changes)
    fname = _write(fuzz_dir, 'fuzz_drives.json', json.dumps(params).encode())
    with warnings.catch_warnings():
        # the network's own warnings (e.g. on cell values) are not the reader's
        warnings.simplefilter('ignore')
        result = case(neymotin_2020_model, fname, add_drives_from_params=True,
                      legacy_mode=legacy_mode, mesh_shape=(1, 1))
    if _outcome(result):
        assert_names(result, 'fuzz_drives.json')
        assert_names(result, *changes)
        return
    _drive_values_are_sane(result)


# -- network configuration files ----------------------------------------------------
def _base_configuration():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    weights = {'L2_basket': 0.08, 'L5_pyramidal': 0.01}
    net.add_evoked_drive('evprox1', mu=15., sigma=2., numspikes=1, location='proximal',
                         weights_ampa=weights)
    net.add_poisson_drive('pois', tstart=5., tstop=40., rate_constant=20.,
                          location='proximal', weights_nmda=weights)
    net.add_bursty_drive('burst', tstart=10., tstop=50., burst_rate=10.,
                         location='distal', weights_ampa={'L2_pyramidal': 0.01})
    net.add_spike_train_drive('train', spike_data={0: [5., 9.], 1: [12.]},
                              location='distal', weights_ampa={'L5_pyramidal': 0.02})
    net.add_tonic_bias(amplitude={'L2_basket': 0.2}, t0=5., tstop=50.)
    return json.loads(json.dumps(network_to_dict(net)))


BASE_CONFIG = _base_configuration()


def _paths(node, path=()):
    """Every place in the configuration: (path, value), containers included."""
    yield path, node
    items = (node.items() if isinstance(node, dict) else
             enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        yield from _paths(value, path + (key,))


CONFIG_PATHS = [path for path, _ in _paths(BASE_CONFIG) if path]


@st.composite
def configuration_files(draw):
    """The base configuration with one value set, deleted or repeated; maybe damaged."""
    data = json.loads(json.dumps(BASE_CONFIG))
    path = CONFIG_PATHS[draw(st.integers(0, len(CONFIG_PATHS) - 1))]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(['set', 'set', 'set', 'delete', 'repeat']))
    if action == 'delete' and isinstance(parent, dict):
        del parent[path[-1]]
        text = json.dumps(data)
    else:
        value, old = draw(values), parent[path[-1]]
        replacement = _token(value)
        if action == 'repeat' and isinstance(parent, dict):  # the key, twice
            replacement = f'{json.dumps(old)}, {json.dumps(path[-1])}: {replacement}'
        parent[path[-1]] = '__value__'
        text = json.dumps(data).replace('"__value__"', replacement, 1)
    kind, raw = _damage(draw, text)
    return kind, raw, path


def _assert_good_network(net):
    # strict JSON (no NaN or infinity) takes everything the network holds
    json.dumps(network_to_dict(net), allow_nan=False)
    for drive in net.external_drives.values():
        for key in ('weights_ampa', 'weights_nmda', 'synaptic_delays'):
            assert all(v >= 0 for v in _per_type(drive[key])), (key, drive[key])
    for conn in net.connectivity:
        nc = conn['nc_dict']
        assert nc['A_weight'] >= 0 and nc['A_delay'] >= 0 and nc['lamtha'] > 0


@settings(max_examples=80)
@given(spec=configuration_files())
def test_network_configuration_files(fuzz_dir, spec):
    kind, data, path = spec
    fname = _write(fuzz_dir, 'fuzz_net.json', data)
    result = case(_read_quietly, read_network_configuration, fname)
    if _outcome(result):
        assert_names(result, 'fuzz_net.json')
        if kind == 'none':  # the changed value, or what holds it, is named
            names = [repr(k) if isinstance(k, str) else f'[{k}]' for k in path]
            assert_names(result, *names, *[k for k in path if isinstance(k, str)])
        return
    _assert_good_network(result)


# -- command line ---------------------------------------------------------------------
cli_values = st.one_of(
    st.sampled_from(['1', '2', '3', '10', '20', '0.025', '0.1', '5', '40']),
    st.sampled_from(['0', '-1', '1.5', 'nan', 'inf', '-inf', 'Infinity', '1e999',
                     '1e308', '1e-300', '1e12', 'abc', '', '١', '--', '-5', '1_0',
                     '0x10', '0.5']))
OPTIONS = ['--trials', '--tstop', '--dt', '--jobs', '--smooth', '--scale']
FLAGS = ['--plot', '--hnn-postproc', '--quiet']


@st.composite
def command_lines(draw, tmp_dir):
    argv = ['simulate']
    given_ = []
    params = draw(st.sampled_from(['none'] * 4 + ['default', 'param', 'missing',
                                                   'folder', 'txt', 'bad']))
    if params != 'none':
        argv.append({'default': DEFAULT_PARAMS,
                     'param': op.join(DATA, 'default.param'),
                     'missing': op.join(tmp_dir, 'missing.json'),
                     'folder': tmp_dir,
                     'txt': op.join(tmp_dir, 'params.txt'),
                     'bad': op.join(tmp_dir, 'bad.json')}[params])
        given_.append(argv[-1])
    for _ in range(draw(st.integers(0, 4))):
        option = draw(st.sampled_from(OPTIONS + FLAGS + ['--mesh', '--backend',
                                                         '--bogus']))
        given_.append(option)
        argv.append(option)
        if option == '--mesh':
            argv += [draw(cli_values), draw(cli_values)]
        elif option == '--backend':
            argv.append(draw(st.sampled_from(['serial', 'joblib', 'mpi', 'dask', ''])))
        elif option in OPTIONS:
            argv.append(draw(cli_values))
    out = draw(st.sampled_from(['out'] * 5 + ['a_file', 'a_file/out', '/proc', '']))
    argv += ['--out', out if out.startswith('/') or not out else op.join(tmp_dir, out)]
    given_.append('--out')
    return argv, given_


@pytest.fixture(scope='module')
def cli_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp('cli')
    (folder / 'a_file').write_text('')
    (folder / 'params.txt').write_text('tstop: 20\n')
    (folder / 'bad.json').write_text('{"tstop": Infinity}')
    return str(folder)


def _cli_settings(argv):
    """What ``hnn-core`` makes of argv before it builds anything: its settings."""
    try:
        return _settings(_parser().parse_args(argv))
    except _UsageError as err:  # exit code 2
        raise ValueError(str(err)) from None
    except SystemExit as err:  # --help or --version: not generated here
        raise AssertionError(f'{argv} exited ({err.code})') from None


@settings(max_examples=150)
@given(data=st.data())
def test_command_line_options(cli_folder, data):
    argv, given_ = data.draw(command_lines(cli_folder))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        result = case(_cli_settings, argv)
    if _outcome(result):
        # the message names an option or file given, or what was not understood
        assert_names(result, *given_, 'unrecognized arguments', 'expected one argument',
                     "the parameter file's")
        return
    assert isinstance(result.n_trials, int) and result.n_trials >= 1
    assert math.isfinite(result.tstop) and result.tstop > 0
    assert math.isfinite(result.dt) and 0 < result.dt <= result.tstop
    assert round(result.tstop / result.dt) + 1 <= 2 ** 31 - 1
    assert all(isinstance(n, int) and n >= 1 for n in result.mesh)
    assert isinstance(result.jobs, int) and result.jobs >= 1
    assert math.isfinite(result.smooth) and (result.smooth == 0 or result.smooth >= 1)
    assert math.isfinite(result.scale) and result.scale > 0
    assert os.access(result.out, os.W_OK) and op.isdir(result.out)


# -- the command line, run ------------------------------------------------------------
RUN_KEYS = ['celsius', 'threshold', 't_evprox_1', 'sigma_t_evprox_1',
            'numspikes_evdist_1', 'gbar_evprox_1_L5Pyr_ampa', 'L2Pyr_soma_gkbar_hh2',
            'L5Pyr_dend_gbar_ca', 'gbar_L2Pyr_L2Pyr_ampa', 'sync_evinput',
            'f_input_prox', 'input_prox_A_weight_L5Pyr_ampa', 't0_input_prox',
            'L2Basket_Gauss_mu', 'dipole_scalefctr', 'dipole_smooth_win']
# moderate values only: each case simulates. Huge ones are the cases above (a
# Poisson drive ending at T_pois = 1e300 ms draws events for as long: drives.py)
run_values = st.one_of(st.sampled_from([0, -1, 1, 2.5, 170., 1e-3, 'x', True]),
                       st.floats(-1e3, 1e3, allow_subnormal=False),
                       st.integers(-5, 50))


@settings(max_examples=10)
@given(changes=st.dictionaries(st.sampled_from(RUN_KEYS), run_values, min_size=1,
                               max_size=2),
       postproc=st.booleans())
def test_command_line_runs(fuzz_dir, changes, postproc):
    """A tiny run (1 x 1 grid, 3 ms) of a parameter file with changed values: exit
    0 and finite dipoles, or one error line naming the file and a changed key."""
    import contextlib
    import io
    from hnn_core import read_dipole
    from hnn_core.cli import main
    fname = _write(fuzz_dir, 'fuzz_run.json', json.dumps(dict(DEFAULT, **changes))
                   .encode())
    out_dir = op.join(fuzz_dir, 'run_out')
    argv = ['simulate', fname, '--mesh', '1', '1', '--tstop', '3', '--quiet',
            '--out', out_dir] + (['--hnn-postproc', '--smooth', '0'] if postproc else [])
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = case(main, argv)
    errors = [line for line in stderr.getvalue().splitlines()
              if line.startswith('hnn-core: error: ')]
    if code == 0:
        event('accepted')
        assert not errors
        dpl = read_dipole(op.join(out_dir, 'dipole_0.txt'))
        for values in dpl.data.values():
            assert all(math.isfinite(v) for v in values)
        return
    event(f'refused: exit {code}')
    assert code in (1, 2), code
    assert len(errors) == 1 and 'Traceback' not in stderr.getvalue()
    assert_names(ValueError(errors[0]), 'fuzz_run.json')
    assert_names(ValueError(errors[0]), *changes)
