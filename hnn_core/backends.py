"""How trials are scheduled: in this process, in worker processes, or over MPI ranks.

A backend is a context manager; ``simulate_dipole`` uses the innermost active one.
When none is active, :func:`_default_backend` chooses: with trials large enough
to pay for starting processes, one trial gets every usable core as MPI ranks and
several trials run side by side in joblib's workers (results as in one
process); anything else runs in this process, as in hnn-core.
A process that is itself a worker (joblib, multiprocessing, dask, an MPI rank),
or a thread other than the main one, never starts processes of its own: it uses
the core it was given.
"""

import contextlib
import functools
import glob
import os
import os.path as op
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings

import numpy as np

from ._validate import _check_int, _validate_type

_BACKEND_STACK = []


def _current_backend():
    return _BACKEND_STACK[-1] if _BACKEND_STACK else None


def _run_one(plan, trial_idx, verbose, report=None):
    # Imported here so that worker processes load NEURON only when they run.
    from .engine import run_trial
    return run_trial(plan, trial_idx, verbose=verbose, report=report)


def _run_trial_of(plan_idx, plan, trial_idx, verbose):
    return plan_idx, _run_one(plan, trial_idx, verbose)


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

    def simulate_plans(self, plans, verbose=False):
        """Run every trial of several plans; yield ``(index, results)`` per plan.

        ``plans`` may be a generator (each plan is made only when it is needed);
        each plan's results are yielded, in plan order, as soon as they are all
        in, so what was yielded survives an error or interruption later on.
        This base version runs one plan after the other on this backend.
        """
        for idx, plan in enumerate(plans):
            yield idx, self.simulate(plan, verbose=verbose)


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

    Notes
    -----
    Ctrl-C (SIGINT), SIGTERM (``timeout``, batch schedulers) or SIGHUP during a
    parallel run stop its workers before this process ends as the signal asks
    (KeyboardInterrupt, or the signal's default action). The signal handlers
    this needs are installed in the main thread for the run only.

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
        # a signal must not end this process before its workers: unwound as an
        # exception, it makes joblib stop them (loky's would otherwise finish
        # their trials, for as long as they take, and then idle)
        with _signals_end_run():
            outputs = Parallel(n_jobs=n_jobs,
                               return_as='generator' if streams else 'list')(
                delayed(_run_one)(plan, trial_idx, verbose and progress is None)
                for trial_idx in trials)
            results = []
            try:
                for trial_idx, result in zip(trials, outputs):
                    results.append(result)
                    if progress is not None:
                        progress(ProgressEvent('done', trial=trial_idx,
                                               n_trials=plan.n_trials, tstop=plan.tstop))
            except BaseException:
                # interrupted here rather than inside joblib: closing the
                # generator now (not whenever it is collected) stops the workers
                if hasattr(outputs, 'close'):
                    outputs.close()
                raise
        return results

    def simulate_plans(self, plans, verbose=False):
        """Run every trial of several plans; yield ``(index, results)`` per plan.

        All the trials of all the plans share the jobs: a plan's trials need not
        wait for the previous plan's last one. Results come in plan order. With
        a dask.distributed client running (and no joblib backend chosen), the
        trials go to its workers.
        """
        if self.n_jobs == 1:
            yield from super().simulate_plans(plans, verbose=verbose)
            return
        from joblib import Parallel, delayed, parallel_config
        from joblib.parallel import get_active_backend
        backend_config = contextlib.nullcontext()
        if _dask_client_active() and get_active_backend()[0].__class__.__name__ \
                == 'LokyBackend':
            backend_config = parallel_config(backend='dask')
        pending = {}  # plan index -> [plan's n_trials, results so far]

        def tasks():
            for plan_idx, plan in enumerate(plans):
                pending[plan_idx] = [plan.n_trials, []]
                for trial_idx in range(plan.n_trials):
                    yield delayed(_run_trial_of)(plan_idx, plan, trial_idx, verbose)

        with backend_config, _signals_end_run():
            streams = getattr(get_active_backend()[0], 'supports_return_generator',
                              False)
            outputs = Parallel(n_jobs=self.n_jobs,
                               return_as='generator' if streams else 'list')(tasks())
            try:
                for plan_idx, result in outputs:
                    n_trials, results = pending[plan_idx]
                    results.append(result)
                    if len(results) == n_trials:
                        del pending[plan_idx]
                        yield plan_idx, results
            except BaseException:
                if hasattr(outputs, 'close'):
                    outputs.close()
                raise
            finally:
                # also when the consumer stops early (GeneratorExit)
                if hasattr(outputs, 'close'):
                    outputs.close()


def _dask_client_active():
    """True when a dask.distributed client is running in this process."""
    distributed = sys.modules.get('distributed')
    if distributed is None:  # never imported: then there is no client either
        return False
    try:
        distributed.get_client()
    except ValueError:
        return False
    return True


def _default_many_backend():
    """The backend of many independent runs when the user has set none.

    Every usable core (or the active joblib backend's workers); on a running
    dask.distributed client, its workers.
    """
    return JoblibBackend(n_jobs=-1, _verbose=False)


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Starting MPI (mpiexec, one interpreter per rank, NEURON and the mechanisms
# loaded in each), or joblib's workers, costs up to a second, which only trials
# of more work than this (segments x time steps) win back on two cores: the
# benchmark network (about 6e7) runs in 4.4 s on one core and 2.7 s on two
# ranks; a 3x3 network of 100 ms (about 3e6) runs faster in this process.
_MIN_WORK_FOR_CORES = 1.5e7
_CORES_ENV = 'HNN_CORE_CORES'


def _default_cores():
    """Cores one trial may use by default: ``$HNN_CORE_CORES``, else every usable one."""
    value = os.environ.get(_CORES_ENV, '').strip()
    if not value:
        return _usable_cores()
    try:
        cores = int(value)
    except ValueError:
        cores = 0
    if cores < 1:
        raise ValueError(f'{_CORES_ENV} must be a whole number >= 1 (the most cores '
                         f'one trial uses by default), got {value!r}')
    return cores


def _inside_worker():
    """Whether this process (or thread) was started to run work for another one."""
    import multiprocessing
    if multiprocessing.parent_process() is not None or \
            multiprocessing.current_process().name != 'MainProcess':
        return True  # a joblib (loky), multiprocessing or dask worker
    if threading.current_thread() is not threading.main_thread():
        return True  # a thread pool's (joblib's threading backend, dask's threads)
    # an MPI rank (of ours or of the user's own mpiexec)
    return any(name in os.environ for name in (
        'PMI_RANK', 'PMI_SIZE', 'PMIX_RANK', 'OMPI_COMM_WORLD_SIZE'))


def _trial_work(plan):
    """Segments x time steps of one trial: what its run time grows with."""
    segments = sum(plan.templates[plan.cell_types[idx]].n_segments * count
                   for idx, count in enumerate(np.bincount(
                       plan.cell_type_index, minlength=len(plan.cell_types))))
    return segments * plan.tstop / plan.dt


def _default_backend(plan, verbose=True, progress=None):
    """The backend of ``simulate_dipole`` when the user has made none active.

    With several usable cores and trials worth it: one trial over every core as
    MPI ranks, several trials side by side in joblib's workers (one per core, at
    most one per trial). Anything else runs in this process.
    """
    n_cores = _default_cores()
    n_ranks = min(n_cores, plan.n_cells)
    if n_cores > 1 and _trial_work(plan) >= _MIN_WORK_FOR_CORES and \
            not _inside_worker():
        if plan.n_trials > 1:
            return _DefaultJobs(n_jobs=min(n_cores, plan.n_trials),
                                _verbose=verbose and progress is None)
        if n_ranks > 1 and _find_mpiexec('mpiexec') is not None:
            return _DefaultRanks(n_procs=n_ranks, _verbose=False)
    # JoblibBackend announces itself (as hnn-core's default did): made last
    return JoblibBackend(n_jobs=1, _verbose=verbose and progress is None)


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


# Signals that end a run early: Ctrl-C, `timeout` and batch schedulers, a closed
# terminal. Their default action kills this process at once, before the processes
# and files of a run could be cleaned up.
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ('SIGINT', 'SIGTERM', 'SIGHUP')
                        if hasattr(signal, name))


# the saved handlers of the runs in progress in this process, innermost last
_ACTIVE_RUNS = []


def _forget_runs_in_child():
    # a process forked during a run (a worker of the multiprocessing backend)
    # has the run's handlers but not its cleanup: it gets the handlers of
    # before the run, so that pool.terminate()'s SIGTERM ends it at once
    while _ACTIVE_RUNS:
        _restore_handlers(_ACTIVE_RUNS.pop())


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_runs_in_child)


class _EndedBySignal(BaseException):
    """Unwinds a run stopped by a signal whose default action ends the process."""

    def __init__(self, signum, handler):
        super().__init__(signum)
        self.signum = signum
        self.handler = handler  # which run's handler raised it (runs can nest)


@functools.lru_cache(maxsize=None)
def _libc():
    import ctypes
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _get_sigaction(signum):
    """The raw ``struct sigaction`` of signum (bytes), or None where unavailable.

    Python's ``signal.signal`` cannot give back everything: NEURON reinstalls
    Python's SIGINT handler with SA_RESTART, and a handler installed by C code
    is None to ``signal.getsignal``.
    """
    libc = _libc()
    if libc is None or not hasattr(libc, 'sigaction') or sys.platform != 'linux':
        return None
    import ctypes
    buf = ctypes.create_string_buffer(512)  # larger than any libc's struct sigaction
    if libc.sigaction(signum, None, buf) != 0:
        return None
    return buf.raw


def _set_sigaction(signum, raw):
    if raw is None:
        return
    import ctypes
    _libc().sigaction(signum, ctypes.create_string_buffer(raw, len(raw)), None)


@contextlib.contextmanager
def _signals_end_run():
    """Let the ending signals unwind the block as exceptions, so its cleanup runs.

    A signal whose handler is Python's (e.g. SIGINT's KeyboardInterrupt, or the
    user's own) is passed to that handler, whatever it raises unwinds the block.
    A signal whose action is the default one (SIGTERM, SIGHUP) unwinds the
    block, then is delivered again with the default action restored, so the
    process still ends as that signal ends it (status -15 for SIGTERM). Ignored
    signals, and those handled by foreign C code, are left alone. Once the run
    is ending, further signals are absorbed until its (bounded) cleanup is
    done. The previous handlers are restored when the block ends; a signal
    arriving meanwhile is passed on to them. Only the main thread can install
    handlers; elsewhere nothing is changed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved, ending, done, late = {}, [], [], []

    def handler(signum, frame):
        if done:  # the handlers are being put back: the restored one gets it
            late.append(signum)
            return
        if ending:  # already unwinding: let the cleanup finish
            return
        previous = saved[signum][0]
        if previous == signal.SIG_DFL:
            ending.append(signum)
            raise _EndedBySignal(signum, handler)
        try:
            previous(signum, frame)
        except BaseException:
            ending.append(signum)
            raise

    def restore():
        done.append(True)
        _ACTIVE_RUNS[:] = [run for run in _ACTIVE_RUNS if run is not saved]
        _restore_handlers(saved)
        saved.clear()
        while late:
            signal.raise_signal(late.pop(0))

    try:
        for signum in _ENDING_SIGNALS:
            previous = signal.getsignal(signum)
            if previous is None or previous == signal.SIG_IGN:
                continue
            saved[signum] = (previous, _get_sigaction(signum))
            signal.signal(signum, handler)
        _ACTIVE_RUNS.append(saved)
        yield
    except _EndedBySignal as err:
        if err.handler is not handler:
            raise
        restore()
        signal.raise_signal(err.signum)  # the default action: the process ends here
        raise SystemExit(128 + err.signum)  # were the signal blocked
    finally:
        restore()


def _restore_handlers(saved):
    for signum, (previous, raw) in saved.items():
        signal.signal(signum, previous)
        _set_sigaction(signum, raw)


def _process_table():
    """{pid: (parent pid, start time)} of every process (empty without /proc)."""
    table = {}
    try:
        pids = [int(pid) for pid in os.listdir('/proc') if pid.isdigit()]
    except OSError:
        return table
    for pid in pids:
        try:
            with open(f'/proc/{pid}/stat') as fid:
                fields = fid.read().rsplit(')', 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if fields[0] not in 'ZX':  # a zombie has ended already
            table[pid] = (int(fields[1]), fields[19])
    return table


def _descendants(table, roots):
    """(pid, start time) of roots' live descendants; roots are (pid, start time)."""
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found = set()
    todo = [pid for pid, _ in _alive(roots, table)]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, ()):
            if (child, table[child][1]) not in found:
                found.add((child, table[child][1]))
                todo.append(child)
    return found


def _alive(processes, table):
    """Those of processes (pid, start time) still running; a pid alone could be
    another process's by now."""
    return {(pid, start) for pid, start in processes
            if pid in table and table[pid][1] == start}


def _signal_all(processes, sig, table):
    for pid, _ in _alive(processes, table):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _end_process_tree(proc, grace=2.):
    """End ``proc`` and every process it started, within about grace + 1 s.

    mpiexec's proxies and ranks each start a session of their own, so neither a
    process group nor a session holds them: they are found by parentage, known
    before anyone is signalled (a process whose parent ended is adopted by init).
    Each gets SIGTERM (and SIGCONT, which lets a stopped rank receive it); what
    still runs after ``grace`` seconds is killed.
    """
    table = _process_table()
    if not table:  # no /proc (not Linux): mpiexec's process group, as started
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=grace)
                return
        return
    known = {(proc.pid, table[proc.pid][1])} if proc.pid in table else set()
    known |= _descendants(table, known)
    for sig in (signal.SIGTERM, signal.SIGCONT):
        _signal_all(known, sig, table)
    deadline = time.monotonic() + grace
    while True:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)  # reap mpiexec as soon as it ends
        table = _process_table()
        # anything started meanwhile by a process still known
        known |= _descendants(table, known)
        alive = _alive(known, table)
        if not alive:
            return
        if time.monotonic() > deadline:
            _signal_all(alive, signal.SIGKILL, table)
            if time.monotonic() > deadline + 1.:
                return  # unkillable (in the kernel): nothing more can be done
        time.sleep(0.05)


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

    Notes
    -----
    Ctrl-C (SIGINT), SIGTERM (``timeout``, batch schedulers) or SIGHUP during a
    run end ``mpiexec`` and every rank, a stuck or stopped one included (killed
    if it has not ended 2 s after SIGTERM), and remove the run's folder, before
    this process ends as the signal asks (KeyboardInterrupt, or the signal's
    default action). The signal handlers this needs are installed in the main
    thread for the run only.
    """

    def __init__(self, n_procs=None, mpi_cmd='mpiexec', *, _verbose=True):
        self._verbose = _verbose
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
        if _verbose:
            print(f'{self._fallback}: running the simulation without MPI.'
                  if self._fallback else f'MPI will run over {self.n_procs} processes')

    def __repr__(self):
        return f'<MPIBackend | n_procs={self.n_procs}, mpi_cmd={self.mpi_cmd!r}>'

    def _command(self, workdir, verbose):
        cmd = [self._mpiexec, '-np', str(self.n_procs)]
        if self.n_procs > _usable_cores() and _mpi_flavour(self._mpiexec) == 'openmpi':
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
        from .progress import print_progress
        report = progress if progress is not None else (
            print_progress if verbose else None)
        if verbose and progress is None and self._verbose:
            print(f'MPI will run {plan.n_trials} trial(s) sequentially by distributing '
                  f'network neurons over {self.n_procs} processes.', flush=True)
        # a signal must not end this process before mpiexec, the ranks and the
        # run's folder are gone
        with _signals_end_run():
            return self._run(plan, report)

    def _run(self, plan, report):
        from .progress import _relay
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
                    _relay(proc.stdout, report)  # rank 0's progress, as it comes
                    proc.wait()
                except BaseException:
                    _end_process_tree(proc)
                    raise
                finally:
                    proc.stdout.close()
            results_file = op.join(workdir, 'results.pkl')
            if proc.returncode != 0 or not op.isfile(results_file):
                error = (RuntimeError if glob.glob(op.join(workdir, 'rank*.err'))
                         else _LaunchFailed)  # no rank ran into the model
                raise error(self._failure_report(workdir, proc.returncode))
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


class _LaunchFailed(RuntimeError):
    """MPI did not start the ranks, or they ended before running the model."""


class _DefaultRanks(MPIBackend):
    """Every core for one trial, chosen by default: falls back to this process.

    The user did not ask for MPI, so an MPI that cannot start (e.g. a launcher
    that the machine's network set-up breaks) must not fail the run: it runs
    in this process, with a warning that says why.
    """

    def __repr__(self):
        return f'<default: one trial over {self.n_procs} MPI ranks>'

    def simulate(self, plan, verbose=True, progress=None):
        try:
            return super().simulate(plan, verbose=verbose, progress=progress)
        except _LaunchFailed as err:
            warnings.warn(
                f'MPI could not run the trial over {self.n_procs} cores, so it runs '
                f'in this process (set {_CORES_ENV}=1 to do so from the start). '
                f'{err}', RuntimeWarning, stacklevel=3)
        return JoblibBackend(1, _verbose=False).simulate(plan, verbose=verbose,
                                                         progress=progress)


class _DefaultJobs(JoblibBackend):
    """Several trials side by side, chosen by default: progress told here.

    The workers' own progress lines go where their output goes (not into a
    notebook, for one), so this process says when each trial is done instead.
    """

    def simulate(self, plan, verbose=True, progress=None):
        if verbose and progress is None:
            progress = _print_trial_done
        return super().simulate(plan, verbose=verbose, progress=progress)


def _print_trial_done(event):
    if event.kind == 'done':
        print(f'trial {event.trial + 1} of {event.n_trials} done', flush=True)
