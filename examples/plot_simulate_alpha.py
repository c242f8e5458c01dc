"""
========================
Simulate an alpha rhythm
========================

At rest, MEG over primary somatosensory cortex shows the mu rhythm, made of
alpha (7-14 Hz) and beta (15-29 Hz) oscillations. Jones et al. (2009) showed
that the laminar network produces such rhythms without any spiking of its own
cells: it only needs weak (subthreshold) bursts of input arriving about every
100 ms, as thalamic neurons fire in bursts at about 10 Hz at rest. Input
through the proximal pathway pushes current up the pyramidal cells' apical
dendrites, input through the distal pathway pushes it down.

This example follows the first steps of HNN's alpha and beta tutorial: 10 Hz
bursts through each pathway alone, then through both pathways with the distal
bursts 50 ms after the proximal ones, which gives a dipole that swings above
and below zero at 10 Hz. The power spectra of all three peak near 10 Hz.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.viz import plot_dipole, plot_psd, plot_spikes_hist

###############################################################################
# Rhythmic drives
# ---------------
# :meth:`~hnn_core.Network.add_bursty_drive` adds ``n_drive_cells`` drive
# cells that fire bursts at ``burst_rate`` (Hz), from ``tstart`` (ms) on. Each
# burst has ``numspikes`` spikes ``spike_isi`` ms apart, and every burst time
# is jittered by a normal deviate of ``burst_std`` ms, so each cycle's input is
# spread over roughly 50 ms. With ten drive cells targeting only the pyramidal
# cells, with a weight of 5.4e-5 µS each, no cell of the network fires: the
# dipole comes from subthreshold currents alone.
#
# Proximal input reaches layer 2/3 after 0.1 ms and layer 5 after 1 ms; distal
# input is given a 5 ms delay to both layers, as in HNN's tutorial.
burst_rate = 10.  # Hz
weights = {'L2_pyramidal': 5.4e-5, 'L5_pyramidal': 5.4e-5}  # µS


def add_proximal_bursts(net, tstart, event_seed):
    net.add_bursty_drive(
        'alpha_prox', location='proximal', tstart=tstart,
        burst_rate=burst_rate, burst_std=20., numspikes=2, spike_isi=10.,
        n_drive_cells=10, weights_ampa=weights,
        synaptic_delays={'L2_pyramidal': 0.1, 'L5_pyramidal': 1.},
        event_seed=event_seed)


def add_distal_bursts(net, tstart, event_seed):
    net.add_bursty_drive(
        'alpha_dist', location='distal', tstart=tstart,
        burst_rate=burst_rate, burst_std=20., numspikes=2, spike_isi=10.,
        n_drive_cells=10, weights_ampa=weights,
        synaptic_delays={'L2_pyramidal': 5., 'L5_pyramidal': 5.},
        event_seed=event_seed)


###############################################################################
# One pathway at a time
# ---------------------
# Two networks, each driven through one pathway from 50 ms on. Each simulates
# 710 ms; the first 50 ms, during which the model settles from its initial
# state, are left out of the plots and spectra below. ``verbose=False`` turns
# off the progress messages.
tstop = 710.  # ms
tmin = 50.  # ms, start of the analysed window

net_prox = neymotin_2020_model()
add_proximal_bursts(net_prox, tstart=50., event_seed=1000)
dpl_prox = simulate_dipole(net_prox, tstop=tstop, verbose=False)[0]

net_dist = neymotin_2020_model()
add_distal_bursts(net_dist, tstart=50., event_seed=284)
dpl_dist = simulate_dipole(net_dist, tstop=tstop, verbose=False)[0]

###############################################################################
# Both pathways, 50 ms apart
# --------------------------
# With the distal bursts starting 50 ms after the proximal ones, each 100 ms
# cycle pushes current up, then down. (The drives get different
# ``event_seed`` values; with equal seeds their burst times would be drawn
# from the same random numbers.)
net_alpha = neymotin_2020_model()
add_proximal_bursts(net_alpha, tstart=50., event_seed=1000)
add_distal_bursts(net_alpha, tstart=100., event_seed=284)
dpl_alpha = simulate_dipole(net_alpha, tstop=tstop, verbose=False)[0]

###############################################################################
# As in HNN, the dipoles are scaled by 3000 (the number of such networks that
# would add up to the recorded signal) and, for display, smoothed with a
# 20 ms Hamming window. The spectra below use the unsmoothed dipoles.
scaling_factor = 3000.
dpls = {'Proximal only': dpl_prox, 'Distal only': dpl_dist,
        'Proximal, then distal 50 ms later': dpl_alpha}
for dpl in dpls.values():
    dpl.scale(scaling_factor)
smoothed = {label: dpl.copy().smooth(20.) for label, dpl in dpls.items()}

###############################################################################
# The dipoles
# -----------
# Proximal bursts alone give positive deflections every 100 ms, distal bursts
# alone mostly negative ones. Alternating, the two pathways make the dipole
# swing above and below zero. The histogram of the input spikes (middle) shows
# the two drives taking turns, loosely: every burst of every drive cell is
# jittered by 20 ms, so the input of one cycle is spread over some 50 ms.
colors = {'Proximal only': 'tab:blue', 'Distal only': 'tab:orange',
          'Proximal, then distal 50 ms later': 'black'}
fig, axes = plt.subplots(3, 1, sharex=True, figsize=(7, 8),
                         constrained_layout=True)
for label in ('Proximal only', 'Distal only'):
    plot_dipole(smoothed[label], tmin=tmin, ax=axes[0], show=False)
    axes[0].lines[-1].set(color=colors[label], label=label)
axes[0].legend(loc='upper right', fontsize='small')
axes[0].set_title('10 Hz bursts through one pathway')

plot_spikes_hist(net_alpha.cell_response, ax=axes[1], show=False)
axes[1].set_ylabel('Input spikes (count)')
axes[1].set_title('Input bursts of the alternating drives')

label = 'Proximal, then distal 50 ms later'
plot_dipole(smoothed[label], tmin=tmin, ax=axes[2], show=False)
axes[2].lines[-1].set(color=colors[label])
axes[2].set_title('Alternating proximal and distal bursts')
for ax in axes:
    ax.axhline(0., color='gray', linewidth=0.5)
for ax in axes[:2]:
    ax.set_xlabel('')  # one time axis label, at the bottom
axes[2].set_xlim(0., tstop)

###############################################################################
# The power spectra
# -----------------
# :func:`~hnn_core.viz.plot_psd` computes a periodogram of the dipole between
# ``tmin`` and the end; 660 ms give a resolution of 1.5 Hz. All three spectra
# peak near 10 Hz, the rate of the input bursts.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
for label, dpl in dpls.items():
    plot_psd(dpl, fmin=0., fmax=40., tmin=tmin, ax=ax, show=False)
    line = ax.lines[-1]
    line.set(color=colors[label], label=label)
    peak = line.get_xdata()[np.argmax(line.get_ydata())]
    print(f'{label}: spectral peak at {peak:.1f} Hz')
ax.axvline(burst_rate, color='gray', linestyle='--', linewidth=1,
           label=f'Burst rate ({burst_rate:g} Hz)')
ax.set_title(f'Power spectral density from {tmin:g} ms on')
ax.legend(fontsize='small')

plt.show()
