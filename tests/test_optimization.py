"""Optimizer: objectives equal to hnn-core 0.6.1's, solvers that recover a known
misfit on a 3x3 network, parallel runs identical to serial ones, named errors."""
import json
import os.path as op

import numpy as np
import pytest

from hnn_core import (Dipole, JoblibBackend, neymotin_2020_model, read_dipole,
                      simulate_dipole)
from hnn_core.datasets import meg_evoked_response_path
from hnn_core.optimization import Optimizer
from hnn_core.optimization import objectives
from hnn_core.simulation import _simulate_many

from conftest import DATA

pytest.importorskip('cma')
pytest.importorskip('bayes_opt')

TRUE_MU, TSTOP = 20., 50.
SCALE, WINDOW = 1000., 20.
WEIGHTS = {'L5_pyramidal': 0.2, 'L2_pyramidal': 0.1, 'L2_basket': 0.05, 'L5_basket': 0.05}


def set_params(net, params):
    """One proximal drive whose time (and, if given, L5 weight) is fitted."""
    weights = dict(WEIGHTS, L5_pyramidal=params.get('w', WEIGHTS['L5_pyramidal']))
    net.add_evoked_drive('evprox', mu=params['mu'], sigma=2., numspikes=1,
                         location='proximal', weights_ampa=weights, synaptic_delays=0.1,
                         event_seed=5)


@pytest.fixture(scope='module')
def base_net():
    return neymotin_2020_model(mesh_shape=(3, 3))


@pytest.fixture(scope='module')
def target(base_net):
    """The 3x3 network's own dipole, drive at 20 ms (scaled and smoothed)."""
    net = base_net.copy()
    set_params(net, {'mu': TRUE_MU})
    dpl = simulate_dipole(net, tstop=TSTOP, n_trials=1, verbose=False)[0]
    return dpl.scale(SCALE).smooth(WINDOW)


def _trials():
    dpls = []
    for mesh in ('10x10', '3x3'):
        data = np.load(op.join(DATA, f'evoked_sigma0_mesh{mesh}.npz'))
        dpls.append(Dipole(data['times'], {'agg': data['agg'], 'L2': data['L2'],
                                           'L5': data['L5']}))
    return dpls


@pytest.mark.reference
def test_objective_values_equal_0_6_1():
    """The same dipoles score what hnn-core 0.6.1's objectives give them.

    tests/data/objective_values.json: 0.6.1's values (make_objective_values.py)
    for its own simulated dipoles against the shared MEG recording (~600 Hz).
    """
    with open(op.join(DATA, 'objective_values.json')) as fid:
        ref = json.load(fid)
    target_file = meg_evoked_response_path('yes_trial')
    assert op.basename(target_file) == ref['target_file']
    target = read_dipole(target_file)
    assert len(ref['cases']) == 7
    for case in ref['cases']:
        kwargs = dict(case['kwargs'])
        dpls = objectives.preprocess(_trials(), kwargs.pop('scale_factor', None),
                                     kwargs.pop('smooth_window_len', None))
        fun = getattr(objectives, case['obj_fun'])
        if case['obj_fun'] == 'maximize_psd':
            bands, weights = objectives._check_bands(kwargs['f_bands'],
                                                     kwargs['relative_bandpower'])
            value = fun(dpls, bands, weights)
        else:
            value = fun(dpls, target, case['tstop'])
        np.testing.assert_allclose(value, case['value'], rtol=1e-10, err_msg=str(case))


@pytest.mark.parametrize('solver', ['cobyla', 'bayesian'])
def test_solver_recovers_a_shifted_drive(base_net, target, solver):
    """From a drive 6 ms late, the fit finds its time within 1 ms, within bounds."""
    constraints = {'mu': (10., 34.)}
    opt = Optimizer(base_net, tstop=TSTOP, constraints=constraints,
                    set_params=set_params, initial_params={'mu': TRUE_MU + 6.},
                    solver=solver, max_iter=16)
    assert opt.fit(target=target, scale_factor=SCALE, smooth_window_len=WINDOW,
                   verbose=False) is opt
    assert abs(opt.opt_params_[0] - TRUE_MU) < 1.
    _check_fit(opt, constraints, n_calls=16)


def test_cma_recovers_a_shifted_drive(base_net, target):
    constraints = {'mu': (10., 34.), 'w': (0.05, 0.4)}
    opt = Optimizer(base_net, tstop=TSTOP, constraints=constraints,
                    set_params=set_params, initial_params={'mu': TRUE_MU + 6., 'w': 0.2},
                    solver='cma', max_iter=5)
    opt.fit(target=target, scale_factor=SCALE, smooth_window_len=WINDOW, popsize=6,
            seed=3, verbose=False)
    assert abs(opt.opt_params_[0] - TRUE_MU) < 1.
    # max_iter counts generations for CMA-ES (as hnn-core 0.6.1)
    assert opt.params_history_.shape[0] <= 5 * 6
    _check_fit(opt, constraints, n_calls=None)


def _check_fit(opt, constraints, n_calls):
    history = opt.params_history_
    if n_calls is not None:  # COBYLA may stop early, never late
        assert 2 <= len(history) <= n_calls
    for idx, (low, high) in enumerate(constraints.values()):
        assert np.all((history[:, idx] >= low) & (history[:, idx] <= high))
    assert len(opt.obj_) == opt.max_iter
    assert np.all(np.diff(opt.obj_) <= 0)
    best = np.argmin(opt.obj_history_)
    assert opt.obj_[-1] == opt.obj_history_[best]
    np.testing.assert_array_equal(opt.opt_params_, history[best])
    # net_ is the initial network with the best parameters
    drive = opt.net_.external_drives['evprox']
    assert drive['dynamics']['mu'] == opt.opt_params_[0]
    assert 'evprox' not in opt._initial_net.external_drives


def test_cobyla_spends_its_budget_in_finer_restarts_without_repeats():
    """When scipy's COBYLA stops early, the search starts again from the best
    point with a smaller first step; no point is simulated twice and the budget
    is never exceeded."""
    from scipy.optimize import minimize
    from hnn_core.optimization.solvers import run_cobyla
    lower, upper = np.array([0., 10.]), np.array([1., 30.])
    x0 = np.array([0.2, 25.])

    def objective(points):  # minimum at (0.7, 15), inside the box
        return np.abs(points[:, 0] - 0.7) + np.abs(points[:, 1] - 15.) / 20.

    # what one COBYLA run from x0 costs and finds, as the solver starts it
    one_run = minimize(lambda u: objective((lower + u * (upper - lower))[None])[0],
                       (x0 - lower) / (upper - lower), method='COBYLA',
                       bounds=[(0., 1.)] * 2,
                       options={'rhobeg': 0.1, 'tol': 1e-4, 'maxiter': 200})
    simulated = []

    def evaluate(points):
        simulated.extend(map(tuple, points))
        return objective(points)
    run_cobyla(evaluate, x0, lower, upper, max_iter=200, n_parallel=2, options={})
    assert len(set(simulated)) == len(simulated)
    assert one_run.nfev < len(simulated) <= 200
    assert min(objective(np.array(simulated))) <= one_run.fun
    for max_iter in (3, 17):
        simulated.clear()
        run_cobyla(evaluate, x0, lower, upper, max_iter=max_iter, n_parallel=2,
                   options={})
        assert len(simulated) == max_iter


def test_parallel_fit_identical_to_serial(base_net, target):
    """A CMA-ES generation spread over 2 jobs gives the serial run's numbers."""
    def fit():
        opt = Optimizer(base_net, tstop=30., constraints={'mu': (10., 30.),
                                                          'w': (0.05, 0.4)},
                        set_params=set_params, solver='cma', max_iter=2)
        return opt.fit(target=target, popsize=4, scale_factor=SCALE, verbose=False)
    with JoblibBackend(n_jobs=1, _verbose=False):
        serial = fit()
    with JoblibBackend(n_jobs=2, _verbose=False):
        parallel = fit()
    np.testing.assert_array_equal(serial.params_history_, parallel.params_history_)
    np.testing.assert_array_equal(serial.obj_history_, parallel.obj_history_)
    assert len(serial.obj_history_) == 8


def test_simulate_many_matches_simulate_dipole(base_net):
    nets = []
    for mu in (12., 18., 24.):
        net = base_net.copy()
        set_params(net, {'mu': mu})
        nets.append(net)
    with JoblibBackend(n_jobs=2, _verbose=False):
        done = list(_simulate_many(nets, tstop=30., n_trials=2))
    assert [idx for idx, _ in done] == [0, 1, 2]
    for (idx, dpls), mu in zip(done, (12., 18., 24.)):
        net = base_net.copy()
        set_params(net, {'mu': mu})
        ref = simulate_dipole(net, tstop=30., n_trials=2, verbose=False)
        for dpl, ref_dpl in zip(dpls, ref):
            np.testing.assert_array_equal(dpl.data['agg'], ref_dpl.data['agg'])
        assert nets[idx].cell_response.spike_times == net.cell_response.spike_times


def test_user_objectives(base_net, target):
    """A function of the dipoles, and one with hnn-core 0.6.1's signature."""
    seen = []

    def peak_time(dpls, target, n_trials, scale_factor):
        seen.append((len(dpls), n_trials, scale_factor))
        dpl = dpls[0]
        return abs(dpl.times[np.argmax(dpl.data['agg'])] -
                   target.times[np.argmax(target.data['agg'])])

    opt = Optimizer(base_net, tstop=40., constraints={'mu': (10., 30.)},
                    set_params=set_params, obj_fun=peak_time, solver='cobyla',
                    max_iter=3)
    opt.fit(target=target, n_trials=1, scale_factor=SCALE, verbose=False)
    assert seen == [(1, 1, SCALE)] * len(opt.obj_history_)

    calls = []

    def legacy(initial_net, initial_params, set_params, predicted_params,
               update_params, obj_values, tstop, obj_fun_kwargs, best=None):
        params = update_params(initial_params, predicted_params)
        calls.append((params, tstop, obj_fun_kwargs['n_trials']))
        obj_values.append(abs(params['mu'] - 17.))
        return obj_values[-1]

    opt = Optimizer(base_net, tstop=40., constraints={'mu': (10., 30.)},
                    set_params=set_params, obj_fun=legacy, solver='cobyla', max_iter=20)
    opt.fit(n_trials=2, verbose=False)
    assert len(calls) == len(opt.obj_history_) and calls[0][1:] == (40., 2)
    assert abs(opt.opt_params_[0] - 17.) < 0.1


def test_plot_convergence(base_net, target):
    import matplotlib.pyplot as plt
    opt = Optimizer(base_net, tstop=30., constraints={'mu': (10., 30.)},
                    set_params=set_params, solver='cobyla', max_iter=2)
    with pytest.raises(RuntimeError, match='not been fit'):
        opt.plot_convergence(show=False)
    opt.fit(target=target, verbose=False)
    # scipy's COBYLA wants n + 2 = 3 calls at least: the budget still holds
    assert len(opt.obj_history_) == 2
    fig, ax = plt.subplots()
    assert opt.plot_convergence(ax=ax, show=False) is fig
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), opt.obj_)
    assert ax.get_xlabel() == 'Number of calls'
    plt.close('all')


def test_bad_input(base_net, target):
    def make(**kwargs):
        args = dict(initial_net=base_net, tstop=30., constraints={'mu': (10., 30.)},
                    set_params=set_params, solver='cobyla', max_iter=2)
        args.update(kwargs)
        return Optimizer(**args)

    with pytest.raises(ValueError, match=r"constraints\['mu'\] must be a \(lower, upper"):
        make(constraints={'mu': 10.})
    with pytest.raises(ValueError, match=r"constraints\['mu'\] must be a \(lower, upper"):
        make(constraints={'mu': (10.,)})
    with pytest.raises(ValueError, match=r"constraints\['mu'\] must have lower < upper"):
        make(constraints={'mu': (30., 10.)})
    with pytest.raises(ValueError, match='constraints must name at least one'):
        make(constraints={})
    with pytest.raises(ValueError, match="solver.*'bayesian', 'cobyla', 'cma'"):
        make(solver='nelder-mead')
    with pytest.raises(ValueError, match="obj_fun must be one of.*or a function"):
        make(obj_fun='dipole_mse')
    with pytest.raises(ValueError, match="solver='cma' needs at least two"):
        make(solver='cma')
    with pytest.raises(ValueError, match=r"initial_params\['mu'\] = 40.0 is out of"):
        make(initial_params={'mu': 40.})
    with pytest.raises(ValueError, match='keys of initial_params'):
        make(initial_params={'sigma': 2.})
    with pytest.raises(ValueError, match='max_iter'):
        make(max_iter=0)

    opt = make()
    with pytest.raises(ValueError, match='target .* must be given'):
        opt.fit()
    short = Dipole(target.times[target.times <= 20.],
                   {'agg': target.data['agg'][target.times <= 20.]})
    with pytest.raises(ValueError, match=r'target must cover .* tstop=30.0'):
        opt.fit(target=short)
    with pytest.raises(TypeError, match=r"unexpected keyword.*\['scale'\]"):
        opt.fit(target=target, scale=3000)
    psd = make(obj_fun='maximize_psd')
    with pytest.raises(ValueError, match='f_bands and relative_bandpower must be given'):
        psd.fit(f_bands=[(15, 25)])
    with pytest.raises(ValueError, match=r'f_bands\[0\] must have low < high'):
        psd.fit(f_bands=[(25, 15)], relative_bandpower=1.)
    with pytest.raises(ValueError, match='one weight per band'):
        psd.fit(f_bands=[(15, 25)], relative_bandpower=[1., 2.])

    def failing(net, params):
        if params['mu'] != 20.:
            raise KeyError('no such drive')
        set_params(net, params)
    opt = make(set_params=failing, initial_params={'mu': 20.})
    with pytest.raises(RuntimeError, match=r"set_params raised KeyError for candidate 2 "
                       r"with params \{'mu': "):
        opt.fit(target=target, verbose=False)
    # the candidate simulated before the failure is kept
    assert opt.params_history_.tolist() == [[20.]]
    assert opt.net_ is None
