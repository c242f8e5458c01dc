"""hnn_core: the HNN laminar cortical circuit (Jones et al. 2009) on NEURON.

Build a :class:`Network` (or :func:`jones_2009_model`), add drives, run
:func:`simulate_dipole` and analyse the returned :class:`Dipole` objects and
``net.cell_response``.
"""

__version__ = '0.1.0'

from .params import Params, read_params
from .network import Network, jones_2009_model
from .simulation import simulate_dipole
from .dipole import Dipole, read_dipole, average_dipoles, rmse
from .cell_response import CellResponse, read_spikes
from .backends import JoblibBackend, MPIBackend
