"""Entry point of every MPI rank started by :class:`hnn_core.MPIBackend`.

    mpiexec -np N python -m hnn_core.engine._mpi_child WORKDIR VERBOSE

Reads the simulation plan from ``WORKDIR/plan.pkl``, runs its trials one after
another with the cells spread over the ranks, and rank 0 writes the results to
``WORKDIR/results.pkl``. With VERBOSE 1, rank 0 writes its progress events to
its standard output, one encoded line each, for the parent to pass on. A rank that fails writes its traceback to
``WORKDIR/rank<k>.err`` and exits non-zero, which makes mpiexec stop the others.
"""

import os
import os.path as op
import pickle
import sys
import traceback


def _init_mpi():
    from neuron import h
    from .mechanisms import _suppress_c_stdout
    from .model import get_parallel_context
    with _suppress_c_stdout():  # NEURON announces "numprocs=N" on stdout
        h.nrnmpi_init()
    pc = get_parallel_context()
    return pc, int(pc.id()), int(pc.nhost())


def main(workdir, verbose):
    rank = os.environ.get('PMI_RANK', os.environ.get('OMPI_COMM_WORLD_RANK', '?'))
    try:
        pc, rank, n_ranks = _init_mpi()
        with open(op.join(workdir, 'plan.pkl'), 'rb') as fid:
            plan = pickle.load(fid)
        from .run import run_trial
        from ..progress import _encode
        report = (lambda event: print(_encode(event), flush=True)) if verbose else None
        results = [run_trial(plan, trial_idx, rank=rank, n_ranks=n_ranks,
                             verbose=False, report=report)
                   for trial_idx in range(plan.n_trials)]
        if rank == 0:
            tmp = op.join(workdir, 'results.pkl.part')
            with open(tmp, 'wb') as fid:
                pickle.dump(results, fid, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, op.join(workdir, 'results.pkl'))
        pc.barrier()
        pc.done()
    except BaseException:
        with open(op.join(workdir, f'rank{rank}.err'), 'w') as fid:
            fid.write(traceback.format_exc())
        sys.stderr.write(f'rank {rank} failed:\n{traceback.format_exc()}')
        sys.stderr.flush()
        os._exit(1)  # do not wait in MPI_Finalize for ranks that still run
    sys.stdout.flush()
    sys.stderr.flush()
    # A plain interpreter exit after pc.done() sometimes dies in MPI's finalisation
    # (seen with 3 ranks on MPICH 5); NEURON's own quit finalises cleanly.
    from neuron import h
    h.quit()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2] == '1')
