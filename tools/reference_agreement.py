"""Print how closely each reference case matches hnn-core 0.6.1, per engine.

    python tools/reference_agreement.py

For every configuration in tests/data (the oracle's outputs beside their .json),
every published-model and edited-network case of tests/data/model_cases.py, the
two network configuration files (one written by hnn-core 0.6.1, one written here
and simulated there), and every available engine: the worst relative RMS error
over the agg, L2 and L5 columns and all trials (the metric of
../shared/reference/README.md). The spikes are checked as the reference tests
check them (same (gid, time) pairs); a mismatch stops the script with the failing
assertion.
"""
import os.path as op
import sys

import numpy as np

TESTS = op.join(op.dirname(op.abspath(__file__)), '..', 'tests')
sys.path.insert(0, TESTS)
sys.path.insert(0, op.join(TESTS, 'data'))

CASES = ('evoked_sigma0_mesh3x3', 'evoked_sigma0_mesh10x10',
         'drive_poisson_cellspecific', 'drive_poisson_shared', 'drive_bursty',
         'drive_tonic', 'drive_tonic_section', 'drive_spike_train',
         'params_drives_3x3', 'params_drives_3x3_legacy')


def _worst(dpls, ref, rel_rms):
    return max(rel_rms(dpl.data[layer], ref[f'{layer}_trials'][trial]
                       if f'{layer}_trials' in ref else ref[layer])
               for trial, dpl in enumerate(dpls) for layer in ('agg', 'L2', 'L5'))


def _network_cases():
    """(name, function making (net, simulate_dipole kwargs), reference file)."""
    import model_cases
    from hnn_core import read_network_configuration
    from make_hnn_core_config import build
    from conftest import DATA
    cases = [(name, (lambda name=name: model_cases.build_case(name)), name)
             for name in model_cases.CASES]
    run_kwargs = dict(tstop=170., n_trials=2)
    cases.append(('oracle_network_config', lambda: (read_network_configuration(
        op.join(DATA, 'oracle_network_config.json')), run_kwargs),
        'oracle_network_config'))
    cases.append(('hnn_core_network_config', lambda: (build(), run_kwargs),
                  'hnn_core_network_config'))
    return cases


def main():
    import neuron
    from hnn_core import simulate_dipole
    from hnn_core.engine import available_engines
    from conftest import DATA, rel_rms
    from test_reference import check_against_oracle
    from test_model_reference import check_against_oracle as check_network
    print(f'NEURON {neuron.__version__}')
    for engine in available_engines():
        for case in CASES:
            _, dpls = check_against_oracle(case, engine=engine)
            worst = _worst(dpls, np.load(op.join(DATA, f'{case}.npz')), rel_rms)
            print(f'{engine:10s} {case:28s} worst relative RMS {worst:.1e}, '
                  'same spikes', flush=True)
        for case, make, ref_name in _network_cases():
            net, kwargs = make()
            dpls = simulate_dipole(net, verbose=False, engine=engine, **kwargs)
            ref = np.load(op.join(DATA, f'{ref_name}.npz'))
            check_network(net, dpls, ref, engine)
            print(f'{engine:10s} {case:28s} worst relative RMS '
                  f'{_worst(dpls, ref, rel_rms):.1e}, same spikes', flush=True)


if __name__ == '__main__':
    main()
