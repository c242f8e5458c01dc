"""A trial with hh2 and km described in Python against the package's own files.

The benchmark network (tests/data/evoked_sigma0_mesh10x10.json: the default
10 x 10 network with the reference example's evoked drives, 170 ms) is run
with its own mechanisms, and with ``hh2`` and ``km`` replaced in every section
by ``hh2py`` and ``kmpy``, their term-for-term restatements in Python
(tests/described_mechanisms.py). Runs alternate between the two, each in a
fresh process on one core (taskset), so each loads the library it needs; the
build (compiling the described mechanisms, once per machine) is done before
the first timed run.

Printed: the CPU and its vector flags, the load average before and after,
every run's solve and total times, the medians, their ratio and each side's
spread, and whether both sides gave the same dipole.

    python benchmarks/bench_channels.py [--engine coreneuron|neuron] [--repeats 5]
"""
import argparse
import json
import os
import os.path as op
import statistics
import subprocess
import sys
import time

HERE = op.dirname(op.abspath(__file__))
TESTS = op.join(HERE, '..', 'tests')
ONE_CORE = ['taskset', '-c', '0'] if os.path.exists('/usr/bin/taskset') else []


def _network(described):
    sys.path.insert(0, HERE)
    sys.path.insert(0, TESTS)
    from _common import network_from_config
    net, cfg = network_from_config()
    if described:
        from described_mechanisms import REPLACES
        for entry in net.cell_types.values():
            cell = entry['cell_object']
            for builtin, description in REPLACES.items():
                for sec_name, section in cell.sections.items():
                    if builtin in section.mechs:
                        values = {name[:-len(builtin) - 1]: value for name, value
                                  in section.mechs.pop(builtin).items()}
                        cell.insert_mechanism(description, [sec_name], **values)
    return net, cfg


def _child(described, engine):
    """One trial in this process; prints a JSON line of measurements."""
    import numpy as np
    from hnn_core.engine import run_trial
    from hnn_core.engine import generated
    from hnn_core.simulation_plan import make_plan
    net, cfg = _network(described)
    plan, _ = make_plan(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=1, engine=engine)
    generated.load(plan.descriptions)  # the library (built beforehand), not timed
    start = time.perf_counter()
    result = run_trial(plan, 0, verbose=False)
    total = time.perf_counter() - start
    agg = sum(result.dipole.values())
    print(json.dumps({'solve': result.timings['solve'], 'build': result.timings['build'],
                      'total': total, 'agg_checksum': float(np.sum(np.abs(agg))),
                      'n_spikes': int(len(result.spike_times))}))


def _run(described, engine):
    cmd = ONE_CORE + [sys.executable, op.abspath(__file__), '--child',
                      '--engine', engine] + (['--described'] if described else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', default='coreneuron', choices=('coreneuron', 'neuron'))
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--described', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.described, args.engine)
    sys.path.insert(0, HERE)
    from _common import cpu_description, load_average
    print(cpu_description())
    print(f'{os.cpu_count()} cores; engine {args.engine}; runs pinned to one core: '
          f'{bool(ONE_CORE)}')
    print('load average before:', load_average(' '))
    # build both libraries first (a described run in a fresh process compiles)
    for described in (False, True):
        _run(described, args.engine)
    runs = {False: [], True: []}
    for k in range(args.repeats):
        for described in ((False, True) if k % 2 == 0 else (True, False)):
            runs[described].append(_run(described, args.engine))
            r = runs[described][-1]
            print(f'  {"python" if described else "builtin"}: solve {r["solve"]:.2f} s, '
                  f'total {r["total"]:.2f} s, spikes {r["n_spikes"]}', flush=True)
    print('load average after:', load_average(' '))
    medians = {}
    for described, label in ((False, 'built-in hh2, km'), (True, 'hh2py, kmpy')):
        totals = [r['total'] for r in runs[described]]
        solves = [r['solve'] for r in runs[described]]
        medians[described] = statistics.median(totals)
        print(f'{label}: median total {medians[described]:.2f} s (range '
              f'{min(totals):.2f}-{max(totals):.2f}), median solve '
              f'{statistics.median(solves):.2f} s')
    ratio = medians[True] / medians[False]
    same = {r['agg_checksum'] for rs in runs.values() for r in rs}
    print(f'described / built-in (median total): {ratio:.3f} '
          f'(goal: at most 5 % slower: {"met" if ratio <= 1.05 else "NOT met"})')
    print(f'same dipole on every run: {len(same) == 1}')


if __name__ == '__main__':
    main()
