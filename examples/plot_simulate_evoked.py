"""
===========================
Simulate an evoked response
===========================

A brief tap on a fingertip produces a stereotyped response in primary
somatosensory cortex that MEG and EEG record as a current dipole: a small
deflection peaking about 25 ms after the tap, a larger one of opposite sign
near 70 ms and a slow wave after 100 ms. HNN explains this waveform as the
cortical column's response to a sequence of inputs (Jones et al. 2009):

1. a **proximal** input at about 25 ms, the feedforward volley from the
   lemniscal thalamus, which reaches the basal and oblique dendrites of the
   pyramidal cells (layer 4 projections);
2. a **distal** input at about 60 ms, feedback from higher-order cortex or
   non-lemniscal thalamus, which reaches the apical tufts in layer 1;
3. a second **proximal** input at about 135 ms, a later feedforward volley.

Inputs near the cell bodies push intracellular current up the apical dendrite
(positive dipole, towards the surface); inputs to the tufts push it down
(negative dipole). This example builds the default network, adds the three
inputs with HNN's published parameters, simulates several trials in parallel
and looks at the average dipole, the contributions of layers 2/3 and 5 and the
spikes behind them.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt

from hnn_core import (neymotin_2020_model, simulate_dipole, average_dipoles,
                      JoblibBackend)
from hnn_core.viz import plot_dipole, plot_spikes_hist, plot_spikes_raster

###############################################################################
# The network
# -----------
# :func:`~hnn_core.neymotin_2020_model` builds the network of Jones et al.
# (2009), as HNN simulates it (Neymotin et al. 2020), with the parameters of
# HNN's ``default.json``: a 10 x 10 grid of pyramidal cells in each of layers
# 2/3 and 5, and 35 basket (inhibitory) cells per layer. Only the pyramidal
# cells, long and aligned with each other, contribute to the dipole. The
# network has no external input yet.
net = neymotin_2020_model()
print(net)

###############################################################################
# The distal input
# ----------------
# An evoked drive gives every drive cell one spike per trial (``numspikes=1``)
# at a time drawn from a normal distribution with mean ``mu`` and standard
# deviation ``sigma`` (ms). By default each network cell has its own drive
# cell. The weights are peak synaptic conductances (µS) for each target cell
# type; the distal input acts through fast AMPA and slow NMDA receptors, and
# ``synaptic_delays`` are transmission delays (ms). Layer 5 basket cells get
# no distal input: in the model they have no synapses in layer 1, where the
# distal fibres end. ``event_seed`` fixes the random spike times, so that the
# example gives the same figure every time.
net.add_evoked_drive(
    'evdist1', mu=63.53, sigma=3.85, numspikes=1, location='distal',
    weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': 0.000007,
                  'L5_pyramidal': 0.142300},
    weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                  'L5_pyramidal': 0.080074},
    synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                     'L5_pyramidal': 0.1},
    event_seed=274)

###############################################################################
# The two proximal inputs
# -----------------------
# Both proximal inputs act through AMPA receptors only. Their delays are longer
# for layer 5 (1 ms) than for layer 2/3 (0.1 ms). The second input is much
# stronger on the pyramidal cells and more spread out in time
# (``sigma=8.33`` ms).
proximal_delays = {'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                   'L5_basket': 1., 'L5_pyramidal': 1.}
net.add_evoked_drive(
    'evprox1', mu=26.61, sigma=2.47, numspikes=1, location='proximal',
    weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                  'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
    synaptic_delays=proximal_delays, event_seed=544)
net.add_evoked_drive(
    'evprox2', mu=137.12, sigma=8.33, numspikes=1, location='proximal',
    weights_ampa={'L2_basket': 0.000003, 'L2_pyramidal': 1.438840,
                  'L5_basket': 0.008958, 'L5_pyramidal': 0.684013},
    synaptic_delays=proximal_delays, event_seed=814)

###############################################################################
# Simulate several trials in parallel
# -----------------------------------
# Trials differ only in the spike times drawn for the drives, as repeated
# stimuli differ in a recording session. They are independent simulations, so
# :class:`~hnn_core.JoblibBackend` runs them side by side, one per core; the
# results are the same as with one core. Each trial simulates 170 ms in steps
# of 0.025 ms (the default ``dt``).
with JoblibBackend(n_jobs=2):
    dpls = simulate_dipole(net, tstop=170., n_trials=4)

###############################################################################
# Smooth, scale and average, as HNN does
# --------------------------------------
# The raw dipole of 200 model pyramidal cells is tiny compared with what a
# recording sees, and it carries the sharp transients of single spikes. HNN
# therefore smooths each dipole with a 30 ms Hamming window and multiplies it
# by 3000, an estimate of how many such networks contribute to the measured
# signal (both values are in ``default.json``). Both operations are linear,
# so averaging before or after them gives the same result.
window_len = 30.  # ms
scaling_factor = 3000.
for dpl in dpls:
    dpl.smooth(window_len).scale(scaling_factor)
dpl_avg = average_dipoles(dpls)

###############################################################################
# The drives and the dipole
# -------------------------
# The top panel shows when the drive cells fired (pooled over the trials), the
# bottom one each trial's dipole and their average. The first proximal input
# is followed by a small positive peak, the distal input by the large negative
# deflection, and the second proximal input by the slow positive wave.
fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 6),
                         constrained_layout=True)
plot_spikes_hist(net.cell_response, ax=axes[0], show=False)
axes[0].set_xlabel('')  # the time axis is labelled once, below
axes[0].set_ylabel('Drive spikes (count)')
axes[0].set_title('Input spike times, all trials')
plot_dipole(dpls + [dpl_avg], ax=axes[1], show=False)
axes[1].set_title('Aggregate dipole: single trials and average')
axes[1].set_xlim(0, 170)
# the average stands out in black
axes[1].lines[-1].set(color='black', linewidth=2.5)
axes[1].legend(fontsize='small', ncol=2)

###############################################################################
# Contributions of the two layers
# -------------------------------
# The aggregate dipole is the sum of the layer 2/3 and layer 5 dipoles. The
# small positive peak near 25 ms comes from layer 2/3. The negative deflection
# after the distal input is almost entirely layer 5, whose pyramidal cells
# have the longest apical dendrites. Both layers make the late positive wave,
# layer 5 about two thirds of it.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
for layer, color, label in (('agg', 'black', 'Aggregate'),
                            ('L2', 'tab:green', 'Layer 2/3'),
                            ('L5', 'tab:red', 'Layer 5')):
    plot_dipole(dpl_avg, ax=ax, layer=layer, show=False)
    ax.lines[-1].set(color=color, label=label)
ax.axhline(0, color='gray', linewidth=0.5)
ax.set_title(f'Average of {dpl_avg.nave} trials by layer')
ax.set_xlim(0, 170)
ax.legend()

###############################################################################
# The spikes of the network's cells
# ---------------------------------
# A raster of the first trial: each mark is one spike of one cell, identified
# by its gid (the cells are numbered by type). The first proximal input makes
# the basket cells and a few layer 2/3 pyramidal cells fire, the distal input
# sets the layer 5 pyramidal cells firing for some 40 ms, and the strong second
# proximal input makes most layer 2/3 pyramidal cells fire around 140 ms.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
plot_spikes_raster(net.cell_response, trial_idx=0, ax=ax, show=False)
ax.set_xlim(0, 170)
ax.set_ylabel('Cell (gid)')

plt.show()
