"""One trial of the 10x10 extracellular case in the oracle (hnn-core 0.6.1), with or
without electrode arrays.

Run with the oracle's interpreter (never imports hnn_core from this project):

    $(bash ../shared/oracle/setup.sh) benchmarks/_oracle_lfp_trial.py [ARRAY ...]

The network is ``extracellular_mesh10x10`` of ``tests/data/extracellular_cases.py`` (the
default model with the ERP drives, 170 ms, dt 0.025 ms, 1 trial) with the named arrays
only (none when no name is given; e.g. ``shank_psa shank_lsa`` for two shanks of 25
contacts). Prints one JSON line: build (NetworkBuilder, including the arrays' transfer
resistances), arrays (the part of build spent setting up the arrays), solve (the rest of
the trial), total (simulate_dipole) in seconds, the peak resident memory (MiB), the spike
count and the arrays used.
"""
import json
import os.path as op
import resource
import sys
import time

import hnn_core
from hnn_core import simulate_dipole
from hnn_core import network_builder

if hnn_core.__version__ != '0.6.1':
    sys.exit(f'{sys.argv[0]} times the oracle: run it with hnn-core 0.6.1 '
             f'($(bash ../shared/oracle/setup.sh)), not {hnn_core.__version__}')

HERE = op.dirname(op.abspath(__file__))
sys.path.insert(0, op.join(HERE, '..', 'tests', 'data'))
import extracellular_cases  # noqa: E402

arrays = sys.argv[1:]

build_time = []
array_time = []
_init = network_builder.NetworkBuilder.__init__
_record = network_builder.NetworkBuilder._record_extracellular


def _timed_init(self, *args, **kwargs):
    start = time.perf_counter()
    _init(self, *args, **kwargs)
    build_time.append(time.perf_counter() - start)


def _timed_record(self, *args, **kwargs):
    start = time.perf_counter()
    _record(self, *args, **kwargs)
    array_time.append(time.perf_counter() - start)


network_builder.NetworkBuilder.__init__ = _timed_init
network_builder.NetworkBuilder._record_extracellular = _timed_record

net, sim_kwargs = extracellular_cases.build_extracellular_case(
    'extracellular_mesh10x10', arrays=arrays)
sim_kwargs['n_trials'] = 1
start = time.perf_counter()
dpls = simulate_dipole(net, verbose=False, **sim_kwargs)
total = time.perf_counter() - start
print(json.dumps({'build': build_time[0], 'arrays': sum(array_time),
                  'solve': total - build_time[0], 'total': total,
                  'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.,
                  'spikes': len(net.cell_response.spike_times[0]),
                  'array_names': arrays,
                  'n_contacts': sum(net.rec_arrays[a].n_contacts for a in arrays)}))
