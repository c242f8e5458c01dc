import os
import os.path as op
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use('Agg')

try:  # the bad-input property tests: fixed seeds, no example database, no deadline
    from hypothesis import HealthCheck, settings
    settings.register_profile('hnn_core', derandomize=True, database=None,
                              deadline=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile('hnn_core')
except ImportError:  # hypothesis is a test extra; only tests/test_fuzz_*.py need it
    pass

DATA = op.join(op.dirname(op.abspath(__file__)), 'data')
# tests/data/model_cases.py defines networks with hnn-core 0.6.1's public API only;
# the oracle's scripts and these tests build them from the same code
sys.path.insert(0, DATA)


@pytest.fixture(scope='session')
def described_library():
    """The library of the package's and the tests' described mechanisms."""
    from described_mechanisms import build_suite_library
    return build_suite_library()


def rel_rms(x, ref):
    """Relative RMS error of x against ref (the reference README's metric)."""
    x, ref = np.asarray(x, float), np.asarray(ref, float)
    return np.sqrt(np.mean((x - ref) ** 2)) / np.sqrt(np.mean(ref ** 2))


def small_evoked_net(distal=False):
    """A 3x3 network with one proximal evoked drive (and a distal one if asked)."""
    from hnn_core import neymotin_2020_model
    net = neymotin_2020_model(mesh_shape=(3, 3))
    net.add_evoked_drive('evprox1', mu=15., sigma=2., numspikes=1, location='proximal',
                         weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                                       'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
                         synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                                          'L5_basket': 1., 'L5_pyramidal': 1.})
    if distal:
        net.add_evoked_drive('evdist1', mu=25., sigma=3., numspikes=2, location='distal',
                             weights_ampa={'L2_pyramidal': 0.01, 'L5_pyramidal': 0.05},
                             weights_nmda={'L2_basket': 0.02})
    return net


def assert_same_spikes(times, gids, ref_times, ref_gids, atol=1e-6):
    """Same (gid, time) pairs: each gid's sorted spike times agree within atol."""
    times, gids = np.asarray(times, float), np.asarray(gids, int)
    ref_times, ref_gids = np.asarray(ref_times, float), np.asarray(ref_gids, int)
    assert len(times) == len(ref_times), (len(times), len(ref_times))
    np.testing.assert_array_equal(np.unique(gids), np.unique(ref_gids))
    for gid in np.unique(ref_gids):
        mine = np.sort(times[gids == gid])
        theirs = np.sort(ref_times[ref_gids == gid])
        assert len(mine) == len(theirs), f'gid {gid}: {mine} vs {theirs}'
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=atol,
                                   err_msg=f'spike times of gid {gid}')


@pytest.fixture(scope='session', autouse=True)
def _mechanisms_compiled():
    """Compile the mechanisms once up front, so no test times the compiler."""
    from hnn_core.engine import compile_mechanisms
    compile_mechanisms()
    yield


# A test that takes longer than this (setup and call, seconds) belongs with the
# heavy ones: the session names those that lack the slow marker.
SLOW_TEST_SECONDS = float(os.environ.get('HNN_CORE_SLOW_TEST_SECONDS', 20))
_DURATIONS = {}


def pytest_runtest_logreport(report):
    if report.when in ('setup', 'call') and 'slow' not in report.keywords:
        _DURATIONS[report.nodeid] = _DURATIONS.get(report.nodeid, 0.) + report.duration


def pytest_terminal_summary(terminalreporter):
    """Report how many generated bad-input cases ran (tests/_fuzz.py), and the
    long tests that lack the slow marker."""
    from _fuzz import N_CASES
    if N_CASES['total']:
        terminalreporter.write_line(
            f'property-based bad-input cases run: {N_CASES["total"]}')
    long_ones = sorted(((duration, nodeid) for nodeid, duration in _DURATIONS.items()
                        if duration > SLOW_TEST_SECONDS), reverse=True)
    if long_ones:
        terminalreporter.write_line(
            f'tests over {SLOW_TEST_SECONDS:g} s without the slow marker '
            '(@pytest.mark.slow; see pyproject.toml):')
        for duration, nodeid in long_ones:
            terminalreporter.write_line(f'  {duration:6.1f} s  {nodeid}')
