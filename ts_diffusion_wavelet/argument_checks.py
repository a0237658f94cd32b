"""Small predicates the argument checks of the pipeline's methods share."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_integer(value: Any) -> bool:
    """An int (or numpy integer), not a bool, which Python counts as an int."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
