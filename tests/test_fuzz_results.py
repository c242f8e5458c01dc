"""Property-based bad input for the results: dipoles, spikes, their files and plots.

Every generated case ends in a ValueError/TypeError/OSError naming the
parameter (or the file), or is accepted, and then what it gives is finite.
"""
import os.path as op

import matplotlib.pyplot as plt
import numpy as np
import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import example, given, settings, strategies as st  # noqa: E402

from hnn_core import (CellResponse, Dipole, average_dipoles, read_dipole,  # noqa: E402
                      read_spikes, rmse)
from hnn_core.viz import plot_spikes_hist, plot_spikes_raster  # noqa: E402

from _fuzz import assert_names, case  # noqa: E402

N_TIMES = 40
DT = 0.5
TIMES = np.arange(N_TIMES) * DT

# -- strategies ------------------------------------------------------------------
finite = st.floats(allow_nan=False, allow_infinity=False)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10 ** 30, max_value=10 ** 30),
    st.sampled_from([0, 1, -1, 1e-320, 5e-324, 1e308, -1e308, 10 ** 400, np.nan,
                     np.inf, -np.inf, np.float32(2.), np.int64(3)]))
weird = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.binary(max_size=4),
                  st.complex_numbers(max_magnitude=10.), st.just(object()),
                  st.just([1., 'a']), st.just({'a': 1}))
scalars = st.one_of(numbers, weird)


def value_lists(length, elements=scalars):
    """Lists near ``length`` long; mostly good numbers with a few bad ones."""
    return st.one_of(
        st.lists(elements, min_size=length, max_size=length),
        st.lists(finite, min_size=max(length - 2, 0), max_size=length + 2),
        st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=length,
                 max_size=length).flatmap(
            lambda good: st.tuples(st.just(good), st.integers(0, max(length - 1, 0)),
                                   elements).map(_replace)),
        weird)


def _replace(args):
    good, idx, value = args
    return good[:idx] + [value] + good[idx + 1:] if good else [value]


def good_dipole(seed=0, scale=1.):
    rng = np.random.default_rng(seed)
    l2, l5 = rng.normal(size=(2, N_TIMES)) * scale
    return Dipole(TIMES, {'agg': l2 + l5, 'L2': l2, 'L5': l5})


dipole_values = st.one_of(st.floats(min_value=-1e3, max_value=1e3),
                          st.sampled_from([1e300, -1e300, 1.79e308, 0.]))


@st.composite
def dipoles(draw, n_times=N_TIMES):
    value = draw(dipole_values)
    noise = np.random.default_rng(draw(st.integers(0, 3))).uniform(-1, 1, n_times)
    return Dipole(TIMES[:n_times], value * (0.9 + 0.1 * noise))


def assert_finite_dipole(dpl):
    assert isinstance(dpl, Dipole)
    assert np.all(np.isfinite(dpl.times)) and np.isfinite(dpl.sfreq)
    for values in dpl.data.values():
        assert values.shape == dpl.times.shape and np.all(np.isfinite(values))
    assert np.isfinite(dpl.scale_applied) and dpl.nave >= 1


def outcome(result, names, check=None):
    """An allowed error naming one of ``names``, or ``check(result)``."""
    if isinstance(result, BaseException):
        assert_names(result, *names)
    elif check is not None:
        check(result)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close('all')


# -- Dipole ------------------------------------------------------------------------
@settings(max_examples=110)
@given(times=st.one_of(st.just(TIMES), value_lists(N_TIMES)),
       data=st.one_of(value_lists(N_TIMES),
                      st.dictionaries(st.sampled_from(['agg', 'L2', 'L5', 3]),
                                      value_lists(N_TIMES), max_size=3),
                      st.just(np.zeros((N_TIMES, 2))), st.just([[0., 1.], [2.]])),
       nave=st.one_of(st.integers(-3, 3), scalars))
def test_dipole_constructor(times, data, nave):
    result = case(Dipole, times, data, nave=nave)
    outcome(result, ('times', 'data', 'nave'), assert_finite_dipole)


@settings(max_examples=80)
@given(method=st.sampled_from(['smooth', 'savgol_filter', 'scale', 'copy']),
       value=scalars, dpl=dipoles())
def test_dipole_methods(method, value, dpl):
    names = {'smooth': 'window_len', 'savgol_filter': 'h_freq', 'scale': 'factor'}
    before = {k: v.copy() for k, v in dpl.data.items()}
    args = () if method == 'copy' else (value,)
    result = case(getattr(dpl, method), *args)
    outcome(result, (names.get(method, 'copy'),), assert_finite_dipole)
    if isinstance(result, BaseException):  # refused: left unchanged
        for layer, values in before.items():
            np.testing.assert_array_equal(dpl.data[layer], values)


@settings(max_examples=75)
@given(tstart=st.one_of(st.just(0.), scalars), tstop=st.one_of(st.none(), scalars),
       weights=st.one_of(st.none(), value_lists(N_TIMES)), sim=dipoles(),
       exp=dipoles(n_times=N_TIMES // 2))
def test_rmse(tstart, tstop, weights, sim, exp):
    result = case(rmse, sim, exp, tstart=tstart, tstop=tstop, weights=weights)
    outcome(result, ('tstart', 'tstop', 'weights'),
            lambda err: (isinstance(err, float) and np.isfinite(err) and err >= 0) or
            pytest.fail(f'rmse gave {err!r}'))


@settings(max_examples=50)
@given(dpls=st.one_of(st.lists(dipoles(), max_size=3),
                      st.lists(st.one_of(dipoles(), scalars), min_size=1, max_size=3),
                      scalars))
@example(dpls=[Dipole(TIMES, np.full(N_TIMES, 1.7e308))] * 2)  # the sum overflows
def test_average_dipoles(dpls):
    result = case(average_dipoles, dpls)
    outcome(result, ('dpls',), assert_finite_dipole)


# -- dipole files -------------------------------------------------------------------
cells = st.one_of(st.sampled_from(['0', '1.5', '-2', 'nan', 'inf', '-inf', '1e400',
                                   'abc', '1,5', '0x10', '', '\x00', 'é']),
                  finite.map(repr))


@st.composite
def text_files(draw):
    """HNN's text format with one bad cell, a bad shape, or not text at all."""
    n_cols = draw(st.sampled_from([2, 4, 4, 2, 1, 3, 5]))
    n_rows = draw(st.integers(0, 6))
    rows = [[f'{t:.3f}'] + ['1.0'] * (n_cols - 1) for t in TIMES[:n_rows]]
    if rows and draw(st.booleans()):
        row, col = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
        rows[row][col] = draw(cells)
    text = '\n'.join(' '.join(row) for row in rows).encode('utf-8')
    return draw(st.sampled_from([text, text, draw(st.binary(max_size=64)),
                                 text + bytes(range(128, 256))]))


@settings(max_examples=75)
@given(contents=text_files())
def test_read_dipole_text(tmp_path_factory, contents):
    fname = op.join(str(tmp_path_factory.mktemp('txt')), 'fuzz_dpl.txt')
    with open(fname, 'wb') as fid:
        fid.write(contents)
    outcome(case(read_dipole, fname), ('fuzz_dpl.txt',), assert_finite_dipole)


@st.composite
def npz_files(draw, tmp_dir):
    kind = draw(st.sampled_from(['truncated', 'flipped', 'keys', 'empty']))
    fname = op.join(tmp_dir, 'fuzz_dpl.npz')
    if kind == 'keys':
        contents = dict(times=TIMES, nave=1, scale_applied=1.,
                        agg=np.zeros(N_TIMES))
        key = draw(st.sampled_from(sorted(contents)))
        value = draw(st.one_of(numbers, st.text(max_size=3), st.booleans(),
                               st.just(np.array([1, 2])), st.just(np.zeros(3)),
                               st.just(np.full(N_TIMES, np.nan))))
        if draw(st.booleans()):
            contents[key] = value
        else:
            del contents[key]
        with open(fname, 'wb') as fid:
            try:
                np.savez(fid, **contents)
            except (OverflowError, TypeError, ValueError):  # not storable: skip
                hypothesis.assume(False)
        return fname
    good_dipole().write(fname)
    with open(fname, 'rb') as fid:
        data = bytearray(fid.read())
    if kind == 'empty':
        data = bytearray()
    elif kind == 'truncated':
        data = data[:draw(st.integers(0, len(data) - 1))]
    else:
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    with open(fname, 'wb') as fid:
        fid.write(bytes(data))
    return fname


@settings(max_examples=75)
@given(data=st.data())
def test_read_dipole_npz(tmp_path_factory, data):
    fname = data.draw(npz_files(str(tmp_path_factory.mktemp('npz'))))
    outcome(case(read_dipole, fname), ('fuzz_dpl.npz',), assert_finite_dipole)


@settings(max_examples=20)
@given(fname=scalars)
def test_read_dipole_fname(fname):
    outcome(case(read_dipole, fname), ('fname',))


# -- dipole plots -------------------------------------------------------------------
@settings(max_examples=50)
@given(func=st.sampled_from(['plot', 'plot_psd', 'plot_tfr_morlet']),
       arg=st.sampled_from(['ax', 'tmin', 'tmax', 'layer', 'decim', 'fmin', 'fmax',
                            'freqs', 'n_cycles']),
       value=st.one_of(scalars, value_lists(3)), dpl=dipoles())
def test_dipole_plots(func, arg, value, dpl):
    kwargs = dict(show=False)
    allowed = {'plot': ('ax', 'tmin', 'tmax', 'layer', 'decim'),
               'plot_psd': ('ax', 'tmin', 'tmax', 'layer', 'fmin', 'fmax'),
               'plot_tfr_morlet': ('ax', 'tmin', 'tmax', 'layer', 'decim', 'freqs',
                                   'n_cycles')}[func]
    hypothesis.assume(arg in allowed)
    if func == 'plot_tfr_morlet':
        kwargs['freqs'] = [100., 200.]
    kwargs[arg] = value
    result = case(getattr(dpl, func), **kwargs)
    outcome(result, (arg, 'window', 'layer', 'dpl'), lambda fig: fig.axes)
    plt.close('all')


# -- CellResponse ------------------------------------------------------------------
types = st.one_of(st.sampled_from(['L2_basket', 'evprox1']), scalars)
spike_gid_values = st.one_of(st.integers(-5, 10), st.just(2 ** 40), scalars)


@st.composite
def spike_trials(draw, good, bad):
    """Trials of 3 spikes (mostly ``good`` values, one maybe ``bad``), or junk."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.one_of(weird, st.lists(value_lists(3), max_size=2)))
    out = []
    for _ in range(draw(st.integers(0, 2))):
        trial = [draw(good) for _ in range(3)]
        if draw(st.booleans()):
            trial[draw(st.integers(0, 2))] = draw(bad)
        out.append(trial)
    return out


@settings(max_examples=85)
@given(spike_times=spike_trials(st.floats(0., 1e3), scalars),
       spike_gids=spike_trials(st.integers(0, 10), spike_gid_values),
       spike_types=spike_trials(st.just('L2_basket'), types),
       times=st.one_of(st.none(), value_lists(4)),
       cell_type_names=st.one_of(st.none(), st.lists(types, max_size=2)))
def test_cell_response_constructor(spike_times, spike_gids, spike_types, times,
                                   cell_type_names):
    result = case(CellResponse, spike_times=spike_times, spike_gids=spike_gids,
                  spike_types=spike_types, times=times,
                  cell_type_names=cell_type_names)

    def check(cr):
        for trial in cr.spike_times:
            assert all(isinstance(t, float) and np.isfinite(t) for t in trial)
        for trial in cr.spike_gids:
            assert all(type(g) is int and g >= 0 for g in trial)
        assert np.all(np.isfinite(cr.times))
        assert cr == cr  # recordings or not, equality is a bool
    outcome(result, ('spike_times', 'spike_gids', 'spike_types', 'times',
                     'cell_type_names'), check)


gid_cells = st.one_of(st.integers(-3, 12).map(str),
                      st.sampled_from(['1.5', 'nan', '99999999999999', 'x', '']))
time_cells = st.one_of(finite.map(repr), st.sampled_from(['nan', 'inf', '1e400', 't']))


@st.composite
def spike_files(draw):
    n_cols = draw(st.sampled_from([2, 3, 3, 4]))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(time_cells), draw(gid_cells), 'L2_basket', 'extra'][:n_cols]
        rows.append('\t'.join(row))
    text = '\n'.join(rows).encode()
    return draw(st.one_of(st.just(text), st.binary(max_size=40),
                          st.just(text + b'\xff\xfe')))


gid_range_values = st.one_of(
    st.builds(range, st.integers(-2, 6), st.integers(0, 12)),
    st.lists(st.integers(-2, 12), max_size=4), scalars,
    st.builds(range, st.integers(0, 3), st.integers(4, 12), st.integers(1, 3)))


@settings(max_examples=80)
@given(contents=spike_files(),
       gid_ranges=st.one_of(st.none(), st.just({'L2_basket': range(0, 13)}),
                            st.dictionaries(st.one_of(st.sampled_from(['a', 'b']),
                                                      st.integers(0, 2)),
                                            gid_range_values, max_size=3), scalars))
def test_read_spikes(tmp_path_factory, contents, gid_ranges):
    fname = op.join(str(tmp_path_factory.mktemp('spk')), 'fuzz_spk.txt')
    with open(fname, 'wb') as fid:
        fid.write(contents)
    result = case(read_spikes, fname, gid_ranges=gid_ranges)

    def check(cr):
        assert len(cr) == 1
        assert all(np.isfinite(t) for t in cr.spike_times[0])
        assert all(type(g) is int and g >= 0 for g in cr.spike_gids[0])
    outcome(result, ('fuzz_spk.txt', 'gid_ranges'), check)


@settings(max_examples=45)
@given(func=st.sampled_from([plot_spikes_raster, plot_spikes_hist]),
       arg=st.sampled_from(['trial_idx', 'ax', 'spike_types']),
       value=st.one_of(scalars, st.lists(st.one_of(st.integers(-2, 3), types),
                                         max_size=3)))
def test_spike_plots(func, arg, value):
    hypothesis.assume(not (func is plot_spikes_raster and arg == 'spike_types'))
    cr = CellResponse(spike_times=[[1., 2.5, 3.], [4.]], spike_gids=[[0, 3, 1], [2]],
                      spike_types=[['L2_basket', 'evprox1', 'L2_basket'],
                                   ['evprox1']])
    result = case(func, cr, show=False, **{arg: value})
    outcome(result, (arg, 'spike type'), lambda fig: fig.axes)
    plt.close('all')
