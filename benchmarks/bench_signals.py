"""How fast a signal ends a parallel run: every worker or rank gone, nothing left.

A child Python runs two trials of the tests' small network (3x3 grid, one
evoked drive) on JoblibBackend(n_jobs=2) (on loky, joblib's default, and on its
multiprocessing backend) or MPIBackend(n_procs=2), silently, with a private
TMPDIR. Once both workers (loky or forked processes, or MPI ranks) have
simulated for a while, the child gets SIGTERM (as from `timeout` or a batch
scheduler) or SIGINT (Ctrl-C). The time reported is from the signal until the
child and every process of its run (found by an environment marker, whoever
their parent is by then) have ended; the run also counts as clean only if its
TMPDIR is empty and the child ended as the signal ends a process. With
``--stuck``, one MPI rank is stopped (SIGSTOP) before the SIGINT, as a rank
that never answers.

    python benchmarks/bench_signals.py [--repeats N] [--stuck]

The machinery is the tests' (tests/test_backends.py::signal_during_run).
"""
import argparse
import os
import signal
import sys
import tempfile

from _common import HERE, cpu_description

sys.path.insert(0, os.path.join(HERE, '..', 'tests'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3,
                        help='signalled runs per case; median and range reported')
    parser.add_argument('--stuck', action='store_true',
                        help='also SIGINT an MPI run with one rank stopped')
    parser.add_argument('--timeout', type=float, default=60.,
                        help='seconds to wait for the run to end after the signal')
    args = parser.parse_args()

    import numpy as np
    from test_backends import signal_during_run
    from hnn_core.engine import compile_mechanisms
    print(cpu_description(), flush=True)
    compile_mechanisms()

    cases = [(kind, sig, False) for kind in ('joblib', 'multiprocessing', 'mpi')
             for sig in (signal.SIGTERM, signal.SIGINT)]
    if args.stuck:
        cases.append(('mpi', signal.SIGINT, True))
    print(f'small network (3x3), 2 trials, 2 jobs / 2 ranks; {args.repeats} runs each')
    for kind, sig, stuck in cases:
        times, notes = [], set()
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory(prefix='bench_signals_') as workdir:
                elapsed, survivors, returncode, stderr, left = signal_during_run(
                    kind, sig, workdir, stop_worker=stuck, timeout=args.timeout)
            if elapsed is None:
                notes.add(f'{len(survivors)} process(es) still ran after '
                          f'{args.timeout:.0f} s')
            else:
                times.append(elapsed)
            if left:
                notes.add(f'left in TMPDIR: {left}')
            notes.add(f'exit status {returncode}')
        label = {'joblib': 'JoblibBackend(2) loky', 'mpi': 'MPIBackend(2)',
                 'multiprocessing': 'JoblibBackend(2) multiprocessing'}[kind]
        label += f' {signal.Signals(sig).name}{" (a rank stopped)" if stuck else ""}'
        spread = (f'median {np.median(times):.2f} s, range {min(times):.2f}-'
                  f'{max(times):.2f} s' if times else 'never')
        print(f'{label:<45} all processes gone: {spread}; {"; ".join(sorted(notes))}',
              flush=True)


if __name__ == '__main__':
    main()
