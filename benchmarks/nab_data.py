"""
The Numenta Anomaly Benchmark's `realKnownCause` series as `bench_anomaly.py` reads them (`benchmarks/data/nab/`).

Each series is a gzipped `timestamp,value` CSV; its labelled anomaly windows (`combined_windows.json`) become a
boolean label per time step (inclusive of both window ends, as NAB scores them). NAB's protocol: the first 15% of
each series is a probationary period (learn only, no scoring).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

NAB = Path(__file__).resolve().parent / "data" / "nab"
PROBATIONARY = 0.15
SERIES = (
    "ambient_temperature_system_failure",
    "cpu_utilization_asg_misconfiguration",
    "ec2_request_latency_system_failure",
    "machine_temperature_system_failure",
    "nyc_taxi",
    "rogue_agent_key_hold",
    "rogue_agent_key_updown",
)


@dataclass
class NabSeries:
    """One NAB series: its values `[T]`, timestamps, labels `[T]` and the first scored step (after probation)."""

    name: str
    frame: pd.DataFrame  # columns timestamp, value
    labels: np.ndarray  # bool [T]
    windows: list[tuple[int, int]]  # labelled windows as inclusive step ranges
    train_end: int

    @property
    def values(self) -> np.ndarray:
        return self.frame["value"].to_numpy(dtype="float64")


def load_nab(name: str, root: Path = NAB) -> NabSeries:
    """Series `name` (a `SERIES` entry) with its labels."""
    frame = pd.read_csv(root / f"{name}.csv.gz", parse_dates=["timestamp"])
    spans = json.loads((root / "combined_windows.json").read_text())[f"realKnownCause/{name}.csv"]
    times = frame["timestamp"].to_numpy()
    labels = np.zeros(len(frame), dtype=bool)
    windows = []
    for start, end in spans:
        inside = np.flatnonzero((times >= np.datetime64(pd.Timestamp(start))) & (times <= np.datetime64(end)))
        if len(inside):
            labels[inside] = True
            windows.append((int(inside[0]), int(inside[-1])))
    return NabSeries(name, frame, labels, windows, int(len(frame) * PROBATIONARY))
