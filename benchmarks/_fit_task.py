"""One fit of the evoked-response example, run by either implementation.

The task is that of hnn-core 0.6.1's example ``examples/howto/optimize_evoked.py``:
``neymotin_2020_model()`` without drives; ``set_params`` adds the example's three
evoked drives (evprox1, evdist1, evprox2; one drive cell each, not cell specific),
evprox2's ``mu``, ``sigma`` and AMPA weight onto the L5 pyramidal cells taken from
the parameters; the target is the example's MEG dipole
(``yes_trial_S1_ERP_all_avg.txt``), ``tstop`` its last time, and the fit is
``fit(target=..., n_trials=1, scale_factor=3000, smooth_window_len=30)``.

Only the public API is used (``neymotin_2020_model``, ``read_dipole``,
``simulate_dipole``, ``hnn_core.optimization.Optimizer``), so the same script runs
with our interpreter and with the oracle's (hnn-core 0.6.1); ``--side`` names which
one runs it, for the differences the two need:

* the oracle's CMA-ES gets ``n_jobs=2`` (its batches run on joblib jobs; without it,
  one candidate after another); ours gets nothing extra (it uses every core);
* how many simulations a ``max_iter`` means is the caller's business (see
  bench_fit.py).

Simulations are counted by ``set_params``: every call appends the process id and
the network's ``id`` to a file, in whichever process makes the call (CMA-ES batches
of the oracle call it in joblib's workers). A call that built ``opt.net_`` (0.6.1
calls ``set_params`` once more after the search to make it) is recognised as the
last call of this process, on the very object ``opt.net_``, which was never
simulated (``cell_response`` is None), and is not counted.

    python benchmarks/_fit_task.py --side ours --solver cobyla --max-iter 48 --out f.json
    python benchmarks/_fit_task.py --plain --side ours --out f.json

``--plain`` times one ``simulate_dipole`` trial of the network with the initial
parameters instead (what one candidate costs without any optimiser).

Written to ``--out`` (JSON): solver, side, max_iter, the fit's wall time (s), the
simulations counted, the machine's busy CPU time during the fit (core-seconds, from
/proc/stat), the objective values (``obj_``, its last value and minimum,
and, where the implementation exposes it, every value computed), ``opt_params_``,
the number of cores the side uses, and the versions of hnn_core and NEURON.
"""
import argparse
import json
import os
import os.path as op
import time

HERE = op.dirname(op.abspath(__file__))
REPO_ROOT = op.abspath(op.join(HERE, '..'))
TARGET = op.join(REPO_ROOT, '..', 'shared', 'data', 'yes_trial_S1_ERP_all_avg.txt')

CONSTRAINTS = {'evprox2_ampa_L5_pyramidal': (0.01, 1.0),
               'evprox2_mu': (100., 150.),
               'evprox2_sigma': (1., 20.)}
INITIAL_PARAMS = {'evprox2_ampa_L5_pyramidal': 0.1,
                  'evprox2_mu': 120.,
                  'evprox2_sigma': 1.}
SCALE_FACTOR = 3000
SMOOTH_WINDOW = 30  # ms
SOLVERS = ('cobyla', 'cma', 'bayesian')

# the example's drives (weights in uS, delays and times in ms)
_DELAYS_PROX = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1., 'L5_pyramidal': 1.}
_EVPROX1 = dict(mu=26.61, sigma=2.47, numspikes=1, location='proximal',
                weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                              'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
                synaptic_delays=_DELAYS_PROX, n_drive_cells=1, cell_specific=False)
_EVDIST1 = dict(mu=63.53, sigma=3.85, numspikes=1, location='distal',
                weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': .000007,
                              'L5_pyramidal': 0.142300},
                weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                              'L5_pyramidal': 0.080074},
                synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                                 'L5_pyramidal': 0.1},
                n_drive_cells=1, cell_specific=False)
_EVPROX2_AMPA = {'L2_basket': 0.000003, 'L2_pyramidal': 1.438840, 'L5_basket': 0.008958}

# set_params finds the call log through the environment, which every process the
# fit starts inherits (a module global would not survive a pickled trip to a worker)
_LOG_ENV = 'HNN_BENCH_FIT_CALL_LOG'


def add_drives(net, params):
    """Add the example's three evoked drives, evprox2 set by ``params``."""
    net.add_evoked_drive('evprox1', **_EVPROX1)
    net.add_evoked_drive('evdist1', **_EVDIST1)
    weights = dict(_EVPROX2_AMPA, L5_pyramidal=float(params['evprox2_ampa_L5_pyramidal']))
    net.add_evoked_drive('evprox2', mu=float(params['evprox2_mu']),
                         sigma=float(params['evprox2_sigma']), numspikes=1,
                         location='proximal', weights_ampa=weights,
                         synaptic_delays=_DELAYS_PROX, n_drive_cells=1,
                         cell_specific=False)


def set_params(net, params):
    """The optimiser's ``set_params``: log the call, then add the drives."""
    log = os.environ.get(_LOG_ENV)
    if log:
        # one short append per call: atomic enough between processes
        with open(log, 'a') as fid:
            fid.write(f'{os.getpid()} {id(net)}\n')
    add_drives(net, params)


def _versions():
    import hnn_core
    import neuron
    return {'hnn_core': hnn_core.__version__, 'neuron': neuron.__version__,
            'hnn_core_path': op.dirname(hnn_core.__file__)}


def _rmse_to_target(dpl, target, tstop):
    """RMSE of a scaled and smoothed dipole against the target, both implementations alike.

    Each series is cut before its sample nearest to ``tstop``; the simulated one
    (sampled every dt) is then Fourier-resampled onto as many samples as the
    target's, which is how 0.6.1's objective compares them.
    """
    import numpy as np
    from scipy.signal import resample

    def head(d):
        return np.asarray(d.data['agg'])[:np.argmin(np.abs(np.asarray(d.times) - tstop))]

    exp = head(target)
    sim = resample(head(dpl), len(exp))
    return float(np.sqrt(np.mean((sim - exp) ** 2)))


class _ObjectiveRecorder:
    """Every objective value the implementation computes, where it can be seen.

    0.6.1 computes each candidate's RMSE in this process with
    ``objective_functions._rmse`` (also for CMA-ES batches, whose dipoles come back
    from the workers); wrapping it records them. An implementation without that
    name records nothing here (``values`` stays None).
    """

    def __init__(self):
        self.values = None
        try:
            from hnn_core.optimization import objective_functions as module
        except ImportError:
            return
        original = getattr(module, '_rmse', None)
        if original is None:
            return
        self.values = []

        def recorded(*args, **kwargs):
            value = original(*args, **kwargs)
            self.values.append(float(value))
            return value

        module._rmse = recorded


def _count_simulations(log, opt):
    """(simulations, calls of set_params, whether the last call built ``opt.net_``)."""
    with open(log) as fid:
        calls = [tuple(int(v) for v in line.split()) for line in fid if line.strip()]
    built_net = bool(
        calls and opt.net_ is not None
        and calls[-1] == (os.getpid(), id(opt.net_))
        and getattr(opt.net_, 'cell_response', None) is None)
    return len(calls) - built_net, len(calls), built_net


def _busy_cpu_seconds():
    """CPU time (s) the whole machine has spent busy since boot, from /proc/stat.

    Read around the fit, it gives the core-seconds the fit kept busy whatever
    processes it runs in (other load on the machine included).
    """
    try:
        with open('/proc/stat') as fid:
            fields = [int(v) for v in fid.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf('SC_CLK_TCK')


def _floats(values):
    import numpy as np
    return [float(v) for v in np.ravel(np.asarray(values, dtype=float))]


def fit(args):
    import tempfile
    import numpy as np
    from hnn_core import neymotin_2020_model, read_dipole
    from hnn_core.optimization import Optimizer

    target = read_dipole(args.target)
    tstop = float(target.times[-1])
    net = neymotin_2020_model()
    opt = Optimizer(net, tstop=tstop, constraints=CONSTRAINTS, set_params=set_params,
                    initial_params=dict(INITIAL_PARAMS), solver=args.solver,
                    max_iter=args.max_iter)
    kwargs = dict(target=target, n_trials=1, scale_factor=SCALE_FACTOR,
                  smooth_window_len=SMOOTH_WINDOW)
    n_cores = len(os.sched_getaffinity(0))
    if args.solver == 'cma':
        kwargs.update(popsize=args.popsize, seed=args.cma_seed)
        if args.side == 'oracle':
            kwargs['n_jobs'] = n_cores
    cores_used = n_cores if (args.side == 'ours' or args.solver == 'cma') else 1
    recorder = _ObjectiveRecorder()
    # 0.6.1's Bayesian search draws its candidates from numpy's global generator
    np.random.seed(args.np_seed)
    fd, log = tempfile.mkstemp(prefix='bench_fit_calls_', suffix='.txt')
    os.close(fd)
    os.environ[_LOG_ENV] = log
    try:
        busy = _busy_cpu_seconds()
        start = time.perf_counter()
        opt.fit(**kwargs)
        wall = time.perf_counter() - start
        if busy is not None:
            busy = _busy_cpu_seconds() - busy
        n_sims, n_calls, built_net = _count_simulations(log, opt)
    finally:
        os.environ.pop(_LOG_ENV, None)
        os.remove(log)
    obj = _floats(opt.obj_)
    seen = recorder.values
    result = dict(
        task='optimize_evoked', side=args.side, solver=args.solver,
        max_iter=args.max_iter, fit_kwargs={k: v for k, v in kwargs.items()
                                            if k != 'target'},
        np_seed=args.np_seed, tstop=tstop, wall=wall, cores_used=cores_used,
        busy_cpu_s=busy,
        n_simulations=n_sims, n_set_params_calls=n_calls,
        net_built_by_set_params=built_net,
        obj=obj, obj_last=obj[-1] if obj else None, obj_min=min(obj) if obj else None,
        obj_seen=seen, obj_seen_min=min(seen) if seen else None,
        n_obj_seen=len(seen) if seen is not None else None,
        opt_params=_floats(opt.opt_params_), param_names=list(CONSTRAINTS),
        **_versions())
    best = [v for v in (result['obj_seen_min'], result['obj_min']) if v is not None]
    result['best_rmse'] = min(best) if best else None
    if args.rescore:
        from hnn_core import simulate_dipole
        start = time.perf_counter()
        dpl = simulate_dipole(opt.net_, tstop=tstop, n_trials=1, verbose=False)[0]
        dpl.scale(SCALE_FACTOR).smooth(SMOOTH_WINDOW)
        result['rescored_rmse'] = _rmse_to_target(dpl, target, tstop)
        result['rescore_wall'] = time.perf_counter() - start
    return result


def plain(args):
    """One trial of the network with the initial parameters, timed."""
    from hnn_core import neymotin_2020_model, read_dipole, simulate_dipole
    target = read_dipole(args.target)
    tstop = float(target.times[-1])
    net = neymotin_2020_model()
    add_drives(net, INITIAL_PARAMS)
    start = time.perf_counter()
    dpl = simulate_dipole(net, tstop=tstop, n_trials=1, verbose=False)[0]
    wall = time.perf_counter() - start
    dpl.scale(SCALE_FACTOR).smooth(SMOOTH_WINDOW)
    return dict(task='plain_trial', side=args.side, wall=wall, tstop=tstop,
                cores=len(os.sched_getaffinity(0)),
                rmse_initial=_rmse_to_target(dpl, target, tstop), **_versions())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--side', required=True, choices=('ours', 'oracle'))
    parser.add_argument('--solver', choices=SOLVERS)
    parser.add_argument('--max-iter', type=int)
    parser.add_argument('--popsize', type=int, default=8, help='CMA-ES population')
    parser.add_argument('--cma-seed', type=int, default=123, help="fit(seed=...) of CMA-ES")
    parser.add_argument('--np-seed', type=int, default=0,
                        help="numpy's global seed, set before the fit")
    parser.add_argument('--target', default=TARGET, help='the target dipole file')
    parser.add_argument('--rescore', action='store_true',
                        help='after the fit, simulate opt.net_ once and compute its RMSE '
                             'here (not timed)')
    parser.add_argument('--plain', action='store_true',
                        help='time one plain trial with the initial parameters instead')
    parser.add_argument('--out', required=True, help='JSON file to write')
    args = parser.parse_args()
    if args.plain:
        result = plain(args)
    else:
        if args.solver is None or args.max_iter is None:
            parser.error('--solver and --max-iter are required unless --plain')
        if args.max_iter < 1:
            parser.error(f'--max-iter must be at least 1, got {args.max_iter}')
        result = fit(args)
    with open(args.out, 'w') as fid:
        json.dump(result, fid, indent=1)


if __name__ == '__main__':
    main()
