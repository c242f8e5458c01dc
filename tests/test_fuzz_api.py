"""Property-based bad input for the model's public API (tests/_fuzz.py's rules).

Every constructor, drive, cell edit and simulate_dipole argument gets generated
bad values (non-finite, negative, huge, of the wrong type or shape). Each case
must end in a ValueError/TypeError/OSError naming the parameter, or be accepted
leaving finite values; none may hang (the liveness alarm of ``_fuzz.case``).
Networks are built once per test and reused: a refused call leaves them as they
were (checked), an accepted one is undone. Only a few cases simulate, on a 1 x 1
network for 5 ms.
"""
import inspect
import numbers

import numpy as np
import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import given, settings, strategies as st  # noqa: E402

from _fuzz import case, assert_names, ALLOWED  # noqa: E402
from hnn_core import (Cell, Network, Section, neymotin_2020_model,  # noqa: E402
                      law_2021_model, calcium_model, pyramidal, read_params,
                      simulate_dipole)
from hnn_core.cell_template import compile_cell  # noqa: E402
from hnn_core.network import DEFAULT_PARAMS  # noqa: E402
from hnn_core.network_models import add_erp_drives_to_jones_model  # noqa: E402

NAN, INF = float('nan'), float('inf')
SPECIAL = [NAN, INF, -INF, -1, -1.5, -1e300, 1e300, 0, 0.0, 1e-320, True, False,
           'abc', '', None, [], [1.0], (1, 2), {}, {'x': 1}, object(),
           np.array([1., 2.]), np.float64('nan'), 1 + 2j, 2 ** 70, -2 ** 70, b'1']
special = st.sampled_from(SPECIAL)
# no subnormals: the compiled mechanisms may set flush-to-zero in this process
bad = st.one_of(special, st.floats(allow_subnormal=False), st.integers(-2 ** 70, 2 ** 70),
                st.text(max_size=4))

W = {'L2_pyramidal': 0.01}
DRIVES = {
    'add_evoked_drive': dict(mu=5., sigma=1., numspikes=1, location='proximal',
                             weights_ampa=W),
    'add_poisson_drive': dict(rate_constant=10., location='proximal', weights_ampa=W),
    'add_bursty_drive': dict(burst_rate=10., location='proximal', weights_ampa=W),
    'add_spike_train_drive': dict(spike_data={0: [1., 2.]}, location='proximal',
                                  weights_ampa=W),
}
DRIVE_ARGS = [(method, arg) for method in DRIVES for arg in
              ['name'] + [p for p in inspect.signature(
                  getattr(Network, method)).parameters if p not in ('self', 'name')]]


def _numbers(value):
    """Every number inside nested dicts, lists and arrays."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, np.ndarray):
        yield from value.ravel().tolist()
    elif isinstance(value, numbers.Number) and not isinstance(value, bool):
        yield value


def _assert_finite(value, what):
    for number in _numbers(value):
        try:
            finite = np.isfinite(float(number))
        except OverflowError:
            finite = False
        assert finite, f'{what} holds {number!r}'


def _state(net):
    return (dict(net.gid_ranges), len(net.connectivity), list(net.external_drives),
            repr(net.external_biases))


@pytest.fixture(scope='module')
def net3():
    return neymotin_2020_model(mesh_shape=(3, 3))


@pytest.fixture(scope='module')
def net1():
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('ev', **DRIVES['add_evoked_drive'])
    return net


@settings(max_examples=260)
@given(which=st.sampled_from(DRIVE_ARGS), value=bad)
def test_drive_arguments(net3, which, value):
    method, arg = which
    kwargs = dict(DRIVES[method])
    name = 'd'
    if arg == 'name':
        name = value
    else:
        kwargs[arg] = value
    before = _state(net3)
    try:
        result = case(getattr(net3, method), name, **kwargs)
        if isinstance(result, ALLOWED):
            names = (arg, str(value), repr(value)) if isinstance(value, str) \
                else (arg,)
            assert_names(result, *names)
            assert _state(net3) == before  # nothing half-added
            return
        drive = net3.external_drives[name]
        _assert_finite({k: v for k, v in drive.items() if k != 'events'},
                       f'drive {method}({arg}={value!r})')
    finally:
        if isinstance(name, str) and name in net3.external_drives:
            del net3.external_drives[name]
    assert _state(net3) == before


TONIC_ARGS = ['cell_type', 'amplitude', 't0', 'tstop', 'T', 'section', 'bias_name']


@settings(max_examples=70)
@given(arg=st.sampled_from(TONIC_ARGS), value=bad)
def test_tonic_bias_arguments(net3, arg, value):
    kwargs = dict(cell_type='L2_pyramidal', amplitude=1.)
    kwargs[arg] = value
    try:
        result = case(net3.add_tonic_bias, **kwargs)
        if isinstance(result, ALLOWED):
            names = {'T': ('T', 'tstop')}.get(arg, (arg,))
            assert_names(result, *names)
            assert net3.external_biases == {}
            return
        _assert_finite(net3.external_biases, f'add_tonic_bias({arg}={value!r})')
    finally:
        net3.external_biases.clear()


CONN = dict(src_gids='L2_basket', target_gids='L2_pyramidal', loc='soma',
            receptor='gabaa', weight=0.01, delay=1., lamtha=3.)
CONN_ARGS = list(CONN) + ['threshold', 'gain', 'allow_autapses', 'probability',
                          'conn_seed']


@settings(max_examples=110)
@given(arg=st.sampled_from(CONN_ARGS), value=bad)
def test_add_connection_arguments(net3, arg, value):
    kwargs = dict(CONN)
    kwargs[arg] = value
    before = _state(net3)
    result = case(net3.add_connection, **kwargs)
    if not isinstance(result, ALLOWED):
        conn = net3.connectivity.pop()
        _assert_finite(conn['nc_dict'], f'add_connection({arg}={value!r})')
    else:
        assert_names(result, arg)
    assert _state(net3) == before


PARAM_KEYS = ['gbar_L2Pyr_L2Pyr_ampa', 'gbar_L5Basket_L5Pyr_gabab', 'threshold',
              'N_pyr_x', 'N_pyr_y', 'L2Pyr_soma_L', 'L5Pyr_dend_Ra', 'L2Pyr_soma_diam']
MODELS = [neymotin_2020_model, law_2021_model, calcium_model]
_DEFAULT = read_params(DEFAULT_PARAMS)


@settings(max_examples=60)
@given(model=st.sampled_from(MODELS + [Network]),
       arg=st.sampled_from(['params', 'param_key', 'add_drives_from_params',
                            'legacy_mode', 'mesh_shape']),
       key=st.sampled_from(PARAM_KEYS), value=special)
def test_network_constructors(model, arg, key, value):
    params = dict(_DEFAULT, N_pyr_x=1, N_pyr_y=1)
    kwargs = dict(mesh_shape=(1, 1))
    if model is Network:
        kwargs = {}  # hnn-core 0.1's call: the grid comes from the parameters
    if arg == 'param_key':
        params[key] = value
        names = (key,)
    elif arg == 'params':
        params = value
        names = ('params', str(value))
    else:
        kwargs[arg] = value
        names = (arg,)
    result = case(model, params, **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, *names)
    else:
        assert isinstance(result, Network)


@settings(max_examples=40)
@given(arg=st.sampled_from(['mesh_shape', 'mesh_shape[0]', 'pos_dict', 'cell_types',
                            'legacy_mode']), value=special)
def test_network_with_custom_cell_types(arg, value):
    cell = pyramidal('L5_pyramidal')
    kwargs = dict(pos_dict={'origin': (0., 0., 0.), 'L5_pyramidal': [(0., 0., 0.)]},
                  cell_types={'L5_pyramidal': {'cell_object': cell,
                                               'cell_metadata': {}}})
    if arg == 'mesh_shape[0]':
        kwargs['mesh_shape'] = (value, 1)
    else:
        kwargs[arg] = value
    result = case(Network, _DEFAULT, **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, arg, 'pos_dict', 'cell_types', 'positions')


SECTION_VALUES = ['L', 'diam', 'cm', 'Ra', 'v0']


@settings(max_examples=70)
@given(arg=st.sampled_from(SECTION_VALUES), value=bad)
def test_modify_section(arg, value):
    cell = pyramidal('L5_pyramidal')
    result = case(cell.modify_section, 'apical_1', **{arg: value})
    if isinstance(result, ALLOWED):
        assert_names(result, arg)
        assert cell == pyramidal('L5_pyramidal')  # a refused call changes nothing
        return
    weights = compile_cell(cell, 'L5_pyramidal', True).dipole_weights()
    assert np.all(np.isfinite(weights))


@settings(max_examples=50)
@given(arg=st.sampled_from(SECTION_VALUES + ['end_pts']), value=bad)
def test_section_constructor(arg, value):
    kwargs = dict(L=10., diam=2., Ra=100., cm=1., v0=-65.,
                  end_pts=[[0, 0, 0], [0, 0, 10]])
    kwargs[arg] = value
    result = case(Section, **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, arg)


def _soma():
    soma = Section(L=10., diam=10., Ra=100., cm=1., end_pts=[[0, 0, 0], [0, 0, 10]])
    soma.syns = ['ampa']
    return soma


@settings(max_examples=50)
@given(arg=st.sampled_from(['name', 'pos', 'sections', 'synapses', 'sect_loc',
                            'cell_tree', 'gid']), value=special)
def test_cell_constructor(arg, value):
    kwargs = dict(name='one', pos=(0., 0., 0.), sections={'soma': _soma()},
                  synapses={'ampa': {'e': 0., 'tau1': 0.5, 'tau2': 5.}},
                  sect_loc={'proximal': ['soma']}, cell_tree=None, gid=None)
    kwargs[arg] = value
    if arg == 'sections' and isinstance(value, dict) and 'soma' not in value:
        return  # hnn-core 0.6.1 raises KeyError for a cell without soma
    result = case(Cell, **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, arg)
    else:
        compile_cell(result, 'one')


def _edit_nseg(cell, value):
    cell.sections['apical_1'].nseg = value


def _edit_mech(cell, value):
    cell.sections['apical_1'].mechs['hh2']['gkbar_hh2'] = value


def _edit_synapse(cell, value):
    cell.synapses['nmda']['tau2'] = value


def _edit_reversal(cell, value):
    cell.synapses['ampa']['e'] = value


def _edit_end_pts(cell, value):
    cell.sections['apical_1'].end_pts[1] = value


def _edit_private(cell, value):
    cell.sections['apical_1']._diam = value


EDITS = {_edit_nseg: 'nseg', _edit_mech: 'gkbar_hh2', _edit_synapse: 'tau2',
         _edit_reversal: "'e'", _edit_end_pts: 'end_pts', _edit_private: 'diam'}


@settings(max_examples=90)
@given(edit=st.sampled_from(list(EDITS)), value=bad)
def test_direct_cell_edits_are_checked_before_a_run(edit, value):
    cell = pyramidal('L5_pyramidal')
    edit(cell, value)

    def compile_and_weigh():
        return compile_cell(cell, 'L5_pyramidal', True).dipole_weights()

    result = case(compile_and_weigh)
    if isinstance(result, ALLOWED):
        assert_names(result, EDITS[edit])
        assert 'L5_pyramidal' in str(result)  # and the cell type
    else:
        assert np.all(np.isfinite(result))


@settings(max_examples=40)
@given(arg=st.sampled_from(['name', 'cell', 'positions', 'cell_metadata']),
       value=special)
def test_add_cell_type(arg, value):
    net = neymotin_2020_model(mesh_shape=(1, 1))
    kwargs = dict(name='extra', cell=pyramidal('L5_pyramidal'),
                  positions=[(0., 0., 0.)], cell_metadata=None)
    kwargs[arg] = value
    before = _state(net)
    result = case(net.add_cell_type, kwargs.pop('name'), kwargs.pop('cell'),
                  kwargs.pop('positions'), **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, arg, 'cell_types', "positions of")
        assert _state(net) == before


SIM_ARGS = ['tstop', 'dt', 'n_trials', 'record_vsec', 'record_isec', 'record_ca',
            'postproc', 'verbose', 'record_vsoma', 'record_isoma', 'engine',
            'progress']


def _check_dipoles(dpls):
    for dpl in dpls:
        _assert_finite(dpl.data, 'dipole')
        assert np.all(np.isfinite(dpl.times))


@settings(max_examples=60)
@given(arg=st.sampled_from(SIM_ARGS),
       value=st.sampled_from([v for v in SPECIAL if v is not None] +
                             [1e12, 1e-12, 10 ** 13]))
def test_simulate_dipole_arguments(net1, arg, value):
    kwargs = dict(tstop=5., verbose=False)
    kwargs[arg] = value
    result = case(simulate_dipole, net1, **kwargs)
    if isinstance(result, ALLOWED):
        assert_names(result, arg, 'tstop' if arg == 'dt' else arg)
    else:
        _check_dipoles(result)


DYNAMICS = {'add_evoked_drive': ['mu', 'sigma', 'numspikes'],
            'add_poisson_drive': ['tstart', 'tstop', 'rate_constant'],
            'add_bursty_drive': ['tstart', 'tstart_std', 'tstop', 'burst_rate',
                                 'burst_std', 'numspikes', 'spike_isi']}


@settings(max_examples=60)
@given(which=st.sampled_from([(m, k) for m, keys in DYNAMICS.items() for k in keys]),
       value=special)
def test_edited_dynamics_are_rechecked(which, value):
    method, key = which
    net = Network(_DEFAULT, mesh_shape=(1, 1))  # no connections: cheap
    getattr(net, method)('d', **DRIVES[method])
    net.external_drives['d']['dynamics'][key] = value
    result = case(simulate_dipole, net, tstop=5., verbose=False)
    if isinstance(result, ALLOWED):
        assert_names(result, key)
    else:
        _check_dipoles(result)


@settings(max_examples=16)
@given(method=st.sampled_from(['poisson', 'bursty', 'evoked']),
       size=st.sampled_from([1e-3, 10., 1e12, 1e300]))
def test_drives_with_huge_rates_are_refused_or_run(method, size):
    """Huge rates and spike counts are refused before drawing; small ones run.

    (Counts between 1e5 and 1e7 events run with a warning, for minutes: not here.)
    """
    net = Network(_DEFAULT, mesh_shape=(1, 1))
    if method == 'poisson':
        net.add_poisson_drive('d', **dict(DRIVES['add_poisson_drive'],
                                          rate_constant=size))
        name = 'rate_constant'
    elif method == 'bursty':
        net.add_bursty_drive('d', **dict(DRIVES['add_bursty_drive'], burst_rate=size,
                                         numspikes=1))
        name = 'burst_rate'
    else:
        net.add_evoked_drive('d', **dict(DRIVES['add_evoked_drive'],
                                         numspikes=max(int(min(size, 1e15)), 1)))
        name = 'numspikes'
    result = case(simulate_dipole, net, tstop=5., verbose=False)
    if isinstance(result, ALLOWED):
        assert_names(result, name)
    else:
        _check_dipoles(result)


@settings(max_examples=40)
@given(arg=st.sampled_from(['e_e', 'e_i', 'i_e', 'i_i', 'inplane_distance',
                            'layer_separation', 'tstart']), value=bad)
def test_gains_positions_and_erp_drives(net3, arg, value):
    before = _state(net3)
    if arg == 'tstart':
        result = case(add_erp_drives_to_jones_model, net3, tstart=value)
    elif arg.startswith(('e_', 'i_')):
        result = case(net3.set_global_synaptic_gains, copy=False, **{arg: value})
    else:
        result = case(net3.set_cell_positions, **{arg: value})
    if isinstance(result, ALLOWED):
        assert_names(result, arg)
        assert _state(net3) == before
        return
    if arg == 'tstart':
        for name in ('evdist1', 'evprox1', 'evprox2'):
            _assert_finite(net3.external_drives[name]['dynamics'], name)
        net3.clear_drives()
    elif arg.startswith(('e_', 'i_')):
        net3.set_global_synaptic_gains(e_e=1., e_i=1., i_e=1., i_i=1.)
    else:
        _assert_finite(net3.positions(), 'positions')
        net3.set_cell_positions(inplane_distance=1., layer_separation=1307.4)
