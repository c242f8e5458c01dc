"""
===============================
Record extracellular potentials
===============================

MEG and EEG see the cortical column from far away, as one current dipole: the
net current flowing along the apical dendrites of the pyramidal cells. An
electrode inside the cortex sees much more detail. Every segment of every cell
passes current across its membrane (through its channels, synapses and its
capacitance), and that current spreads through the conductive tissue around
the cells. The potential it makes at the electrode, relative to a distant
reference, is the **local field potential** (LFP). A laminar probe, a shaft
with contacts at regular depths, records the LFP through all the layers at
once.

This example places such a probe through the middle of the default network,
simulates the sensory evoked response, and shows the dipole, the LFP at every
contact, the spikes, and the **current source density** (CSD) computed from the
LFP: where current leaves the extracellular space (sinks) or returns to it
(sources) at each depth.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np

from hnn_core import (neymotin_2020_model, add_erp_drives_to_jones_model,
                      simulate_dipole)

###############################################################################
# The network and its inputs
# --------------------------
# :func:`~hnn_core.neymotin_2020_model` builds the network of Jones et al.
# (2009) with HNN's default parameters, and
# :func:`~hnn_core.add_erp_drives_to_jones_model` adds the three evoked inputs
# of the sensory response (proximal at about 25 ms, distal at about 60 ms,
# proximal again at about 135 ms); the
# :ref:`evoked example <sphx_glr_auto_examples_plot_simulate_evoked.py>`
# describes them.
net = neymotin_2020_model()
add_erp_drives_to_jones_model(net)

###############################################################################
# A laminar probe through the column
# ----------------------------------
# The somata of the layer 5 pyramidal cells lie at z = 0 µm, those of layer
# 2/3 at z ≈ 1300 µm; the basal dendrites of layer 5 reach down to about
# -270 µm and the apical tufts of both layers up to about 1930 µm. The cells
# of each layer sit on a square grid whose spacing is 1 µm by default: the
# somata of a layer cover only 9 x 9 µm, and the dendrites of all cells,
# aligned along z, overlap.
#
# The probe is a vertical line of contacts 100 µm apart, from below the layer 5
# somata to above the tufts. Its x and y are those of the middle of the grid
# (the mean position of the layer 5 pyramidal cells), so that the probe goes
# through the centre of the column whatever the size of the grid.
#
# How the potential is computed:
#
# * the tissue is an infinite, homogeneous, purely resistive medium of
#   conductivity ``conductivity`` (S/m; 0.3 S/m, the default, is typical of
#   grey matter);
# * with the **point-source approximation** (``method='psa'``, the default),
#   each segment's membrane current :math:`i` (nA) is a point source at the
#   segment's centre, which makes :math:`V = i / (4 \pi \sigma r)` at a contact
#   :math:`r` µm away; ``method='lsa'`` spreads the current evenly along the
#   segment instead (line-source approximation);
# * the potential of a point source grows without bound as :math:`r \to 0`, so
#   sources nearer than ``min_distance`` (µm) count as if they were that far.
#   This matters here: the probe passes within a few µm of every soma.
#
# The contributions of all segments of all cells (pyramidal and basket) add up.
xy = np.mean(net.pos_dict['L5_pyramidal'], axis=0)[:2]
depths = np.arange(-325., 2150., 100.)  # µm
electrode_pos = [(xy[0], xy[1], depth) for depth in depths]
net.add_electrode_array('shank', electrode_pos, conductivity=0.3,
                        method='psa', min_distance=0.5)
print(net.rec_arrays['shank'])

###############################################################################
# Where the cells and contacts are
# --------------------------------
# :meth:`~hnn_core.Network.plot_cells` draws the somata in 3-D, and the
# contacts of every electrode array of the network (crosses).
fig = net.plot_cells(show=False)
fig.axes[0].set_title('Somata of the network and the laminar probe')

###############################################################################
# Simulate one trial
# ------------------
# Every array of ``net.rec_arrays`` is recorded during the run, at the same
# times as the dipole (every 0.025 ms). Afterwards
# ``net.rec_arrays['shank']`` is an
# :class:`~hnn_core.extracellular.ExtracellularArray` whose ``voltages`` have
# the shape (trials, contacts, times), in µV.
dpls = simulate_dipole(net, tstop=170., n_trials=1)
lfp = net.rec_arrays['shank']
print(lfp)
print(f'voltages: {lfp.voltages.shape}, sampled at {lfp.sfreq:g} Hz')

###############################################################################
# Dipole, LFP, spikes and CSD
# ---------------------------
# The dipole and the LFP are smoothed with the same 10 ms Hamming window, so
# that their time courses can be compared, and only every 20th sample is drawn
# (2 kHz is plenty for smoothed traces). ``lfp[0]`` is a new array holding the
# first trial, so smoothing it in place leaves ``net.rec_arrays`` unchanged.
#
# The CSD is the second spatial difference of the potential between
# neighbouring contacts, with its sign flipped
# (:func:`~hnn_core.extracellular.calculate_csd2d`):
# :math:`-(V_{k-1} - 2 V_k + V_{k+1}) / h^2` for contacts :math:`h` = 100 µm
# apart, in µV/µm². In a homogeneous medium this is the net membrane current
# per unit volume divided by the conductivity: multiplied by 0.3 S/m, 1 µV/µm²
# is 300 µA/mm³. Negative values are sinks (current entering the cells, e.g.
# at excitatory synapses), positive values sources. The top and bottom
# contacts have no neighbour on one side; their CSD is extrapolated from the
# two nearest inner contacts.
#
# In the figure, the first proximal input (about 25 ms) makes a sink around
# the layer 2/3 somata (z ≈ 1300 µm), where it excites the basal and oblique
# dendrites, flanked by sources above and below. After the distal input the
# layer 5 pyramidal cells fire for some 40 ms; the probe passes within a few µm
# of their somata, so the largest potentials (mV) and the strongest
# alternating sinks and sources are found there, around z = 0 µm. The second
# proximal input (about 140 ms) brings back the layer 2/3 pattern.
window_len = 10.  # ms
# plotting every sample of 40 kHz data is slow; decimate (low-pass filter,
# then keep every n-th sample) in two steps, 40 -> 8 -> 2 kHz
decim = [5, 4]
trial = lfp[0].smooth(window_len)
dpl = dpls[0].copy().smooth(window_len)

fig, axes = plt.subplots(4, 1, sharex=True, figsize=(7, 12),
                         gridspec_kw={'height_ratios': [1, 3.5, 1.5, 2.5]},
                         layout='constrained')
dpl.plot(ax=axes[0], decim=decim, show=False)
axes[0].set_title('Aggregate dipole')

# the potentials span three orders of magnitude (a few µV above the tufts,
# mV next to the somata); with 1.5 mV between neighbouring traces the largest
# deflections cross at most two neighbours
trial.plot_lfp(ax=axes[1], decim=decim, voltage_offset=1500.,
               voltage_scalebar=1000., show=False)
axes[1].set_title('LFP at each contact (depth of the contact)')
axes[1].grid(True, axis='x')

net.cell_response.plot_spikes_raster(ax=axes[2], show=False)
axes[2].set_ylabel('Cell (gid)')
axes[2].set_title('Spikes')

trial.plot_csd(ax=axes[3], show=False)
axes[3].set_title('Current source density')

for ax in axes[:-1]:
    ax.set_xlabel('')  # the shared time axis is labelled once, at the bottom
axes[-1].set_xlim(0, dpl.times[-1])

plt.show()
