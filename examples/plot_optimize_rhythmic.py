"""
=====================================
Fit rhythmic inputs to a beta rhythm
=====================================

The rhythm of the dipole follows the rhythm of its inputs: bursts arriving at
10 Hz through the proximal and distal pathways make an alpha rhythm (see the
example on alpha rhythms). Which burst rates and strengths make a beta rhythm
(15-25 Hz) instead? Here :class:`~hnn_core.optimization.Optimizer` searches
them with the ``'maximize_psd'`` objective: the share of the dipole's power
that lies in the chosen frequency bands, to be made as large as possible.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.optimization import Optimizer
from hnn_core.viz import plot_psd

###############################################################################
# The inputs and what is fitted
# -----------------------------
# Ten drive cells per pathway fire bursts of two spikes 10 ms apart, each
# burst jittered by 20 ms (``burst_std``), onto the pyramidal cells only, from
# 50 ms on. The parameters are each pathway's burst rate (Hz) and the AMPA
# weight of the distal bursts (µS); the proximal weight stays at 5.4e-5 µS, a
# strength at which no cell fires, so the dipole comes from subthreshold
# currents.
tstop = 350.  # ms
weight_prox = 5.4e-5  # µS


def set_params(net, params):
    """Add the proximal and distal bursty inputs with the proposed values."""
    net.add_bursty_drive(
        'bursts_prox', location='proximal', tstart=50., burst_std=20.,
        burst_rate=params['prox_burst_rate'], numspikes=2, spike_isi=10.,
        n_drive_cells=10,
        weights_ampa={'L2_pyramidal': weight_prox, 'L5_pyramidal': weight_prox},
        synaptic_delays={'L2_pyramidal': 0.1, 'L5_pyramidal': 1.},
        event_seed=1000)
    net.add_bursty_drive(
        'bursts_dist', location='distal', tstart=50., burst_std=20.,
        burst_rate=params['dist_burst_rate'], numspikes=2, spike_isi=10.,
        n_drive_cells=10,
        weights_ampa={'L2_pyramidal': params['dist_weight'],
                      'L5_pyramidal': params['dist_weight']},
        synaptic_delays={'L2_pyramidal': 5., 'L5_pyramidal': 5.},
        event_seed=284)


constraints = {'prox_burst_rate': (5., 30.),       # Hz
               'dist_burst_rate': (5., 30.),       # Hz
               'dist_weight': (4.4e-5, 6.4e-5)}    # µS
initial_params = {'prox_burst_rate': 10., 'dist_burst_rate': 10.,
                  'dist_weight': 5.4e-5}

###############################################################################
# The fit
# -------
# ``f_bands`` lists the bands (Hz) and ``relative_bandpower`` their weights in
# the objective: here the beta band alone. The dipole is scaled and smoothed
# as HNN shows it before its spectrum is taken. CMA-ES (the ``cma`` package)
# simulates a population of candidates per generation; they all run at once,
# on every core. ``max_iter`` counts generations for this solver.
scale_factor = 3000
smooth_window_len = 20  # ms
optim = Optimizer(neymotin_2020_model(), tstop=tstop, constraints=constraints,
                  set_params=set_params, initial_params=initial_params,
                  solver='cma', obj_fun='maximize_psd', max_iter=4)
optim.fit(f_bands=[(15., 25.)], relative_bandpower=[1.],
          scale_factor=scale_factor, smooth_window_len=smooth_window_len,
          popsize=8, seed=123)

for name, value in zip(constraints, optim.opt_params_):
    print(f'{name}: {initial_params[name]:g} -> {value:.4g}')

###############################################################################
# Before and after
# ----------------
# The network with the starting values and the fitted one, simulated again:
# their dipoles and spectra, taken over the whole simulation as the objective
# takes them.
net_initial = neymotin_2020_model()
set_params(net_initial, initial_params)
dipoles = {'initial inputs': simulate_dipole(net_initial, tstop=tstop)[0],
           'fitted inputs': simulate_dipole(optim.net_, tstop=tstop)[0]}

fig, axes = plt.subplots(2, 1, figsize=(6, 6), layout='constrained')
for label, dpl in dipoles.items():
    dpl.scale(scale_factor).smooth(smooth_window_len)
    axes[0].plot(dpl.times, dpl.data['agg'], label=label)
    plot_psd(dpl, fmin=5., fmax=40., ax=axes[1], show=False)
axes[0].set(xlabel='Time (ms)', ylabel='Dipole moment (nAm)')
axes[0].legend()
axes[1].axvspan(15., 25., color='0.9', zorder=0)
axes[1].legend(list(dipoles))
axes[1].set_title('Power spectra (beta band shaded)')

###############################################################################
# The best value found per generation (the negative share of power in the band).
optim.plot_convergence(show=False)
plt.show()
