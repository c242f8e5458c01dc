"""Where one trial of the benchmark network spends its time, by mechanism and phase.

Runs ``bench_trial.py --child`` (one trial, one core, a fresh process) under
``perf record`` (sampling at 1999 Hz, CPU clock) and groups the samples of the
whole process by what they were doing:

* ``currents: <mech>`` / ``states: <mech>``: CoreNEURON's generated loops of a
  mechanism (``nrn_cur_*``, ``nrn_state_*``), and the vectorised ``exp``/``log``
  that those loops call (``libmvec``) as a line of its own;
* ``matrix``: setting up the cable equations (capacitance, ion currents, the
  tree matrix) and updating the voltages;
* ``solve``: the Hines elimination;
* ``events``: spike delivery (queue, net_receive buffers, spike exchange);
* ``NEURON``: NEURON itself, i.e. building the model and copying it to and from
  CoreNEURON at every chunk;
* ``Python``: the interpreter and numpy (making the plan, driving NEURON,
  folding recorded voltages into dipoles);
* ``malloc, kernel``: memory allocation and page faults.

    python benchmarks/profile_trial.py [--engine coreneuron|neuron] [--top N]

Needs ``perf`` (linux-tools); hardware counters are not needed.
"""
import argparse
import os
import os.path as op
import re
import shutil
import subprocess
import sys
import tempfile

HERE = op.dirname(op.abspath(__file__))
# perf pads the symbol with empty columns ("-  -") on some versions
_LINE = re.compile(r'^\s*(?P<pct>[0-9.]+)%\s+(?P<dso>\S+)\s+\[(?P<kind>.)\]\s+'
                   r'(?P<sym>.+?)(?:\s+-)*\s*$')
_EVENTS = re.compile(r'sptq_|deliver|net_buf|net_receive|netpar|NetCvode|net_send|'
                     r'spike|nrn_fixed_step_lastpart|PreSyn|NetCon|nrn_outputevent')
_MATRIX = re.compile(r'setup_tree_matrix|nrn_jacob|nrn_cur_capacitance|nrn_cur_ion|'
                     r'nrn_rhs|nrn_lhs|coreneuron::update\b|second_order_cur|'
                     r'nrn_state_ion|nrn_capacity|nrn_div_capacity|nrn_mul_capacity')


def classify(dso, sym):
    """The group of one sampled symbol."""
    name = sym.split('(')[0]
    # NEURON 9 names them nrn_cur_<mech>, NEURON 8.2 _nrn_cur__<mech>
    match = re.search(r'nrn_(cur|state|current)_+(\w+)$', name)
    if match and match.group(2) not in ('capacitance', 'ion'):
        kind = 'states' if match.group(1) == 'state' else 'currents'
        return f'{kind}: {match.group(2)}'
    if 'libmvec' in dso:
        return 'exp/log, vectorised (from the channel loops)'
    if re.search(r'exp|log|pow', name) and 'libm' in dso:
        return 'exp/log/pow, scalar (libm)'
    if re.search(r'_n_\w+|rates', name) and 'libcorenrnmech' in dso:
        return 'table lookups (not inlined into the loops)'
    if re.search(r'nrn_solve|triang|bksub', name):
        return 'solve (Hines elimination)'
    if _MATRIX.search(name):
        return 'matrix (currents into the cable equations, voltage update)'
    if _EVENTS.search(name):
        return 'events (spike queue, delivery, exchange)'
    if dso.startswith('[kernel') or re.search(r'malloc|free|memmove|memset|memcpy|'
                                              r'_int_|unlink_chunk|brk|mmap', name):
        return 'malloc, memory copies, kernel'
    if 'libnrniv' in dso or 'libnrnpython' in dso or 'libcorenrn' in dso:
        return 'NEURON/CoreNEURON bookkeeping (model build, copies per chunk)'
    if 'python' in dso or 'multiarray' in dso or 'numpy' in dso or dso.endswith('.so'):
        return 'Python and numpy (plan, driving NEURON, folding dipoles)'
    return f'other ({dso})'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', default='coreneuron',
                        choices=['coreneuron', 'neuron'])
    parser.add_argument('--top', type=int, default=12,
                        help='also list the N hottest symbols')
    args = parser.parse_args()
    if shutil.which('perf') is None:
        sys.exit('perf is not installed (apt-get install linux-perf)')
    sys.path.insert(0, HERE)
    from _common import cpu_description
    print(cpu_description())
    with tempfile.TemporaryDirectory() as tmp:
        data = op.join(tmp, 'perf.data')
        cmd = ['perf', 'record', '-F', '1999', '-e', 'cpu-clock', '-o', data, '--',
               'taskset', '-c', '0', sys.executable, op.join(HERE, 'bench_trial.py'),
               '--child', '--engine', args.engine]
        env = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1')
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            sys.exit(run.stderr[-3000:])
        print('trial:', run.stdout.strip().splitlines()[-1])
        report = subprocess.run(['perf', 'report', '-i', data, '--no-children',
                                 '--sort', 'dso,symbol', '--stdio'],
                                capture_output=True, text=True).stdout
    groups, symbols = {}, []
    for line in report.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        pct, dso, sym = float(match['pct']), match['dso'], match['sym']
        symbols.append((pct, dso, sym))
        group = classify(dso, sym)
        groups[group] = groups.get(group, 0.) + pct
    print(f'\n| part ({args.engine}) | share of the process |\n| --- | --- |')
    for group, pct in sorted(groups.items(), key=lambda item: -item[1]):
        print(f'| {group} | {pct:.1f} % |')
    print(f'\nhottest {args.top} symbols:')
    for pct, dso, sym in symbols[:args.top]:
        print(f'  {pct:5.2f} %  {sym}  ({dso})')


if __name__ == '__main__':
    main()
