"""
====================================
Membrane potentials and firing rates
====================================

The dipole summarises the currents of 200 pyramidal cells; the cells
themselves tell how it came about. This example records the membrane potential
at the soma of every cell during an evoked response, plots the voltage of a
few cells of each type, writes the spikes to text files and reads them back,
and computes the mean firing rate of each cell type.

The simulation is the evoked response of
:ref:`sphx_glr_auto_examples_plot_simulate_evoked.py`.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 1

import os.path as op
import shutil
import tempfile

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole, read_spikes
from hnn_core.viz import plot_spikes_raster

###############################################################################
# The network and its inputs
# --------------------------
# ``add_drives_from_params=True`` adds the inputs described in the parameter
# file, here HNN's ``default.json``: the same three evoked drives as in
# :ref:`sphx_glr_auto_examples_plot_simulate_evoked.py` (a proximal input at
# 26.6 ms, a distal one at 63.5 ms and a second proximal one at 137.1 ms), as
# the HNN graphical interface would.
net = neymotin_2020_model(add_drives_from_params=True)
print(list(net.external_drives))

###############################################################################
# Simulate and record somatic voltages
# ------------------------------------
# ``record_vsec='soma'`` records the membrane potential (mV) at the middle of
# every cell's soma at every time step; ``'all'`` would record every section.
# Recordings cost memory (here 270 cells x 6801 samples per trial), so they
# are off by default. Two trials are run.
tstop = 170.  # ms
dpls = simulate_dipole(net, tstop=tstop, n_trials=2, record_vsec='soma',
                       verbose=False)
cell_response = net.cell_response
print(cell_response)

###############################################################################
# ``cell_response.vsec`` holds one dict per trial: ``vsec[trial][gid]`` maps
# section names to voltage traces, sampled at ``cell_response.times`` (ms).
# ``net.gid_ranges`` tells which gids belong to which cell type.
times = cell_response.times
vsec = cell_response.vsec[0]  # first trial
for cell_type in ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal'):
    print(f'{cell_type}: gids {net.gid_ranges[cell_type]}')

###############################################################################
# Voltage traces
# --------------
# Every drive cell sits at the centre of the grid, and the weight of its
# synapses falls off with the distance d of the target cell from there, as
# exp(-d^2 / lambda^2), with lambda = 3 grid units for evoked drives. So the
# cells near the centre get the strongest input. For each type, we plot the
# cell closest to the centre, one half-way out and the one farthest away (a
# corner of the grid); the dashed lines mark the mean times of the three
# inputs.
input_times = {'evprox1': 26.61, 'evdist1': 63.53, 'evprox2': 137.12}  # ms
centre = np.array(net.pos_dict['origin'][:2])
fig, axes = plt.subplots(2, 2, sharex=True, sharey=True, figsize=(9, 6),
                         constrained_layout=True)
for ax, cell_type in zip(axes.flat, ('L2_basket', 'L2_pyramidal',
                                     'L5_basket', 'L5_pyramidal')):
    gids = net.gid_ranges[cell_type]
    xy = np.array(net.pos_dict[cell_type])[:, :2]  # grid units
    distances = np.linalg.norm(xy - centre, axis=1)
    order = np.argsort(distances, kind='stable')
    for idx in (order[0], order[len(order) // 2], order[-1]):
        ax.plot(times, vsec[gids[idx]]['soma'], linewidth=0.8,
                label=f'gid {gids[idx]} (d = {distances[idx]:.1f})')
    for t in input_times.values():
        ax.axvline(t, color='gray', linestyle='--', linewidth=0.6)
    ax.set_title(cell_type)
    ax.set_ylim(-90., 80.)  # room above the spikes for the legend
    ax.legend(loc='upper center', ncol=3, fontsize='x-small',
              handlelength=1.5, columnspacing=1.)
for ax in axes[1]:
    ax.set_xlabel('Time (ms)')
for ax in axes[:, 0]:
    ax.set_ylabel('Somatic potential (mV)')
axes[0, 0].set_xlim(0., tstop)
fig.suptitle('Somatic membrane potentials, first trial '
             '(d: distance from the grid centre, in grid units)')

###############################################################################
# The cells near the centre respond to each input, while the corner cells,
# which barely receive any, stay below threshold. Basket cells fire single,
# brief spikes, locked to the inputs and to the firing of the pyramidal cells.
# Layer 5 pyramidal cells near the centre fire repeatedly for some 50 ms after
# the distal input. Layer 2/3 pyramidal cells fire sparsely: here the central
# one after the distal input, the one half-way out around the second proximal
# input.

###############################################################################
# The spikes of all cells
# -----------------------
# Every threshold crossing of a soma is a spike; the raster shows all of them
# for the first trial.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
plot_spikes_raster(cell_response, trial_idx=0, ax=ax, show=False)
ax.set_ylabel('Cell (gid)')
ax.set_xlim(0., tstop)

###############################################################################
# Write the spikes and read them back
# -----------------------------------
# :meth:`~hnn_core.CellResponse.write` writes one text file per trial (the
# ``%d`` in the name becomes the trial index); each line holds a spike's time
# (ms), the gid and the type of the cell or drive that fired.
# :func:`~hnn_core.read_spikes` reads a set of such files, one trial per
# file, in sorted order of their names.
out_dir = tempfile.mkdtemp()
cell_response.write(op.join(out_dir, 'spk_%d.txt'))
with open(op.join(out_dir, 'spk_0.txt')) as fid:
    print(''.join(fid.readlines()[:5]))

cell_response_read = read_spikes(op.join(out_dir, 'spk_*.txt'))
print(cell_response_read)
print('Same spikes as simulated:', cell_response_read == cell_response)
shutil.rmtree(out_dir)  # the files are no longer needed

###############################################################################
# Mean firing rates
# -----------------
# :meth:`~hnn_core.CellResponse.mean_rates` counts the spikes of every cell of
# each type and divides by the duration given (here the whole simulation,
# 170 ms). ``mean_type='all'`` averages over cells and trials; ``'trial'``
# gives one mean per trial. The spike files keep the types, so the rates can
# be computed from the files as well.
rates = cell_response_read.mean_rates(tstart=0., tstop=tstop,
                                      gid_ranges=net.gid_ranges)
rates_trial = cell_response_read.mean_rates(tstart=0., tstop=tstop,
                                            gid_ranges=net.gid_ranges,
                                            mean_type='trial')
for cell_type, rate in rates.items():
    per_trial = ', '.join(f'{r:.1f}' for r in rates_trial[cell_type])
    print(f'{cell_type:>13}: {rate:5.1f} Hz (trials: {per_trial})')

fig, ax = plt.subplots(figsize=(6, 3.5), constrained_layout=True)
cell_types = list(rates)
ax.bar(cell_types, [rates[c] for c in cell_types],
       color=['#1f77b4', '#2ca02c', '#9467bd', '#d62728'])
for idx, cell_type in enumerate(cell_types):  # each trial's mean as a dot
    ax.plot(np.full(len(rates_trial[cell_type]), idx), rates_trial[cell_type],
            'o', color='black', markersize=4)
ax.set_xlabel('Cell type')
ax.set_ylabel('Mean firing rate (Hz)')
ax.set_title(f'Mean rates over 0-{tstop:g} ms; dots: single trials')

plt.show()
