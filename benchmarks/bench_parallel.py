"""How well trials and ranks use the cores: Joblib jobs and MPI ranks.

Runs the benchmark network (tests/data/evoked_sigma0_mesh10x10.json: 270 cells,
170 ms) and prints wall times of

* 4 trials with JoblibBackend(n_jobs=1), (n_jobs=2) and with the default
  settings (no backend: two joblib jobs on two cores),
* 1 trial in one process, with MPIBackend(n_procs=2), and with the default
  settings (no backend: simulate_dipole chooses, every core as MPI ranks),
* the machine's two-core ceiling, measured in the same run: one process running
  two trials alone, then two such processes at once (throughput of two / one);
  two trials per process is the load of each job when 4 trials run on 2 jobs.

The parallel speed-ups are reported as a fraction of that ceiling (this machine's
two cores do not give 2x even to independent processes).

    python benchmarks/bench_parallel.py [--repeats N]
"""
import argparse
import os
import subprocess
import sys
import time

from _common import network_from_config, HERE


def _trials_process():
    """Child mode: two serial trials in this process."""
    from hnn_core import simulate_dipole, JoblibBackend
    net, cfg = network_from_config()
    # explicitly serial: by default two trials would take both cores
    with JoblibBackend(1, _verbose=False):
        simulate_dipole(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=2,
                        verbose=False)


def _spawn():
    return subprocess.Popen([sys.executable, os.path.join(HERE, 'bench_parallel.py'),
                             '--child'], stdout=subprocess.DEVNULL)


def ceiling():
    """(wall time alone, wall time of two at once, throughput ratio).

    Whole processes are timed, start-up included, as a joblib worker's would be.
    """
    start = time.perf_counter()
    _spawn().wait()
    alone = time.perf_counter() - start
    start = time.perf_counter()
    procs = [_spawn(), _spawn()]
    for p in procs:
        p.wait()
    pair = time.perf_counter() - start
    return alone, pair, 2 * alone / pair


def timed(backend, n_trials):
    from hnn_core import simulate_dipole
    net, cfg = network_from_config()
    start = time.perf_counter()
    with backend:
        simulate_dipole(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=n_trials,
                        verbose=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=1,
                        help='repeat each measurement, report the median')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _trials_process()

    import contextlib
    import io
    import numpy as np
    from hnn_core import JoblibBackend, MPIBackend
    from _common import cpu_description, load_average
    print(cpu_description(), flush=True)
    print(f'load average (1/5/15 min) before: {load_average()}', flush=True)
    from hnn_core.engine import compile_mechanisms
    compile_mechanisms()

    def quiet(make):
        with contextlib.redirect_stdout(io.StringIO()):
            return make()

    rows = {'ceiling': [], 'joblib1': [], 'joblib2': [], 'serial1': [], 'mpi2': [],
            'default1': [], 'default4': []}
    for _ in range(args.repeats):
        rows['ceiling'].append(ceiling())
        rows['joblib1'].append(timed(quiet(lambda: JoblibBackend(1)), 4))
        rows['joblib2'].append(timed(quiet(lambda: JoblibBackend(2)), 4))
        rows['serial1'].append(timed(quiet(lambda: JoblibBackend(1)), 1))
        rows['mpi2'].append(timed(quiet(lambda: MPIBackend(n_procs=2)), 1))
        rows['default1'].append(timed(contextlib.nullcontext(), 1))
        rows['default4'].append(timed(contextlib.nullcontext(), 4))
    print(f'load average (1/5/15 min) after: {load_average()}')
    med = {k: np.median(np.array(v), axis=0) for k, v in rows.items()}
    alone, pair, ceil = med['ceiling']
    joblib_speedup = med['joblib1'] / med['joblib2']
    mpi_speedup = med['serial1'] / med['mpi2']
    default_speedup = med['serial1'] / med['default1']
    default4_speedup = med['joblib1'] / med['default4']
    print(f'benchmark network: 270 cells, 170 ms, dt 0.025 ms; median of {args.repeats}')
    print(f'two-core ceiling: one 2-trial process alone {alone:.2f} s, two at once '
          f'{pair:.2f} s -> {ceil:.2f}x the throughput of one')
    print(f'4 trials, JoblibBackend(1): {med["joblib1"]:.2f} s; JoblibBackend(2): '
          f'{med["joblib2"]:.2f} s -> {joblib_speedup:.2f}x = '
          f'{100 * joblib_speedup / ceil:.0f}% of the ceiling (required 95%)')
    print(f'4 trials, default settings: {med["default4"]:.2f} s -> '
          f'{default4_speedup:.2f}x = {100 * default4_speedup / ceil:.0f}% of the '
          'ceiling (required 95%)')
    print(f'1 trial, one process: {med["serial1"]:.2f} s; MPIBackend(2): '
          f'{med["mpi2"]:.2f} s -> {mpi_speedup:.2f}x = '
          f'{100 * mpi_speedup / ceil:.0f}% of the ceiling (required 70%, goal 85%)')
    print(f'1 trial, default settings: {med["default1"]:.2f} s -> '
          f'{default_speedup:.2f}x = {100 * default_speedup / ceil:.0f}% of the '
          'ceiling (required 85%)')


if __name__ == '__main__':
    main()
