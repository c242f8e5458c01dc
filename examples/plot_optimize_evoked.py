"""
==========================================
Fit an evoked response to an MEG recording
==========================================

A tap on the finger evokes in primary somatosensory cortex a current dipole
that the model explains with a sequence of thalamocortical (proximal) and
cortico-cortical (distal) inputs. Hand-tuned input times and strengths get the
first peaks right; here :class:`~hnn_core.optimization.Optimizer` adjusts the
second proximal input so that the simulated dipole follows the recording, the
task of hnn-core's own fitting example. Every candidate is a full simulation:
those a solver proposes together run at once, on every core.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np

from hnn_core import neymotin_2020_model, read_dipole, simulate_dipole
from hnn_core.datasets import meg_evoked_response_path
from hnn_core.optimization import Optimizer

###############################################################################
# The recording
# -------------
# The averaged MEG response (nAm) of somatosensory cortex to threshold-level
# taps that the subjects detected, from the study the model was built to
# explain; it comes with the package. It is sampled at about 600 Hz: the
# optimiser compares each simulated dipole with it after resampling the
# simulation onto the recording's rate.
recording = read_dipole(meg_evoked_response_path('yes_trial'))
tstop = recording.times[-1]  # ms: simulate the span the recording covers

###############################################################################
# The inputs
# ----------
# Three evoked inputs, each one spike of a single drive cell shared by all the
# cells it reaches (``n_drive_cells=1, cell_specific=False``): a proximal one
# at 26.6 ms, a distal one at 63.5 ms and a second proximal one whose time
# (``mu``, ms), spread (``sigma``, ms) and AMPA weight onto the layer 5
# pyramidal cells (µS) are the parameters to fit. ``set_params(net, params)``
# adds them to a copy of the network without inputs, with ``params`` a dict of
# the values the solver proposes.
delays_proximal = {'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                   'L5_basket': 1., 'L5_pyramidal': 1.}  # ms


def set_params(net, params):
    """Add the three evoked inputs, the second proximal one from ``params``."""
    net.add_evoked_drive(
        'evprox1', mu=26.61, sigma=2.47, numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                      'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
        synaptic_delays=delays_proximal, n_drive_cells=1, cell_specific=False)
    net.add_evoked_drive(
        'evdist1', mu=63.53, sigma=3.85, numspikes=1, location='distal',
        weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': 0.000007,
                      'L5_pyramidal': 0.1423},
        weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                      'L5_pyramidal': 0.080074},
        synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                         'L5_pyramidal': 0.1},
        n_drive_cells=1, cell_specific=False)
    net.add_evoked_drive(
        'evprox2', mu=params['evprox2_mu'], sigma=params['evprox2_sigma'],
        numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.000003, 'L2_pyramidal': 1.43884,
                      'L5_basket': 0.008958,
                      'L5_pyramidal': params['evprox2_ampa_L5_pyramidal']},
        synaptic_delays=delays_proximal, n_drive_cells=1, cell_specific=False)


###############################################################################
# The hand-tuned starting point
# -----------------------------
# HNN scales the dipole of its 100-cell column up to the millions of cells
# behind an MEG source (here by 3000) and smooths it (a 30 ms Hamming window)
# before comparing it with a recording; the fit does the same.
scale_factor = 3000
smooth_window_len = 30  # ms
initial_params = {'evprox2_mu': 120., 'evprox2_sigma': 1.,
                  'evprox2_ampa_L5_pyramidal': 0.1}

net_initial = neymotin_2020_model()
set_params(net_initial, initial_params)
dpl_initial = simulate_dipole(net_initial, tstop=tstop, n_trials=1)[0]
dpl_initial.scale(scale_factor).smooth(smooth_window_len)


def plot_over_recording(dipoles, labels, ax):
    """Draw the recording and each simulated aggregate dipole (nAm) on ``ax``."""
    ax.plot(recording.times, recording.data['agg'], color='k', lw=2,
            label='MEG recording')
    for dpl, label in zip(dipoles, labels):
        ax.plot(dpl.times, dpl.data['agg'], label=label)
    ax.set(xlabel='Time (ms)', ylabel='Dipole moment (nAm)')
    ax.legend(loc='lower right')


fig, ax = plt.subplots(figsize=(6, 4), layout='constrained')
plot_over_recording([dpl_initial], ['hand-tuned inputs'], ax)
ax.set_title('Before the fit')

###############################################################################
# The fit
# -------
# The constraints bound each parameter (its lower and upper value). The
# default solver, Bayesian optimisation, models the objective (the RMSE
# between the scaled, smoothed simulation and the recording, in nAm) with a
# Gaussian process and proposes as many candidates at a time as the cores can
# simulate; ``'cobyla'`` and ``'cma'`` are the other solvers. One trial per
# candidate keeps this example short; averaging a few trials (``n_trials``)
# fits the network's typical response rather than one draw of it.
constraints = {'evprox2_mu': (100., 150.),
               'evprox2_sigma': (1., 20.),
               'evprox2_ampa_L5_pyramidal': (0.01, 1.)}
optim = Optimizer(neymotin_2020_model(), tstop=tstop, constraints=constraints,
                  set_params=set_params, initial_params=initial_params,
                  solver='bayesian', max_iter=40)
optim.fit(target=recording, n_trials=1, scale_factor=scale_factor,
          smooth_window_len=smooth_window_len)

for name, value in zip(constraints, optim.opt_params_):
    print(f'{name}: {initial_params[name]:g} -> {value:.4g}')
print(f'RMSE: {optim.obj_[0]:.2f} -> {optim.obj_[-1]:.2f} nAm')

###############################################################################
# The fitted dipole over the recording
# ------------------------------------
# ``optim.net_`` is the network with the best parameters found; simulated
# again, it gives the fitted dipole. The second positive deflection now comes
# later and broader, as in the recording.
dpl_fitted = simulate_dipole(optim.net_, tstop=tstop, n_trials=1)[0]
dpl_fitted.scale(scale_factor).smooth(smooth_window_len)

fig, ax = plt.subplots(figsize=(6, 4), layout='constrained')
plot_over_recording([dpl_initial, dpl_fitted],
                    ['hand-tuned inputs', 'fitted inputs'], ax)
ax.set_title('After the fit')

###############################################################################
# How the search went
# -------------------
# ``obj_`` holds the best objective value found after each simulation.
optim.plot_convergence(show=False)

# every candidate's value, to see what the solver explored
fig, ax = plt.subplots(figsize=(6, 3), layout='constrained')
ax.plot(np.arange(1, len(optim.obj_history_) + 1), optim.obj_history_, 'o',
        ms=3, label='each candidate')
ax.plot(np.arange(1, len(optim.obj_) + 1), optim.obj_, label='best so far')
ax.set(xlabel='Simulation', ylabel='RMSE (nAm)')
ax.legend()
plt.show()
