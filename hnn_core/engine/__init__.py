"""The NEURON engine: the only part of hnn_core that imports ``neuron``."""

from .run import run_trial, available_engines, ENGINES
from .mechanisms import load_mechanisms, compile_mechanisms
