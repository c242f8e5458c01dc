"""
=====================
Simulate a beta event
=====================

Beta activity (15-29 Hz) in sensory and motor cortex does not last: on single
trials it comes as brief events of one to a few cycles. In the MEG dipole of
primary somatosensory cortex, such an event looks like a sharp downward
deflection lasting about 50 ms, one beta period.

Sherman et al. (2016) explained these events with the HNN network: a beta
event appears when a brief, strong burst of input reaches the distal (apical
tuft) dendrites while a weaker, broader proximal input is arriving. The distal
burst pushes current down the pyramidal cells' dendrites for as long as it
lasts, against the upward current of the proximal input, and this
50 ms downward swing is what a time-frequency analysis reports as beta power.
Laminar recordings in mice and monkeys confirmed the prediction.

This example simulates the proximal input alone and together with a distal
burst, and compares the dipoles and their time-frequency power.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.tfr import tfr_array_morlet
from hnn_core.viz import plot_dipole, plot_spikes_hist, plot_tfr_morlet

###############################################################################
# Two single bursts of input
# --------------------------
# :meth:`~hnn_core.Network.add_bursty_drive` with ``burst_rate=1.`` and
# ``tstop=t_event + 50.`` gives each drive cell exactly one burst, centred near
# ``t_event``: two spikes 10 ms apart, with the burst time jittered from cell
# to cell by ``burst_std`` ms. Ten drive cells contact every cell of the
# weighted types (``n_drive_cells=10``, not one per target cell).
#
# The proximal input is broad (20 ms jitter) and weak: a few hundredths of a
# nanosiemens on every cell type. The distal input is more synchronous (7 ms
# jitter, so it lasts some 40 ms) and several times stronger on the layer 2/3
# cells, whose apical tufts it reaches, and on the layer 2/3 basket cells.
# Neither makes any cell of the network fire: the event is carried by
# subthreshold currents.
t_event = 150.  # ms, centre of the bursts
tstop = 300.  # ms


def add_proximal_burst(net):
    net.add_bursty_drive(
        'beta_prox', location='proximal', tstart=t_event,
        tstop=t_event + 50., burst_rate=1., burst_std=20., numspikes=2,
        spike_isi=10., n_drive_cells=10,
        weights_ampa={'L2_basket': 0.00004, 'L2_pyramidal': 0.00002,
                      'L5_basket': 0.00002, 'L5_pyramidal': 0.00002},
        synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                         'L5_basket': 1., 'L5_pyramidal': 1.},
        event_seed=20)


def add_distal_burst(net):
    net.add_bursty_drive(
        'beta_dist', location='distal', tstart=t_event,
        tstop=t_event + 50., burst_rate=1., burst_std=7., numspikes=2,
        spike_isi=10., n_drive_cells=10,
        weights_ampa={'L2_basket': 0.0002, 'L2_pyramidal': 0.00008,
                      'L5_pyramidal': 0.00004},
        synaptic_delays={'L2_basket': 0.5, 'L2_pyramidal': 0.5,
                         'L5_pyramidal': 0.5},
        event_seed=21)


net_prox = neymotin_2020_model()
add_proximal_burst(net_prox)

net_beta = neymotin_2020_model()
add_proximal_burst(net_beta)
add_distal_burst(net_beta)

###############################################################################
# Simulate
# --------
# One 300 ms trial of each network; the dipoles are scaled by 3000, as in HNN,
# and not smoothed, since smoothing would blur the event. The first 50 ms,
# while the model settles from its initial state, are left out below.
tmin = 50.  # ms
scaling_factor = 3000.
dpl_prox = simulate_dipole(net_prox, tstop=tstop, verbose=False)[0]
dpl_beta = simulate_dipole(net_beta, tstop=tstop, verbose=False)[0]
for dpl in (dpl_prox, dpl_beta):
    dpl.scale(scaling_factor)
rates = net_beta.cell_response.mean_rates(tstart=0., tstop=tstop,
                                          gid_ranges=net_beta.gid_ranges)
print('Firing rates with both inputs (Hz):', rates)

###############################################################################
# Inputs and dipoles
# ------------------
# The proximal burst alone (blue) makes a slow positive bump of about 60 ms.
# With the distal burst (black), the dipole swings sharply downward, staying
# below zero for some 35 ms while the distal input lasts, then rebounds
# upward: the waveform of a beta event. No cell of the network fires (see
# the firing rates above).
fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 6),
                         constrained_layout=True)
plot_spikes_hist(net_beta.cell_response, ax=axes[0], show=False)
axes[0].set_xlabel('')
axes[0].set_ylabel('Input spikes (count)')
axes[0].set_title('Input bursts')
for dpl, label, color in ((dpl_prox, 'Proximal burst only', 'tab:blue'),
                          (dpl_beta, 'Proximal + distal burst', 'black')):
    plot_dipole(dpl, tmin=tmin, ax=axes[1], show=False)
    axes[1].lines[-1].set(label=label, color=color)
axes[1].axhline(0., color='gray', linewidth=0.5)
axes[1].legend(loc='lower left', fontsize='small')
axes[1].set_title('Aggregate dipole')
axes[1].set_xlim(tmin, tstop)

###############################################################################
# Time-frequency power
# --------------------
# Morlet wavelets of 4 cycles give a temporal resolution suited to events of a
# few cycles (the Gaussian envelope's standard deviation is 4 / (2 pi f):
# 32 ms at 20 Hz). Both maps share one colour scale. Only the distal burst
# produces a brief blob of power in the beta band (dashed lines, 15-29 Hz),
# centred near the time of the downward deflection.
freqs = np.arange(6., 41., 1.)  # Hz
n_cycles = 4.
fig, axes = plt.subplots(1, 2, sharey=True, figsize=(9, 3.8),
                         constrained_layout=True)
for ax, dpl, title in ((axes[0], dpl_prox, 'Proximal burst only'),
                       (axes[1], dpl_beta, 'Proximal + distal burst')):
    plot_tfr_morlet(dpl, freqs=freqs, n_cycles=n_cycles, tmin=tmin, ax=ax,
                    colorbar=False, show=False)
    ax.set_title(title)
    for f in (15., 29.):
        ax.axhline(f, color='white', linestyle='--', linewidth=0.8)
axes[1].set_ylabel('')
# one colour scale for both maps
meshes = [ax.collections[0] for ax in axes]
vmax = max(mesh.get_array().max() for mesh in meshes)
for mesh in meshes:
    mesh.set_clim(0., vmax)
fig.colorbar(meshes[1], ax=axes,
             label=f'Power ((nAm × {scaling_factor:g})²)')

###############################################################################
# The numbers behind the map
# --------------------------
# :func:`hnn_core.tfr.tfr_array_morlet` returns the power that
# :func:`~hnn_core.viz.plot_tfr_morlet` draws (after removing the mean of the
# window), here used to locate the event's peak.
mask = dpl_beta.times >= tmin
data = dpl_beta.data['agg'][mask]
power = tfr_array_morlet(data - data.mean(), dpl_beta.sfreq, freqs,
                         n_cycles=n_cycles)
i_freq, i_time = np.unravel_index(np.argmax(power), power.shape)
print(f'The power peaks at {freqs[i_freq]:g} Hz, '
      f'{dpl_beta.times[mask][i_time]:.0f} ms')

plt.show()
