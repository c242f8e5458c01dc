"""Fitting network parameters to recordings (hnn-core 0.6.1's ``Optimizer``)."""

from .optimizer import Optimizer

__all__ = ['Optimizer']
