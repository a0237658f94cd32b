"""Synthetic time series from diffusion models on invertible Morlet scalograms."""

__version__ = "0.1.0"
