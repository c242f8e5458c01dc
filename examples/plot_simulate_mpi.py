"""
===========================
Speed up one trial with MPI
===========================

Running trials side by side does not make a single trial any faster.
:class:`~hnn_core.MPIBackend` does: it spreads the cells of
the network over several processes (MPI ranks), each simulating its share and
exchanging spikes with the others through NEURON's ``ParallelContext``. This
helps when a study needs long trials, a large network, or quick turnarounds
while tuning parameters.

This example runs the evoked-response simulation of
:ref:`sphx_glr_auto_examples_plot_simulate_evoked.py` once in this process
and once over two MPI ranks, compares the run times, and checks that the
results are the same. To run many trials at once instead, see
:ref:`sphx_glr_auto_examples_plot_many_trials.py`.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 1

import time

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import neymotin_2020_model, simulate_dipole, MPIBackend
from hnn_core.viz import plot_dipole

###############################################################################
# Where MPI comes from
# --------------------
# Nothing has to be installed besides hnn_core: ``pip install hnn_core``
# brings MPI along (the ``mpich`` package provides the ``mpiexec`` launcher
# and the MPI library, and ``mpi4py`` the Python bindings), and
# :class:`~hnn_core.MPIBackend` finds them next to the Python interpreter. A
# system installation of MPICH or Open MPI works too; pass ``mpi_cmd`` if its
# launcher is not called ``mpiexec``. If no MPI can be found, or
# ``n_procs=1``, the backend says so and simulates in this process.
#
# ``n_procs`` is the number of ranks. It defaults to the number of cores this
# process may use; more ranks than cores only slows things down.

###############################################################################
# The network
# -----------
# The default network with the three evoked inputs of HNN's ``default.json``
# (a proximal input at 26.6 ms, a distal one at 63.5 ms and a second proximal
# one at 137.1 ms), as in
# :ref:`sphx_glr_auto_examples_plot_simulate_evoked.py`.
net = neymotin_2020_model(add_drives_from_params=True)
tstop = 170.  # ms

###############################################################################
# One trial in this process
# -------------------------
# Without a backend, :func:`~hnn_core.simulate_dipole` simulates here, on one
# core.
start = time.perf_counter()
dpl_serial = simulate_dipole(net, tstop=tstop, n_trials=1, verbose=False)[0]
time_serial = time.perf_counter() - start
spikes_serial = net.cell_response

###############################################################################
# The same trial over two MPI ranks
# ---------------------------------
# Inside the ``with`` block, :func:`~hnn_core.simulate_dipole` hands the
# simulation to ``mpiexec``, which starts two Python processes; cell ``gid``
# lives on rank ``gid % 2``. The network description goes to the ranks, and
# the dipole and spikes come back, through files in a temporary directory that
# is removed afterwards.
start = time.perf_counter()
with MPIBackend(n_procs=2):
    dpl_mpi = simulate_dipole(net, tstop=tstop, n_trials=1, verbose=False)[0]
time_mpi = time.perf_counter() - start
spikes_mpi = net.cell_response

print(f'One process: {time_serial:.1f} s')
print(f'Two MPI ranks: {time_mpi:.1f} s ({time_serial / time_mpi:.2f} times '
      'faster)')

###############################################################################
# Two ranks are somewhat less than twice as fast: part of the MPI run is
# overhead (starting the ranks, loading NEURON in each, passing the network
# and the results through files), and the cells' work is not shared exactly
# evenly. The overhead matters less the longer the trial. On a machine with
# more cores, more ranks (``MPIBackend(n_procs=4)``, ...) make each trial
# faster still.

###############################################################################
# The same results
# ----------------
# The ranks exchange spikes exactly as the single process delivers them, and
# the dipoles of all cells are summed in the same order whatever the number of
# ranks. So the two runs agree: the same spikes, and the same dipole to within
# rounding errors.
max_diff = max(np.max(np.abs(dpl_mpi.data[layer] - dpl_serial.data[layer]))
               for layer in ('agg', 'L2', 'L5'))
print(f'Largest difference between the dipoles: {max_diff:.2g} nAm')
print('Same spikes:', spikes_mpi == spikes_serial)

fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 5.5),
                         constrained_layout=True,
                         gridspec_kw=dict(height_ratios=[2, 1]))
plot_dipole(dpl_serial, ax=axes[0], show=False)
axes[0].lines[-1].set(label=f'One process ({time_serial:.1f} s)',
                      color='tab:blue', linewidth=3, alpha=0.5)
plot_dipole(dpl_mpi, ax=axes[0], show=False)
axes[0].lines[-1].set(label=f'Two MPI ranks ({time_mpi:.1f} s)',
                      color='black', linestyle='--')
axes[0].legend(loc='lower left', fontsize='small')
axes[0].set_xlabel('')
axes[0].set_title('Aggregate dipole, raw (no smoothing or scaling)')
axes[1].plot(dpl_serial.times, dpl_mpi.data['agg'] - dpl_serial.data['agg'],
             color='black')
axes[1].set_xlabel('Time (ms)')
axes[1].set_ylabel('Difference (nAm)')
axes[1].set_title('Two MPI ranks minus one process')
axes[1].set_xlim(0., tstop)

plt.show()
