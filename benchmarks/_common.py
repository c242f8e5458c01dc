"""Shared helpers of the benchmark scripts."""
import json
import os.path as op

HERE = op.dirname(op.abspath(__file__))
BENCH_CONFIG = op.join(HERE, '..', 'tests', 'data', 'evoked_sigma0_mesh10x10.json')


def network_from_config(fname=BENCH_CONFIG, mesh_shape=None):
    """jones_2009_model with the evoked drives of an oracle configuration file."""
    from hnn_core import jones_2009_model
    with open(fname) as fid:
        cfg = json.load(fid)
    net = jones_2009_model(mesh_shape=tuple(mesh_shape or cfg['mesh_shape']))
    for drive in cfg['drives']:
        drive = dict(drive)
        drive.pop('type')
        net.add_evoked_drive(drive.pop('name'), **drive)
    return net, cfg
