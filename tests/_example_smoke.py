"""Run one gallery example, shrunk to a smoke test if HNN_CORE_EXAMPLE_SMOKE=1.

Usage::

    HNN_CORE_EXAMPLE_SMOKE=1 MPLBACKEND=agg python tests/_example_smoke.py \\
        examples/plot_simulate_alpha.py

With ``HNN_CORE_EXAMPLE_SMOKE=1`` the public entry points are wrapped before the
example runs, so the example itself needs no test code:

- every network (``jones_2009_model``, ``Network(params)``) gets a 3 x 3 grid of
  pyramidal cells per layer instead of 10 x 10;
- ``simulate_dipole`` runs at most ``SMOKE_TSTOP`` ms and ``SMOKE_N_TRIALS`` trials.

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


def _smoke_enabled():
    return os.environ.get('HNN_CORE_EXAMPLE_SMOKE', '') not in ('', '0')


def _shrink_network():
    """Network(...) and jones_2009_model(...) build a SMOKE_MESH grid."""
    from hnn_core.network import Network

    original_init = Network.__init__
    signature = inspect.signature(original_init)

    @functools.wraps(original_init)
    def __init__(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.arguments['mesh_shape'] = SMOKE_MESH
        return original_init(*bound.args, **bound.kwargs)

    # jones_2009_model builds its network through Network(..., mesh_shape=...),
    # so this one wrapper covers both constructors.
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
        tstop = bound.arguments.get('tstop')
        tstop = net.params['tstop'] if tstop is None else tstop
        n_trials = bound.arguments.get('n_trials')
        n_trials = net.params['N_trials'] if n_trials is None else n_trials
        bound.arguments['tstop'] = min(float(tstop), SMOKE_TSTOP)
        bound.arguments['n_trials'] = min(int(n_trials), SMOKE_N_TRIALS)
        return original(*bound.args, **bound.kwargs)

    simulation.simulate_dipole = simulate_dipole
    hnn_core.simulate_dipole = simulate_dipole


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
        print(f'smoke mode: {SMOKE_MESH[0]} x {SMOKE_MESH[1]} grid, tstop <= '
              f'{SMOKE_TSTOP:g} ms, n_trials <= {SMOKE_N_TRIALS}', flush=True)
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
