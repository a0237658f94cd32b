"""Seeds mixed from several words (ts_diffusion_wavelet/seeding.py)."""

from __future__ import annotations

import numpy as np

from ts_diffusion_wavelet.seeding import derived_seed


def test_derived_seed_is_numpys_seed_sequence_and_keeps_shifted_neighbours_apart():
    assert derived_seed(7, 3) == int(np.random.SeedSequence([7, 3]).generate_state(1)[0])
    assert derived_seed(7, 3) == derived_seed(7, 3)
    # seed + index would collide here: (7, 3) and (8, 2) name different streams
    assert derived_seed(7, 3) != derived_seed(8, 2)
    assert derived_seed(7, 3) != derived_seed(7, 3, 1)  # an extra word is a new stream
    assert 0 <= derived_seed(2**40, 5) < 2**32
