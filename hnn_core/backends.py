"""How trials are scheduled: in this process, in worker processes, or over MPI ranks.

A backend is a context manager; ``simulate_dipole`` uses the innermost active one,
or a one-job :class:`JoblibBackend` when none is active.
"""

from ._validate import _check_int

_BACKEND_STACK = []


def _current_backend():
    return _BACKEND_STACK[-1] if _BACKEND_STACK else None


def _run_one(plan, trial_idx, verbose):
    # Imported here so that worker processes load NEURON only when they run.
    from .engine import run_trial
    return run_trial(plan, trial_idx, verbose=verbose)


class JoblibBackend:
    """Run trials in parallel, one trial per job, with joblib.

    Each trial is an independent simulation, so trials can run in separate
    processes and the results do not depend on ``n_jobs``. The jobs go through
    whatever joblib backend is active (``joblib.parallel_config``), e.g. loky
    (the default), multiprocessing, or dask's to spread trials over a cluster.

    Parameters
    ----------
    n_jobs : int
        Number of parallel jobs (>= 1). With 1, trials run one after another in
        this process.

    Examples
    --------
    >>> with JoblibBackend(n_jobs=2):                     # doctest: +SKIP
    ...     dpls = simulate_dipole(net, n_trials=4)
    """

    def __init__(self, n_jobs=1, *, _verbose=True):
        self.n_jobs = _check_int('n_jobs', n_jobs, minimum=1)
        if _verbose:
            print(f'joblib will run over {self.n_jobs} jobs')

    def __enter__(self):
        _BACKEND_STACK.append(self)
        return self

    def __exit__(self, *exc):
        _BACKEND_STACK.remove(self)
        return False

    def __repr__(self):
        return f'<JoblibBackend | n_jobs={self.n_jobs}>'

    def simulate(self, plan, verbose=True):
        """Run every trial of ``plan``; return the engine's results in trial order."""
        trials = range(plan.n_trials)
        if self.n_jobs == 1 or plan.n_trials == 1:
            return [_run_one(plan, trial_idx, verbose) for trial_idx in trials]
        from joblib import Parallel, delayed
        n_jobs = min(self.n_jobs, plan.n_trials)
        return Parallel(n_jobs=n_jobs)(
            delayed(_run_one)(plan, trial_idx, verbose) for trial_idx in trials)
