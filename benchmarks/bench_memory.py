"""Memory of many simulations in one process: does it grow run after run?

Each series runs in a fresh process of its own and calls
``simulate_dipole(net, ..., engine=ENGINE)`` again and again on the network of
tests/data/evoked_sigma0_mesh10x10.json (the default network with the reference
example's three evoked drives) at a given mesh. After every run the process
collects garbage and reads its resident memory (RSS, /proc/self/statm); it also
reads what glibc's malloc has handed out (``mallinfo2``: in use, and the free
memory it keeps) and the size of Python's heap (tracemalloc is not used: it
would slow the runs down and change what it measures).

Printed per series: the slope of RSS over runs 5 to the end (least squares, MB
per run) with its 95 % confidence interval, and the same for malloc's bytes in
use. The target is a slope under 0.05 MB per run. Short series use a short
tstop: what a run leaves behind comes from building the model, not its length.

    python benchmarks/bench_memory.py                # every series below
    python benchmarks/bench_memory.py --quick        # fewer runs, to try it
    python benchmarks/bench_memory.py --series 3x3-coreneuron

Run it with ``nice``; the whole set takes about 20 minutes on one core.
"""
import argparse
import ctypes
import gc
import json
import os
import os.path as op
import subprocess
import sys
import time

HERE = op.dirname(op.abspath(__file__))

# name: (mesh, engine, number of runs, tstop in ms, what is recorded besides
# the dipole: None, 'vsec' (record_vsec='all') or 'arrays' (two electrode
# arrays of 25 contacts, point- and line-source))
SERIES = {
    '3x3-coreneuron': (3, 'coreneuron', 100, 70., None),
    '3x3-neuron': (3, 'neuron', 100, 70., None),
    '10x10-coreneuron': (10, 'coreneuron', 40, 25., None),
    '10x10-neuron': (10, 'neuron', 40, 25., None),
    '3x3-coreneuron-vsec-all': (3, 'coreneuron', 100, 70., 'vsec'),
    '3x3-coreneuron-arrays': (3, 'coreneuron', 100, 70., 'arrays'),
    '3x3-neuron-arrays': (3, 'neuron', 100, 70., 'arrays'),
}
EXTRA = {None: '', 'vsec': ' with record_vsec=all', 'arrays': ' with two arrays'}
FIRST = 5  # runs before this one fill caches and are left out of the fit


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks',
        'uordblks', 'fordblks', 'keepcost')]


def _malloc_info():
    """(bytes in use, free bytes kept) by glibc's malloc; (nan, nan) elsewhere."""
    try:
        mallinfo2 = ctypes.CDLL('libc.so.6').mallinfo2
    except (OSError, AttributeError):
        return float('nan'), float('nan')
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd, info.fordblks


def _rss_mb():
    with open('/proc/self/statm') as fid:
        pages = int(fid.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') / 1e6


def _child(name):
    """One series in this process; prints one JSON line per run."""
    sys.path.insert(0, HERE)
    from _common import network_from_config
    from hnn_core import simulate_dipole
    mesh, engine, n_runs, tstop, extra = SERIES[name]
    net, _ = network_from_config(mesh_shape=(mesh, mesh))
    if extra == 'arrays':
        shank = [(1., 1., z) for z in range(-325, 2150, 100)]
        net.add_electrode_array('shank_psa', shank, method='psa')
        net.add_electrode_array('shank_lsa', shank, method='lsa')
    for run in range(n_runs):
        start = time.perf_counter()
        simulate_dipole(net, tstop=tstop, engine=engine, verbose=False,
                        record_vsec='all' if extra == 'vsec' else False)
        seconds = time.perf_counter() - start
        gc.collect()
        in_use, kept = _malloc_info()
        print(json.dumps({'run': run, 'rss': _rss_mb(), 'malloc': in_use / 1e6,
                          'malloc_free': kept / 1e6, 'seconds': seconds}),
              flush=True)


def slope_ci(y):
    """Least-squares slope of y over its index, and its 95 % confidence interval."""
    import numpy as np
    from scipy import stats
    y = np.asarray(y, float)
    x = np.arange(len(y), dtype=float)
    fit = stats.linregress(x, y)
    half = stats.t.ppf(0.975, len(y) - 2) * fit.stderr
    return fit.slope, fit.slope - half, fit.slope + half


def main():
    sys.path.insert(0, HERE)
    from _common import cpu_description
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--series', choices=list(SERIES), action='append')
    parser.add_argument('--quick', action='store_true',
                        help='a fifth of the runs (at least 12), to try the script')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--runs', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.runs:
            mesh, engine, _, tstop, extra = SERIES[args.child]
            SERIES[args.child] = (mesh, engine, args.runs, tstop, extra)
        _child(args.child)
        return
    import hnn_core  # noqa: F401 - first, so that NEURON starts without its GUI
    import neuron
    print(cpu_description())
    print(f'NEURON {neuron.__version__}, Python {sys.version.split()[0]}')
    print(f'slopes over runs {FIRST} to the end, MB per run (95 % CI); target < 0.05')
    for name in args.series or list(SERIES):
        mesh, engine, n_runs, tstop, extra = SERIES[name]
        if args.quick:
            n_runs = max(12, n_runs // 5)
        cmd = [sys.executable, op.abspath(__file__), '--child', name,
               '--runs', str(n_runs)]
        out = subprocess.run(cmd, capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_NUM_THREADS='1',
                                      OMP_NUM_THREADS='1', MKL_NUM_THREADS='1'))
        if out.returncode != 0:
            raise RuntimeError(f'{name} failed:\n{out.stderr[-3000:]}')
        runs = [json.loads(line) for line in out.stdout.splitlines()
                if line.startswith('{')]
        rss = [r['rss'] for r in runs][FIRST:]
        used = [r['malloc'] for r in runs][FIRST:]
        s, lo, hi = slope_ci(rss)
        m, mlo, mhi = slope_ci(used)
        seconds = sum(r['seconds'] for r in runs) / len(runs)
        print(f'{name:24s} {len(runs)} runs of {tstop:g} ms'
              f'{EXTRA[extra]} ({seconds:.1f} s each): '
              f'RSS {runs[0]["rss"]:.1f} -> {runs[-1]["rss"]:.1f} MB, slope '
              f'{s:+.4f} [{lo:+.4f}, {hi:+.4f}]; malloc in use slope '
              f'{m:+.4f} [{mlo:+.4f}, {mhi:+.4f}] MB/run', flush=True)


if __name__ == '__main__':
    main()
