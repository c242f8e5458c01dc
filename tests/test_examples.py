"""Every gallery example runs, shrunk to a smoke test.

Each ``examples/*.py`` runs in its own Python process through
``tests/_example_smoke.py`` with ``HNN_CORE_EXAMPLE_SMOKE=1`` (a 3 x 3 grid,
at most 60 ms and 2 trials per simulation) and the Agg backend. This checks
that the examples run against the current API, not what their figures show.
Select these tests with ``pytest -m examples``; leave them out with
``-m "not examples"`` (or every heavy test with ``-m "not slow"``).
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
    assert len(EXAMPLES) >= 8, EXAMPLES
    names = [op.basename(path) for path in EXAMPLES]
    assert 'plot_modify_network.py' in names, names
    assert op.isfile(op.join(op.dirname(HERE), 'examples', 'README.txt'))


@pytest.mark.slow
@pytest.mark.parametrize('example', EXAMPLES, ids=op.basename)
def test_example_runs(example, tmp_path, request):
    if op.basename(example) == 'plot_python_channel.py':
        # its channel is in the suite's library of described mechanisms
        request.getfixturevalue('described_library')
    proc = _run(example, tmp_path)
    assert proc.returncode == 0, _report(proc)
    assert 'smoke mode' in proc.stdout, _report(proc)


@pytest.mark.slow
def test_harness_shrinks_simulations(tmp_path):
    """The harness really gives small networks and short, few trials.

    A network keeps the meaning of its call: hnn-core 0.1's ``Network(params)``
    stays a 0.1 network with its local connectivity, 0.6.1's calls stay 0.6.1
    ones, and networks given their own cells are not touched.
    """
    script = tmp_path / 'check_harness.py'
    script.write_text(textwrap.dedent('''
        import warnings

        import hnn_core
        from hnn_core import (Network, neymotin_2020_model, jones_2009_model,
                              law_2021_model, calcium_model, read_params,
                              simulate_dipole, network_to_dict, dict_to_network)
        from hnn_core.cells_default import basket
        from hnn_core.network import DEFAULT_PARAMS
        from hnn_core.simulation import simulate_dipole as simulate_dipole_module

        net = neymotin_2020_model()
        assert net.mesh_shape == (3, 3), net.mesh_shape
        assert len(net.connectivity) == 16, len(net.connectivity)
        assert neymotin_2020_model(mesh_shape=(5, 5)).mesh_shape == (3, 3)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            assert jones_2009_model(mesh_shape=(5, 5)).mesh_shape == (3, 3)
        assert law_2021_model().mesh_shape == (3, 3)
        assert calcium_model().mesh_shape == (3, 3)

        # hnn-core 0.1: the grid from (a copy of) the parameters, connected
        params = read_params(DEFAULT_PARAMS)
        net_01 = Network(params)
        assert net_01.mesh_shape == (3, 3), net_01.mesh_shape
        assert net_01.compatibility.version == '0.1', net_01.compatibility
        assert len(net_01.connectivity) == 16, len(net_01.connectivity)
        assert len(net_01.gid_ranges['L5_pyramidal']) == 9
        assert params['N_pyr_x'] == 10 and params['N_pyr_y'] == 10
        # hnn-core 0.6.1: cells only
        net_06 = Network(params, mesh_shape=(5, 5))
        assert net_06.mesh_shape == (3, 3), net_06.mesh_shape
        assert net_06.compatibility.version == '0.6', net_06.compatibility
        assert len(net_06.connectivity) == 0, len(net_06.connectivity)
        # given cells are left alone
        net_own = Network(params, pos_dict={'origin': (0., 0., 0.),
                                            'cells': [(0., 0., 0.), (1., 0., 0.)]},
                          cell_types={'cells': {'cell_object': basket('L2_basket'),
                                                'cell_metadata': {}}})
        assert len(net_own.gid_ranges['cells']) == 2, net_own.gid_ranges

        assert simulate_dipole is simulate_dipole_module is hnn_core.simulate_dipole
        net.add_evoked_drive('evprox1', mu=5., sigma=1., numspikes=1,
                             location='proximal',
                             weights_ampa={'L5_pyramidal': 0.01})
        dpls = simulate_dipole(net, tstop=170., n_trials=5, verbose=False)
        assert len(dpls) == 2, len(dpls)
        assert abs(dpls[0].times[-1] - 60.) < 1e-6, dpls[0].times[-1]
        dpls = simulate_dipole(net, tstop=20., n_trials=1, verbose=False)
        assert len(dpls) == 1 and abs(dpls[0].times[-1] - 20.) < 1e-6
        # a network read back from its configuration has no tstop or N_trials
        net_read = dict_to_network(network_to_dict(net))
        assert net_read.mesh_shape == (3, 3), net_read.mesh_shape
        dpls = simulate_dipole(net_read, tstop=170., verbose=False)
        assert len(dpls) == 1, len(dpls)
        assert abs(dpls[0].times[-1] - 60.) < 1e-6, dpls[0].times[-1]
        # fits search a few iterations only, with the tstop they were given
        from hnn_core.optimization import Optimizer
        optim = Optimizer(net, tstop=30., constraints={'mu': (1., 20.)},
                          set_params=lambda net, params: None, max_iter=50)
        assert optim.max_iter == 2 and optim.tstop == 30., (optim.max_iter, optim.tstop)
        print('harness ok')
    '''))
    proc = _run(str(script), tmp_path)
    assert proc.returncode == 0, _report(proc)
    assert 'harness ok' in proc.stdout, _report(proc)


# -- the newcomer's commands: doc/Makefile -------------------------------------------
ROOT = op.dirname(HERE)


def _make_dry_run(tmp_path, with_venv, virtual_env=None):
    """What ``make -C doc -n html`` would run, in a copy of the project's layout."""
    import shutil
    doc = tmp_path / 'project' / 'doc'
    doc.mkdir(parents=True)
    shutil.copy(op.join(ROOT, 'doc', 'Makefile'), doc / 'Makefile')
    if with_venv:
        venv_python = tmp_path / 'project' / '.venv' / 'bin' / 'python'
        venv_python.parent.mkdir(parents=True)
        venv_python.write_text('#!/bin/sh\n')
        venv_python.chmod(0o755)
    env = {key: value for key, value in os.environ.items()
           if key not in ('PYTHON', 'VIRTUAL_ENV', 'SPHINXBUILD', 'MAKEFLAGS')}
    if virtual_env:
        env['VIRTUAL_ENV'] = virtual_env
    proc = subprocess.run(['make', '-C', str(doc), '-n', 'html'], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, tmp_path / 'project'


def test_doc_makefile_uses_the_project_virtualenv_from_a_fresh_shell(tmp_path):
    out, project = _make_dry_run(tmp_path, with_venv=True)
    assert f'{project}/.venv/bin/python -m sphinx -b html' in out, out


def test_doc_makefile_keeps_an_active_virtualenv_or_python3(tmp_path):
    out, _ = _make_dry_run(tmp_path, with_venv=True, virtual_env='/some/venv')
    assert 'python3 -m sphinx -b html' in out and '.venv' not in out, out
    out, _ = _make_dry_run(tmp_path / 'bare', with_venv=False)
    assert 'python3 -m sphinx -b html' in out, out


# -- the newcomer's commands: tools/test.sh ------------------------------------------
TEST_SH = op.join(ROOT, 'tools', 'test.sh')


def _test_sh(commands, timeout=60, **kwargs):
    """Run bash ``commands`` with tools/test.sh's functions defined."""
    return subprocess.run(['bash', '-c', f'. "{TEST_SH}" && {commands}'],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kwargs)


def test_test_sh_finds_pages_that_load_from_the_network(tmp_path):
    html = tmp_path / 'html'
    (html / 'sub').mkdir(parents=True)
    (html / 'offline.html').write_text(
        '<script src="_static/local.js"></script>\n'
        '<a href="https://www.neuron.yale.edu/neuron/">NEURON</a>\n')
    (html / 'sub' / 'cdn.html').write_text(
        '<script src="https://code.jquery.com/jquery-3.7.0.js"></script>\n')
    (html / 'style.html').write_text(
        '<link href="//cdn.example.org/a.css" rel="stylesheet" />\n')
    (html / 'font.css').write_text('@font-face { src: url("https://fonts.example/x"); }\n')
    proc = _test_sh(f'remote_resources "{html}"')
    found = sorted(op.relpath(line, html) for line in proc.stdout.split())
    assert found == ['font.css', 'style.html', op.join('sub', 'cdn.html')], proc
    # a clean folder lists nothing
    (html / 'sub' / 'cdn.html').unlink()
    (html / 'style.html').unlink()
    (html / 'font.css').unlink()
    assert _test_sh(f'remote_resources "{html}"').stdout == ''


@pytest.mark.slow
def test_test_sh_installs_without_the_editable_banner_but_shows_errors(tmp_path):
    """pip_install, as test.sh installs, into a throwaway virtualenv (needs the index)."""
    import shutil
    project = tmp_path / 'project'
    project.mkdir()
    for name in ('pyproject.toml', 'README.md', 'LICENSE'):
        shutil.copy(op.join(ROOT, name), project / name)
    shutil.copytree(op.join(ROOT, 'hnn_core'), project / 'hnn_core',
                    ignore=shutil.ignore_patterns('__pycache__', '*.so', 'x86_64'))
    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True, timeout=300)
    env = {key: value for key, value in os.environ.items() if key != 'PYTHONWARNINGS'}
    proc = _test_sh(f'pip_install "{venv}" --no-deps -e "{project}"', timeout=600,
                    env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Editable installation' not in proc.stdout + proc.stderr, proc.stderr
    assert 'careful with folders' not in proc.stdout + proc.stderr, proc.stderr
    # a failing install still says why
    proc = _test_sh(f'pip_install "{venv}" --no-deps -e "{tmp_path}/missing"', env=env)
    assert proc.returncode != 0
    assert 'ERROR' in proc.stderr and 'missing' in proc.stderr, proc.stderr


# -- the test session names heavy tests that lack the slow marker (tests/conftest.py)
@pytest.mark.slow
def test_session_names_long_tests_without_the_slow_marker(tmp_path):
    (tmp_path / 'test_timing.py').write_text(textwrap.dedent('''
        import time
        import pytest

        def test_quick():
            pass

        def test_long_unmarked():
            time.sleep(1.5)

        @pytest.mark.slow
        def test_long_marked():
            time.sleep(1.5)
    '''))
    env = dict(os.environ, PYTHONPATH=HERE, HNN_CORE_SLOW_TEST_SECONDS='1')
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                           '-c', op.join(ROOT, 'pyproject.toml'), '--rootdir',
                           str(tmp_path), '-p', 'conftest',
                           str(tmp_path / 'test_timing.py')],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:]
    summary = proc.stdout
    assert 'without the slow marker' in summary, proc.stdout[-3000:]
    assert 'test_long_unmarked' in summary, summary
    assert 'test_long_marked' not in summary and 'test_quick' not in summary, summary
