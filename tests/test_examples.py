"""Every gallery example runs, shrunk to a smoke test.

Each ``examples/*.py`` runs in its own Python process through
``tests/_example_smoke.py`` with ``HNN_CORE_EXAMPLE_SMOKE=1`` (a 3 x 3 grid,
at most 60 ms and 2 trials per simulation) and the Agg backend. This checks
that the examples run against the current API, not what their figures show.
Select these tests with ``pytest -m examples``; leave them out with
``-m "not examples"``.
"""

import glob
import os
import os.path as op
import subprocess
import sys
import textwrap

import pytest

HERE = op.dirname(op.abspath(__file__))
EXAMPLES = sorted(glob.glob(op.join(op.dirname(HERE), 'examples', '*.py')))
HARNESS = op.join(HERE, '_example_smoke.py')

pytestmark = pytest.mark.examples


def _run(script, workdir, timeout=300):
    """Run ``script`` through the harness in smoke mode; return the process."""
    env = dict(os.environ, HNN_CORE_EXAMPLE_SMOKE='1', MPLBACKEND='agg',
               TMPDIR=str(workdir))  # files the example writes land in workdir
    env.pop('HNN_CORE_EXAMPLE_FIGDIR', None)
    return subprocess.run([sys.executable, HARNESS, script], cwd=workdir,
                          env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def _report(proc):
    return (f'exit code {proc.returncode}\n--- stdout (end) ---\n'
            f'{proc.stdout[-3000:]}\n--- stderr (end) ---\n{proc.stderr[-6000:]}')


def test_examples_found():
    assert len(EXAMPLES) >= 7, EXAMPLES
    assert op.isfile(op.join(op.dirname(HERE), 'examples', 'README.txt'))


@pytest.mark.parametrize('example', EXAMPLES, ids=op.basename)
def test_example_runs(example, tmp_path):
    proc = _run(example, tmp_path)
    assert proc.returncode == 0, _report(proc)
    assert 'smoke mode' in proc.stdout, _report(proc)


def test_harness_shrinks_simulations(tmp_path):
    """The harness really gives small networks and short, few trials."""
    script = tmp_path / 'check_harness.py'
    script.write_text(textwrap.dedent('''
        import hnn_core
        from hnn_core import Network, jones_2009_model, read_params, simulate_dipole
        from hnn_core.network import DEFAULT_PARAMS
        from hnn_core.simulation import simulate_dipole as simulate_dipole_module

        net = jones_2009_model()
        assert net.mesh_shape == (3, 3), net.mesh_shape
        assert jones_2009_model(mesh_shape=(5, 5)).mesh_shape == (3, 3)
        assert Network(read_params(DEFAULT_PARAMS)).mesh_shape == (3, 3)
        assert simulate_dipole is simulate_dipole_module is hnn_core.simulate_dipole
        net.add_evoked_drive('evprox1', mu=5., sigma=1., numspikes=1,
                             location='proximal',
                             weights_ampa={'L5_pyramidal': 0.01})
        dpls = simulate_dipole(net, tstop=170., n_trials=5, verbose=False)
        assert len(dpls) == 2, len(dpls)
        assert abs(dpls[0].times[-1] - 60.) < 1e-6, dpls[0].times[-1]
        dpls = simulate_dipole(net, tstop=20., n_trials=1, verbose=False)
        assert len(dpls) == 1 and abs(dpls[0].times[-1] - 20.) < 1e-6
        print('harness ok')
    '''))
    proc = _run(str(script), tmp_path)
    assert proc.returncode == 0, _report(proc)
    assert 'harness ok' in proc.stdout, _report(proc)
