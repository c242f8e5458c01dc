"""The process that runs one simulation (or fit) of the web interface.

``python -m hnn_core.gui._worker RUN_FOLDER`` reads ``network.json`` (written by
:func:`~hnn_core.write_network_configuration`, the file the page offers for
download) and ``job.json`` from the folder, reports progress on standard output
(:mod:`hnn_core.progress` events) and writes ``results.npz`` (and ``fit.json``
for a fit). A failure leaves its traceback in ``error.txt``. Running apart from
the server keeps the page responsive, and cancelling a run is ending this
process and what it started.
"""

import json
import os.path as op
import sys
import traceback

import numpy as np


def _report(event):
    from ..progress import _encode
    print(_encode(event), flush=True)


def _backend(job):
    from ..backends import JoblibBackend, MPIBackend
    if job['backend'] == 'mpi' and job['n_jobs'] > 1:
        return MPIBackend(n_procs=job['n_jobs'])
    return JoblibBackend(n_jobs=job['n_jobs'])


def _save_results(folder, net, dpls):
    response = net.cell_response
    trials = [np.full(len(times), k) for k, times in enumerate(response.spike_times)]
    np.savez(
        op.join(folder, 'results.npz'),
        times=dpls[0].times,
        **{layer: np.array([dpl.data[layer] for dpl in dpls])
           for layer in ('agg', 'L2', 'L5')},
        spike_trial=np.concatenate(trials) if trials else np.zeros(0, int),
        spike_times=np.concatenate([np.asarray(t, float)
                                    for t in response.spike_times] or [np.zeros(0)]),
        spike_gids=np.concatenate([np.asarray(g, int)
                                   for g in response.spike_gids] or [np.zeros(0, int)]),
        n_trials=len(dpls),
        gid_ranges=json.dumps({name: [r.start, r.stop]
                               for name, r in net.gid_ranges.items()}))


def _fit(folder, job, net):
    """Fit drive parameters to the job's recording; the fitted network."""
    from ..dipole import read_dipole
    from ..optimization import Optimizer
    from ..progress import ProgressEvent
    from .fitting import set_drive_params
    target = read_dipole(op.join(folder, job['recording']))
    constraints = {p['name']: (p['low'], p['high']) for p in job['params']}
    done = [0]

    def set_params(net, params):
        set_drive_params(net, params)
        done[0] += 1
        _report(ProgressEvent('start', trial=min(done[0], job['max_iter']) - 1,
                              n_trials=job['max_iter']))

    optimizer = Optimizer(net, tstop=job['tstop'], constraints=constraints,
                          set_params=set_params, solver=job['solver'],
                          max_iter=job['max_iter'])
    optimizer.fit(target=target, scale_factor=job['scale'],
                  smooth_window_len=job['smooth'] or None, dt=job['dt'], verbose=False)
    names = list(constraints)
    with open(op.join(folder, 'fit.json'), 'w') as fid:
        json.dump({'names': names,
                   'initial': {n: job['initial'][n] for n in names},
                   'best': dict(zip(names, optimizer.opt_params_)),
                   'rmse': [float(v) for v in optimizer.obj_history_],
                   'best_rmse': float(np.min(optimizer.obj_history_))}, fid)
    from ..hnn_io import write_network_configuration
    write_network_configuration(optimizer.net_, op.join(folder, 'network.json'))
    return optimizer.net_


def main(folder):
    from .. import read_network_configuration, simulate_dipole
    with open(op.join(folder, 'job.json')) as fid:
        job = json.load(fid)
    net = read_network_configuration(op.join(folder, 'network.json'))
    with _backend(job):
        if job['kind'] == 'fit':
            net = _fit(folder, job, net)
            # the fitted network is then simulated as any run of the page
            net = read_network_configuration(op.join(folder, 'network.json'))
        dpls = simulate_dipole(net, tstop=job['tstop'], dt=job['dt'],
                               n_trials=job['n_trials'], verbose=False,
                               progress=_report)
    _save_results(folder, net, dpls)


if __name__ == '__main__':
    try:
        main(sys.argv[1])
    except BaseException:
        with open(op.join(sys.argv[1], 'error.txt'), 'w') as fid:
            fid.write(traceback.format_exc())
        sys.exit(1)
