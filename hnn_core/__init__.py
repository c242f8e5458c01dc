"""hnn_core: the HNN laminar cortical circuit (Jones et al. 2009) on NEURON.

Build a network (:func:`neymotin_2020_model`, or :class:`Network` for hnn-core
0.1's scripts), add drives, run :func:`simulate_dipole` and analyse the returned
:class:`Dipole` objects and ``net.cell_response``.
"""

import os as _os

# NEURON reads its start-up options once, at its first import; without -nogui it
# warns about a missing DISPLAY (every headless run, every MPI rank). This module
# runs before any of ours imports neuron, also in MPI ranks (python -m
# hnn_core.engine._mpi_child). A user's own setting, even an empty one, wins.
_os.environ.setdefault('NEURON_MODULE_OPTIONS', '-nogui')
del _os

__version__ = '0.1.0'

from .params import Params, read_params, convert_to_json
from .cell import Cell, Section
from .cells_default import pyramidal, basket, pyramidal_ca
from .network import Network
from .connectivity import pick_connection
from .network_models import (neymotin_2020_model, jones_2009_model, law_2021_model,
                             calcium_model, add_erp_drives_to_jones_model)
from .hnn_io import (read_network_configuration, network_to_dict, dict_to_network,
                     write_network_configuration)
from .simulation import simulate_dipole
from .dipole import Dipole, read_dipole, average_dipoles, rmse
from .cell_response import CellResponse, read_spikes
from .backends import JoblibBackend, MPIBackend
