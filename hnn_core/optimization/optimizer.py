"""Optimizer: fit network parameters to a target (hnn-core 0.6.1's API)."""

import inspect
import time

import numpy as np

from .._validate import _validate_type, _check_option, _check_int, _check_finite
from . import objectives
from .solvers import SOLVERS, SOLVER_OPTIONS, RUNNERS

OBJECTIVES = ('dipole_rmse', 'dipole_corr', 'maximize_psd')


class Optimizer:
    """Find the parameters of a network that best explain a target.

    Each candidate is the initial network, copied, with ``set_params`` applied
    to it; its simulated dipoles give the objective's value. Candidates that can
    be simulated at once are: a CMA-ES generation, a batch of Bayesian
    proposals, and the trials of each candidate, over the active backend
    (:class:`~hnn_core.JoblibBackend`, :class:`~hnn_core.MPIBackend`), or over
    every usable core when none is active.

    Parameters
    ----------
    initial_net : Network
        The network to start from (left unchanged).
    tstop : float
        Simulated time of each candidate (ms).
    constraints : dict
        ``{name: (lower, upper)}``: the parameters to fit and their bounds.
    set_params : callable
        ``set_params(net, params)`` applies ``params`` (a dict with the keys of
        ``constraints``) to ``net``, e.g. by adding or editing drives.
    initial_params : dict | None
        Where to start (keys of ``constraints``, values within the bounds).
        None starts at the middle of each range.
    solver : 'bayesian' | 'cobyla' | 'cma'
        Bayesian optimisation (a Gaussian process with expected improvement,
        from the ``bayesian-optimization`` package), COBYLA (scipy) or CMA-ES
        (the ``cma`` package). The solvers come with
        ``pip install 'hnn_core[opt]'``.
    obj_fun : 'dipole_rmse' | 'dipole_corr' | 'maximize_psd' | callable
        What to minimise: the RMSE of the trial-averaged dipole against the
        target, 1 minus their correlation, or minus the relative power in
        frequency bands. A callable is either ``obj_fun(dpls, **fit_kwargs)
        -> float`` (the candidate's single-trial dipoles, scaled and smoothed
        as ``fit`` asks, and ``fit``'s keyword arguments) or a function with
        hnn-core 0.6.1's objective signature (``initial_net``,
        ``initial_params``, ``set_params``, ``predicted_params``, ...), which
        runs its own simulations and is called once per candidate.
    max_iter : int
        The budget: the number of candidates simulated; for ``'cma'`` the
        number of generations, as in hnn-core 0.6.1.

    Attributes
    ----------
    net_ : Network | None
        The initial network with the best parameters set (after ``fit``).
    opt_params_ : list of float | None
        The best parameters, in the order of ``constraints``.
    obj_ : list of float
        The best objective value after each candidate (each generation for
        ``'cma'``); ``max_iter`` values, the last repeated if the solver
        stopped early.
    params_history_ : array, shape (n_candidates, n_params)
        Every candidate simulated, in order.
    obj_history_ : array, shape (n_candidates,)
        The objective value of each candidate.
    """

    def __init__(self, initial_net, tstop, constraints, set_params, initial_params=None,
                 solver='bayesian', obj_fun='dipole_rmse', max_iter=200):
        from ..network import Network
        _validate_type(initial_net, Network, 'initial_net')
        self.tstop = _check_finite('tstop', tstop, minimum=0, strict=True)
        self.constraints = _check_constraints(constraints)
        _validate_type(set_params, 'callable', 'set_params', 'a function')
        _check_option('solver', solver, SOLVERS)
        if callable(obj_fun):
            self.obj_fun, self.obj_fun_name = obj_fun, None
        else:
            if obj_fun not in OBJECTIVES:
                raise ValueError(f'obj_fun must be one of {OBJECTIVES} or a function, '
                                 f'got {obj_fun!r}')
            self.obj_fun, self.obj_fun_name = getattr(objectives, obj_fun), obj_fun
        self.max_iter = _check_int('max_iter', max_iter, minimum=1)
        if solver == 'cma' and len(self.constraints) < 2:
            raise ValueError("solver='cma' needs at least two parameters in constraints "
                             "(the cma package does not run in one dimension); use "
                             "'cobyla' or 'bayesian' for one")
        self._initial_net = initial_net
        self._set_params = set_params
        self.solver = solver
        self.initial_params = _check_initial_params(initial_params, self.constraints)
        self.net_ = None
        self.obj_ = list()
        self.opt_params_ = None
        self.params_history_ = np.empty((0, len(self.constraints)))
        self.obj_history_ = np.empty(0)

    def __repr__(self):
        return (f'<{type(self).__name__} | solver={self.solver}, '
                f'{len(self.constraints)} parameters, fit={self.net_ is not None}>')

    def fit(self, **obj_fun_kwargs):
        """Search the parameters that minimise the objective.

        Parameters
        ----------
        target : Dipole
            The recording to fit (``'dipole_rmse'``, ``'dipole_corr'``); its
            samples must span 0 to ``tstop``. The simulated dipole is compared
            with it after resampling to the target's rate, as hnn-core 0.6.1.
        n_trials : int
            Trials simulated and averaged per candidate (default 1).
        f_bands : list of (float, float)
            Frequency bands in Hz (``'maximize_psd'``).
        relative_bandpower : float | list of float
            Weight of each band (``'maximize_psd'``).
        scale_factor : float | None
            Multiply each simulated dipole by this before comparing.
        smooth_window_len : float | None
            Smooth each simulated dipole with a Hamming window this long (ms),
            after scaling.
        dt : float
            Time step (ms), default 0.025.
        popsize, sigma0, tolfun : int, float or array, float
            CMA-ES: candidates per generation (16), the initial step as a
            fraction of each range (0.25) and the stopping tolerance on the
            objective (0.01), as hnn-core 0.6.1.
        seed : int
            Seed of the CMA-ES (123) or Bayesian (1) solver's random draws.
        n_jobs : int
            Accepted for hnn-core 0.6.1's scripts and ignored: candidates run on
            the active backend, or every core.
        verbose : bool
            Print each candidate's value (default True).

        Returns
        -------
        self : Optimizer
            With ``net_``, ``opt_params_`` and ``obj_`` set.
        """
        kwargs = objectives.check_fit_kwargs(self.obj_fun_name, self.tstop,
                                             obj_fun_kwargs)
        names = list(self.constraints)
        lower = np.array([self.constraints[name][0] for name in names])
        upper = np.array([self.constraints[name][1] for name in names])
        x0 = np.array([self.initial_params[name] for name in names])
        evaluator = _Evaluator(self, kwargs)
        options = {key: kwargs[key] for key in SOLVER_OPTIONS[self.solver]
                   if key in kwargs}
        try:
            RUNNERS[self.solver](evaluator, x0, lower, upper, self.max_iter,
                                 evaluator.n_parallel(), options)
        finally:
            # what was simulated is kept, also when the fit is interrupted
            self.params_history_ = np.array(evaluator.points).reshape(-1, len(names))
            self.obj_history_ = np.array(evaluator.values, float)
        best = int(np.argmin(self.obj_history_))
        self.opt_params_ = [float(value) for value in self.params_history_[best]]
        self.obj_ = self._convergence(evaluator.batch_sizes)
        net = self._initial_net.copy()
        self._set_params(net, dict(zip(names, self.opt_params_)))
        self.net_ = net
        return self

    def _convergence(self, batch_sizes):
        values = self.obj_history_
        if self.solver == 'cma':  # per generation, as hnn-core 0.6.1
            ends = np.cumsum(batch_sizes)
            best = [float(values[:end].min()) for end in ends]
        else:
            best = np.minimum.accumulate(values).tolist()
        best = best[:self.max_iter]
        return best + [best[-1]] * (self.max_iter - len(best))

    def plot_convergence(self, ax=None, show=True):
        """Plot the best objective value against the number of calls.

        Parameters
        ----------
        ax : matplotlib Axes | None
            Where to draw; None makes a new figure.
        show : bool
            Show the figure.

        Returns
        -------
        fig : matplotlib Figure
        """
        import matplotlib.pyplot as plt
        if not self.obj_:
            raise RuntimeError('The optimizer has not been fit yet: call fit first')
        if ax is None:
            _, ax = plt.subplots(constrained_layout=True)
        calls = np.arange(1, len(self.obj_) + 1)
        ax.plot(calls, self.obj_, color='black')
        low, high = min(self.obj_), max(self.obj_)
        ax.set_ylim(low - 0.01, high + 0.01)
        ax.set_title('Convergence')
        ax.set_xlabel('Generation' if self.solver == 'cma' else 'Number of calls')
        ax.set_ylabel(f'Best objective value ({self.obj_fun_name or "obj_fun"})')
        ax.grid(visible=True)
        fig = ax.get_figure()
        if show:
            plt.show()
        return fig


class _Evaluator:
    """Turns a solver's batch of points into objective values, keeping them all."""

    def __init__(self, optimizer, kwargs):
        self.opt = optimizer
        self.kwargs = kwargs
        self.names = list(optimizer.constraints)
        self.points, self.values, self.batch_sizes = [], [], []
        fun = optimizer.obj_fun
        self.legacy = optimizer.obj_fun_name is None and \
            'initial_net' in inspect.signature(fun).parameters
        self.start = time.perf_counter()

    def n_parallel(self):
        """How many candidates to simulate at once: jobs / trials per candidate."""
        from ..backends import _current_backend, _default_many_backend, JoblibBackend
        if self.legacy:
            return 1
        backend = _current_backend() or _default_many_backend()
        n_jobs = backend.n_jobs if isinstance(backend, JoblibBackend) else 1
        return max(1, n_jobs // self.kwargs.get('n_trials', 1))

    def __call__(self, points):
        points = np.atleast_2d(np.asarray(points, float))
        if self.legacy:
            values = [self._legacy_value(point) for point in points]
        else:
            values = self._simulated_values(points)
        for point, value in zip(points, values):
            self.points.append(point)
            self.values.append(value)
            if self.kwargs['verbose']:
                params = ', '.join(f'{name}={v:.6g}' for name, v in zip(self.names, point))
                print(f'candidate {len(self.values)}: {params} -> {value:.6g} '
                      f'(best {min(self.values):.6g}; '
                      f'{time.perf_counter() - self.start:.1f} s)', flush=True)
        self.batch_sizes.append(len(points))
        return np.array(values)

    def _network(self, idx, point):
        params = dict(zip(self.names, (float(v) for v in point)))
        net = self.opt._initial_net.copy()
        try:
            self.opt._set_params(net, params)
        except Exception as err:
            raise RuntimeError(f'set_params raised {type(err).__name__} for candidate '
                               f'{len(self.values) + idx + 1} with params {params}: '
                               f'{err}') from err
        return net

    def _simulated_values(self, points):
        from ..simulation import _simulate_many
        kwargs = self.kwargs
        nets = [self._network(idx, point) for idx, point in enumerate(points)]
        values = [None] * len(points)
        for idx, dpls in _simulate_many(nets, tstop=self.opt.tstop, dt=kwargs['dt'],
                                        n_trials=kwargs.get('n_trials', 1),
                                        postproc=False):
            objectives.preprocess(dpls, kwargs.get('scale_factor'),
                                  kwargs.get('smooth_window_len'))
            values[idx] = self._objective(dpls)
        return values

    def _objective(self, dpls):
        kwargs, name = self.kwargs, self.opt.obj_fun_name
        if name in ('dipole_rmse', 'dipole_corr'):
            value = self.opt.obj_fun(dpls, kwargs['target'], self.opt.tstop)
        elif name == 'maximize_psd':
            value = self.opt.obj_fun(dpls, kwargs['f_bands'], kwargs['relative_bandpower'])
        else:
            user_kwargs = {key: val for key, val in kwargs.items()
                           if key not in objectives.SOLVER_KWARGS}
            value = self.opt.obj_fun(dpls, **user_kwargs)
        return _check_finite('the objective value', value)

    def _legacy_value(self, point):
        """Call an objective written for hnn-core 0.6.1 (it simulates by itself)."""
        opt = self.opt
        obj_values = []
        value = opt.obj_fun(
            initial_net=opt._initial_net, initial_params=opt.initial_params,
            set_params=opt._set_params, predicted_params=list(point),
            update_params=_update_params, obj_values=obj_values, tstop=opt.tstop,
            obj_fun_kwargs=self.kwargs)
        return _check_finite('the objective value', value)


def _update_params(initial_params, predicted_params):
    """hnn-core 0.6.1's helper for objective functions: values -> named params."""
    return dict(zip(initial_params, predicted_params))


def _check_constraints(constraints):
    _validate_type(constraints, dict, 'constraints')
    if not constraints:
        raise ValueError('constraints must name at least one parameter: '
                         '{name: (lower, upper)}')
    checked = {}
    for name, bounds in constraints.items():
        _validate_type(name, str, 'constraints key')
        if not isinstance(bounds, (list, tuple, np.ndarray)) or len(bounds) != 2:
            raise ValueError(f'constraints[{name!r}] must be a (lower, upper) pair of '
                             f'numbers, got {bounds!r}')
        lower = _check_finite(f'constraints[{name!r}][0] (lower)', bounds[0])
        upper = _check_finite(f'constraints[{name!r}][1] (upper)', bounds[1])
        if not lower < upper:
            raise ValueError(f'constraints[{name!r}] must have lower < upper, got '
                             f'({lower}, {upper})')
        checked[name] = (lower, upper)
    return checked


def _check_initial_params(initial_params, constraints):
    if initial_params is None:
        return {name: (low + high) / 2 for name, (low, high) in constraints.items()}
    _validate_type(initial_params, dict, 'initial_params')
    if set(initial_params) != set(constraints):
        raise ValueError(f'The keys of initial_params must be those of constraints '
                         f'{sorted(constraints)}, got {sorted(initial_params)}')
    checked = {}
    for name, (low, high) in constraints.items():
        value = _check_finite(f'initial_params[{name!r}]', initial_params[name])
        if not low <= value <= high:
            raise ValueError(f'initial_params[{name!r}] = {value} is out of its bounds '
                             f'({low}, {high})')
        checked[name] = value
    return checked
