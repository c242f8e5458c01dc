"""A CoreNEURON run leaves the caller's floating-point mode as it found it."""

import subprocess
import sys

import numpy as np
import pytest

from hnn_core.engine import available_engines

SMALLEST_NORMAL = np.finfo(float).tiny  # 2.2e-308


def _subnormal_survives():
    # a result below the smallest normal number: zero under flush-to-zero
    return (np.array([SMALLEST_NORMAL]) / 1e10)[0] > 0


def _tiny_run(engine):
    from hnn_core import neymotin_2020_model, simulate_dipole
    net = neymotin_2020_model(mesh_shape=(1, 1))
    net.add_evoked_drive('evprox', mu=2., sigma=0., numspikes=1, location='proximal',
                         weights_ampa={'L2_pyramidal': 0.01}, synaptic_delays=0.1)
    return simulate_dipole(net, tstop=5., n_trials=1, engine=engine, verbose=False)


@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', available_engines())
def test_a_run_keeps_subnormal_numbers(engine):
    assert _subnormal_survives()
    _tiny_run(engine)
    assert _subnormal_survives(), f'{engine} left flush-to-zero on in this process'


@pytest.mark.slow  # a fresh process, where the first run loads CoreNEURON's library
@pytest.mark.skipif('coreneuron' not in available_engines(), reason='no CoreNEURON')
def test_first_coreneuron_run_of_a_process_keeps_subnormal_numbers():
    code = ('import sys; sys.path.insert(0, {!r}); import test_fp_mode as t; '
            't._tiny_run("coreneuron"); print(t._subnormal_survives())'
            .format(__file__.rsplit('/', 1)[0]))
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == 'True', proc.stdout
