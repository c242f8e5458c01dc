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

# The public names and the modules that define them, imported on first use
# (PEP 562): a process that needs only part of the package (an MPI rank, a
# joblib worker, ``hnn-core --help``) does not load the rest (an MPI rank
# starts about 0.05 s sooner).
_PUBLIC = {
    'params': ('Params', 'read_params', 'convert_to_json'),
    'cell': ('Cell', 'Section'),
    'cells_default': ('pyramidal', 'basket', 'pyramidal_ca'),
    'network': ('Network',),
    'connectivity': ('pick_connection',),
    'network_models': ('neymotin_2020_model', 'jones_2009_model', 'law_2021_model',
                       'calcium_model', 'add_erp_drives_to_jones_model'),
    'hnn_io': ('read_network_configuration', 'network_to_dict', 'dict_to_network',
               'write_network_configuration'),
    'simulation': ('simulate_dipole',),
    'dipole': ('Dipole', 'read_dipole', 'average_dipoles', 'rmse'),
    'cell_response': ('CellResponse', 'read_spikes'),
    'backends': ('JoblibBackend', 'MPIBackend'),
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    import importlib
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f'{__name__}.{module}'), name)
        globals()[name] = value  # later lookups do not come here
        return value
    if not name.startswith('__'):
        # a submodule not imported yet (``hnn_core.viz`` after ``import hnn_core``)
        try:
            return importlib.import_module(f'{__name__}.{name}')
        except ModuleNotFoundError as err:
            if err.name != f'{__name__}.{name}':
                raise
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(__all__))
