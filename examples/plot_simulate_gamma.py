"""
=======================
Simulate a gamma rhythm
=======================

Gamma oscillations (30-80 Hz) appear in MEG and EEG during sensory processing
and attention. A classic mechanism is the pyramidal-interneuron network gamma,
or PING: excited pyramidal cells make the basket cells fire, the basket cells
inhibit the pyramidal cells for about the decay time of GABA-A inhibition, and
the pyramidal cells fire again as the inhibition wears off. The period of the
rhythm is set by the inhibition, about 20-25 ms, not by the input.

This example drives the layer 5 pyramidal cells with irregular (Poisson) input
spikes. Their firing and the basket cells' response already give a weak, noisy
gamma rhythm. Adding a constant depolarising current (a tonic bias) to the
same cells makes them fire more, and in tighter volleys: the rhythm becomes
stronger and more regular. A raster plot, the dipole and a Morlet
time-frequency map show both cases, and their power spectra are compared in
the 30-80 Hz band.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.viz import (plot_dipole, plot_psd, plot_spikes_raster,
                          plot_tfr_morlet)

###############################################################################
# A Poisson drive to layer 5
# --------------------------
# :meth:`~hnn_core.Network.add_poisson_drive` gives each target cell its own
# drive cell, which fires at random times at ``rate_constant`` spikes per
# second. Here only the layer 5 pyramidal cells are targeted, through AMPA
# synapses on their proximal dendrites (0.0075 µS each, 1 ms delay). The layer
# 5 basket cells are driven only by the pyramidal cells, through the network's
# local connections.
tstop = 350.  # ms
tmin = 50.  # ms: the first 50 ms, while the model settles, are not analysed


def make_network():
    net = neymotin_2020_model()
    net.add_poisson_drive(
        'poisson', rate_constant=40., location='proximal',
        weights_ampa={'L5_pyramidal': 0.0075},
        synaptic_delays={'L5_pyramidal': 1.}, event_seed=1079)
    return net


net_weak = make_network()
dpl_weak = simulate_dipole(net_weak, tstop=tstop, verbose=False)[0]

###############################################################################
# Adding a tonic bias
# -------------------
# :meth:`~hnn_core.Network.add_tonic_bias` injects a constant current into
# the soma of every cell of the given types, here 2 nA into each layer 5
# pyramidal cell for the whole simulation. The Poisson drive is the same as
# above (same ``event_seed``), so any difference comes from the bias.
net_strong = make_network()
net_strong.add_tonic_bias(amplitude={'L5_pyramidal': 2.})
dpl_strong = simulate_dipole(net_strong, tstop=tstop, verbose=False)[0]

###############################################################################
# Firing rates
# ------------
# :meth:`~hnn_core.CellResponse.mean_rates` gives the mean firing rate of
# each cell type (spikes per second, averaged over cells). Layer 2/3 receives
# no input and stays silent. The bias roughly doubles the rate of the layer 5
# pyramidal cells, which still fire only on some cycles each: the rhythm is a
# property of the population.
for name, net in (('Poisson drive', net_weak),
                  ('Poisson drive + tonic bias', net_strong)):
    rates = net.cell_response.mean_rates(tstart=0., tstop=tstop,
                                         gid_ranges=net.gid_ranges)
    print(f'{name}: ' + ', '.join(f'{cell_type} {rate:.1f} Hz'
                                  for cell_type, rate in rates.items()))

###############################################################################
# Spikes, dipole and time-frequency power
# ---------------------------------------
# The raw dipoles are scaled by 3000, as in HNN, and not smoothed: a 30 ms
# smoothing window would remove the gamma oscillation. The Morlet map uses
# ``n_cycles = freqs / 8``: the Gaussian envelope of a wavelet of n cycles at
# frequency f has a standard deviation of n / (2 pi f), here 20 ms at every
# frequency, so the map resolves events of a few gamma cycles.
scaling_factor = 3000.
freqs = np.arange(20., 101., 2.)  # Hz
n_cycles = freqs / 8.
for dpl in (dpl_weak, dpl_strong):
    dpl.scale(scaling_factor)


def plot_gamma(net, dpl, title):
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(7, 8),
                             constrained_layout=True)
    plot_spikes_raster(net.cell_response, ax=axes[0], show=False)
    axes[0].set_ylabel('Cell (gid)')
    axes[0].set_title('')  # replaced by a title on the left
    axes[0].set_title('Spikes', loc='left')
    # the raster's legend goes above the axes, leaving the width to the data
    axes[0].legend(loc='lower right', bbox_to_anchor=(1., 1.), ncol=2,
                   fontsize='small', frameon=False, markerscale=1.5)
    plot_dipole(dpl, tmin=tmin, ax=axes[1], show=False)
    axes[1].set_title('Aggregate dipole')
    plot_tfr_morlet(dpl, freqs=freqs, n_cycles=n_cycles, tmin=tmin, ax=axes[2],
                    show=False)
    axes[2].set_title('Morlet time-frequency power')
    for ax in axes[:2]:
        ax.set_xlabel('')
    axes[2].set_xlim(tmin, tstop)
    fig.suptitle(title)
    return fig


plot_gamma(net_weak, dpl_weak, 'Poisson drive to layer 5 pyramidal cells')

###############################################################################
# Without the bias, the layer 5 pyramidal cells fire irregularly, and the
# basket cells fire in loose volleys about 25 ms apart. The dipole carries a
# noisy fast oscillation whose power comes and goes.
#
# With the bias, pyramidal and basket cells fire in alternating volleys, the
# dipole oscillates more regularly and with a larger amplitude, and the
# time-frequency map shows a band of power near 40 Hz through most of the
# simulation (mind the colour scale: it reaches about three times higher than
# in the map above):
plot_gamma(net_strong, dpl_strong, 'Poisson drive + 2 nA tonic bias')

###############################################################################
# Power spectra
# -------------
# The periodograms of the two dipoles (from 50 ms on, 3.3 Hz resolution). Both
# peak in the gamma band (30-80 Hz, shaded), which holds most of their power
# between 10 and 120 Hz; the tonic bias makes the peak about three times
# higher.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
ax.axvspan(30., 80., color='0.9', label='Gamma band (30-80 Hz)')
for dpl, label, color in ((dpl_weak, 'Poisson drive', 'tab:blue'),
                          (dpl_strong, 'Poisson drive + tonic bias', 'black')):
    plot_psd(dpl, fmin=0., fmax=120., tmin=tmin, ax=ax, show=False)
    line = ax.lines[-1]
    line.set(color=color, label=label)
    f, psd = line.get_xdata(), line.get_ydata()
    band = (f >= 10.) & (f <= 120.)
    gamma = (f >= 30.) & (f <= 80.)
    print(f'{label}: peak at {f[band][np.argmax(psd[band])]:.1f} Hz, '
          f'{100 * psd[gamma].sum() / psd[band].sum():.0f} % of the '
          f'10-120 Hz power in the gamma band')
ax.set_title(f'Power spectral density from {tmin:g} ms on')
ax.legend(fontsize='small')

plt.show()
