"""Simulate the cases of ``model_cases.py`` in the oracle (hnn-core 0.6.1) and save them.

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository root:

    $(bash ../shared/oracle/setup.sh) tests/data/make_model_cases.py tests/data [CASE ...]

(all of ``model_cases.CASES`` when no case is named). Writes ``OUTDIR/<case>.npz``
(``np.savez_compressed``) with the arrays of ``../shared/oracle/run_reference.py`` (see
``oracle_outputs.py``) and, for the 3x3 cases only, two JSON texts:

connectivity  net.connectivity in its order, one dict per connection: src_type,
              target_type, loc, receptor, nc_dict, probability, allow_autapses, sorted
              src_gids and target_gids, and pairs [[src, tgt], ...] in gid_pairs order.
              Taken BEFORE simulating: 0.6.1's NetworkBuilder filters gid_pairs in place.
events        {drive name: net.external_drives[name]['events']} after the run
              (trials x drive cells x event times, ms).

Checks made on the way (the script stops if one fails):

* every case makes spikes in at least three cell types in every trial and a dipole that is
  not flat;
* 'connectivity' cases: ``get_global_synaptic_gains()`` returns e_e 1.1, e_i 1.3 (the first
  e->i connection, L5_pyramidal->L5_basket, keeps its gain=1.3), i_e 0.9, i_i 1.0, and
  prints 0.6.1's WARNING about non-uniform gains (e_i is 1.3 and 1.0); every connection has
  the gain expected after ``set_global_synaptic_gains(e_e=1.1, i_e=0.9)``;
* 'connectivity' cases, threshold: the last connection made from L5_basket has
  threshold=-20. In 0.6.1 a NetCon's threshold is the threshold of its source cell's spike
  detector (shared by all NetCons of that source), so the last connection built from a cell
  sets the cell's spike threshold. The case is simulated a second time with that
  connection's threshold set back to the network's (0 mV); the L5 basket spikes of the two
  runs must differ (they do: see the printed comparison), while the L2 basket spikes before
  the first L5 basket spike are the same.
"""
import contextlib
import io
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np

sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import simulate_dipole  # noqa: E402

import model_cases  # noqa: E402
from oracle_outputs import (connectivity_json, describe_counts,  # noqa: E402
                            events_json, run_arrays, spike_counts)



def _simulate(net, sim_kwargs):
    # quiet (0.6.1's simulate_dipole sets net._verbose from its own verbose argument)
    return simulate_dipole(net, verbose=False, **sim_kwargs)


def _check_activity(name, net, dpls):
    for k in range(len(dpls)):
        counts = spike_counts(net, k)
        active = [t for t in net.cell_types if counts[t] > 0]
        assert len(active) >= 3, f'{name} trial {k}: only {active} spike ({counts})'
        for layer in ('agg', 'L2', 'L5'):
            data = np.asarray(dpls[k].data[layer])
            assert np.ptp(data) > 1e-3 * np.max(np.abs(data)) > 0, (name, k, layer)


def _check_gains(net):
    """get_global_synaptic_gains of the 'connectivity' case: values and 0.6.1's warning."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        gains = net.get_global_synaptic_gains()
    expected = {'e_e': 1.1, 'e_i': 1.3, 'i_e': 0.9, 'i_i': 1.0}
    assert gains == expected, gains
    assert 'WARNING: Your imported Network uses custom synaptic gain values' in \
        buf.getvalue(), buf.getvalue()
    excit = {t for t, d in net.cell_types.items()
             if d['cell_metadata']['electro_type'] == 'excitatory'}
    for conn in net.connectivity:
        src, tgt = conn['src_type'], conn['target_type']
        if src in net.external_drives:
            want = 1.0
        elif src in excit and tgt in excit:
            want = 1.1
        elif src not in excit and tgt in excit:
            want = 0.9
        elif (src, tgt) == ('L5_pyramidal', 'L5_basket'):
            want = 1.3
        else:
            want = 1.0
        assert conn['nc_dict']['gain'] == want, (src, tgt, conn['receptor'], want,
                                                 conn['nc_dict']['gain'])
    print(f'  global gains {gains} (and the 0.6.1 non-uniform-gains WARNING)')


def _last_l5_basket_conn(net):
    idx = [i for i, c in enumerate(net.connectivity) if c['src_type'] == 'L5_basket']
    return net.connectivity[idx[-1]]


def _cell_spikes(net, trial, cell_type):
    gids = np.asarray(net.cell_response.spike_gids[trial])
    times = np.asarray(net.cell_response.spike_times[trial])
    rng = net.gid_ranges[cell_type]
    keep = (gids >= rng.start) & (gids < rng.stop)
    order = np.lexsort((gids[keep], times[keep]))
    return times[keep][order], gids[keep][order]


def _check_threshold(name, net, dpls):
    """Run the case again with the L5-basket threshold left at the default; compare."""
    assert _last_l5_basket_conn(net)['nc_dict']['threshold'] == \
        model_cases.L5_BASKET_THRESHOLD
    net0, sim_kwargs = model_cases.build_case(name)
    conn0 = _last_l5_basket_conn(net0)
    conn0['nc_dict']['threshold'] = net0.threshold
    assert net0.threshold == 0.0
    _simulate(net0, sim_kwargs)
    differ = []
    for k in range(len(dpls)):
        t20, g20 = _cell_spikes(net, k, 'L5_basket')
        t0, g0 = _cell_spikes(net0, k, 'L5_basket')
        same = len(t20) == len(t0) and np.array_equal(g20, g0) and np.array_equal(t20, t0)
        differ.append(not same)
        # Nothing can differ before the first L5 basket spike: the L2 baskets agree up to it.
        first = min(t20[0] if len(t20) else np.inf, t0[0] if len(t0) else np.inf)
        a = _cell_spikes(net, k, 'L2_basket')
        b = _cell_spikes(net0, k, 'L2_basket')
        assert np.array_equal(a[0][a[0] < first], b[0][b[0] < first])
        if len(t20) and len(t0):
            lead = f'first spike {t20[0]:.3f} vs {t0[0]:.3f} ms'
        else:
            lead = 'no first spike to compare'
        print(f'  threshold check trial {k}: L5_basket spikes with -20 mV: {len(t20)}, '
              f'with the default 0 mV: {len(t0)}, {lead}; '
              f'{"DIFFERENT" if not same else "IDENTICAL"}')
    assert all(differ), 'the L5 basket threshold made no difference'


def main(out_dir, names):
    for name in names:
        net, sim_kwargs = model_cases.build_case(name)
        small = name.endswith('_mesh3x3')
        if name.startswith('connectivity_'):
            _check_gains(net)
        conn_text = connectivity_json(net) if small else None   # before simulating
        dpls = _simulate(net, sim_kwargs)
        _check_activity(name, net, dpls)
        out = run_arrays(net, dpls)
        if small:
            out['connectivity'] = conn_text
            out['events'] = events_json(net)
        fname = op.join(out_dir, f'{name}.npz')
        np.savez_compressed(fname, **out)
        print(f'saved {fname} ({sim_kwargs["n_trials"]} trials)')
        print(describe_counts(net, sim_kwargs['n_trials']))
        if name.startswith('connectivity_'):
            _check_threshold(name, net, dpls)
        sys.stdout.flush()


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or model_cases.CASES
    unknown = [n for n in names if n not in model_cases.CASES]
    if unknown:
        sys.exit(f'unknown cases {unknown}; known: {model_cases.CASES}')
    main(sys.argv[1], names)
