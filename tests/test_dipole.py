"""Dipole processing, files, averaging and RMSE (no simulation needed)."""
import os.path as op
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import savgol_filter as scipy_savgol

from hnn_core import Dipole, read_dipole, average_dipoles, rmse

from conftest import DATA

ROUND_4 = 5e-5 + 1e-12  # %5.4f rounding
ROUND_3 = 5e-4 + 1e-12  # %3.3f rounding


def make_dipole(n_times=401, dt=0.025, seed=0, layers=('agg', 'L2', 'L5')):
    rng = np.random.default_rng(seed)
    times = np.arange(n_times) * dt
    data = {layer: rng.normal(scale=3., size=n_times) for layer in layers}
    if {'agg', 'L2', 'L5'} <= set(layers):
        data['agg'] = data['L2'] + data['L5']
    return Dipole(times, data)


def test_times_and_values_are_checked():
    with pytest.raises(ValueError, match='times must be increasing and evenly spaced'):
        Dipole([0., 1., 5.], np.zeros(3))
    with pytest.raises(ValueError, match='times must be increasing and evenly spaced'):
        Dipole([0., 0., 1.], np.zeros(3))
    with pytest.raises(ValueError, match='nave must be an integer >= 1'):
        Dipole([0., 1.], np.zeros(2), nave=0)
    with pytest.raises(ValueError, match='factor must be a finite number'):
        make_dipole().scale(np.nan)


# -- files --------------------------------------------------------------------
def test_txt_keeps_the_time_grid(tmp_path):
    """Times written with 3 decimals come back on the grid they were rounded from."""
    dpl = make_dipole(n_times=3201, dt=0.0125)
    dpl.write(tmp_path / 'fine.txt')
    back = read_dipole(tmp_path / 'fine.txt')
    assert back.sfreq == pytest.approx(80000., rel=1e-12)
    np.testing.assert_allclose(back.times, dpl.times, rtol=0, atol=1e-12)
    (tmp_path / 'uneven.txt').write_text('0 1 1 0\n1 1 1 0\n5 1 1 0\n')
    with pytest.raises(ValueError, match='uneven.txt are not evenly spaced'):
        read_dipole(tmp_path / 'uneven.txt')


def test_txt_warns_when_digits_are_lost(tmp_path):
    small = make_dipole().scale(1e-3)  # peaks near 0.01 nAm
    with pytest.warns(UserWarning, match="keeps 4 decimals: this dipole peaks at"):
        small.write(tmp_path / 'small.txt')
    small.write(tmp_path / 'small.npz')  # full precision: no warning needed


def test_txt_round_trip(tmp_path):
    dpl = make_dipole()
    fname = tmp_path / 'dpl.txt'
    dpl.write(fname)  # a pathlib.Path is fine
    lines = fname.read_text().splitlines()
    assert len(lines) == len(dpl.times)
    assert lines[1].split('\t')[0] == '0.025' and len(lines[1].split('\t')) == 4
    back = read_dipole(str(fname))
    assert back.nave == 1 and back.scale_applied == 1 and back.sfreq == 40000.
    np.testing.assert_allclose(back.times, dpl.times, rtol=0, atol=ROUND_3)
    for layer in ('agg', 'L2', 'L5'):
        np.testing.assert_allclose(back.data[layer], dpl.data[layer], rtol=0,
                                   atol=ROUND_4)


def test_txt_two_columns(tmp_path):
    dpl = make_dipole(layers=('agg',))
    dpl.write(tmp_path / 'agg.txt')
    assert len((tmp_path / 'agg.txt').read_text().splitlines()[0].split('\t')) == 2
    back = read_dipole(tmp_path / 'agg.txt')
    assert set(back.data) == {'agg'}
    np.testing.assert_allclose(back.data['agg'], dpl.data['agg'], rtol=0, atol=ROUND_4)
    # any whitespace separates columns (HNN-GUI files, hand-written files)
    (tmp_path / 'hand.txt').write_text('0.0   1.5\n0.5\t-2.25\n1.0 \t 3.0\n')
    hand = read_dipole(tmp_path / 'hand.txt')
    np.testing.assert_array_equal(hand.times, [0., 0.5, 1.])
    np.testing.assert_array_equal(hand.data['agg'], [1.5, -2.25, 3.])
    assert hand.sfreq == 2000.


def test_npz_round_trip_is_exact(tmp_path):
    dpls = [make_dipole(seed=seed).scale(3000.) for seed in range(3)]
    avg = average_dipoles(dpls)
    avg.write(tmp_path / 'avg.npz')
    back = read_dipole(tmp_path / 'avg.npz')
    assert back.nave == 3 and back.scale_applied == 3000.
    np.testing.assert_array_equal(back.times, avg.times)
    assert set(back.data) == {'agg', 'L2', 'L5'}
    for layer in back.data:
        np.testing.assert_array_equal(back.data[layer], avg.data[layer])
    # an agg-only dipole keeps its single layer
    agg_only = make_dipole(layers=('agg',))
    agg_only.write(tmp_path / 'agg.npz')
    back = read_dipole(tmp_path / 'agg.npz')
    assert set(back.data) == {'agg'} and back.nave == 1 and back.scale_applied == 1
    np.testing.assert_array_equal(back.data['agg'], agg_only.data['agg'])


def test_write_averaged_txt_warns(tmp_path):
    avg = average_dipoles([make_dipole(seed=0), make_dipole(seed=1)])
    with pytest.warns(UserWarning, match='average of 2 trials'):
        avg.write(tmp_path / 'avg.txt')
    assert read_dipole(tmp_path / 'avg.txt').nave == 1


def test_file_errors(tmp_path):
    dpl = make_dipole()
    with pytest.raises(ValueError, match=r"extension '\.csv'.*\.txt, \.npz"):
        dpl.write(tmp_path / 'dpl.csv')
    with pytest.raises(ValueError, match=r"extension '\.hdf5'.*\.txt, \.npz"):
        read_dipole(tmp_path / 'dpl.hdf5')
    with pytest.raises(TypeError, match='fname must be'):
        dpl.write(3)
    (tmp_path / 'three.txt').write_text('0 1 2\n1 2 3\n')
    with pytest.raises(ValueError, match='3 columns; expected 4'):
        read_dipole(tmp_path / 'three.txt')
    (tmp_path / 'words.txt').write_text('0 foo 1 2\n')
    with pytest.raises(ValueError, match=r"words.txt is not in HNN's text format"):
        read_dipole(tmp_path / 'words.txt')
    (tmp_path / 'empty.txt').write_text('')
    with pytest.raises(ValueError, match='no samples'):
        read_dipole(tmp_path / 'empty.txt')
    np.savez(tmp_path / 'other.npz', x=np.arange(3))
    with pytest.raises(ValueError, match='not a dipole file'):
        read_dipole(tmp_path / 'other.npz')
    dpl.write(tmp_path / 'dpl.txt')
    with pytest.raises(FileExistsError, match='overwrite'):
        dpl.write(tmp_path / 'dpl.txt', overwrite=False)


def test_read_oracle_dipole():
    """hnn-core 0.6.1's Dipole.write output equals the exact values to 4 decimals."""
    ref = np.load(op.join(DATA, 'oracle_files.npz'))
    dpl = read_dipole(op.join(DATA, 'oracle_dipole.txt'))
    assert len(dpl.times) == 6801 and dpl.sfreq == 40000.
    np.testing.assert_allclose(dpl.times, ref['times'], rtol=0, atol=ROUND_3)
    for layer in ('agg', 'L2', 'L5'):
        np.testing.assert_allclose(dpl.data[layer], ref[f'{layer}_trials'][0], rtol=0,
                                   atol=ROUND_4)


def test_read_published_dipole_and_postprocess():
    """The oracle's smooth(30).scale(3000) file equals ours from the same raw data."""
    ref = np.load(op.join(DATA, 'published_dipole.npz'))
    raw = Dipole(ref['times'], {k: ref[k] for k in ('agg', 'L2', 'L5')})
    mine = raw.copy().smooth(30).scale(3000)
    assert raw.scale_applied == 1 and mine.scale_applied == 3000
    theirs = read_dipole(Path(DATA) / 'published_dipole_smooth30_scale3000.txt')
    np.testing.assert_allclose(theirs.times, raw.times, rtol=0, atol=ROUND_3)
    for layer in ('agg', 'L2', 'L5'):
        np.testing.assert_allclose(theirs.data[layer], mine.data[layer], rtol=0,
                                   atol=ROUND_4)


# -- Savitzky-Golay filter ------------------------------------------------------
@pytest.mark.parametrize('h_freq, window', [(20., 2001), (30, 1333), (40., 1001)])
def test_savgol_window_length(h_freq, window):
    """The impulse response spans exactly the window (40 kHz sampling)."""
    n_times = 6801
    impulse = np.zeros(n_times)
    impulse[n_times // 2] = 1.
    dpl = Dipole(np.arange(n_times) * 0.025, {'agg': impulse})
    out = dpl.savgol_filter(h_freq)
    assert out is dpl
    support = np.flatnonzero(np.abs(dpl.data['agg']) > 1e-15)
    assert support[-1] - support[0] + 1 == window
    assert np.argmax(dpl.data['agg']) == n_times // 2


def test_savgol_filter_values():
    """Same as scipy.signal.savgol_filter where scipy's own fit is well conditioned.

    (scipy >= 1.15 returns near-zero coefficients for windows of ~800 samples
    and more at polyorder 5, so long windows are checked against polynomials.)
    """
    dpl = make_dipole(n_times=6801).scale(2.)
    expected = {k: scipy_savgol(v, 101, 5) for k, v in dpl.data.items()}
    dpl.savgol_filter(400.)  # 40000 / 400 = 100 samples -> 101
    assert dpl.scale_applied == 2.
    for layer, values in expected.items():
        np.testing.assert_allclose(dpl.data[layer], values, rtol=0, atol=1e-8)
    # polynomials of degree <= 5 pass unchanged, edges included ('interp' mode)
    times = np.arange(6801) * 0.025
    poly = 1e-6 * (times - 80.) ** 3 - 2e-3 * times + 0.5
    for h_freq in (20., 30.):
        smooth = Dipole(times, {'agg': poly}).savgol_filter(h_freq)
        np.testing.assert_allclose(smooth.data['agg'], poly, rtol=0, atol=1e-9)


@pytest.mark.parametrize('h_freq, exc, match', [
    (0., ValueError, r'h_freq must be > 0 Hz and below.*20000 Hz'),
    (-5., ValueError, 'h_freq must be > 0'),
    (20000., ValueError, 'below half the sampling frequency'),
    (19000., ValueError, 'window of 3 samples'),
    (1., ValueError, 'window of 40001 samples.*6801 samples'),
    ('20', TypeError, 'h_freq must be'),
])
def test_savgol_filter_errors(h_freq, exc, match):
    dpl = make_dipole(n_times=6801)
    before = dpl.data['agg'].copy()
    with pytest.raises(exc, match=match):
        dpl.savgol_filter(h_freq)
    np.testing.assert_array_equal(dpl.data['agg'], before)


# -- averaging ------------------------------------------------------------------
def test_average_dipoles():
    times = np.arange(4) * 0.025
    a = Dipole(times, np.array([[3., 1., 2.], [0., 0., 0.], [1., 1., 0.], [2., 2., 0.]]))
    b = Dipole(times, np.array([[5., 2., 3.], [2., 1., 1.], [1., 0., 1.],
                                [-2., -1., -1.]]))
    avg = average_dipoles([a, b])
    assert avg.nave == 2 and avg.scale_applied == 1
    np.testing.assert_array_equal(avg.times, times)
    np.testing.assert_array_equal(avg.data['agg'], [4., 1., 1., 0.])
    np.testing.assert_array_equal(avg.data['L2'], [1.5, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(avg.data['L5'], [2.5, 0.5, 0.5, -0.5])
    # inputs untouched; scale kept; one dipole is fine
    np.testing.assert_array_equal(a.data['agg'], [3., 0., 1., 2.])
    one = average_dipoles([a.copy().scale(10.)])
    assert one.nave == 1 and one.scale_applied == 10.
    np.testing.assert_array_equal(one.data['agg'], [30., 0., 10., 20.])
    scaled = average_dipoles((a.copy().scale(3.), b.copy().scale(3.)))
    assert scaled.scale_applied == 3.
    np.testing.assert_allclose(scaled.data['agg'], [12., 3., 3., 0.])


def test_average_dipoles_errors():
    a, b = make_dipole(seed=0), make_dipole(seed=1)
    with pytest.raises(ValueError, match='at least one Dipole'):
        average_dipoles([])
    with pytest.raises(TypeError, match='dpls must be'):
        average_dipoles(a)
    with pytest.raises(TypeError, match=r'dpls\[1\] must be'):
        average_dipoles([a, 'b'])
    with pytest.raises(ValueError, match=r'dpls\[0\] is already an average of 2'):
        average_dipoles([average_dipoles([a, b]), b])
    with pytest.raises(ValueError, match='same scale_applied.*3000'):
        average_dipoles([a, b.copy().scale(3000)])
    with pytest.raises(ValueError, match=r'same times; dpls\[1\]'):
        average_dipoles([a, make_dipole(n_times=400)])
    shifted = b.copy()
    shifted.times = shifted.times + 1.
    with pytest.raises(ValueError, match='same times'):
        average_dipoles([a, shifted])
    with pytest.raises(ValueError, match='same layers'):
        average_dipoles([a, make_dipole(layers=('agg',))])


# -- RMSE -----------------------------------------------------------------------
def test_rmse_known_values():
    times = np.arange(401) * 0.025  # 0 .. 10 ms
    base = np.sin(2 * np.pi * times / 5.)
    sim = Dipole(times, {'agg': base})
    assert rmse(sim, sim.copy()) == 0.
    assert isinstance(rmse(sim, sim.copy()), float)
    offset = Dipole(times, {'agg': base + 0.5})
    assert rmse(sim, offset) == pytest.approx(0.5, abs=1e-12)
    # the sample nearest to tstop is left out (half-open slice)
    last_differs = base.copy()
    last_differs[-1] += 10.
    assert rmse(sim, Dipole(times, {'agg': last_differs})) == 0.
    # the window [tstart, tstop): 2 ms to 6 ms only
    step = base.copy()
    step[times >= 6.] += 4.
    step[times < 2.] -= 4.
    assert rmse(sim, Dipole(times, {'agg': step}), tstart=2., tstop=6.) == 0.
    assert rmse(sim, Dipole(times, {'agg': step}), tstart=2., tstop=8.) == \
        pytest.approx(4. * np.sqrt(80 / 240), rel=1e-12)
    # a window larger than both dipoles is clipped to them
    assert rmse(sim, offset, tstart=-50., tstop=1e4) == pytest.approx(0.5, abs=1e-12)


def test_rmse_weights():
    times = np.arange(401) * 0.025
    sim = Dipole(times, {'agg': np.zeros(401)})
    target = np.where(times < 5., 1., 3.)
    exp = Dipole(times, {'agg': target})
    weights = np.where(times < 5., 1., 0.)
    assert rmse(sim, exp, weights=weights) == pytest.approx(1., abs=1e-12)
    assert rmse(sim, exp, weights=1. - weights) == pytest.approx(3., abs=1e-12)
    # unweighted: 200 samples off by 1 and 200 off by 3 in [0, 10)
    assert rmse(sim, exp) == pytest.approx(np.sqrt((200 + 9 * 200) / 400), rel=1e-12)


def test_rmse_resamples_the_longer_series():
    """Different sampling rates: band-limited periodic signals compare exactly."""
    fine = np.arange(401) * 0.025    # 40 kHz, 0 .. 10 ms
    coarse = np.arange(201) * 0.05   # 20 kHz, same span

    def signal(t):
        return np.sin(2 * np.pi * t / 5.) + 0.5 * np.cos(2 * np.pi * t / 2.5)

    sim_fine = Dipole(fine, {'agg': signal(fine)})
    exp_coarse = Dipole(coarse, {'agg': signal(coarse)})
    assert rmse(sim_fine, exp_coarse) == pytest.approx(0., abs=1e-12)
    assert rmse(Dipole(coarse, {'agg': signal(coarse)}),
                Dipole(fine, {'agg': signal(fine)})) == pytest.approx(0., abs=1e-12)
    zeros = Dipole(coarse, {'agg': np.zeros(201)})
    power = np.sqrt(0.5 + 0.5 * 0.25)
    assert rmse(sim_fine, zeros) == pytest.approx(power, rel=1e-12)
    # constant weights survive resampling; tstop None is the end of the shorter one
    short = Dipole(coarse[:101], {'agg': signal(coarse[:101]) + 2.})
    assert rmse(sim_fine, short, weights=np.full(401, 0.5)) == \
        pytest.approx(2., rel=1e-12)


def test_rmse_errors():
    dpl = make_dipole()
    with pytest.raises(TypeError, match='exp_dpl must be'):
        rmse(dpl, dpl.data['agg'])
    with pytest.raises(TypeError, match='tstop must be'):
        rmse(dpl, dpl, tstop='end')
    with pytest.raises(ValueError, match='tstop must be later than tstart'):
        rmse(dpl, dpl, tstart=5., tstop=5.)
    with pytest.raises(ValueError, match=r'one value per sample of dpl \(401\)'):
        rmse(dpl, dpl, weights=np.ones(10))
    with pytest.raises(ValueError, match='weights must be finite and >= 0'):
        rmse(dpl, dpl, weights=-np.ones(401))
    with pytest.raises(ValueError, match='sum to 0'):
        rmse(dpl, dpl, weights=np.zeros(401))
    with pytest.raises(ValueError, match='exp_dpl must have an aggregate'):
        rmse(dpl, Dipole(dpl.times, {'L2': dpl.data['L2']}))


# -- hardening (issue 17): bad input named, faults survived --------------------------
def _full_disk(monkeypatch, after=10):
    """Every file opened for writing takes ``after`` bytes, then fails with ENOSPC."""
    import builtins
    import errno
    import os

    class FullFile:
        def __init__(self, fid):
            self._fid, self._left = fid, after

        def write(self, data):
            if len(data) > self._left:
                self._fid.write(data[:self._left])
                self._left = 0
                raise OSError(errno.ENOSPC, 'No space left on device')
            self._left -= len(data)
            return self._fid.write(data)

        def __getattr__(self, name):
            return getattr(self._fid, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fid.close()

    real_open, real_fdopen = builtins.open, os.fdopen

    def full_open(file, mode='r', *args, **kwargs):
        fid = real_open(file, mode, *args, **kwargs)
        return FullFile(fid) if any(c in mode for c in 'wax+') else fid

    def full_fdopen(fd, mode='r', *args, **kwargs):
        fid = real_fdopen(fd, mode, *args, **kwargs)
        return FullFile(fid) if any(c in mode for c in 'wax+') else fid

    monkeypatch.setattr(builtins, 'open', full_open)
    monkeypatch.setattr(os, 'fdopen', full_fdopen)


@pytest.mark.parametrize('ext', ['.txt', '.npz'])
def test_write_on_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch, ext):
    fname = tmp_path / f'dpl{ext}'
    make_dipole(seed=0).write(fname)
    before = fname.read_bytes()
    with monkeypatch.context() as patch:
        _full_disk(patch)
        with pytest.raises(OSError, match=f'dpl{ext}.*No space left'):
            make_dipole(seed=1).write(fname)
    assert fname.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [f'dpl{ext}']


def test_dipole_refuses_non_finite_and_non_numbers():
    times = np.arange(5.)
    for data, name in ((np.array([0., np.nan, 0., 0., 0.]), 'agg'),
                       ({'agg': np.zeros(5), 'L2': [0, 0, np.inf, 0, 0]}, 'L2')):
        with pytest.raises(ValueError, match=f"{name} column of data must be finite"):
            Dipole(times, data)
    for bad_times in ([0., 1., np.inf], [np.nan, 1., 2.]):
        with pytest.raises(ValueError, match='times must be finite'):
            Dipole(bad_times, np.zeros(3))
    with pytest.raises(TypeError, match='times must be'):
        Dipole('abc', np.zeros(3))
    for data in ('abcde', ['a'] * 5, {'agg': 'x'}, [None] * 5):
        with pytest.raises(TypeError, match='data'):
            Dipole(times, data)
    with pytest.raises(ValueError, match='data'):
        Dipole(times, [[0., 1.], [2.]])  # ragged
    with pytest.raises(ValueError, match='times'):
        Dipole([0., 5e-324], np.zeros(2))  # a step too small for a sampling rate


def test_read_dipole_names_the_file_of_bad_values(tmp_path):
    for name, text in (('nan.txt', '0 nan 0 0\n1 0 0 0\n'),
                       ('inf.txt', '0 1 0 0\n1 inf 0 0\n'),
                       ('huge.txt', '0 1e400\n1 0\n')):
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=f'{name}.*finite'):
            read_dipole(tmp_path / name)
    (tmp_path / 'binary.txt').write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match='binary.txt'):
        read_dipole(tmp_path / 'binary.txt')
    (tmp_path / 'backwards.txt').write_text('1 0 0 0\n0 0 0 0\n')
    with pytest.raises(ValueError, match='backwards.txt.*increasing'):
        read_dipole(tmp_path / 'backwards.txt')


def test_read_dipole_names_a_corrupt_npz(tmp_path):
    good = tmp_path / 'good.npz'
    make_dipole().write(good)
    contents = good.read_bytes()
    files = {'empty.npz': b'', 'garbage.npz': b'\x80\x04junk' * 10,
             'notzip.npz': b'PK\x03\x04garbage', 'truncated.npz': contents[:300],
             'cut.npz': contents[:-40]}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=name):
            read_dipole(tmp_path / name)
    base = dict(times=np.arange(3.), nave=1, scale_applied=1., agg=np.zeros(3))
    for key, value in (('agg', np.array([object(), 1, 2], dtype=object)),
                       ('agg', np.array([0., np.nan, 1.])),
                       ('times', np.array(['a', 'b', 'c'])),
                       ('nave', np.array([1, 2])), ('nave', 1.5), ('nave', -3),
                       ('scale_applied', np.nan), ('scale_applied', 'x')):
        with open(tmp_path / 'bad.npz', 'wb') as fid:
            np.savez(fid, **{**base, key: value})
        with pytest.raises(ValueError, match=f"bad.npz.*'{key}'"):
            read_dipole(tmp_path / 'bad.npz')


@pytest.mark.parametrize('kwargs, name', [
    (dict(tstart=np.nan), 'tstart'), (dict(tstart=np.inf), 'tstart'),
    (dict(tstop=np.nan), 'tstop'), (dict(tstop=-np.inf), 'tstop'),
])
def test_rmse_refuses_non_finite_windows(kwargs, name):
    dpl = make_dipole()
    with pytest.raises(ValueError, match=f'{name} must be a finite number'):
        rmse(dpl, dpl.copy(), **kwargs)


def test_huge_values_give_finite_results_or_named_errors():
    dpl = make_dipole()
    with pytest.raises(ValueError, match='window_len'):
        dpl.copy().smooth(1e308)
    with pytest.raises(ValueError, match='h_freq'):
        dpl.copy().savgol_filter(5e-324)
    for factor in (np.nan, np.inf, '2'):
        with pytest.raises((TypeError, ValueError), match='factor'):
            dpl.copy().scale(factor)
    huge = make_dipole().scale(1e306)
    before = huge.data['agg'].copy()
    with pytest.raises(ValueError, match='factor'):
        huge.scale(1e10)  # would overflow
    np.testing.assert_array_equal(huge.data['agg'], before)
    assert huge.scale_applied == 1e306
    big = Dipole(dpl.times, np.full(len(dpl.times), 1.5e308))
    with pytest.raises(ValueError, match='dpls'):
        average_dipoles([big, big.copy()])
    big = Dipole(dpl.times, np.full(len(dpl.times), 8e307))  # squares overflow
    err = rmse(big, Dipole(dpl.times, -big.data['agg']))
    assert np.isfinite(err) and err == pytest.approx(1.6e308, rel=1e-12)
    for name, value in (('tstart', np.nan), ('tstop', np.nan)):
        with pytest.raises(ValueError, match=name):
            rmse(dpl, dpl, **{name: value})
    with pytest.raises((TypeError, ValueError), match='weights'):
        rmse(dpl, dpl, weights=['a'] * len(dpl.times))
