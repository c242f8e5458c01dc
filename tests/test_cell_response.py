"""CellResponse: spike files, filtering, equality, rates and recorded traces."""
import json
import os.path as op

import numpy as np
import pytest

from hnn_core import CellResponse, read_spikes

from conftest import DATA

GID_RANGES = {'L2_basket': range(0, 2), 'L2_pyramidal': range(2, 4),
              'L5_basket': range(4, 5), 'L5_pyramidal': range(5, 7),
              'evprox1': range(7, 9)}


def hand_made():
    """Two trials; some spikes lie outside [10, 60) ms on purpose."""
    times = [[1., 5., 12.5, 20., 30., 40., 70., 90.],
             [15., 25., 35.]]
    gids = [[0, 2, 2, 5, 7, 8, 5, 6],
            [4, 3, 7]]
    types = [['L2_basket', 'L2_pyramidal', 'L2_pyramidal', 'L5_pyramidal', 'evprox1',
              'evprox1', 'L5_pyramidal', 'L5_pyramidal'],
             ['L5_basket', 'L2_pyramidal', 'evprox1']]
    return CellResponse(spike_times=times, spike_gids=gids, spike_types=types,
                        times=np.arange(0, 100.025, 0.025))


def oracle_response():
    """The exact spikes behind tests/data/oracle_spk_{0,1}.txt and their gid ranges."""
    ref = np.load(op.join(DATA, 'oracle_files.npz'))
    cr = CellResponse(
        spike_times=[ref[f'spike_times_trial{k}'].tolist() for k in (0, 1)],
        spike_gids=[ref[f'spike_gids_trial{k}'].astype(int).tolist() for k in (0, 1)],
        spike_types=[ref[f'spike_types_trial{k}'].tolist() for k in (0, 1)])
    gid_ranges = {k: range(*v) for k, v in json.loads(str(ref['gid_ranges'])).items()}
    return cr, gid_ranges


# -- spike files --------------------------------------------------------------
def test_read_oracle_spike_files():
    """Files written by hnn-core 0.6.1's CellResponse.write read back exactly."""
    cr = read_spikes(op.join(DATA, 'oracle_spk_*.txt'))
    ref, _ = oracle_response()
    assert len(cr) == 2 and [len(t) for t in cr.spike_times] == [190, 190]
    for trial in (0, 1):
        np.testing.assert_allclose(cr.spike_times[trial], ref.spike_times[trial],
                                   rtol=0, atol=5e-4 + 1e-12)
        assert cr.spike_gids[trial] == ref.spike_gids[trial]
        assert cr.spike_types[trial] == ref.spike_types[trial]
    assert cr == ref


@pytest.mark.parametrize('pattern', ['spk_%d.txt', 'spk_{}.txt'])
def test_write_read_round_trip(tmp_path, pattern):
    cr, gid_ranges = oracle_response()
    cr.write(str(tmp_path / pattern))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['spk_0.txt', 'spk_1.txt']
    first = (tmp_path / 'spk_0.txt').read_text().splitlines()[0]
    assert first == '26.610\t46\tevprox1'
    back = read_spikes(tmp_path / 'spk_*.txt')
    assert back == cr
    assert back.spike_gids == cr.spike_gids and back.spike_types == cr.spike_types
    # gid_ranges re-types the same way
    assert read_spikes(tmp_path / 'spk_*.txt', gid_ranges=gid_ranges) == cr


def test_files_are_read_in_lexicographic_order(tmp_path):
    n_trials = 11
    cr = CellResponse(spike_times=[[float(k)] for k in range(n_trials)],
                      spike_gids=[[k] for k in range(n_trials)],
                      spike_types=[['L2_basket']] * n_trials)
    cr.write(tmp_path / 'spk_%d.txt')
    back = read_spikes(tmp_path / 'spk_*.txt')
    order = sorted(f'spk_{k}.txt' for k in range(n_trials))
    assert order[:3] == ['spk_0.txt', 'spk_1.txt', 'spk_10.txt']
    assert back.spike_gids == [[int(name[4:-4])] for name in order]


def test_single_spike_and_empty_files(tmp_path):
    (tmp_path / 'spk_0.txt').write_text('12.500\t3\tL2_pyramidal\n')
    (tmp_path / 'spk_1.txt').write_text('')
    (tmp_path / 'spk_2.txt').write_text('\n7.125\t0\tL2_basket\n\n')
    cr = read_spikes(tmp_path / 'spk_*.txt')
    assert len(cr) == 3
    assert cr.spike_times == [[12.5], [], [7.125]]
    assert cr.spike_gids == [[3], [], [0]]
    assert cr.spike_types == [['L2_pyramidal'], [], ['L2_basket']]
    # an empty trial is written as an empty file
    cr.write(tmp_path / 'out_{}.txt')
    assert (tmp_path / 'out_1.txt').read_text() == ''
    assert read_spikes(tmp_path / 'out_*.txt') == cr


def test_two_column_files_need_gid_ranges(tmp_path):
    """HNN-GUI's spk.txt (time, gid) is typed from gid_ranges."""
    cr, gid_ranges = oracle_response()
    lines = [f'{t:.3f}\t{g}\n' for t, g in zip(cr.spike_times[0], cr.spike_gids[0])]
    (tmp_path / 'spk.txt').write_text(''.join(lines))
    with pytest.raises(ValueError, match='no spike type column; pass gid_ranges'):
        read_spikes(tmp_path / 'spk.txt')
    typed = read_spikes(tmp_path / 'spk.txt', gid_ranges=gid_ranges)
    assert len(typed) == 1
    assert typed.spike_types[0] == cr.spike_types[0]
    assert typed.spike_gids[0] == cr.spike_gids[0]
    # a single 2-column line too
    (tmp_path / 'one.txt').write_text('3.000 17\n')
    one = read_spikes(tmp_path / 'one.txt', gid_ranges=gid_ranges)
    assert one.spike_types == [['L5_pyramidal']] and one.spike_times == [[3.]]


def test_spike_file_errors(tmp_path):
    with pytest.raises(ValueError, match='No file matches fname'):
        read_spikes(tmp_path / 'nothing_*.txt')
    with pytest.raises(TypeError, match='gid_ranges must be'):
        read_spikes(op.join(DATA, 'oracle_spk_0.txt'), gid_ranges=[0, 3])
    (tmp_path / 'bad.txt').write_text('1.0\t2\tL2_basket\n2.0\t3\n')
    with pytest.raises(ValueError, match='line 2: expected the same 2'):
        read_spikes(tmp_path / 'bad.txt')
    (tmp_path / 'text.txt').write_text('time\tgid\ttype\n')
    with pytest.raises(ValueError, match='not a spike file'):
        read_spikes(tmp_path / 'text.txt')
    (tmp_path / 'range.txt').write_text('1.0\t99\n')
    with pytest.raises(ValueError, match='gid 99 is in none of the gid ranges'):
        read_spikes(tmp_path / 'range.txt', gid_ranges=GID_RANGES)
    untyped = CellResponse(spike_times=[[1.]], spike_gids=[[0]])
    with pytest.raises(ValueError, match='no types; call update_types'):
        untyped.write(tmp_path / 'spk_%d.txt')
    with pytest.raises(ValueError, match='not a valid file name pattern'):
        hand_made().write(tmp_path / 'spk_{trial}.txt')
    with pytest.warns(UserWarning, match='no trial placeholder'):
        hand_made().write(tmp_path / 'same.txt')
    # the last trial wins, as in hnn-core 0.6
    assert read_spikes(tmp_path / 'same.txt').spike_gids == [[4, 3, 7]]


# -- equality and filtering ---------------------------------------------------------
def test_equality():
    a = hand_made()
    b = hand_made()
    assert a == b
    b.spike_times[0][0] += 4e-4  # still 1.000 at 3 decimals
    assert a == b
    b.spike_times[0][0] += 2e-3
    assert a != b
    c = hand_made()
    c.spike_types[1][0] = 'L2_basket'
    assert a != c
    d = hand_made()
    d.spike_gids[1][0] = 1
    assert a != d
    assert a != CellResponse(spike_times=a.spike_times[:1], spike_gids=a.spike_gids[:1],
                             spike_types=a.spike_types[:1])
    assert (a == 'spikes') is False


def test_getitem():
    cr = hand_made()
    five = cr[5]
    assert five.spike_times == [[20., 70.], []] and five.spike_gids == [[5, 5], []]
    assert five.spike_types == [['L5_pyramidal'] * 2, []]
    np.testing.assert_array_equal(five.times, cr.times)
    pyr = cr[[2, 3]]
    assert pyr.spike_gids == [[2, 2], [3]] and pyr.spike_times == [[5., 12.5], [25.]]
    cells = cr[0:7]
    assert cells.spike_gids == [[0, 2, 2, 5, 5, 6], [4, 3]]
    assert cr[7:].spike_gids == [[7, 8], [7]]
    assert cr[::2].spike_gids == [[0, 2, 2, 8, 6], [4]]
    assert cr[np.array([8])].spike_times == [[40.], []]
    assert cr[[]].spike_gids == [[], []]
    assert len(cr) == 2 and cr.spike_gids[0] == [0, 2, 2, 5, 7, 8, 5, 6]  # untouched
    with pytest.raises(TypeError, match='gid_item must be'):
        cr['L2_basket']
    with pytest.raises(TypeError, match='gid_item must be'):
        cr[[1.5]]
    with pytest.raises(ValueError, match='gids are >= 0, got -1 in gid_item'):
        cr[-1]


# -- recorded traces ---------------------------------------------------------------
def test_recordings_and_v01_views():
    cr = hand_made()
    assert cr.vsec == [] and cr.isec == [] and cr.ca == []
    assert cr.vsoma == [] and cr.isoma == []
    n = len(cr.times)
    v = {gid: {'soma': np.full(n, -65. + gid), 'apical_1': np.full(n, -70.)}
         for gid in (2, 5)}
    i = {gid: {'soma': {'soma_gabaa': np.full(n, 0.1 * gid),
                        'soma_gabab': np.full(n, 0.2)},
               'apical_1': {'apical_1_ampa': np.zeros(n)}} for gid in (2, 5)}
    cr.vsec = [v, {}]
    cr.isec = [i, {}]
    cr.ca = [{5: {'soma': np.full(n, 1e-4)}}, {}]
    assert cr.vsec[0][5]['apical_1'][0] == -70.
    assert cr.ca[0][5]['soma'][0] == 1e-4
    assert sorted(cr.vsoma[0]) == [2, 5] and cr.vsoma[1] == {}
    np.testing.assert_array_equal(cr.vsoma[0][5], np.full(n, -60.))
    assert set(cr.isoma[0][2]) == {'soma_gabaa', 'soma_gabab'}
    np.testing.assert_array_equal(cr.isoma[0][2]['soma_gabaa'], np.full(n, 0.2))
    # filtering keeps the recordings of the kept gids
    sub = cr[[5, 6]]
    assert list(sub.vsec[0]) == [5] and list(sub.isec[0]) == [5]
    assert list(sub.ca[0]) == [5] and sub.vsoma[1] == {}
    with pytest.raises(TypeError, match='vsec must be'):
        cr.vsec = {2: {}}
    with pytest.raises(TypeError, match=r'isec\[0\] must be'):
        cr.isec = [[1, 2]]


# -- rates ----------------------------------------------------------------------
def test_mean_rates():
    cr = hand_made()
    # every spike counts, whatever tstart/tstop; they only set the 50 ms divisor
    all_ = cr.mean_rates(10., 60., GID_RANGES)
    assert list(all_) == ['L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal']
    per_spike = 1000. / 50.  # Hz for one spike in 50 ms
    expected_cells = {'L2_basket': [[1, 0], [0, 0]], 'L2_pyramidal': [[2, 0], [0, 1]],
                      'L5_basket': [[0], [1]], 'L5_pyramidal': [[2, 1], [0, 0]]}
    for cell_type, counts in expected_cells.items():
        counts = np.array(counts, float) * per_spike
        assert all_[cell_type] == pytest.approx(counts.mean(axis=1).mean())
        assert isinstance(all_[cell_type], float)
    assert all_['L2_pyramidal'] == pytest.approx(15.)
    trial = cr.mean_rates(10., 60., GID_RANGES, mean_type='trial')
    assert trial['L2_pyramidal'] == pytest.approx([20., 10.])
    assert trial['L5_basket'] == pytest.approx([0., 20.])
    cell = cr.mean_rates(10., 60., GID_RANGES, mean_type='cell')
    assert isinstance(cell['L5_pyramidal'], list)
    assert [len(trial) for trial in cell['L5_pyramidal']] == [2, 2]
    np.testing.assert_allclose(cell['L5_pyramidal'], [[40., 20.], [0., 0.]])
    np.testing.assert_allclose(cell['L2_basket'], [[20., 0.], [0., 0.]])
    # a shorter window that excludes the spikes gives the same counts, larger rates
    short = cr.mean_rates(0, 10, GID_RANGES, mean_type='cell')
    np.testing.assert_allclose(short['L5_pyramidal'], [[200., 100.], [0., 0.]])
    # only the real cell types present in gid_ranges
    some = cr.mean_rates(0., 100., {'L5_pyramidal': range(5, 7),
                                    'evprox1': range(7, 9)})
    assert list(some) == ['L5_pyramidal']
    assert some['L5_pyramidal'] == pytest.approx((15. + 0.) / 2)


def test_mean_rates_oracle():
    cr, gid_ranges = oracle_response()
    rates = cr.mean_rates(0, 170, gid_ranges, mean_type='trial')
    n_spikes = {c: [sum(np.isin(g, list(gid_ranges[c]))) for g in cr.spike_gids]
                for c in rates}
    for cell_type, values in rates.items():
        n_cells = len(gid_ranges[cell_type])
        assert values == pytest.approx([n / n_cells / 0.17 for n in n_spikes[cell_type]])


@pytest.mark.parametrize('args, kwargs, exc, match', [
    ((10., 10., GID_RANGES), {}, ValueError, 'tstop must be greater than tstart'),
    ((60., 10., GID_RANGES), {}, ValueError, 'tstop must be greater than tstart'),
    (('0', 10., GID_RANGES), {}, TypeError, 'tstart must be'),
    ((0., None, GID_RANGES), {}, TypeError, 'tstop must be'),
    ((0., 10., [range(2)]), {}, TypeError, 'gid_ranges must be'),
    ((0., 10., GID_RANGES), dict(mean_type='gid'), ValueError,
     "'mean_type'.*'all', 'trial', 'cell'"),
])
def test_mean_rates_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        hand_made().mean_rates(*args, **kwargs)


def test_constructor_and_repr():
    cr = hand_made()
    assert repr(cr) == '<CellResponse | 2 simulation trials>'
    assert len(CellResponse()) == 0
    with pytest.raises(ValueError, match='Trial 0 has 2 spike_times but 1 spike_gids'):
        CellResponse(spike_times=[[1., 2.]], spike_gids=[[0]])
    cr.update_types({'cells': range(0, 7), 'drive': range(7, 9)})
    assert cr.spike_types[1] == ['cells', 'cells', 'drive']
    with pytest.raises(TypeError, match='gid_ranges must be'):
        cr.update_types([range(0, 9)])


# -- hardening (issue 17): bad input named, faults survived --------------------------
def test_constructor_refuses_bad_spikes():
    types = [['L2_basket']]
    for gids, exc in (([[-1]], ValueError), ([[1.5]], TypeError), ([[1.]], TypeError),
                      ([['a']], TypeError), ([[True]], TypeError),
                      ([[2 ** 40]], ValueError)):
        with pytest.raises(exc, match=r'spike_gids\[0\]'):
            CellResponse(spike_times=[[1.]], spike_gids=gids, spike_types=types)
    for times, exc in (([[np.nan]], ValueError), ([[np.inf]], ValueError),
                       ([['a']], TypeError), ([[None]], TypeError)):
        with pytest.raises(exc, match=r'spike_times\[0\]'):
            CellResponse(spike_times=times, spike_gids=[[1]], spike_types=types)
    with pytest.raises(TypeError, match=r'spike_types\[0\]'):
        CellResponse(spike_times=[[1.]], spike_gids=[[1]], spike_types=[[3]])
    with pytest.raises(TypeError, match=r'spike_times\[0\]'):
        CellResponse(spike_times=[1.], spike_gids=[[1]])
    with pytest.raises(TypeError, match='times'):
        CellResponse(spike_times=[[1.]], spike_gids=[[1]], times='abc')
    with pytest.raises(ValueError, match='times'):
        CellResponse(spike_times=[[1.]], spike_gids=[[1]], times=[0., np.nan])
    with pytest.raises(TypeError, match='cell_type_names'):
        CellResponse(cell_type_names=[3])
    # arrays of numbers are fine, and kept as Python numbers
    cr = CellResponse(spike_times=[np.array([1.5, 2.])], spike_gids=[np.array([0, 3])],
                      spike_types=[np.array(['L2_basket', 'L2_pyramidal'])])
    assert cr.spike_gids == [[0, 3]] and type(cr.spike_gids[0][0]) is int


def test_equality_compares_recordings():
    a, b = hand_made(), hand_made()
    for response in (a, b):
        response.vsec = [{0: {'soma': np.zeros(4)}}, {}]
        response.isec = [{0: {'soma': {'soma_gabaa': np.ones(4)}}}, {}]
    assert a == b
    b.vsec[0][0]['soma'] = np.full(4, 2.)
    assert a != b
    b.vsec[0][0]['soma'] = np.zeros(4)
    b.isec[0][0]['soma']['soma_gabaa'] = np.ones(5)
    assert a != b
    b.isec = [{}, {}]
    assert a != b


def test_write_on_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch):
    from test_dipole import _full_disk
    hand_made().write(tmp_path / 'spk_%d.txt')
    before = [(tmp_path / f'spk_{k}.txt').read_bytes() for k in (0, 1)]
    other = hand_made()
    other.spike_times[0][0] = 2.
    with monkeypatch.context() as patch:
        _full_disk(patch)
        with pytest.raises(OSError, match=r'spk_0.txt.*No space left'):
            other.write(tmp_path / 'spk_%d.txt')
    assert [(tmp_path / f'spk_{k}.txt').read_bytes() for k in (0, 1)] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ['spk_0.txt', 'spk_1.txt']


def test_read_spikes_names_the_file_of_bad_lines(tmp_path):
    (tmp_path / 'binary.txt').write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match='binary.txt'):
        read_spikes(tmp_path / 'binary.txt')
    for name, text in (('nan.txt', '1.0\t0\tL2_basket\nnan\t1\tL2_basket\n'),
                       ('inf.txt', '1e400\t0\tL2_basket\n'),
                       ('negative.txt', '1.0\t-3\tL2_basket\n'),
                       ('float_gid.txt', '1.0\t2.5\tL2_basket\n')):
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=f'{name}, line'):
            read_spikes(tmp_path / name)


def test_gid_ranges_are_checked(tmp_path):
    (tmp_path / 'spk.txt').write_text('1.0\t3\n')
    for gid_ranges, exc, match in (
            ({'a': range(0, 5), 'b': range(3, 8)}, ValueError, "overlap.*'a'.*'b'"),
            ({'a': [1, 3], 'b': [3]}, ValueError, "overlap.*'a'.*'b'"),
            ({'a': 5}, TypeError, r"gid_ranges\['a'\]"),
            ({'a': [1.5]}, TypeError, r"gid_ranges\['a'\]"),
            ({3: range(5)}, TypeError, 'gid_ranges'),
            ({'a': range(-2, 5)}, ValueError, r"gid_ranges\['a'\]")):
        with pytest.raises(exc, match=match):
            read_spikes(tmp_path / 'spk.txt', gid_ranges=gid_ranges)
    # a list of gids types only its gids, not the span between them
    (tmp_path / 'two.txt').write_text('1.0\t1\n2.0\t2\n')
    with pytest.raises(ValueError, match=r"gid 2 is in none of the gid ranges "
                       r"\(gid_ranges holds 'a', 'b'\)"):
        read_spikes(tmp_path / 'two.txt', gid_ranges={'a': [1, 3], 'b': [0]})


@pytest.mark.parametrize('tstart, tstop', [(np.nan, 10.), (0., np.inf), (0., np.nan)])
def test_mean_rates_refuses_non_finite(tstart, tstop):
    with pytest.raises(ValueError, match='tstart|tstop'):
        hand_made().mean_rates(tstart, tstop, GID_RANGES)
