"""Dipoles and spikes against hnn-core 0.6.1 (the established implementation).

Every case is an oracle configuration in tests/data (made with
../shared/oracle/run_reference.py, see tests/data/README.md). These tests also run
under NEURON 8.2.7 (the test command's second virtualenv).
"""
import json
import os.path as op

import numpy as np
import pytest

from hnn_core import neymotin_2020_model, simulate_dipole, read_params
from hnn_core.network import DEFAULT_PARAMS

from conftest import DATA, rel_rms, assert_same_spikes


def _engines():
    from hnn_core.engine import available_engines
    return available_engines()


ENGINES = pytest.mark.parametrize('engine', _engines())

# The task allows 1e-3; the engine reproduces the reference to ~1e-13, and 1e-6
# still catches a single wrong constant (a Faraday constant off by 9e-8 relative
# gives 2e-6).
MAX_REL_RMS = 1e-6


def network_from_config(fname):
    """Our network for an oracle configuration file, built the same way."""
    with open(fname) as fid:
        cfg = json.load(fid)
    kwargs = {'mesh_shape': tuple(cfg['mesh_shape'])}
    if 'legacy_mode' in cfg or 'add_drives_from_params' in cfg:
        kwargs.update(params=read_params(DEFAULT_PARAMS),
                      legacy_mode=cfg.get('legacy_mode', False),
                      add_drives_from_params=cfg.get('add_drives_from_params', False))
    net = neymotin_2020_model(**kwargs)
    for drive in cfg.get('drives', []):
        drive = dict(drive)
        kind = drive.pop('type')
        if kind == 'tonic':
            net.add_tonic_bias(**drive)
            continue
        if kind == 'spike_train':
            drive['spike_data'] = {int(k): v for k, v in drive['spike_data'].items()}
        adder = getattr(net, f'add_{kind}_drive')
        adder(drive.pop('name'), **drive)
    return net, cfg


def check_against_oracle(case, n_trials=None, engine=None):
    net, cfg = network_from_config(op.join(DATA, f'{case}.json'))
    ref = np.load(op.join(DATA, f'{case}.npz'))
    assert {k: [v.start, v.stop] for k, v in net.gid_ranges.items()} == \
        {k: v for k, v in json.loads(str(ref['gid_ranges'])).items()}
    n_trials = cfg['n_trials'] if n_trials is None else n_trials
    dpls = simulate_dipole(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=n_trials,
                           verbose=False, engine=engine)
    cr = net.cell_response
    for trial, dpl in enumerate(dpls):
        np.testing.assert_array_equal(dpl.times, ref['times'])
        for layer in ('agg', 'L2', 'L5'):
            expected = ref[f'{layer}_trials'][trial] if f'{layer}_trials' in ref \
                else ref[layer]
            err = rel_rms(dpl.data[layer], expected)
            assert err < MAX_REL_RMS, (case, trial, layer, err)
        key = f'spike_times_trial{trial}'
        ref_times = ref[key] if key in ref else ref['spike_times']
        ref_gids = ref[f'spike_gids_trial{trial}'] if key in ref else ref['spike_gids']
        assert_same_spikes(cr.spike_times[trial], cr.spike_gids[trial],
                           ref_times, ref_gids)
    return net, dpls


@pytest.mark.reference
@ENGINES
@pytest.mark.parametrize('mesh', ['3x3', pytest.param('10x10', marks=pytest.mark.slow)])
def test_evoked_sigma0(mesh, engine):
    check_against_oracle(f'evoked_sigma0_mesh{mesh}', engine=engine)


@pytest.mark.reference
@pytest.mark.parametrize('case', [
    'drive_poisson_cellspecific', 'drive_poisson_shared', 'drive_bursty',
    'drive_tonic', 'drive_tonic_section', 'drive_spike_train', 'params_drives_3x3',
    'params_drives_3x3_legacy'])
@ENGINES
def test_drives_two_trials(case, engine):
    """Every drive type, fixed seeds, 3x3 grid, both trials."""
    check_against_oracle(case, engine=engine)


@pytest.mark.reference
@pytest.mark.slow
def test_published_hnn_dipole(tmp_path):
    """HNN's published evoked response: params drives in legacy mode, 10x10."""
    net = neymotin_2020_model(read_params(DEFAULT_PARAMS), add_drives_from_params=True,
                           legacy_mode=True)
    ref = np.load(op.join(DATA, 'published_dipole.npz'))
    assert {k: [v.start, v.stop] for k, v in net.gid_ranges.items()} == \
        json.loads(str(ref['gid_ranges']))
    (dpl,) = simulate_dipole(net, tstop=170., n_trials=1, verbose=False)
    for layer in ('agg', 'L2', 'L5'):
        assert rel_rms(dpl.data[layer], ref[layer]) < MAX_REL_RMS
    dpl.smooth(30).scale(3000)
    dpl.write(tmp_path / 'dpl.txt')
    mine = np.loadtxt(tmp_path / 'dpl.txt')
    theirs = np.loadtxt(op.join(DATA, 'published_dipole_smooth30_scale3000.txt'))
    # L2 and L5 columns equal to 4 decimals, as HNN-GUI's dpl.txt
    np.testing.assert_array_equal(mine[:, 2:], theirs[:, 2:])
    np.testing.assert_array_equal(mine[:, 0], theirs[:, 0])
    types, counts = np.unique(net.cell_response.spike_types[0], return_counts=True)
    assert dict(zip(types, counts)) == {
        'evprox1': 270, 'evdist1': 270, 'evprox2': 270, 'L2_basket': 55,
        'L2_pyramidal': 114, 'L5_pyramidal': 396, 'L5_basket': 86}


@pytest.mark.reference
def test_one_by_one_network_traces():
    """The model document's full-resolution 1x1 traces, trials 0 and 1."""
    net = neymotin_2020_model(read_params(DEFAULT_PARAMS), add_drives_from_params=True,
                           mesh_shape=(1, 1))
    assert {k: d['event_seed'] for k, d in net.external_drives.items()} == \
        {'evdist1': 6, 'evprox1': 9, 'evprox2': 13}
    dpls = simulate_dipole(net, tstop=170., n_trials=2, verbose=False)
    for trial, dpl in enumerate(dpls):
        ref = np.loadtxt(op.join(DATA, f'ref_mesh1x1_default_json_trial{trial}.csv'),
                         delimiter=',', skiprows=1)
        spikes = np.loadtxt(
            op.join(DATA, f'ref_mesh1x1_default_json_trial{trial}_spikes.csv'),
            delimiter=',', skiprows=1)
        np.testing.assert_array_equal(dpl.times, ref[:, 0])
        for col, layer in enumerate(('agg', 'L2', 'L5'), start=1):
            assert rel_rms(dpl.data[layer], ref[:, col]) < MAX_REL_RMS
        assert_same_spikes(net.cell_response.spike_times[trial],
                           net.cell_response.spike_gids[trial],
                           spikes[:, 0], spikes[:, 1])
    smoothed = dpls[0].copy().smooth(30).scale(3000)
    np.testing.assert_allclose(
        [smoothed.data['agg'][int(t / 0.025)] for t in (0, 30, 140)],
        [-5.976017812e-03, 0.4168616539, 0.7698181847], rtol=1e-9)


def test_hnn_01_poisson_and_bursty_drive_times():
    """Drive spike times of hnn-core 0.1's call shapes (seedcore, repeats)."""
    from hnn_core import Network
    from hnn_core.drives import drive_spike_times
    ref = np.load(op.join(DATA, 'v01_drives.npz'))
    params = read_params(DEFAULT_PARAMS)
    params.update(N_pyr_x=3, N_pyr_y=3)
    net = Network(params)
    net.add_poisson_drive(
        'poisson', tstart=10., tstop=150.,
        rate_constant={'L2_basket': 40., 'L2_pyramidal': 20., 'L5_basket': 60.,
                       'L5_pyramidal': 30.},
        location='proximal',
        weights_ampa={'L2_basket': 0.02, 'L2_pyramidal': 0.02, 'L5_basket': 0.04,
                      'L5_pyramidal': 0.02},
        seedcore=7)
    net.add_bursty_drive(
        'bursty', tstart=20., tstart_std=5., burst_rate=10., burst_std=3.,
        numspikes=2, spike_isi=10., repeats=3, location='distal',
        weights_ampa={'L2_pyramidal': 0.004, 'L5_pyramidal': 0.004}, seedcore=8)
    assert {k: [v.start, v.stop] for k, v in net.gid_ranges.items()} == \
        json.loads(str(ref['gid_ranges']))
    for name in ('poisson', 'bursty'):
        for trial in (0, 1):
            mine = drive_spike_times(net, name, trial, net._n_gids, 170.)
            counts = ref[f'events_{name}_trial{trial}_counts']
            times = np.split(ref[f'events_{name}_trial{trial}_times'],
                             np.cumsum(counts)[:-1])
            offsets = ref[f'src_gids_{name}'] - net.gid_ranges[name][0]
            for offset, theirs in zip(offsets, times):
                np.testing.assert_allclose(mine[offset], np.sort(theirs), rtol=0,
                                           atol=1e-9)


# -- the scripts that made the data refuse to run under anything but the oracle ----
ROOT = op.dirname(op.dirname(op.abspath(__file__)))
# script: (its arguments, real inputs where it reads some; the hnn-core it needs)
ORACLE_SCRIPTS = {
    'make_cobyla_fit.py': (['{out}/cobyla_fit.npz'], '0.6.1'),
    'make_extracellular_cases.py': (['{out}', 'extracellular_mesh3x3'], '0.6.1'),
    'make_model_cases.py': (['{out}', 'law2021_mesh3x3'], '0.6.1'),
    'make_objective_values.py': (['{out}/objective_values.json'], '0.6.1'),
    'make_oracle_config.py': (['{out}'], '0.6.1'),
    'make_oracle_convert.py': (['{data}/default.param', '{out}/config.json'], '0.6.1'),
    'make_oracle_files.py': (['{data}/evoked_sigma0_mesh3x3.json', '{out}'], '0.6.1'),
    'make_published_dipole.py': (['{out}/dipole.npz', '{out}/dipole.txt'], '0.6.1'),
    'make_v01_drives.py': (['{out}/drives.npz'], '0.1'),
    'make_v01_example.py': (['{out}/example.npz'], '0.1'),
}


def _run_data_script(script, args, out, env=None):
    import subprocess
    import sys
    args = [arg.format(out=out, data=DATA) for arg in args]
    return subprocess.run([sys.executable, op.join(DATA, script)] + args, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def test_every_data_script_checks_its_interpreter():
    import glob
    scripts = sorted(op.basename(p) for p in glob.glob(op.join(DATA, 'make_*.py')))
    assert scripts == sorted(list(ORACLE_SCRIPTS) + ['make_hnn_core_config.py'])


@pytest.mark.slow
@pytest.mark.parametrize('script', sorted(ORACLE_SCRIPTS))
def test_oracle_scripts_refuse_this_package(script, tmp_path):
    """Run with this package (not the oracle), a data script stops before any work."""
    import hnn_core
    import neuron
    args, version = ORACLE_SCRIPTS[script]
    out = tmp_path / 'out'
    out.mkdir()
    proc = _run_data_script(script, args, out)
    assert proc.returncode != 0, proc.stdout[-2000:]
    # the message says what is needed and what was found
    needed = f'hnn-core {version} on NEURON 8.2.7'
    found = f'not hnn-core {hnn_core.__version__} on NEURON {neuron.__version__}'
    assert needed in proc.stderr and found in proc.stderr, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_config_script_refuses_another_hnn_core(tmp_path):
    """make_hnn_core_config.py writes THIS package's file; another hnn_core is refused."""
    import os
    fake = tmp_path / 'site' / 'hnn_core'
    fake.mkdir(parents=True)
    (fake / '__init__.py').write_text("__version__ = '0.6.1'\n")
    out = tmp_path / 'out'
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'site'))
    proc = _run_data_script('make_hnn_core_config.py', ['{out}/config.json'], out, env)
    assert proc.returncode != 0
    assert 'this checkout' in proc.stderr and str(fake) in proc.stderr, proc.stderr
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert list(out.iterdir()) == []
    # and with this checkout's hnn_core it writes the file
    proc = _run_data_script('make_hnn_core_config.py', ['{out}/config.json'], out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / 'config.json').is_file()
