"""How well a BatchSimulate sweep uses two cores, against the machine's ceiling.

Sweeps the benchmark network (tests/data/evoked_sigma0_mesh10x10.json: the
default 10 x 10 network with the reference example's three evoked drives,
1 trial of 170 ms per point) over ``--points`` values (default 64) of the
weight of its first proximal drive onto the pyramidal cells (0.9 to 1.1 times
the published one, so that every point costs about the same), with
``run(n_jobs=2)`` and the batches saved to a temporary folder. In the same run:

* the two-core ceiling as ``bench_parallel.py`` measures it (one process
  running two trials alone, then two such processes at once; throughput of two
  over one), before and after the sweep;
* the one-core time of a point: two points of the grid simulated one after the
  other in this process (``run(n_jobs=1)``), before and after the sweep.

The ideal two-core time of the sweep is points x (one-core time of a point) /
ceiling; the efficiency is that ideal over the measured time (required: 90 %).

    python benchmarks/bench_batch.py [--points N]
"""
import argparse
import contextlib
import io
import shutil
import tempfile
import time

import numpy as np

from _common import network_from_config, cpu_description
from bench_parallel import ceiling

SCALE_RANGE = (0.9, 1.1)


def sweep_network():
    """The benchmark network without 'evprox1', and that drive's description."""
    net, cfg = network_from_config()
    spec = next(dict(d) for d in cfg['drives'] if d['name'] == 'evprox1')
    del net.external_drives['evprox1']
    spec.pop('type')
    return net, cfg, spec


def make_set_params(spec):
    def set_params(param_values, net):
        drive = dict(spec)
        weights = dict(drive.pop('weights_ampa'))
        for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
            weights[cell_type] *= param_values['weight_scale']
        net.add_evoked_drive(drive.pop('name'), weights_ampa=weights, **drive)
    return set_params


def timed_sweep(net, cfg, set_params, scales, n_jobs, save_folder=None):
    from hnn_core.batch_simulate import BatchSimulate
    batch = BatchSimulate(set_params, net=net, tstop=cfg['tstop'], dt=cfg['dt'],
                          n_trials=1, save_outputs=save_folder is not None,
                          save_folder=save_folder or './sim_results')
    start = time.perf_counter()
    batch.run({'weight_scale': list(scales)}, n_jobs=n_jobs, verbose=False,
              return_output=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--points', type=int, default=64,
                        help='points of the sweep (default 64)')
    args = parser.parse_args()
    if args.points < 2:
        parser.error('--points must be at least 2')

    print(cpu_description(), flush=True)
    from hnn_core.engine import compile_mechanisms
    compile_mechanisms()
    net, cfg, spec = sweep_network()
    set_params = make_set_params(spec)
    scales = np.linspace(*SCALE_RANGE, args.points)
    sample = scales[[0, -1]]  # the two ends of the grid

    def quiet(func, *a, **kw):
        with contextlib.redirect_stdout(io.StringIO()):
            return func(*a, **kw)

    # a first simulation loads NEURON and the mechanisms: not part of a point
    quiet(timed_sweep, net, dict(cfg, tstop=5.), set_params, sample[:1], 1)

    ceilings, serial = [], []
    ceilings.append(ceiling())
    serial.append(timed_sweep(net, cfg, set_params, sample, 1) / len(sample))
    folder = tempfile.mkdtemp(prefix='bench_batch_')
    try:
        wall = timed_sweep(net, cfg, set_params, scales, 2, save_folder=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    serial.append(timed_sweep(net, cfg, set_params, sample, 1) / len(sample))
    ceilings.append(ceiling())

    ceil = float(np.mean([c[2] for c in ceilings]))
    per_point = float(np.mean(serial))
    ideal = args.points * per_point / ceil
    efficiency = ideal / wall
    print(cpu_description())
    print(f'benchmark network: 270 cells, {cfg["tstop"]:g} ms, dt {cfg["dt"]} ms, '
          f'1 trial per point; evprox1 pyramidal weights x {SCALE_RANGE[0]} to '
          f'{SCALE_RANGE[1]}')
    for when, (alone, pair, ratio) in zip(('before', 'after'), ceilings):
        print(f'two-core ceiling ({when} the sweep): one 2-trial process alone '
              f'{alone:.2f} s, two at once {pair:.2f} s -> {ratio:.2f}x')
    print(f'one point on one core (run(n_jobs=1), 2 points, before / after): '
          f'{serial[0]:.2f} s / {serial[1]:.2f} s')
    print(f'{args.points}-point sweep, BatchSimulate.run(n_jobs=2), batches saved: '
          f'{wall:.1f} s ({wall / args.points:.2f} s per point)')
    print(f'ideal two-core time: {args.points} x {per_point:.2f} s / {ceil:.2f} = '
          f'{ideal:.1f} s -> efficiency {100 * efficiency:.1f} % of the ceiling '
          f'(required 90 %)')


if __name__ == '__main__':
    main()
