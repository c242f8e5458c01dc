"""Fitting an evoked response: hnn-core 0.6.1's optimiser against ours, side by side.

The task is hnn-core 0.6.1's example ``examples/howto/optimize_evoked.py`` (see
benchmarks/_fit_task.py): evprox2's ``mu``, ``sigma`` and AMPA weight onto the L5
pyramidal cells fitted to the MEG dipole ``yes_trial_S1_ERP_all_avg.txt`` (in the
shared data folder, ../shared/data next to the repository), one trial per candidate,
the default 10 x 10 network, 170 ms. For each solver the oracle's fit and ours run
one after the other in fresh processes on this machine, each with the same budget of
simulations (``--simulations``, 48 by default). What ``max_iter`` gives that budget
differs by solver and by side:

============  ==============================  ====================================
solver        oracle (hnn-core 0.6.1)         ours
============  ==============================  ====================================
``cobyla``    ``max_iter = N`` (calls, x0     ``max_iter = N``
              included)
``cma``       ``max_iter = N / popsize``      ``max_iter = N / popsize``
              (generations), ``n_jobs`` =
              the cores
``bayesian``  ``max_iter = N - 1`` (x0 is     ``max_iter = N`` (x0 counted within
              evaluated, then max_iter more)  max_iter)
============  ==============================  ====================================

CMA-ES runs with ``popsize=8`` (``--popsize``) and ``seed=123``; numpy's global
generator is seeded (0) before every fit, since 0.6.1's Bayesian search draws from
it. The oracle's COBYLA and Bayesian searches simulate one candidate at a time in
one process (one core); its CMA-ES runs each generation on joblib jobs; ours uses
every core by itself.

Printed: the CPU and its vector flags, the load average before and after, and per
solver: the fit's wall time on each side and their ratio (oracle / ours; goal at
least 3.5), the best RMSE each side found (goal: ours no larger than the oracle's),
the simulations counted (calls of ``set_params`` that were simulated), the fitted
parameters. Then what a candidate costs beyond a plain trial: one
``simulate_dipole`` trial of the same network (initial parameters) is timed in a
fresh process on one core, and compared with wall time x cores used / simulations
of each fit ("cores used": all of them for ours, ``n_jobs`` for the oracle's
CMA-ES, one for its other solvers), and with the machine's busy CPU time during
the fit / simulations (/proc/stat: what the fit actually kept busy, so a core left
idle, e.g. by a search that proposes one candidate at a time, does not count).

    python benchmarks/bench_fit.py [--solvers cobyla cma bayesian] [--simulations 48]
        [--oracle PYTHON] [--sides oracle ours] [--rescore] [--out FILE]

``--oracle`` defaults to the interpreter printed by ``bash ../shared/oracle/setup.sh``
(run from the repository's parent folder). ``--rescore`` simulates each side's
``opt.net_`` once more after its fit (not timed) and computes its RMSE the same way
on both sides. ``--out FILE`` writes every measurement as JSON (``.json``) or the
printed report (any other name). The children's output goes to ``--logdir``.
"""
import argparse
import json
import os
import os.path as op
import subprocess
import sys
import tempfile
import time

HERE = op.dirname(op.abspath(__file__))
REPO_ROOT = op.abspath(op.join(HERE, '..'))
TASK = op.join(HERE, '_fit_task.py')
ORACLE_SETUP = op.join(REPO_ROOT, '..', 'shared', 'oracle', 'setup.sh')
sys.path.insert(0, HERE)
from bench_trial import ONE_CORE, ONE_THREAD  # noqa: E402
from _common import cpu_description, load_average  # noqa: E402

SOLVERS = ('cobyla', 'cma', 'bayesian')
SIDES = ('oracle', 'ours')
SPEED_GOAL = 3.5


def max_iter(side, solver, n_sims, popsize):
    """The ``max_iter`` that makes ``n_sims`` simulations on that side (see above)."""
    if solver == 'cma':
        if n_sims % popsize:
            raise ValueError(f'--simulations ({n_sims}) must be a multiple of '
                             f'--popsize ({popsize}) for cma')
        return n_sims // popsize
    if solver == 'bayesian' and side == 'oracle':
        return n_sims - 1
    return n_sims


def _oracle_python():
    out = subprocess.run(['bash', ORACLE_SETUP], capture_output=True, text=True,
                         cwd=op.join(REPO_ROOT, '..'))
    if out.returncode != 0:
        raise RuntimeError(f'{ORACLE_SETUP} failed:\n{out.stderr[-3000:]}')
    return out.stdout.strip().splitlines()[-1]


def _run_task(python, task_args, log, one_core=False):
    """Run _fit_task.py in a fresh process; its JSON, or {'error': ...}."""
    fd, out = tempfile.mkstemp(prefix='bench_fit_', suffix='.json')
    os.close(fd)
    cmd = [python, TASK, *task_args, '--out', out]
    env = None
    if one_core:
        cmd = ONE_CORE + cmd
        env = dict(os.environ, **ONE_THREAD)
    try:
        start = time.perf_counter()
        with open(log, 'w') as fid:
            code = subprocess.run(cmd, stdout=fid, stderr=subprocess.STDOUT,
                                  env=env).returncode
        elapsed = time.perf_counter() - start
        if code != 0:
            with open(log) as fid:
                tail = fid.read()[-1500:]
            return {'error': f'exit code {code} (log {log}):\n{tail}',
                    'process_wall': elapsed}
        with open(out) as fid:
            result = json.load(fid)
        result['process_wall'] = elapsed
        return result
    finally:
        os.remove(out)


class _Report:
    """Print lines as they come and keep them for ``--out``."""

    def __init__(self):
        self.lines = []

    def __call__(self, line=''):
        print(line, flush=True)
        self.lines.append(line)


def _fmt_params(r):
    return '[' + ', '.join(f'{v:.4g}' for v in r['opt_params']) + ']'


def _report_solver(say, solver, res, plain):
    say(f'{solver}:')
    for side in SIDES:
        r = res.get(side)
        if r is None:
            continue
        if 'error' in r:
            say(f'  {side:<6} failed: {r["error"].strip().splitlines()[-1]}')
            continue
        rescored = (f', rescored {r["rescored_rmse"]:.4f}' if 'rescored_rmse' in r
                    else '')
        say(f'  {side:<6} wall {r["wall"]:8.1f} s  max_iter {r["max_iter"]:>3}  '
            f'{r["n_simulations"]:>3} simulations on {r["cores_used"]} core(s)  '
            f'best RMSE {r["best_rmse"]:.4f} (obj_[-1] {r["obj_last"]:.4f}{rescored})  '
            f'params {_fmt_params(r)}')
        n = r['n_simulations']
        if not n:
            continue
        per = r['wall'] * r['cores_used'] / n
        line = (f'  {"":<6} per simulation: {r["wall"] / n:.2f} s wall, {per:.2f} core-s '
                f'on {r["cores_used"]} core(s)')
        busy = r.get('busy_cpu_s')
        if busy is not None:
            line += (f'; {busy / n:.2f} busy core-s (the machine busy {busy / r["wall"]:.2f}'
                     ' cores on average)')
        say(line)
        if side in plain and 'error' not in plain[side]:
            trial = plain[side]['wall']
            line = (f'  {"":<6} plain one-core trial {trial:.2f} s -> a simulation costs '
                    f'{100 * (per / trial - 1):+.0f} % more on the cores used')
            if busy is not None:
                line += f', {100 * (busy / n / trial - 1):+.0f} % in busy CPU time'
            say(line)
    o, u = res.get('oracle'), res.get('ours')
    if o and u and 'error' not in o and 'error' not in u:
        ratio = o['wall'] / u['wall']
        say(f'  oracle / ours wall time: {ratio:.2f}x (goal >= {SPEED_GOAL}: '
            f'{"met" if ratio >= SPEED_GOAL else "NOT met"})')
        better = u['best_rmse'] <= o['best_rmse']
        say(f'  best RMSE ours {u["best_rmse"]:.4f} vs oracle {o["best_rmse"]:.4f} '
            f'(goal ours <= oracle: {"met" if better else "NOT met"})')
        if o['n_simulations'] != u['n_simulations']:
            say(f'  note: the simulation counts differ ({o["n_simulations"]} vs '
                f'{u["n_simulations"]})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--solvers', nargs='+', default=list(SOLVERS), choices=SOLVERS)
    parser.add_argument('--simulations', type=int, default=48,
                        help='budget of simulations per fit (default 48)')
    parser.add_argument('--popsize', type=int, default=8, help='CMA-ES population')
    parser.add_argument('--sides', nargs='+', default=list(SIDES), choices=SIDES,
                        help='which implementations to run (default both)')
    parser.add_argument('--ours-first', action='store_true',
                        help='run our fit before the oracle\'s for each solver')
    parser.add_argument('--oracle', metavar='PYTHON',
                        help="the oracle's interpreter (default: what "
                             "../shared/oracle/setup.sh prints)")
    parser.add_argument('--ours', metavar='PYTHON', default=sys.executable,
                        help='our interpreter (default: the one running this script)')
    parser.add_argument('--rescore', action='store_true',
                        help="simulate each opt.net_ once more and recompute its RMSE")
    parser.add_argument('--no-plain', action='store_true',
                        help='skip timing the plain one-core trial')
    parser.add_argument('--logdir', help="folder for the children's output "
                                         '(default: a new temporary folder)')
    parser.add_argument('--out', help='write the measurements (.json) or the report')
    args = parser.parse_args()
    if args.simulations < 2:
        parser.error(f'--simulations must be at least 2, got {args.simulations}')
    for solver in args.solvers:
        for side in args.sides:
            try:
                max_iter(side, solver, args.simulations, args.popsize)
            except ValueError as err:
                parser.error(str(err))

    pythons = {'ours': args.ours}
    if 'oracle' in args.sides:
        pythons['oracle'] = args.oracle or _oracle_python()
    logdir = args.logdir or tempfile.mkdtemp(prefix='bench_fit_logs_')
    os.makedirs(logdir, exist_ok=True)
    order = [s for s in (SIDES[::-1] if args.ours_first else SIDES) if s in args.sides]

    say = _Report()
    say(cpu_description())
    say(f'{os.cpu_count()} cores; budget {args.simulations} simulations per fit; '
        f'CMA-ES popsize {args.popsize}; logs in {logdir}')
    for side in order:
        say(f'{side}: {pythons[side]}')
    say(f'load average before: {load_average(" ")}')

    plain = {}
    if not args.no_plain:
        for side in order:
            plain[side] = _run_task(pythons[side], ['--plain', '--side', side],
                                    op.join(logdir, f'plain_{side}.log'), one_core=True)
            r = plain[side]
            if 'error' in r:
                say(f'plain trial, {side}: failed: {r["error"].strip().splitlines()[-1]}')
            else:
                say(f'plain trial, {side} (hnn_core {r["hnn_core"]}, NEURON '
                    f'{r["neuron"]}), one core: {r["wall"]:.2f} s; RMSE of the initial '
                    f'parameters {r["rmse_initial"]:.4f}')

    fits = {}
    for solver in args.solvers:
        fits[solver] = {}
        for side in order:
            n_iter = max_iter(side, solver, args.simulations, args.popsize)
            task_args = ['--side', side, '--solver', solver, '--max-iter', str(n_iter),
                         '--popsize', str(args.popsize)]
            if args.rescore:
                task_args.append('--rescore')
            r = _run_task(pythons[side], task_args,
                          op.join(logdir, f'fit_{solver}_{side}.log'))
            fits[solver][side] = r
            if 'error' in r:
                say(f'{solver}, {side}: failed after {r["process_wall"]:.0f} s')
            else:
                say(f'{solver}, {side} (hnn_core {r["hnn_core"]}, NEURON {r["neuron"]}): '
                    f'{r["wall"]:.1f} s, {r["n_simulations"]} simulations, best RMSE '
                    f'{r["best_rmse"]:.4f}')
    say(f'load average after: {load_average(" ")}')
    say()
    for solver in args.solvers:
        _report_solver(say, solver, fits[solver], plain)

    if args.out:
        with open(args.out, 'w') as fid:
            if args.out.endswith('.json'):
                json.dump({'cpu': cpu_description(), 'simulations': args.simulations,
                           'popsize': args.popsize, 'pythons': pythons,
                           'plain': plain, 'fits': fits, 'report': say.lines},
                          fid, indent=1)
            else:
                fid.write('\n'.join(say.lines) + '\n')


if __name__ == '__main__':
    main()
