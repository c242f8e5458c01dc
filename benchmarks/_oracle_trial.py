"""One trial of the benchmark network in the oracle (hnn-core 0.6.1).

Run with the oracle's interpreter (never imports hnn_core from this project):

    $(bash ../shared/oracle/setup.sh) benchmarks/_oracle_trial.py

Prints one JSON line: build (NetworkBuilder), solve (the rest of the trial),
total (simulate_dipole) and the CPU time of the process during it, in seconds,
and the peak resident memory (MiB).
"""
import json
import os.path as op
import resource
import time

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core import network_builder

HERE = op.dirname(op.abspath(__file__))
with open(op.join(HERE, '..', 'tests', 'data', 'evoked_sigma0_mesh10x10.json')) as fid:
    cfg = json.load(fid)

build_time = []
_init = network_builder.NetworkBuilder.__init__


def _timed_init(self, *args, **kwargs):
    start = time.perf_counter()
    _init(self, *args, **kwargs)
    build_time.append(time.perf_counter() - start)


network_builder.NetworkBuilder.__init__ = _timed_init

net = neymotin_2020_model(mesh_shape=tuple(cfg['mesh_shape']))
for drive in cfg['drives']:
    drive = dict(drive)
    drive.pop('type')
    net.add_evoked_drive(drive.pop('name'), **drive)
start, cpu = time.perf_counter(), time.process_time()
dpls = simulate_dipole(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=1,
                       verbose=False)
total, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({'build': build_time[0], 'solve': total - build_time[0],
                  'total': total, 'cpu': cpu,
                  'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.,
                  'spikes': len(net.cell_response.spike_times[0])}))
