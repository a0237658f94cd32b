"""The training-throughput benchmark (benchmarks/bench_train.py) runs against the current training loop."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_train  # noqa: E402


def test_a_configuration_is_timed_with_its_parts():
    # It broke once silently when the loop renamed a field; a tiny run keeps it honest.
    timing = bench_train.measure(
        ["--window_size", "32", "--model_preset", "tiny", "--train_batch_size", "4"], steps=2, warmup=1
    )
    assert timing["batch"] == 4
    assert timing["step"] > 0 and 0 <= timing["load"] < timing["step"]
    assert timing["encode"] >= 0
