"""One integer seed from several words: how every seeded stream in the package (windows, batches, pooled models)
is kept apart from its neighbours."""

from __future__ import annotations

import numpy as np


def derived_seed(*words: int) -> int:
    """
    A 32-bit seed mixed from `words` by NumPy's `SeedSequence`: nearby inputs give unrelated seeds, where `seed + i`
    would make stream `i` of seed `s` the same as stream `i - 1` of seed `s + 1`.

    Args:
        *words (`int`): Non-negative integers, e.g. `(seed, index)`.

    Returns:
        `int`: The seed, in `[0, 2**32)`.
    """
    return int(np.random.SeedSequence(list(words)).generate_state(1)[0])
