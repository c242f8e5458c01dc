"""Start-up as a user sees it: the time from typing a command to its end.

Each command runs as a fresh process, first cold (the page cache dropped, so
the interpreter, NEURON and the mechanism libraries come from disk; needs root,
skipped otherwise) and then warm (run again at once), with the wall time, CPU
time of the process and its children:

* ``import``: ``python -c "import hnn_core"`` (and the oracle's, with ``--oracle``);
* ``tiny``: ``hnn-core simulate --mesh 1 1 --tstop 1`` (everything but the
  simulation: interpreter, imports, mechanism loading, building, writing files);
* ``default``: ``hnn-core simulate`` (HNN's evoked response: one trial of the
  default network; on every core with the default ``--backend auto``);
* ``serial``: the same with ``--backend serial`` (one core).

    python benchmarks/bench_startup.py [--repeats N] [--oracle PYTHON]
"""
import argparse
import os
import os.path as op
import resource
import subprocess
import sys
import tempfile
import time

HERE = op.dirname(op.abspath(__file__))


def _drop_caches():
    try:
        os.sync()
        with open('/proc/sys/vm/drop_caches', 'w') as fid:
            fid.write('3\n')
        return True
    except OSError:
        return False


def _timed(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-2000:]}')
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3, help='warm runs per command')
    parser.add_argument('--oracle', metavar='PYTHON',
                        help="the oracle's Python, to time its import too")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    from _common import cpu_description, load_average
    print(cpu_description())
    print(f'load average (1/5/15 min) before: {load_average()}', flush=True)
    cli = op.join(op.dirname(sys.executable), 'hnn-core')
    commands = {'import': [sys.executable, '-c', 'import hnn_core']}
    if args.oracle:
        commands['import (oracle)'] = [args.oracle, '-c', 'import hnn_core']
    commands.update({
        'tiny': [cli, 'simulate', '--mesh', '1', '1', '--tstop', '1', '--quiet'],
        'default': [cli, 'simulate', '--quiet'],
        'serial': [cli, 'simulate', '--quiet', '--backend', 'serial']})
    can_drop = _drop_caches()
    if not can_drop:
        print('cannot drop the page cache (not root): cold runs are left out')
    print(f'{"command":<16} {"cold wall":>10} {"warm wall (median, range)":>28} '
          f'{"warm CPU":>9}')
    with tempfile.TemporaryDirectory() as cwd:
        for name, cmd in commands.items():
            cold = '-'
            if can_drop:
                _drop_caches()
                cold = f'{_timed(cmd, cwd)[0]:.2f} s'
            warm = sorted(_timed(cmd, cwd) for _ in range(args.repeats))
            walls = [w for w, _ in warm]
            mid = warm[len(warm) // 2]
            print(f'{name:<16} {cold:>10} {mid[0]:>12.2f} s ({min(walls):.2f}-'
                  f'{max(walls):.2f} s) {mid[1]:>7.2f} s', flush=True)
    print(f'load average (1/5/15 min) after: {load_average()}')


if __name__ == '__main__':
    main()
