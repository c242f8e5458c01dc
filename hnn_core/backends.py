"""How trials are scheduled: in this process, in worker processes, or over MPI ranks.

A backend is a context manager; ``simulate_dipole`` uses the innermost active one,
or a one-job :class:`JoblibBackend` when none is active.
"""

import glob
import os
import os.path as op
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile

from ._validate import _check_int, _validate_type

_BACKEND_STACK = []


def _current_backend():
    return _BACKEND_STACK[-1] if _BACKEND_STACK else None


def _run_one(plan, trial_idx, verbose, report=None):
    # Imported here so that worker processes load NEURON only when they run.
    from .engine import run_trial
    return run_trial(plan, trial_idx, verbose=verbose, report=report)


class _Backend:
    """A context manager that makes itself the backend of simulate_dipole."""

    def __enter__(self):
        _BACKEND_STACK.append(self)
        return self

    def __exit__(self, *exc):
        _BACKEND_STACK.remove(self)
        return False

    def simulate(self, plan, verbose=True, progress=None):
        """Run every trial of ``plan``; return the engine's results in trial order.

        ``progress`` (a callable) receives the :class:`~hnn_core.progress.
        ProgressEvent` objects of the run; without it they are printed when
        ``verbose``.
        """
        raise NotImplementedError


class JoblibBackend(_Backend):
    """Run trials in parallel, one trial per job, with joblib.

    Each trial is an independent simulation, so trials can run in separate
    processes and the results do not depend on ``n_jobs``. The jobs go through
    whatever joblib backend is active (``joblib.parallel_config``), e.g. loky
    (the default), multiprocessing, or dask's to spread trials over a cluster.

    Parameters
    ----------
    n_jobs : int
        Number of parallel jobs (>= 1), or -1 for as many as the active joblib
        backend offers (the usable cores, by default). With 1, trials run one
        after another in this process.

    Examples
    --------
    >>> with JoblibBackend(n_jobs=2):                     # doctest: +SKIP
    ...     dpls = simulate_dipole(net, n_trials=4)
    """

    def __init__(self, n_jobs=1, *, _verbose=True):
        _validate_type(n_jobs, 'int', 'n_jobs')
        if n_jobs == -1:
            from joblib import effective_n_jobs
            n_jobs = effective_n_jobs(-1)
        elif n_jobs < 1:
            raise ValueError('n_jobs must be an integer >= 1, or -1 for every core, '
                             f'got {n_jobs}')
        self.n_jobs = int(n_jobs)
        if _verbose:
            print(f'joblib will run over {self.n_jobs} jobs')

    def __repr__(self):
        return f'<JoblibBackend | n_jobs={self.n_jobs}>'

    def simulate(self, plan, verbose=True, progress=None):
        """Run every trial of ``plan``; return the engine's results in trial order.

        In worker processes the trials print their progress (when ``verbose``)
        where the workers' output goes; a ``progress`` callback hears of each
        trial when it is done, in trial order.
        """
        trials = range(plan.n_trials)
        if self.n_jobs == 1 or plan.n_trials == 1:
            return [_run_one(plan, trial_idx, verbose, progress) for trial_idx in trials]
        from joblib import Parallel, delayed
        from joblib.parallel import get_active_backend
        from .progress import ProgressEvent
        n_jobs = min(self.n_jobs, plan.n_trials)
        # results as they come where the joblib backend can (loky can, the
        # multiprocessing one cannot): then progress hears of each trial in turn
        streams = getattr(get_active_backend()[0], 'supports_return_generator', False)
        outputs = Parallel(n_jobs=n_jobs,
                           return_as='generator' if streams else 'list')(
            delayed(_run_one)(plan, trial_idx, verbose and progress is None)
            for trial_idx in trials)
        results = []
        for trial_idx, result in zip(trials, outputs):
            results.append(result)
            if progress is not None:
                progress(ProgressEvent('done', trial=trial_idx, n_trials=plan.n_trials,
                                       tstop=plan.tstop))
        return results


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _find_mpiexec(mpi_cmd):
    """Full path of mpi_cmd, preferring the one beside this Python (a venv's)."""
    if op.isabs(mpi_cmd):
        return mpi_cmd if os.access(mpi_cmd, os.X_OK) else None
    beside = op.join(op.dirname(sys.executable), mpi_cmd)
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which(mpi_cmd)


def _mpi_flavour(mpiexec):
    """'openmpi', 'mpich' or 'unknown', from ``mpiexec --version``."""
    try:
        out = subprocess.run([mpiexec, '--version'], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.SubprocessError):
        return 'unknown'
    text = (out.stdout + out.stderr).lower()
    if 'open mpi' in text or 'openrte' in text:
        return 'openmpi'
    if 'hydra' in text or 'mpich' in text:
        return 'mpich'
    return 'unknown'


def _mpi_library(mpiexec):
    """The MPI library installed with mpiexec (e.g. by the mpich wheel), if any."""
    prefix = op.dirname(op.dirname(op.realpath(mpiexec)))
    for name in ('libmpi.so.12', 'libmpi.so.40', 'libmpi.so', 'libmpich.so.12',
                 'libmpich.so', 'libmpi.dylib'):
        for libdir in ('lib', 'lib64'):
            path = op.join(prefix, libdir, name)
            if op.isfile(path):
                return path
    return None


def _end_process_group(proc):
    """Stop mpiexec and every rank it started (they share its process group)."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            # ranks can outlive mpiexec briefly; make sure the group is gone
            os.killpg(proc.pid, signal.SIGKILL)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            continue
        return


class MPIBackend(_Backend):
    """Run each trial with its cells spread over MPI ranks (NEURON ParallelContext).

    Trials run one after another; within a trial, cell gid g lives on rank
    g % n_procs. The network goes to the ranks, and results come back, through
    files in a private temporary directory, removed afterwards. Dipoles are summed
    over cells in gid order and spikes sorted, so results do not depend on
    ``n_procs``.

    Works with MPI installed from PyPI (the ``mpich`` wheel that hnn_core depends
    on: its ``mpiexec`` and library are found beside the Python interpreter) or
    with a system MPICH or Open MPI. Without MPI, or with one process, it falls
    back to running in this process, and says so.

    Parameters
    ----------
    n_procs : int | None
        Number of MPI ranks; None uses the cores this process may run on.
    mpi_cmd : str
        The MPI launcher (``mpiexec``, ``mpirun`` or a full path).
    """

    def __init__(self, n_procs=None, mpi_cmd='mpiexec'):
        self.n_procs = _usable_cores() if n_procs is None else \
            _check_int('n_procs', n_procs, minimum=1)
        _validate_type(mpi_cmd, str, 'mpi_cmd')
        self.mpi_cmd = mpi_cmd
        self._mpiexec = _find_mpiexec(mpi_cmd)
        self._fallback = None
        if self.n_procs == 1:
            self._fallback = 'MPIBackend is set to use 1 process'
        elif self._mpiexec is None:
            self._fallback = (f'MPI launcher {mpi_cmd!r} not found (install MPI, e.g. '
                              '"pip install mpich", or pass mpi_cmd)')
        if self._fallback:
            print(f'{self._fallback}: running the simulation without MPI.')
        else:
            print(f'MPI will run over {self.n_procs} processes')

    def __repr__(self):
        return f'<MPIBackend | n_procs={self.n_procs}, mpi_cmd={self.mpi_cmd!r}>'

    def _command(self, workdir, verbose):
        cmd = [self._mpiexec, '-np', str(self.n_procs)]
        if _mpi_flavour(self._mpiexec) == 'openmpi' and self.n_procs > _usable_cores():
            cmd.append('--oversubscribe')  # Open MPI refuses more ranks than cores
        return cmd + [sys.executable, '-m', 'hnn_core.engine._mpi_child', workdir,
                      '1' if verbose else '0']

    def _environment(self):
        env = dict(os.environ)
        if 'MPI_LIB_NRN_PATH' not in env:
            # NEURON loads MPI at run time; point it at the launcher's library
            lib = _mpi_library(self._mpiexec)
            if lib is not None:
                env['MPI_LIB_NRN_PATH'] = lib
        return env

    def simulate(self, plan, verbose=True, progress=None):
        """Run every trial of ``plan``; return the engine's results in trial order.

        Rank 0's progress events come back through its output and go to
        ``progress``, or are printed when ``verbose``.
        """
        if self._fallback:
            return JoblibBackend(1, _verbose=False).simulate(plan, verbose=verbose,
                                                             progress=progress)
        from .progress import _decode, print_progress
        report = progress if progress is not None else (
            print_progress if verbose else None)
        if verbose and progress is None:
            print(f'MPI will run {plan.n_trials} trial(s) sequentially by distributing '
                  f'network neurons over {self.n_procs} processes.', flush=True)
        workdir = tempfile.mkdtemp(prefix='hnn_core_mpi_')
        try:
            with open(op.join(workdir, 'plan.pkl'), 'wb') as fid:
                pickle.dump(plan, fid, protocol=pickle.HIGHEST_PROTOCOL)
            with open(op.join(workdir, 'stderr.txt'), 'w') as err:
                proc = subprocess.Popen(
                    self._command(workdir, report is not None),
                    stdout=subprocess.PIPE,
                    stderr=err, stdin=subprocess.DEVNULL, text=True,
                    env=self._environment(), start_new_session=True)
                try:
                    for line in proc.stdout:  # rank 0's progress, as it comes
                        event = _decode(line.rstrip('\n'))
                        if event is None:
                            print(line, end='', flush=True)
                        elif report is not None:
                            report(event)
                    proc.wait()
                except BaseException:
                    _end_process_group(proc)
                    raise
                finally:
                    proc.stdout.close()
            results_file = op.join(workdir, 'results.pkl')
            if proc.returncode != 0 or not op.isfile(results_file):
                raise RuntimeError(self._failure_report(workdir, proc.returncode))
            with open(results_file, 'rb') as fid:
                return pickle.load(fid)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _failure_report(self, workdir, returncode):
        parts = [f'The MPI simulation failed (mpiexec exit code {returncode}).']
        for fname in sorted(glob.glob(op.join(workdir, 'rank*.err'))):
            rank = op.basename(fname)[4:-4]
            with open(fname) as fid:
                parts.append(f'--- rank {rank} ---\n{fid.read().rstrip()}')
        with open(op.join(workdir, 'stderr.txt')) as fid:
            stderr = fid.read().strip()
        if stderr:
            parts.append(f'--- output of the ranks (stderr) ---\n{stderr[-5000:]}')
        return '\n'.join(parts)
