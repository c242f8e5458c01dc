"""Simulate the cases of ``extracellular_cases.py`` in the oracle (hnn-core 0.6.1) and save
them.

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository root:

    $(bash ../shared/oracle/setup.sh) tests/data/make_extracellular_cases.py tests/data [CASE ...]

(all of ``extracellular_cases.CASES`` when no case is named). Writes ``OUTDIR/<case>.npz``
(``np.savez_compressed``) with the arrays of ``oracle_outputs.run_arrays`` (times, dipoles,
spikes, gid_ranges) and:

lfp_<array>     ``net.rec_arrays[array].voltages`` for every array of the case,
                trials x contacts x times (uV, float64);
lfp_times       the arrays' sample times (ms); the script checks that every array has
                these times and that they equal the dipole times (``times``);
csd_shank_psa   ``hnn_core.extracellular.calculate_csd2d`` of trial 0 of 'shank_psa' with
                delta ``extracellular_cases.SHANK_SPACING`` (100 um), contacts x times.

Checks made on the way (the script stops if one fails): every trace is finite and not
flat; on each shank the contact nearest the L5 somata (z = 0) has a larger peak |V| than
the contact farthest from them; every case makes spikes in at least three cell types in
every trial. It prints, per array, the peak |V| (uV) and the contact where it occurs.
"""
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np

sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import simulate_dipole  # noqa: E402
from hnn_core.extracellular import calculate_csd2d  # noqa: E402

import extracellular_cases  # noqa: E402
from oracle_outputs import (describe_counts, run_arrays,  # noqa: E402
                            spike_counts)



def _check_activity(name, net, n_trials):
    for k in range(n_trials):
        counts = spike_counts(net, k)
        active = [t for t in net.cell_types if counts[t] > 0]
        assert len(active) >= 3, f'{name} trial {k}: only {active} spike ({counts})'


def _check_lfp(name, array, positions, lfp):
    """Finite, not flat; on the shanks, nearest-to-L5-somata contact > farthest one."""
    assert lfp.ndim == 3 and lfp.shape[1] == len(positions), (name, array, lfp.shape)
    assert np.all(np.isfinite(lfp)), (name, array)
    peak = np.max(np.abs(lfp), axis=(0, 2))   # per contact, over trials and times
    flat = np.ptp(lfp, axis=2) <= 1e-6 * np.max(peak)
    assert np.max(peak) > 0 and not np.any(flat), (name, array, np.argwhere(flat))
    depth = np.abs(np.array([pos[2] for pos in positions]))
    if array.startswith('shank'):
        near, far = int(np.argmin(depth)), int(np.argmax(depth))
        assert peak[near] > peak[far], (name, array, peak[near], peak[far])
        extra = (f'; z={positions[near][2]:g}: {peak[near]:.4g} uV > '
                 f'z={positions[far][2]:g}: {peak[far]:.4g} uV')
    else:
        extra = ''
    top = int(np.argmax(peak))
    print(f'  {array}: peak |V| {peak[top]:.6g} uV at contact {top} '
          f'{tuple(float(c) for c in positions[top])}{extra}')


def main(out_dir, names):
    for name in names:
        net, sim_kwargs = extracellular_cases.build_extracellular_case(name)
        n_trials = sim_kwargs['n_trials']
        dpls = simulate_dipole(net, verbose=False, **sim_kwargs)
        _check_activity(name, net, n_trials)
        out = run_arrays(net, dpls)
        times = out['times']
        for array, rec in net.rec_arrays.items():
            lfp = np.asarray(rec.voltages, dtype=np.float64)
            assert lfp.shape == (n_trials, rec.n_contacts, len(times)), (array, lfp.shape)
            # sample times of the array are those of the dipole, exactly
            assert np.array_equal(rec.times, times), (array, rec.times[:3], times[:3])
            _check_lfp(name, array, rec.positions, lfp)
            out[f'lfp_{array}'] = lfp
        out['lfp_times'] = np.asarray(net.rec_arrays['shank_psa'].times)
        out['csd_shank_psa'] = calculate_csd2d(
            out['lfp_shank_psa'][0], delta=extracellular_cases.SHANK_SPACING)
        assert np.all(np.isfinite(out['csd_shank_psa']))
        print(f'  lfp_times equal the dipole times ({len(times)} samples, '
              f'{times[0]:g} to {times[-1]:g} ms)')
        fname = op.join(out_dir, f'{name}.npz')
        np.savez_compressed(fname, **out)
        print(f'saved {fname} ({n_trials} trials, {op.getsize(fname) / 1e6:.2f} MB)')
        print(describe_counts(net, n_trials))
        sys.stdout.flush()


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or extracellular_cases.CASES
    unknown = [n for n in names if n not in extracellular_cases.CASES]
    if unknown:
        sys.exit(f'unknown cases {unknown}; known: {extracellular_cases.CASES}')
    main(sys.argv[1], names)
