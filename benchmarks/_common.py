"""Shared helpers of the benchmark scripts."""
import json
import os
import os.path as op

HERE = op.dirname(op.abspath(__file__))
BENCH_CONFIG = op.join(HERE, '..', 'tests', 'data', 'evoked_sigma0_mesh10x10.json')


def network_from_config(fname=BENCH_CONFIG, mesh_shape=None):
    """neymotin_2020_model with the evoked drives of an oracle configuration file."""
    from hnn_core import neymotin_2020_model
    with open(fname) as fid:
        cfg = json.load(fid)
    net = neymotin_2020_model(mesh_shape=tuple(mesh_shape or cfg['mesh_shape']))
    for drive in cfg['drives']:
        drive = dict(drive)
        drive.pop('type')
        net.add_evoked_drive(drive.pop('name'), **drive)
    return net, cfg


def load_average(sep='/'):
    """The 1, 5 and 15 minute load averages, to print beside timings."""
    return sep.join(f'{x:.2f}' for x in os.getloadavg())


def cpu_description():
    """The CPU's model and vector extensions, to print beside every figure."""
    model, flags = 'unknown CPU', set()
    try:
        with open('/proc/cpuinfo') as fid:
            for line in fid:
                key, _, value = line.partition(':')
                if key.strip() == 'model name' and model == 'unknown CPU':
                    model = value.strip()
                elif key.strip() == 'flags' and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    vector = [f for f in ('sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512dq',
                          'avx512bw', 'avx512vl') if f in flags]
    return f'CPU: {model}; vector flags: {" ".join(vector) or "none found"}'
