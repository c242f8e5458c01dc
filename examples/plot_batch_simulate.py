"""
=======================
Sweep a drive's weight
=======================

How strong must the thalamic input be for the cortical column to respond?
:class:`~hnn_core.batch_simulate.BatchSimulate` answers such questions by
simulating the same network at every point of a grid of parameter values:
here the synaptic weight of a single proximal input, from too weak to make any
cell fire to strong enough to recruit the whole column. The simulations of
all the points share the cores, and each batch of results can be saved to a
file as soon as it is complete, so that an interrupted sweep picks up where it
stopped.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 2

import tempfile

import matplotlib.pyplot as plt
import numpy as np

from hnn_core import neymotin_2020_model
from hnn_core.batch_simulate import BatchSimulate

###############################################################################
# What changes from point to point
# --------------------------------
# ``set_params(param_values, net)`` receives a copy of the base network and the
# values of one point of the grid (a dict), and changes the network in place.
# Here it adds one proximal evoked input at 20 ms whose AMPA weight (µS) onto
# the pyramidal cells is the swept parameter; the basket cells get a fixed
# weight, so that inhibition is the same at every point.
net = neymotin_2020_model()


def set_params(param_values, net):
    """Add the proximal input with this point's weight onto pyramidal cells."""
    weight = param_values['weight_pyr']
    net.add_evoked_drive(
        'evprox', mu=20., sigma=2., numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.08, 'L5_basket': 0.08,
                      'L2_pyramidal': weight, 'L5_pyramidal': weight},
        synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1,
                         'L5_basket': 1., 'L5_pyramidal': 1.},
        event_seed=2)


###############################################################################
# What to keep of each point
# --------------------------
# ``summary_func`` receives the results of one batch of points (a list of
# dicts with the point's ``'param_values'``, its ``'dpl'`` (one dipole per
# trial) and the simulated ``'net'``) and returns whatever should be kept of
# them. Here: the largest positive and negative values of the aggregate dipole
# (nAm) after smoothing with a 10 ms window, and the number of pyramidal-cell
# spikes.
def summary_func(results):
    summary = []
    for result in results:
        dpl = result['dpl'][0].copy().smooth(10.)
        response = result['net'].cell_response
        n_pyr_spikes = sum(kind.endswith('pyramidal')
                           for kind in response.spike_types[0])
        summary.append({'max_peak': float(dpl.data['agg'].max()),
                        'min_peak': float(dpl.data['agg'].min()),
                        'n_pyr_spikes': n_pyr_spikes})
    return summary


###############################################################################
# Run the sweep
# -------------
# Twelve weights, evenly spaced on a log scale, 100 ms each. ``n_jobs=2`` runs
# two simulations at a time (``n_jobs=-1`` uses every core). With
# ``save_outputs=True`` each batch of ``batch_size`` points is written to
# ``sim_run_{start}-{end}.npz`` in ``save_folder`` when it is complete; with
# ``overwrite=False`` a second run would read those files back instead of
# simulating their points again.
param_grid = {'weight_pyr': np.logspace(-3, -1, 12)}
save_folder = tempfile.mkdtemp(prefix='hnn_core_batch_')
batch = BatchSimulate(set_params, net=net, tstop=100., batch_size=6,
                      save_outputs=True, save_folder=save_folder,
                      overwrite=False, summary_func=summary_func)
results = batch.run(param_grid, n_jobs=2)

###############################################################################
# ``results['simulated_data']`` holds a list per batch of the points' results,
# ``results['summary_statistics']`` what ``summary_func`` returned for each
# batch. Flatten both into one entry per point.
points = [point for batch_data in results['simulated_data']
          for point in batch_data]
summary = [entry for batch_summary in results['summary_statistics']
           for entry in batch_summary]
weights = np.array([point['param_values']['weight_pyr'] for point in points])

###############################################################################
# The dipoles
# -----------
# Each line is one point of the grid, coloured by its weight. With weak inputs
# the inhibition of the basket cells (whose input does not change) dominates
# and the dipole turns negative soon after the input arrives. Stronger inputs
# make the positive peak near 22 ms grow; from about 0.04 µS the pyramidal
# cells fire again and again and the dipole swings widely for the rest of the
# simulation, with a deep negative deflection near 60 ms.
fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
cmap = plt.get_cmap('viridis')
norm = plt.matplotlib.colors.LogNorm(weights.min(), weights.max())
for point, weight in zip(points, weights):
    dpl = point['dpl'][0].copy().smooth(10.)
    ax.plot(dpl.times, dpl.data['agg'], color=cmap(norm(weight)), linewidth=1.5)
fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax,
             label='Proximal AMPA weight onto pyramidal cells (µS)')
ax.axhline(0, color='gray', linewidth=0.5)
ax.set_xlabel('Time (ms)')
ax.set_ylabel('Dipole (nAm)')
ax.set_title('Aggregate dipole at each weight (smoothed, 10 ms)')

###############################################################################
# The response against the weight
# -------------------------------
# The peaks summarise the sweep. The positive peak grows steadily with the
# weight. The number of pyramidal-cell spikes grows slowly at first, then
# steeply between 0.02 and 0.05 µS, where the negative peak jumps too: past
# that point the column's own activity, not the input, shapes the dipole.
fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 6), constrained_layout=True)
axes[0].plot(weights, [s['max_peak'] for s in summary], 'o-', label='Positive peak')
axes[0].plot(weights, [s['min_peak'] for s in summary], 's-', label='Negative peak')
axes[0].axhline(0, color='gray', linewidth=0.5)
axes[0].set_ylabel('Dipole peak (nAm)')
axes[0].legend()
axes[1].plot(weights, [s['n_pyr_spikes'] for s in summary], 'o-', color='black')
axes[1].set_ylabel('Pyramidal-cell spikes (count)')
axes[1].set_xlabel('Proximal AMPA weight onto pyramidal cells (µS)')
axes[1].set_xscale('log')
fig.suptitle('Response to the proximal input, by weight')

###############################################################################
# The saved batches
# -----------------
# The files hold each point's parameter values and dipoles (and what else the
# ``save_*`` arguments asked for); :meth:`~BatchSimulate.load_all_results`
# reads them back, in the order of the points.
saved = batch.load_all_results()
for batch_file in saved:
    first, last = batch_file['param_values'][0], batch_file['param_values'][-1]
    print(f"{len(batch_file['dpl'])} points, weights {first['weight_pyr']:.4f} "
          f"to {last['weight_pyr']:.4f} µS")

plt.show()
