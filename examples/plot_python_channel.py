"""
=============================================
Add an ion channel written in Python (I_h)
=============================================

The hyperpolarisation-activated current I_h, carried by HCN channels, is
dense in the apical dendrites of layer 5 pyramidal cells and grows with the
distance from the soma. The HNN model does not have it. This example
describes the channel in a few lines of Python (the kinetics of Kole et al.
2006, J Neurosci 26:1677), inserts it into the apical dendrites of the L5
pyramidal cells with the exponential gradient of Hay et al. 2011 (PLoS Comput
Biol 7:e1002107), and compares the evoked dipole with and without it.

The description is compiled into an ordinary NMODL mechanism the first time it
is used (it takes a minute or two, once per machine; later runs load it from
the cache) and runs under NEURON and CoreNEURON alike.
"""

# %%
# First, the channel: one activation gate ``m`` with its opening and closing
# rates (1/ms) as functions of the membrane potential ``v`` (mV), and the
# non-specific current it carries (mA/cm2). ``vtrap(x, y)`` is
# ``x / (exp(x / y) - 1)``, computed safely where ``x`` is 0.
import matplotlib.pyplot as plt
import numpy as np

from hnn_core import neymotin_2020_model, simulate_dipole
from hnn_core.channels import Channel, Current, Gate
from hnn_core.network_models import add_erp_drives_to_jones_model

hcn = Channel(
    'hcn',
    parameters={'gbar': (0.0001, 'S/cm2'), 'ehcn': (-45., 'mV')},
    gates={'m': Gate(alpha='0.00643*vtrap(v + 154.9, 11.9)',
                     beta='0.193*exp(v/33.1)')},
    currents=[Current('gbar*m*(v - ehcn)', name='ihcn')])
print(hcn)

# %%
# Two copies of the evoked-response network: one as published, one with I_h
# in the apical dendrites of the L5 pyramidal cells. The density (S/cm2) is a
# function of the path distance from the soma (um), evaluated at every
# segment.
net = neymotin_2020_model()
add_erp_drives_to_jones_model(net)
net_ih = net.copy()


def gbar_hcn(distance):
    return 2e-5 * (-0.8696 + 2.087 * np.exp(distance / 323.))


l5 = net_ih.cell_types['L5_pyramidal']['cell_object']
apical = [name for name in l5.sections if name.startswith('apical')]
l5.insert_mechanism(hcn, apical, gbar=gbar_hcn)
print(f'I_h inserted into {", ".join(apical)}')

# %%
# Simulate both and compare their dipoles (smoothed and scaled as in HNN).
# Open at rest, I_h makes a steady current flow along the dendrites, which
# shifts the dipole's baseline; it also changes how the cells respond to the
# drives.
dpl = simulate_dipole(net, tstop=170., n_trials=1)[0]
dpl_ih = simulate_dipole(net_ih, tstop=170., n_trials=1)[0]

fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
for dipole, label in ((dpl, 'published model'), (dpl_ih, 'with apical I_h')):
    dipole.copy().smooth(30).scale(3000).plot(ax=ax, layer='agg', show=False)
    ax.lines[-1].set_label(label)
ax.legend()
ax.set_title('Evoked response with and without I_h')
plt.show()

# %%
# The generated NMODL can be read: the engine names the mechanism after the
# description and a digest of its text, so an edited description is a new
# mechanism.
from hnn_core.engine.generated import nmodl_files  # noqa: E402

for fname, text in nmodl_files([hcn]).items():
    print(fname)
    print(text[:400], '...')
