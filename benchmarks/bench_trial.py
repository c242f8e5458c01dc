"""Time and memory of one trial of the benchmark network, against the oracle.

The benchmark network is tests/data/evoked_sigma0_mesh10x10.json: the default
10 x 10 network (270 cells, 1770 sections, 8770 segments) with the reference
example's three evoked drives, 170 ms at dt = 0.025 ms.

Every measurement runs in a fresh process (so its peak memory is its own) on one
core. Printed per run: build time (NEURON objects), solve time, total wall time of
the simulation call (the plan and the trial), the CPU time the process spent in
it (well below the wall time when something else had the core), and peak
resident memory of the process. The summary gives each side's median with its
spread (lowest and highest of the runs) and the load average before and after,
so that a busy machine shows; ``--scaling`` also prints the time to make the network (cells, the 16
connection rules with all their pairs, drives), which both implementations do
before simulating and neither counts in the total.

    python benchmarks/bench_trial.py [--engine coreneuron|neuron] [--repeats N]
    python benchmarks/bench_trial.py --oracle $(bash ../shared/oracle/setup.sh)
    python benchmarks/bench_trial.py --scaling
    python benchmarks/bench_trial.py --baseline ../baseline [--scaling]

``--baseline DIR`` compares with another checkout of this project (e.g. ``git
worktree add ../baseline <commit>``): its own ``bench_trial.py`` runs with its own
``hnn_core`` (``PYTHONPATH=DIR``), alternating with ours. ``--oracle PYTHON`` runs the same configuration in the established implementation
(hnn-core 0.6.1, through benchmarks/_oracle_trial.py with that interpreter),
alternating with ours, and prints the ratio of the medians. ``--scaling`` runs
grids of 3x3, 5x5, 10x10 and 20x20 pyramidal cells and writes a table and
benchmarks/scaling.png.
"""
import argparse
import json
import os
import os.path as op
import resource
import subprocess
import sys
import time

HERE = op.dirname(op.abspath(__file__))
ONE_CORE = ['taskset', '-c', '0'] if os.path.exists('/usr/bin/taskset') else []


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


def _child(engine, mesh):
    """One trial in this process; prints a JSON line of measurements."""
    sys.path.insert(0, HERE)
    from _common import network_from_config
    from hnn_core.engine import run_trial, compile_mechanisms
    from hnn_core.simulation_plan import make_plan
    compile_mechanisms()
    start = time.perf_counter()
    net, cfg = network_from_config(mesh_shape=mesh)
    model = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    # what simulate_dipole does for one trial, with the engine's own timings
    plan, _ = make_plan(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=1,
                        engine=engine)
    result = run_trial(plan, 0, verbose=False)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({'model': model, 'build': result.timings['build'],
                      'solve': result.timings['solve'], 'total': total, 'cpu': cpu,
                      'rss': _peak_rss_mib(), 'n_cells': net.n_cells,
                      'n_netcons': result.n_netcons,
                      'spikes': int(len(result.spike_times))}))


# One core for everything, so no BLAS or OpenMP worker threads either (they
# would compete with the simulation for the core, in both implementations).
ONE_THREAD = {var: '1' for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',
                                   'MKL_NUM_THREADS')}


def _run(cmd, env=None):
    out = subprocess.run(ONE_CORE + cmd, capture_output=True, text=True,
                         env=dict(os.environ, **ONE_THREAD, **(env or {})))
    if out.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def ours(engine, mesh=None, checkout=None):
    """One trial in a fresh process, of this checkout or of another one."""
    here = HERE if checkout is None else op.join(checkout, 'benchmarks')
    cmd = [sys.executable, op.join(here, 'bench_trial.py'), '--child', '--engine', engine]
    if mesh:
        cmd += ['--mesh', str(mesh[0]), str(mesh[1])]
    env = None if checkout is None else {'PYTHONPATH': op.abspath(checkout)}
    return _run(cmd, env)


def oracle(python):
    return _run([python, op.join(HERE, '_oracle_trial.py')])


def _fmt(m):
    build = f'{m["build"]:6.2f}' if m.get('build') is not None else '     -'
    return (f'build {build} s  solve {m["solve"]:6.2f} s  total {m["total"]:6.2f} s'
            f'  CPU {m["cpu"]:6.2f} s  peak RSS {m["rss"]:6.0f} MiB')


def scaling(engine, baseline=None):
    import numpy as np
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = []
    print(f'{"grid":>6} {"cells":>6} {"NetCons":>8} {"model s":>8} {"build s":>8} '
          f'{"solve s":>8} {"total s":>8} {"RSS MiB":>8}')
    for n in (3, 5, 10, 20):
        m = ours(engine, (n, n))
        rows.append((n, m))
        print(f'{n:>3}x{n:<2} {m["n_cells"]:>6} {m["n_netcons"]:>8} {m["model"]:8.2f} '
              f'{m["build"]:8.2f} {m["solve"]:8.2f} {m["total"]:8.2f} {m["rss"]:8.0f}',
              flush=True)
        if baseline:
            b = ours(engine, (n, n), checkout=baseline)
            model = f'{b["model"]:8.2f}' if 'model' in b else '       -'
            print(f'  (baseline) {b["n_cells"]:>6} {b["n_netcons"]:>8} {model} '
                  f'{b["build"]:8.2f} {b["solve"]:8.2f} {b["total"]:8.2f} '
                  f'{b["rss"]:8.0f}', flush=True)
    size = np.array([m['n_cells'] + m['n_netcons'] for _, m in rows])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    for key in ('build', 'solve', 'total'):
        axes[0].loglog(size, [m[key] for _, m in rows], 'o-', label=key)
    axes[0].loglog(size, size / size[-1] * rows[-1][1]['build'], 'k:', lw=1,
                   label='proportional')
    axes[0].set(xlabel='Cells + connections', ylabel='Time (s)',
                title=f'One 170 ms trial ({engine})')
    axes[0].legend(frameon=False)
    rss = np.array([m['rss'] for _, m in rows])
    axes[1].loglog(size, rss, 'o-', label='peak RSS')
    axes[1].loglog(size, size / size[-1] * rss[-1], 'k:', lw=1, label='proportional')
    axes[1].set(xlabel='Cells + connections', ylabel='Peak memory (MiB)',
                title='Peak resident memory')
    axes[1].legend(frameon=False)
    for (n, m), x in zip(rows, size):
        axes[1].annotate(f'{n}x{n}', (x, m['rss']), textcoords='offset points',
                         xytext=(6, -12), fontsize=8, ha='left')
    fname = op.join(HERE, 'scaling.png')
    fig.savefig(fname, dpi=150)
    print(f'wrote {fname}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', default=None, choices=['coreneuron', 'neuron'],
                        help='simulator engine (default: the fastest available)')
    parser.add_argument('--oracle', metavar='PYTHON',
                        help="the oracle's Python, to compare with it")
    parser.add_argument('--repeats', type=int, default=3,
                        help='alternating runs (pairs with --oracle); medians are '
                             'reported (default: 3)')
    parser.add_argument('--scaling', action='store_true',
                        help='time 3x3, 5x5, 10x10 and 20x20 grids')
    parser.add_argument('--baseline', metavar='DIR',
                        help='another checkout of this project to compare with')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--mesh', type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine is None:
        from hnn_core.engine import available_engines
        args.engine = available_engines()[0]
    if args.child:
        return _child(args.engine, args.mesh)
    sys.path.insert(0, HERE)
    from _common import cpu_description, load_average
    print(cpu_description(), flush=True)
    if args.scaling:
        return scaling(args.engine, args.baseline)

    import numpy as np
    print(f'load average (1/5/15 min) before: {load_average()}', flush=True)
    mine, theirs, before = [], [], []
    for k in range(args.repeats):
        mine.append(ours(args.engine))
        print(f'hnn_core ({args.engine}) run {k + 1}: {_fmt(mine[-1])}', flush=True)
        if args.baseline:
            before.append(ours(args.engine, checkout=args.baseline))
            print(f'baseline ({args.engine}) run {k + 1}: {_fmt(before[-1])}',
                  flush=True)
        if args.oracle:
            theirs.append(oracle(args.oracle))
            print(f'oracle (hnn-core 0.6.1) run {k + 1}: {_fmt(theirs[-1])}', flush=True)
    print(f'load average (1/5/15 min) after: {load_average()}')

    def median(runs, key):
        return float(np.median([r[key] for r in runs]))

    def summary(name, runs):
        totals = [r['total'] for r in runs]
        build = (f', build {median(runs, "build"):.2f} s'
                 if all(r.get('build') is not None for r in runs) else '')
        print(f'median {name}: total {median(runs, "total"):.2f} s (spread '
              f'{min(totals):.2f}-{max(totals):.2f} s), solve '
              f'{median(runs, "solve"):.2f} s{build}, CPU {median(runs, "cpu"):.2f} s, '
              f'peak RSS {median(runs, "rss"):.0f} MiB')
    summary('hnn_core', mine)
    if args.baseline:
        summary('baseline', before)
        print(f'this checkout / baseline (total): '
              f'{median(mine, "total") / median(before, "total"):.3f}')
    if args.oracle:
        summary('oracle  ', theirs)
        print(f'speed-up (oracle total / hnn_core total): '
              f'{median(theirs, "total") / median(mine, "total"):.2f}x on one core; '
              f'CPU-time ratio {median(theirs, "cpu") / median(mine, "cpu"):.2f}x; '
              f'peak memory {median(mine, "rss"):.0f} vs {median(theirs, "rss"):.0f} MiB')

if __name__ == '__main__':
    main()
