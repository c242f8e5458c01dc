"""Record a COBYLA fit by hnn-core 0.6.1 (oracle script).

The case is ``fit_cases.COBYLA_CASE``: the drive time of ``fit_cases`` fitted
from 26 ms within (10, 34) ms with 16 simulations, to the oracle's own target
dipole (``fit_cases.target_dipole``). With one parameter 0.6.1's COBYLA
constraints are the intended ones, so our first search must retrace this one
(0.6.1 simulates two of its points twice, 22.9 and 19.7 ms; ours simulates no
point twice). Written: the target (``target_times``, ``target_agg``), every
simulated ``mu`` in order (``points``, recorded by ``set_params``), its RMSE
(``values``, recorded around 0.6.1's ``_rmse``), ``obj_`` and ``opt_params_``.

    $(bash ../shared/oracle/setup.sh) tests/data/make_cobyla_fit.py tests/data/cobyla_fit.npz
"""
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np  # noqa: E402
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core.optimization import Optimizer  # noqa: E402
from hnn_core.optimization import objective_functions  # noqa: E402
import fit_cases  # noqa: E402

points, values = [], []
_rmse = objective_functions._rmse


def recording_rmse(*args, **kwargs):
    """0.6.1's RMSE of each candidate, recorded as it is computed."""
    values.append(float(_rmse(*args, **kwargs)))
    return values[-1]


objective_functions._rmse = recording_rmse


def recording_set_params(net, params):
    points.append(float(params['mu']))
    fit_cases.set_params(net, params)


base_net = fit_cases.base_network()
target = fit_cases.target_dipole(base_net)
case = fit_cases.COBYLA_CASE
opt = Optimizer(base_net, tstop=fit_cases.TSTOP, constraints=case['constraints'],
                set_params=recording_set_params, initial_params=dict(case['initial_params']),
                solver='cobyla', max_iter=case['max_iter'])
opt.fit(target=target, scale_factor=fit_cases.SCALE, smooth_window_len=fit_cases.WINDOW)
# 0.6.1 calls set_params once more to build net_ from the best parameters
simulated = points[:-1]
assert points[-1] == float(opt.opt_params_[0])
assert len(values) == len(simulated)
np.savez(sys.argv[1], target_times=np.asarray(target.times),
         target_agg=np.asarray(target.data['agg']), points=np.array(simulated),
         values=np.array(values),
         obj=np.asarray(opt.obj_, float), opt_params=np.asarray(opt.opt_params_, float))
print(f'{len(simulated)} simulations: mu {np.round(simulated, 4).tolist()}; '
      f'best {opt.opt_params_} obj {opt.obj_[-1]:.6f}')
