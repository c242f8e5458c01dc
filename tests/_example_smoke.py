"""Run one gallery example, shrunk to a smoke test if HNN_CORE_EXAMPLE_SMOKE=1.

Usage::

    HNN_CORE_EXAMPLE_SMOKE=1 MPLBACKEND=agg python tests/_example_smoke.py \\
        examples/plot_simulate_alpha.py

With ``HNN_CORE_EXAMPLE_SMOKE=1`` the public entry points are wrapped before the
example runs, so the example itself needs no test code:

- every network built on the model's grid gets a 3 x 3 grid of pyramidal cells
  per layer instead of 10 x 10, keeping the meaning of the call:
  ``neymotin_2020_model`` and the other model functions, and
  ``Network(params, mesh_shape=...)`` (hnn-core 0.6.1's call), get
  ``mesh_shape=SMOKE_MESH``; hnn-core 0.1's ``Network(params)`` keeps its
  meaning (the grid read from the parameters, local connectivity added) and
  gets a copy of the parameters with ``N_pyr_x``, ``N_pyr_y`` = SMOKE_MESH.
  Networks given their own cells (``pos_dict=``, ``cell_types=``, e.g. read
  from a configuration file) are left as they are;
- ``simulate_dipole`` runs at most ``SMOKE_TSTOP`` ms and ``SMOKE_N_TRIALS`` trials;
- an ``Optimizer`` searches at most ``SMOKE_MAX_ITER`` iterations (its
  simulations keep their ``tstop``, which its target must cover).

Drives, backends (joblib workers, MPI ranks) and analysis are untouched: the
workers receive the already shrunk simulation. Without the variable the example
runs exactly as written.

If ``HNN_CORE_EXAMPLE_FIGDIR`` names a directory, every figure still open at the
end is saved there as ``<example name>_<k>.png`` (k = 1, 2, ... in the order the
figures were made), which is how the rendered examples are checked by eye.
"""

import functools
import inspect
import os
import os.path as op
import runpy
import sys

SMOKE_MESH = (3, 3)
SMOKE_TSTOP = 60.  # ms
SMOKE_N_TRIALS = 2
SMOKE_MAX_ITER = 2


def _smoke_enabled():
    return os.environ.get('HNN_CORE_EXAMPLE_SMOKE', '') not in ('', '0')


def _shrink_network():
    """Networks on the model's grid are built on a SMOKE_MESH grid instead.

    Which argument is shrunk follows the rule that ``Network`` itself uses to
    tell hnn-core 0.1's call from 0.6.1's (see ``Network.compatibility``), so
    the shrunk network has the same connectivity, seeding and post-processing
    as the one written in the example.
    """
    from hnn_core.network import Network

    original_init = Network.__init__
    signature = inspect.signature(original_init)

    @functools.wraps(original_init)
    def __init__(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        arguments = bound.arguments
        if (arguments.get('pos_dict') is not None or
                arguments.get('cell_types') is not None):
            pass  # the cells and their positions are given: nothing to shrink
        elif (arguments.get('mesh_shape') is not None or
              arguments.get('_version') == '0.6'):
            # hnn-core 0.6.1's call (also how the model functions build theirs)
            arguments['mesh_shape'] = SMOKE_MESH
        else:
            # hnn-core 0.1's Network(params): the grid comes from the parameters;
            # passing mesh_shape would make it a 0.6.1 network without
            # local connectivity
            params = arguments['params'].copy()
            params['N_pyr_x'], params['N_pyr_y'] = SMOKE_MESH
            arguments['params'] = params
        return original_init(*bound.args, **bound.kwargs)

    # neymotin_2020_model (and jones_2009_model, law_2021_model, calcium_model)
    # build their network through Network(..., mesh_shape=...), so this one
    # wrapper covers every constructor.
    Network.__init__ = __init__


def _shorten_simulations():
    """simulate_dipole runs at most SMOKE_TSTOP ms and SMOKE_N_TRIALS trials."""
    import hnn_core
    from hnn_core import simulation

    original = simulation.simulate_dipole
    signature = inspect.signature(original)

    @functools.wraps(original)
    def simulate_dipole(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        net = bound.arguments['net']
        # the defaults simulate_dipole itself takes; a network read from a
        # configuration file has no 'tstop' or 'N_trials' parameter
        tstop = bound.arguments.get('tstop')
        tstop = net.params.get('tstop') if tstop is None else tstop
        n_trials = bound.arguments.get('n_trials')
        n_trials = net.params.get('N_trials', 1) if n_trials is None else n_trials
        if tstop is not None:  # else simulate_dipole says what is missing
            bound.arguments['tstop'] = min(float(tstop), SMOKE_TSTOP)
        bound.arguments['n_trials'] = min(int(n_trials), SMOKE_N_TRIALS)
        return original(*bound.args, **bound.kwargs)

    simulation.simulate_dipole = simulate_dipole
    hnn_core.simulate_dipole = simulate_dipole


def _shorten_fits():
    """Optimizer searches at most SMOKE_MAX_ITER iterations (generations for CMA-ES)."""
    from hnn_core.optimization import Optimizer

    original_init = Optimizer.__init__
    signature = inspect.signature(original_init)

    @functools.wraps(original_init)
    def __init__(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        max_iter = bound.arguments.get('max_iter', signature.parameters['max_iter'].default)
        bound.arguments['max_iter'] = min(max_iter, SMOKE_MAX_ITER)
        return original_init(*bound.args, **bound.kwargs)

    Optimizer.__init__ = __init__


def _save_figures(figdir, name):
    import matplotlib.pyplot as plt
    os.makedirs(figdir, exist_ok=True)
    for k, num in enumerate(plt.get_fignums(), start=1):
        fname = op.join(figdir, f'{name}_{k}.png')
        plt.figure(num).savefig(fname, dpi=100)
        print(f'saved {fname}')


def run_example(path):
    """Run the example at ``path`` as __main__ (shrunk if smoke mode is on)."""
    path = op.abspath(path)
    if _smoke_enabled():
        _shrink_network()
        _shorten_simulations()
        _shorten_fits()
        print(f'smoke mode: {SMOKE_MESH[0]} x {SMOKE_MESH[1]} grid, tstop <= '
              f'{SMOKE_TSTOP:g} ms, n_trials <= {SMOKE_N_TRIALS}, Optimizer max_iter '
              f'<= {SMOKE_MAX_ITER}', flush=True)
    figdir = os.environ.get('HNN_CORE_EXAMPLE_FIGDIR')
    if figdir:
        import matplotlib.pyplot as plt
        plt.show = lambda *args, **kwargs: None  # keep figures open for saving
    # the example's directory comes first on sys.path, as when run directly
    sys.path.insert(0, op.dirname(path))
    runpy.run_path(path, run_name='__main__')
    if figdir:
        _save_figures(figdir, op.splitext(op.basename(path))[0])


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(f'usage: {op.basename(sys.argv[0])} EXAMPLE.py')
    run_example(sys.argv[1])
