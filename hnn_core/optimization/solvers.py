"""The Optimizer's solvers: each proposes candidates, asks for their values in
batches and returns when its budget is spent.

A solver gets ``evaluate(points) -> values``: ``points`` is an array (n_points,
n_params) in the parameters' own units, every row within the bounds, and all
the rows of one call are simulated together (in parallel where the backend
allows). How many rows a solver can hand over at once is its business:
COBYLA one (each step depends on the last), CMA-ES a whole population, the
Bayesian solver ``n_parallel`` proposals.
"""

import numpy as np

from .._validate import _check_finite, _check_int, _check_seed

SOLVERS = ('bayesian', 'cobyla', 'cma')
# what each solver reads from Optimizer.fit's keyword arguments
SOLVER_OPTIONS = {'bayesian': ('seed',), 'cobyla': (),
                  'cma': ('popsize', 'seed', 'sigma0', 'tolfun')}


class _UnitBox:
    """Maps the unit cube onto the parameters' bounds and back."""

    def __init__(self, lower, upper):
        self.lower, self.span = lower, upper - lower

    def to_params(self, u):
        return self.lower + np.clip(u, 0., 1.) * self.span

    def to_unit(self, x):
        return (np.asarray(x, float) - self.lower) / self.span


def run_cobyla(evaluate, x0, lower, upper, max_iter, n_parallel, options):
    """COBYLA (scipy), one candidate at a time: 0.6.1's search, then restarts.

    The first search is hnn-core 0.6.1's: ``fmin_cobyla`` from ``x0`` with a
    first step of 0.1 and a last one of 1e-4 in the parameters' own units
    (ms, uS, ...), the bounds given as inequality constraints. 0.6.1 builds
    those constraints from the last parameter's bounds for every parameter (a
    late-binding closure), so with several parameters its search can leave the
    box and follow the wrong bounds; here each parameter has its own, and a
    point COBYLA proposes outside them (it may, by up to its step) is clipped
    onto them before it is simulated. With one parameter, or with bounds that
    happen to agree, the two searches are the same.

    Steps in raw units treat a weight (uS) and a time (ms) alike, and the
    objective of a spiking network is rugged, so that search often ends long
    before the budget is spent. What is left goes to searches in the unit cube
    (each parameter scaled to its bounds), from the best point so far, with a
    first step of a tenth of each range, then a quarter of the last one, down
    to 1e-3. A point already simulated is not simulated again.
    """
    from scipy.optimize import fmin_cobyla, minimize
    box = _UnitBox(lower, upper)
    known = {}
    best = [np.inf, np.asarray(x0, float)]

    def func(x):
        x = np.clip(np.asarray(x, float), lower, upper)
        key = x.tobytes()
        if key not in known:
            if len(known) == max_iter:
                raise _BudgetSpent
            known[key] = float(evaluate(x[np.newaxis])[0])
            if known[key] < best[0]:
                best[:] = [known[key], x]
        return known[key]

    constraints = []
    for idx in range(len(x0)):
        constraints.append(lambda x, idx=idx: upper[idx] - x[idx])
        constraints.append(lambda x, idx=idx: x[idx] - lower[idx])
    # scipy needs n + 2 calls at least and would make them even when asked for
    # fewer: func keeps the budget, maxfun only has to be large enough
    maxfun = max(max_iter, len(x0) + 2)
    try:
        fmin_cobyla(func, best[1], constraints, rhobeg=0.1, rhoend=1e-4,
                    maxfun=maxfun, catol=0., disp=0)
        first_step = 0.1
        while len(known) < max_iter and first_step >= 1e-3:
            minimize(lambda u: func(box.to_params(u)), box.to_unit(best[1]),
                     method='COBYLA', bounds=[(0., 1.)] * len(x0),
                     options={'rhobeg': first_step, 'tol': 1e-4, 'maxiter': maxfun})
            first_step /= 4
    except _BudgetSpent:
        pass


class _BudgetSpent(Exception):
    """Raised to stop a solver that would go past max_iter evaluations."""


def run_cma(evaluate, x0, lower, upper, max_iter, n_parallel, options):
    """CMA-ES (the ``cma`` package) on the raw parameters, as hnn-core 0.6.1.

    ``max_iter`` counts generations (``popsize`` candidates each), as in 0.6.1;
    each generation's candidates are simulated together.
    """
    import cma
    popsize = _check_int('popsize', options.get('popsize', 16), minimum=2)
    seed = _check_seed('seed', options.get('seed', 123))
    tolfun = _check_finite('tolfun', options.get('tolfun', 0.01), minimum=0)
    sigma0 = options.get('sigma0', 0.25)
    if np.ndim(sigma0) == 0:
        sigma0 = _check_finite('sigma0', sigma0, minimum=0, strict=True)
        stds = sigma0 * (upper - lower)
    else:
        stds = np.asarray(sigma0, float)
        if stds.shape != lower.shape or not np.all(np.isfinite(stds)) \
                or np.any(stds <= 0):
            raise ValueError(f'sigma0 must be a positive number or one positive number '
                             f'per parameter ({len(lower)}), got {options["sigma0"]!r}')
    es = cma.CMAEvolutionStrategy(
        list(x0), 1, {'bounds': [list(lower), list(upper)], 'tolfun': tolfun,
                      'maxiter': max_iter, 'popsize': popsize, 'CMA_stds': list(stds),
                      'verbose': -9, 'seed': seed})
    while not es.stop():
        candidates = es.ask()
        # cma keeps candidates inside the bounds already; clip against rounding
        points = np.clip(np.array(candidates, float), lower, upper)
        es.tell(candidates, list(evaluate(points)))


def run_bayesian(evaluate, x0, lower, upper, max_iter, n_parallel, options):
    """Bayesian optimisation (``bayesian-optimization``) in the unit cube.

    A Gaussian process (Matern 5/2 kernel) models the objective and expected
    improvement picks the next candidates; ``n_parallel`` are proposed at a
    time, the pending ones standing in for their unknown values ("constant
    liar"), so they can be simulated together. The first batch is ``x0`` and
    random points.
    """
    from bayes_opt import BayesianOptimization, acquisition
    seed = _check_seed('seed', options.get('seed', 1))
    box = _UnitBox(lower, upper)
    names = [f'u{idx:03d}' for idx in range(len(x0))]
    rng = np.random.default_rng(seed)
    liar = acquisition.ConstantLiar(
        acquisition.ExpectedImprovement(xi=0.01), strategy='max')
    optimizer = BayesianOptimization(
        f=None, pbounds={name: (0., 1.) for name in names}, acquisition_function=liar,
        random_state=seed, verbose=0, allow_duplicate_points=True)

    def register(units):
        values = evaluate(box.to_params(units))
        for u, value in zip(units, values):
            # bayes_opt maximises
            optimizer.register(params=dict(zip(names, u)), target=-float(value))

    n_first = min(max_iter, max(n_parallel, 2))
    first = np.vstack([box.to_unit(x0)[np.newaxis],
                       rng.uniform(size=(n_first - 1, len(x0)))])
    register(first)
    n_done = n_first
    while n_done < max_iter:
        n_batch = min(n_parallel, max_iter - n_done)
        proposals = []
        for _ in range(n_batch):
            suggestion = optimizer.suggest()
            proposals.append([suggestion[name] for name in names])
        register(np.clip(np.array(proposals, float), 0., 1.))
        n_done += n_batch


RUNNERS = {'bayesian': run_bayesian, 'cobyla': run_cobyla, 'cma': run_cma}
