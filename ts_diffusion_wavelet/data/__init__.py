"""From a user's data to training windows: loading, preprocessing, windowing, bundled and synthetic data."""

from .synthetic import garch_returns, geometric_prices, random_walk, sum_of_sines

__all__ = ["garch_returns", "geometric_prices", "random_walk", "sum_of_sines"]
