"""
Anomaly scores from a trained generator: how well the model reconstructs each window of a series after noising it
(`scores.py`), thresholds and events (`events.py`), the output (`output.py`) and its plot (`plot.py`).
"""

from .events import anomaly_threshold, find_events
from .output import AnomalyOutput
from .scores import DEFAULT_NOISE_LEVELS, anomaly_score

__all__ = ["DEFAULT_NOISE_LEVELS", "AnomalyOutput", "anomaly_score", "anomaly_threshold", "find_events"]
