"""
=====================================
Many trials in parallel with joblib
=====================================

An evoked response is measured as the average over many stimuli, and the
spread across trials matters as much as the average. In the model, trials
differ in the random spike times of the input drives. This example simulates
ten trials on two cores with :class:`~hnn_core.JoblibBackend`, averages them,
and shows how much they vary around the average.

The trials are those of the evoked response of
:ref:`sphx_glr_auto_examples_plot_simulate_evoked.py`. A closing note explains
how to run the same code on a cluster with dask.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 1

import time

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import (neymotin_2020_model, simulate_dipole, average_dipoles,
                      JoblibBackend)
from hnn_core.viz import plot_dipole

###############################################################################
# The network
# -----------
# The default network with the three evoked inputs of HNN's ``default.json``:
# a proximal input at 26.6 ms, a distal one at 63.5 ms and a second proximal
# one at 137.1 ms (mean times; every drive cell's spike is drawn around them).
net = neymotin_2020_model(add_drives_from_params=True)

###############################################################################
# Ten trials on two cores
# -----------------------
# :class:`~hnn_core.JoblibBackend` runs trials in separate worker processes,
# ``n_jobs`` at a time; with two cores, ``n_jobs=2``. Each trial draws its
# input spikes from its own seeds (derived from the trial index), so the
# results are the same whatever ``n_jobs`` is, and the same as in one process.
n_trials = 10
tstop = 170.  # ms
start = time.perf_counter()
with JoblibBackend(n_jobs=2):
    dpls = simulate_dipole(net, tstop=tstop, n_trials=n_trials, verbose=False)
print(f'{len(dpls)} trials in {time.perf_counter() - start:.0f} s')

###############################################################################
# Average and spread
# ------------------
# Each trial's dipole is smoothed (30 ms Hamming window) and scaled (x 3000),
# as HNN does, then :func:`~hnn_core.average_dipoles` averages them sample by
# sample. The standard deviation across trials, computed from the ``data``
# arrays of the dipoles, measures their spread.
for dpl in dpls:
    dpl.smooth(30.).scale(3000.)
dpl_avg = average_dipoles(dpls)
times = dpl_avg.times
std = {layer: np.std([dpl.data[layer] for dpl in dpls], axis=0, ddof=1)
       for layer in ('agg', 'L2', 'L5')}

###############################################################################
# The single trials (gray), their mean (black) and the mean ± one standard
# deviation (shaded). The trials agree closely on the response to the first
# proximal input and diverge most after the distal input (60-90 ms), when the
# layer 5 pyramidal cells fire: small differences in the input spike times
# change which cells fire, and when.
fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
plot_dipole(dpls, ax=ax, show=False)
if ax.get_legend() is not None:
    ax.get_legend().remove()  # one legend entry for all trials, below
for idx, line in enumerate(ax.lines):
    line.set(color='0.6', linewidth=0.7,
             label='Single trials' if idx == 0 else '_nolegend_')
mean = dpl_avg.data['agg']
ax.fill_between(times, mean - std['agg'], mean + std['agg'], color='tab:blue',
                alpha=0.3, linewidth=0, label='Mean ± 1 SD')
plot_dipole(dpl_avg, ax=ax, show=False)
ax.lines[-1].set(color='black', linewidth=2, label='Mean')
ax.set_title(f'Aggregate dipole, {len(dpls)} trials')
ax.set_xlim(0., tstop)
ax.legend(loc='upper left', fontsize='small')

###############################################################################
# Which layer varies?
# -------------------
# The standard deviation of each layer's dipole over time. Layer 2/3 varies
# little; nearly all the variability of the aggregate dipole comes from
# layer 5, above all after the distal input.
fig, ax = plt.subplots(figsize=(7, 3.5), constrained_layout=True)
for layer, label, color in (('agg', 'Aggregate', 'black'),
                            ('L2', 'Layer 2/3', 'tab:green'),
                            ('L5', 'Layer 5', 'tab:red')):
    ax.plot(times, std[layer], color=color, label=label)
ax.set_xlabel('Time (ms)')
ax.set_ylabel('SD across trials (nAm × 3000)')
ax.set_title('Spread of the dipole across trials')
ax.set_xlim(0., tstop)
ax.legend(loc='upper left', fontsize='small')

###############################################################################
# Running on a cluster with dask
# ------------------------------
# :class:`~hnn_core.JoblibBackend` hands its jobs to whichever joblib backend
# is active, so the same code runs on many machines once joblib is told to use
# a `dask <https://www.dask.org>`_ cluster (install it with
# ``pip install "dask[distributed]"``). Connect a client to the cluster's
# scheduler, then select dask with :func:`joblib.parallel_config`::
#
#     from dask.distributed import Client
#     from joblib import parallel_config
#
#     # the scheduler's address; Client() starts a cluster on this machine
#     client = Client('tcp://scheduler-address:8786')
#     with parallel_config(backend='dask'), JoblibBackend(n_jobs=64):
#         dpls = simulate_dipole(net, tstop=170., n_trials=64)
#
# Each worker needs hnn_core installed; the simulations compile the model's
# mechanisms on first use on each machine. To make single trials faster rather
# than run more of them at once, see
# :ref:`sphx_glr_auto_examples_plot_simulate_mpi.py`.

plt.show()
