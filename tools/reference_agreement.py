"""Print how closely each reference case matches hnn-core 0.6.1, per engine.

    python tools/reference_agreement.py

For every configuration in tests/data (the oracle's outputs beside their .json)
and every available engine: the worst relative RMS error over the agg, L2 and L5
columns and all trials (the metric of ../shared/reference/README.md). The
spikes are checked as the reference tests check them (same (gid, time) pairs);
a mismatch stops the script with the failing assertion.
"""
import os.path as op
import sys

import numpy as np

TESTS = op.join(op.dirname(op.abspath(__file__)), '..', 'tests')
sys.path.insert(0, TESTS)

CASES = ('evoked_sigma0_mesh3x3', 'evoked_sigma0_mesh10x10',
         'drive_poisson_cellspecific', 'drive_poisson_shared', 'drive_bursty',
         'drive_tonic', 'drive_tonic_section', 'drive_spike_train',
         'params_drives_3x3', 'params_drives_3x3_legacy')


def main():
    import neuron
    from hnn_core.engine import available_engines
    from conftest import DATA, rel_rms
    from test_reference import check_against_oracle
    print(f'NEURON {neuron.__version__}')
    for engine in available_engines():
        for case in CASES:
            _, dpls = check_against_oracle(case, engine=engine)
            ref = np.load(op.join(DATA, f'{case}.npz'))
            worst = max(
                rel_rms(dpl.data[layer], ref[f'{layer}_trials'][trial]
                        if f'{layer}_trials' in ref else ref[layer])
                for trial, dpl in enumerate(dpls) for layer in ('agg', 'L2', 'L5'))
            print(f'{engine:10s} {case:28s} worst relative RMS {worst:.1e}, '
                  'same spikes')


if __name__ == '__main__':
    main()
