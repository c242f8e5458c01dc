"""
======================================
Edit connections, cells and cell types
======================================

The model is not a fixed program: every part of it is data on the
:class:`~hnn_core.Network` object, which you can read and change before a
simulation. The local connections are a list, ``net.connectivity``; each cell
type is a :class:`~hnn_core.Cell` in ``net.cell_types``, with its sections,
ion channels and synapses; and new cell types can be added next to the four of
Jones et al. (2009). Every edit takes effect in the next run.

This example starts from the evoked response of
:ref:`sphx_glr_auto_examples_plot_simulate_evoked.py` and changes the network
in three ways:

1. the **local connectivity**: one connection's weight, the global gain of
   inhibition, then the whole circuit rebuilt sparser;
2. the **cells**: shorter apical dendrites for the layer 5 pyramidal cells,
   and calcium channels that grow denser along their apical dendrite;
3. a **new cell type**: a copy of the basket cell whose inhibition of the
   pyramidal cells' apical tufts is slow.

After each change, one trial is simulated and its dipole compared with the
unchanged network's.
"""

# Authors: hnn_core developers

# sphinx_gallery_thumbnail_number = 8

import os.path as op
import tempfile

import numpy as np
import matplotlib.pyplot as plt

from hnn_core import (neymotin_2020_model, add_erp_drives_to_jones_model,
                      simulate_dipole, pick_connection,
                      read_network_configuration)
from hnn_core.viz import (plot_cell_connectivity, plot_connectivity_matrix,
                          plot_dipole, plot_spikes_raster)

###############################################################################
# The unchanged network
# ---------------------
# :func:`~hnn_core.neymotin_2020_model` builds the default network (10 x 10
# pyramidal cells per layer and the 16 local connection rules of the model),
# and :func:`~hnn_core.add_erp_drives_to_jones_model` adds the three evoked
# inputs of HNN's event-related potential, with fixed seeds. Every network
# below is built the same way before it is changed, so all of them receive
# exactly the same input spikes.
tstop = 170.  # ms


def make_network():
    net = neymotin_2020_model()
    add_erp_drives_to_jones_model(net)
    return net


def simulate(net):
    """One trial; returns the dipole, smoothed and scaled as HNN shows it."""
    dpl = simulate_dipole(net, tstop=tstop, n_trials=1, verbose=False)[0]
    return dpl.smooth(30.).scale(3000.)


def firing_rates(net):
    """Mean firing rate (Hz) of each cell type in the last simulation."""
    rates = net.cell_response.mean_rates(tstart=0., tstop=tstop,
                                         gid_ranges=net.gid_ranges)
    return ', '.join(f'{name} {rates[name]:.1f}' for name in net.cell_types)


net = make_network()
dpl_default = simulate(net)
print('Unchanged network:', firing_rates(net))

###############################################################################
# 1. Local connectivity
# ---------------------
# ``net.connectivity`` lists every connection: the 16 local rules, then the
# connections of the drives. Each one is a dict-like record with the source
# and target cell types (``'src_type'``, ``'target_type'``) and their gids,
# the pairs actually connected (``'gid_pairs'``: source gid -> target gids),
# the location on the target cells (``'loc'``), the ``'receptor'`` and, in
# ``'nc_dict'``, the weight at zero distance (``'A_weight'``, µS), the delay
# (``'A_delay'``, ms), the space constant of both (``'lamtha'``) and a
# ``'gain'`` on the weight. :func:`~hnn_core.pick_connection` returns the
# indices of the connections that match what you ask for.
print(f'{len(net.connectivity)} connections')
for conn in net.connectivity[:3]:
    print(f"  {conn['src_type']} -> {conn['target_type']} ({conn['loc']}, "
          f"{conn['receptor']}): {conn['nc_dict']}")
print('The drive evprox1 makes the connections',
      pick_connection(net, src_gids='evprox1'))

conn_idx = pick_connection(net, src_gids='L2_pyramidal',
                           target_gids='L2_pyramidal', receptor='ampa')[0]
conn = net.connectivity[conn_idx]
print(f'net.connectivity[{conn_idx}]: {conn["num_srcs"]} -> '
      f'{conn["num_targets"]} cells, autapses: {conn["allow_autapses"]}, '
      f'{conn["nc_dict"]}')

###############################################################################
# :func:`~hnn_core.viz.plot_connectivity_matrix` shows the weight of every
# (source, target) pair of one connection, here the AMPA synapses between
# layer 2/3 pyramidal cells. The weight falls off with the distance d between
# the two cells as ``exp(-d^2 / lamtha^2)`` (d in grid steps); with
# ``lamtha`` = 3 only near neighbours are connected strongly. The diagonal is
# empty: this rule does not connect a cell to itself.
plot_connectivity_matrix(net, conn_idx, show=False)

###############################################################################
# :func:`~hnn_core.viz.plot_cell_connectivity` shows the same connection in
# space, for one source cell: here the cell nearest the centre of the grid
# (left panel) and the cells it contacts, coloured by weight (right panel).
centre = np.array(net.pos_dict['origin'][:2])


def central_gid(net, cell_type):
    """The gid of the cell of that type nearest the centre of the grid."""
    xy = np.array(net.pos_dict[cell_type])[:, :2]
    nearest = int(np.argmin(np.linalg.norm(xy - centre, axis=1)))
    return net.gid_ranges[cell_type][nearest]


plot_cell_connectivity(net, conn_idx, src_gid=central_gid(net, 'L2_pyramidal'),
                       show=False)

###############################################################################
# Change one connection
# ~~~~~~~~~~~~~~~~~~~~~
# Layer 5 basket cells inhibit the layer 5 pyramidal cells through GABA-A and
# GABA-B synapses at the soma. Here both weights are divided by five, in
# place, before the simulation.
net_weak = make_network()
for idx in pick_connection(net_weak, src_gids='L5_basket',
                           target_gids='L5_pyramidal'):
    net_weak.connectivity[idx]['nc_dict']['A_weight'] /= 5.
dpl_weak = simulate(net_weak)
print('Weaker L5 basket -> L5 pyramidal inhibition:', firing_rates(net_weak))

###############################################################################
# Global synaptic gains
# ~~~~~~~~~~~~~~~~~~~~~
# :meth:`~hnn_core.Network.set_global_synaptic_gains` scales whole classes of
# local connections at once, by the ``'electro_type'`` of the cell types
# (excitatory or inhibitory): ``e_e``, ``e_i``, ``i_e`` and ``i_i``. It sets
# the ``'gain'`` of each of these connections (the drives are left alone).
# Here all inhibition of the pyramidal cells, in both layers, is halved.
net_gain = make_network()
net_gain.set_global_synaptic_gains(i_e=0.5)
print('Gains:', net_gain.get_global_synaptic_gains())
dpl_gain = simulate(net_gain)
print('Inhibition of pyramidal cells x 0.5:', firing_rates(net_gain))

###############################################################################
# A sparser circuit
# ~~~~~~~~~~~~~~~~~
# :meth:`~hnn_core.Network.clear_connectivity` removes every connection
# between cells, keeping those of the drives;
# :meth:`~hnn_core.Network.add_connection` makes new ones. Here the 16 rules
# are made again from their own records, but each keeps only half of its
# (source, target) pairs (``probability=0.5``, drawn with ``conn_seed``) at
# twice the weight: on average every cell receives the same synaptic input as
# before, from half as many cells. The sources and targets can be given as
# cell type names, as here, or as gids.
net_sparse = make_network()
local_rules = [conn for conn in net_sparse.connectivity
               if conn['src_type'] in net_sparse.cell_types]
net_sparse.clear_connectivity()
for seed, conn in enumerate(local_rules):
    nc = conn['nc_dict']
    net_sparse.add_connection(
        conn['src_type'], conn['target_type'], conn['loc'], conn['receptor'],
        weight=2 * nc['A_weight'], delay=nc['A_delay'], lamtha=nc['lamtha'],
        allow_autapses=conn['allow_autapses'], probability=0.5,
        conn_seed=seed)
dpl_sparse = simulate(net_sparse)
print('Sparser circuit:', firing_rates(net_sparse))

###############################################################################
# The same L2/3 pyramidal AMPA rule, now sparse: about half of the pairs are
# left, each at twice the weight. Its index has changed, since the drives'
# connections, which were kept, now come first in ``net.connectivity``.
sparse_idx = pick_connection(net_sparse, src_gids='L2_pyramidal',
                             target_gids='L2_pyramidal', receptor='ampa')[0]
plot_connectivity_matrix(net_sparse, sparse_idx, show=False)

###############################################################################
# Each edited network against the unchanged one. Weaker inhibition of the
# layer 5 pyramidal cells lets them fire far more after the distal input, and
# the large negative deflection near 65 ms disappears. Halving every
# inhibition of pyramidal cells removes it as well, and more than triples the
# firing of the layer 2/3 pyramidal cells. The sparser circuit, with the
# same mean input per cell, gives a dipole close to the original, although
# its layer 5 pyramidal cells fire somewhat more.


def compare(axes, dpls_and_labels):
    for ax, (dpl, label, color) in zip(axes, dpls_and_labels):
        plot_dipole(dpl_default, ax=ax, show=False)
        ax.lines[-1].set(color='0.55', linewidth=2, label='Unchanged')
        plot_dipole(dpl, ax=ax, show=False)
        ax.lines[-1].set(color=color, label=label)
        ax.axhline(0., color='gray', linewidth=0.5)
        ax.set_title('')
        ax.set_xlabel('')
        ax.legend(loc='upper left', fontsize='small')
    axes[-1].set_xlabel('Time (ms)')
    axes[-1].set_xlim(0., tstop)


fig, axes = plt.subplots(3, 1, sharex=True, sharey=True, figsize=(7, 7.5),
                         constrained_layout=True)
compare(axes, [(dpl_weak, 'L5 basket -> L5 pyramidal weights / 5', 'tab:red'),
               (dpl_gain, 'Global gain i_e = 0.5', 'tab:purple'),
               (dpl_sparse, 'Half the pairs, twice the weight', 'tab:blue')])
fig.suptitle('Edited connectivity: aggregate dipole (smoothed, x 3000)')

###############################################################################
# 2. Cells
# --------
# ``net.cell_types[name]['cell_object']`` is the :class:`~hnn_core.Cell`
# from which every cell of that type is built. Its ``sections`` hold the
# geometry and passive properties of each section, ``mechs`` the ion channels
# inserted there and their parameters, and ``syns`` the receptors of the
# synapses at its middle; ``sect_loc`` names the groups of sections that
# connections target.
net_short = make_network()
l5_cell = net_short.cell_types['L5_pyramidal']['cell_object']
print(list(l5_cell.sections))
print('apical_1:', l5_cell.sections['apical_1'])
print('soma channels:', l5_cell.sections['soma'].mechs)
print('proximal =', l5_cell.sect_loc['proximal'])

###############################################################################
# Geometry: :meth:`~hnn_core.Cell.modify_section` changes a section's length,
# diameter, capacitance, axial resistivity or initial voltage. Here the two
# middle sections of the apical dendrite are shortened from 680 to 400 µm,
# which brings the tuft, where the distal input arrives, closer to the soma.
# As in hnn-core 0.6.1 the number of segments is kept; set ``nseg`` yourself to
# change it.
for sec_name in ('apical_1', 'apical_2'):
    l5_cell.modify_section(sec_name, L=400.)
    print(sec_name, l5_cell.sections[sec_name].L, 'µm,',
          l5_cell.sections[sec_name].nseg, 'segments')
dpl_short = simulate(net_short)
print('Shorter L5 apical dendrites:', firing_rates(net_short))

###############################################################################
# Each section's ``end_pts`` hold its start and end points (µm), which
# :meth:`~hnn_core.Cell.modify_section` moves with the new length. Drawn in
# the x-z plane, the published cell (left) and the edited one (right); line
# widths follow the diameters. (``l5_cell.plot_morphology()`` draws a cell in
# 3-D.)
original = make_network().cell_types['L5_pyramidal']['cell_object']
fig, ax = plt.subplots(figsize=(5, 6), constrained_layout=True)
for cell, shift in ((original, 0.), (l5_cell, 600.)):
    for sec_name, section in cell.sections.items():
        (x0, _, z0), (x1, _, z1) = section.end_pts
        edited = sec_name in ('apical_1', 'apical_2')
        ax.plot([x0 + shift, x1 + shift], [z0, z1], solid_capstyle='butt',
                color='tab:orange' if edited else '0.4',
                linewidth=0.5 * section.diam)
ax.set_aspect('equal')
ax.set_xticks([0., 600.], ['published', 'edited'])
ax.set_ylabel('z (µm)')
ax.set_title('L5 pyramidal cell; apical_1 and apical_2 in orange')

###############################################################################
# Channels: a mechanism's parameters are entries of ``mechs``. A value is a
# number for the whole section, or a function of the path distance (µm) from
# the soma, which is evaluated at every segment when the simulation starts.
# The layer 5 pyramidal cells have high-threshold calcium channels (the
# ``ca`` mechanism) at 60 pS/µm² in every section. Here their density grows
# along the apical dendrite, doubling every 500 µm of path (a function),
# while the basal dendrites keep a third of it (a number).
net_ca = make_network()
l5_cell_ca = net_ca.cell_types['L5_pyramidal']['cell_object']


def gbar_ca(x):
    """Calcium channel density (pS/µm²) at x µm (path) from the soma."""
    return 60. * (1. + x / 500.)


for sec_name, section in l5_cell_ca.sections.items():
    if sec_name.startswith('apical'):
        section.mechs['ca']['gbar_ca'] = gbar_ca
    elif sec_name.startswith('basal'):
        section.mechs['ca']['gbar_ca'] = 20.
dpl_ca = simulate(net_ca)
print('More calcium channels in the apical dendrites:', firing_rates(net_ca))

###############################################################################
# Shorter apical dendrites make a smaller dipole: the current that the distal
# input drives down the dendrite flows over a shorter distance, so the
# negative deflection is weaker. More calcium channels far from the soma let
# the distal input open them in the apical dendrites, and their inward current
# flows down the dendrite as the distal input's does: the layer 5 pyramidal
# cells fire more, and the negative deflection becomes about three times
# deeper and outlasts the second proximal input.
# :func:`~hnn_core.calcium_model` is a published model with calcium channels
# that grow denser along the dendrite (Kohl et al. 2022).
fig, axes = plt.subplots(2, 1, sharex=True, sharey=True, figsize=(7, 5.5),
                         constrained_layout=True)
compare(axes, [(dpl_short, 'Shorter L5 apical dendrites', 'tab:orange'),
               (dpl_ca, 'More calcium channels in L5 apical dendrites',
                'tab:green')])
fig.suptitle('Edited cells: aggregate dipole (smoothed, x 3000)')

###############################################################################
# 3. A new cell type
# ------------------
# :meth:`~hnn_core.Network.add_cell_type` adds a cell type: a template
# :class:`~hnn_core.Cell`, the soma positions of its cells and its metadata.
# Its gids come after those of the four cell types (the drives' gids move up),
# and it is simulated, recorded and plotted like them; with
# ``'measure_dipole': True`` it would also be added to the dipole.
#
# The new type, ``'L2_basket_slow'``, is a copy of the layer 2/3 basket cell,
# one at each L2 basket cell's position shifted by half a grid step, that
# inhibits the apical tufts of the pyramidal cells slowly. In the model a
# synapse's time course belongs to the cell that receives it
# (``cell.synapses``), so the slow inhibition is a new receptor on the
# pyramidal cells, ``'gabaa_slow'`` (rise 2 ms, decay 40 ms, against 0.5 and
# 5 ms for GABA-A), placed on their tufts. The new cells are excited by the
# layer 2/3 pyramidal cells and by an input of their own that arrives with
# the distal input.
def make_network_with_slow_cells(inhibit_tufts=True):
    net = neymotin_2020_model()
    for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
        cell = net.cell_types[cell_type]['cell_object']
        cell.synapses['gabaa_slow'] = {'e': -80., 'tau1': 2., 'tau2': 40.}
        cell.sections['apical_tuft'].syns.append('gabaa_slow')

    slow_cell = net.cell_types['L2_basket']['cell_object'].copy()
    positions = [(x + 0.5, y + 0.5, z)
                 for x, y, z in net.pos_dict['L2_basket']]
    net.add_cell_type('L2_basket_slow', slow_cell, positions,
                      cell_metadata={'morpho_type': 'basket',
                                     'electro_type': 'inhibitory',
                                     'layer': '2', 'measure_dipole': False})

    # inputs: the L2/3 pyramidal cells (as they excite the L2 basket cells)
    net.add_connection('L2_pyramidal', 'L2_basket_slow', 'soma', 'ampa',
                       weight=0.0005, delay=1., lamtha=3.)
    if inhibit_tufts:  # outputs: slow inhibition of both pyramidal types
        for target in ('L2_pyramidal', 'L5_pyramidal'):
            net.add_connection('L2_basket_slow', target, 'apical_tuft',
                               'gabaa_slow', weight=0.005, delay=1.,
                               lamtha=50.)
    add_erp_drives_to_jones_model(net)
    net.add_evoked_drive(
        'evdist_slow', mu=63.53, sigma=3.85, numspikes=1, location='distal',
        weights_ampa={'L2_basket_slow': 0.01}, synaptic_delays=0.1,
        event_seed=17)
    return net


###############################################################################
# The comparison is with a network that has the new cells, firing in the same
# way, but without their connections to the pyramidal cells: the two networks
# have the same gids and input spikes, and differ only in the slow
# inhibition.
net_control = make_network_with_slow_cells(inhibit_tufts=False)
net_slow = make_network_with_slow_cells()
print(net_slow)
print({name: net_slow.gid_ranges[name] for name in net_slow.cell_types})
dpl_control = simulate(net_control)
dpl_slow = simulate(net_slow)
print('New cells, not connected to pyramidal cells:',
      firing_rates(net_control))
print('New cells inhibiting the tufts:', firing_rates(net_slow))

###############################################################################
# The new cells' connection to the layer 5 pyramidal cells, drawn for one of
# them: the new type's cells sit between the L2 basket cells' positions.
slow_idx = pick_connection(net_slow, src_gids='L2_basket_slow',
                           target_gids='L5_pyramidal')[0]
plot_cell_connectivity(net_slow, slow_idx,
                       src_gid=central_gid(net_slow, 'L2_basket_slow'),
                       show=False)

###############################################################################
# The new cells appear in the spikes like the others (top: the raster of the
# network with slow inhibition). They fire whenever the layer 2/3 pyramidal
# cells do, after each proximal input, and with their own input at the time
# of the distal one. Their slow inhibition of the tufts opposes the current
# that the distal input drives down the dendrites: the negative deflection
# near 65 ms is much smaller, and the layer 5 pyramidal cells fire less
# (bottom).
fig, axes = plt.subplots(2, 1, figsize=(7.5, 7), constrained_layout=True,
                         gridspec_kw=dict(height_ratios=[1.2, 1]))
plot_spikes_raster(net_slow.cell_response, ax=axes[0], show=False)
axes[0].set_title('Spikes, network with the new cell type')
axes[0].set_ylabel('Cell (gid)')
axes[0].set_xlim(0., tstop)
plot_dipole(dpl_control, ax=axes[1], show=False)
axes[1].lines[-1].set(color='0.55', linewidth=2,
                      label='New cells not connected to pyramidal cells')
plot_dipole(dpl_slow, ax=axes[1], show=False)
axes[1].lines[-1].set(color='tab:cyan', label='Slow inhibition of the tufts')
axes[1].axhline(0., color='gray', linewidth=0.5)
axes[1].set_title('Aggregate dipole (smoothed, x 3000)')
axes[1].set_xlim(0., tstop)
axes[1].legend(loc='upper left', fontsize='small')

###############################################################################
# Save the edited network
# -----------------------
# :meth:`~hnn_core.Network.write_configuration` writes the whole network
# (cell types, positions, connections and drives) to a JSON file in the
# format of hnn-core 0.6, and :func:`~hnn_core.read_network_configuration`
# reads it back; the functions of a mechanism are written as their values at
# each segment. The network read back is equal to the one written.
fname = op.join(tempfile.mkdtemp(), 'slow_inhibition.json')
net_slow.write_configuration(fname)
net_read = read_network_configuration(fname)
print(f'{op.getsize(fname) / 1e6:.1f} MB written; read back equal:',
      net_read == net_slow)

plt.show()
