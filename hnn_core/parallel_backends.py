"""hnn-core 0.6.1's module name for the backends; see :mod:`hnn_core.backends`."""

from .backends import JoblibBackend, MPIBackend  # noqa: F401
