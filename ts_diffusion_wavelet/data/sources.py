"""Reading a user's data source into a raw `pandas.DataFrame` (no cleaning yet: see `cleaning.py`).

Accepted sources:
- `None`: the default bundled dataset (`"bundled:eurusd"`).
- `"bundled:<name>"`: a dataset shipped in the package (see `bundled.py`). The bare name (`"eurusd"`) works too
  when no file or directory of that name exists in the working directory.
- a path (`str` or `os.PathLike`) to a `.csv`, `.csv.gz`, `.tsv` or `.parquet` file, or to a directory written by
  `datasets.Dataset.save_to_disk` / `DatasetDict.save_to_disk`, or to a folder of data files `datasets` can read.
- a Hugging Face Hub dataset name (`"owner/name"`), read with `datasets.load_dataset(name, split=split)`.
- a `pandas.DataFrame`, a `datasets.Dataset` or a `datasets.DatasetDict` (pick the split with `split`).
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from .bundled import BUNDLED_PREFIX, DEFAULT_DATASET, bundled_names, get_bundled, load_bundled
from .categorical import CategoricalPolicy
from .cleaning import CleanSeries, MissingValues, NanPolicy, clean_frame

if TYPE_CHECKING:
    import datasets

DataSource = Union[str, os.PathLike, pd.DataFrame, "datasets.Dataset", "datasets.DatasetDict", None]

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")
TSV_SUFFIXES = (".tsv", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
FILE_SUFFIXES = CSV_SUFFIXES + TSV_SUFFIXES + PARQUET_SUFFIXES
# A Hub dataset id is "owner/name"; anything else that is not on disk is reported as a missing path.
_HUB_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
# Separators tried on delimited text files, in order of preference when several fit.
CSV_SEPARATORS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
READ_NOTE = "ts_diffusion_wavelet.read_note"  # DataFrame.attrs key: how a text file was read, for the report

logger = logging.getLogger(__name__)


def describe_source(source: DataSource) -> str:
    """A short human-readable name of a source, for reports and error messages."""
    if source is None:
        return f"{BUNDLED_PREFIX}{DEFAULT_DATASET} (default)"
    if bundled_name_of(source) is not None:
        return f"{BUNDLED_PREFIX}{bundled_name_of(source)}"
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return type(source).__name__


def read_source(source: DataSource = None, *, split: str = "train") -> pd.DataFrame:
    """
    Read a data source into a raw `pandas.DataFrame`, columns as stored, rows as stored.

    Args:
        source (`str`, `os.PathLike`, `pandas.DataFrame`, `datasets.Dataset`, `datasets.DatasetDict`, *optional*):
            Where the data is (see the module docstring). `None` reads the bundled EUR/USD data.
        split (`str`, defaults to `"train"`): The split to take from a `DatasetDict`, a `save_to_disk` directory of
            one, or a Hub dataset.

    Returns:
        `pandas.DataFrame` with at least one row and one column. A `DataFrame` source is returned as a copy.

    Raises:
        `FileNotFoundError`: For a path that does not exist (with near names when there are any) or a name that is
            neither a local path, a bundled dataset nor a loadable Hub dataset.
        `ValueError`: For an empty file, an unsupported file type or source type, or a missing split.
    """
    bundled = bundled_name_of(source)
    if bundled is not None:
        frame = load_bundled(bundled, mark_missing=False)
    elif isinstance(source, pd.DataFrame):
        frame = source.copy()
    elif isinstance(source, (str, os.PathLike)):
        frame = _read_named(source, split=split)
    else:
        frame = _read_datasets_object(source, split=split)
    return _check_not_empty(frame, describe_source(source))


def _read_named(source: str | os.PathLike, *, split: str) -> pd.DataFrame:
    text = os.fspath(source)
    path = Path(text).expanduser()
    if path.is_file():
        return _read_file(path)
    if path.is_dir():
        return _read_directory(path, split=split)
    if isinstance(source, str) and _HUB_NAME.fullmatch(text) and not text.lower().endswith(FILE_SUFFIXES):
        return _read_hub(text, split=split)
    raise FileNotFoundError(_missing_path_message(path))


def _missing_path_message(path: Path) -> str:
    message = f"No file or directory at {str(path)!r}."
    parent = path.parent if str(path.parent) else Path(".")
    if parent.is_dir():
        nearby = difflib.get_close_matches(path.name, sorted(p.name for p in parent.iterdir()), n=3, cutoff=0.6)
        if nearby:
            message += " Did you mean " + " or ".join(repr(str(parent / name)) for name in nearby) + "?"
    else:
        message += f" Its folder {str(parent)!r} does not exist either."
    stem = path.name.split(".")[0].lower()
    if stem in bundled_names():
        message += f" For the bundled copy, use '{BUNDLED_PREFIX}{stem}'."
    return message + f" Bundled datasets: {_bundled_list()}."


def _bundled_list() -> str:
    return ", ".join(f"'{BUNDLED_PREFIX}{name}'" for name in bundled_names())


def _read_file(path: Path) -> pd.DataFrame:
    lowered = path.name.lower()
    try:
        if lowered.endswith(PARQUET_SUFFIXES):
            return pd.read_parquet(path)
        if lowered.endswith(TSV_SUFFIXES + CSV_SUFFIXES):
            return _read_delimited(path, default="\t" if lowered.endswith(TSV_SUFFIXES) else ",")
    except pd.errors.EmptyDataError:
        raise ValueError(f"The file {str(path)!r} is empty: it has no header and no rows.") from None
    raise ValueError(
        f"Cannot read {str(path)!r}: unsupported file type. Supported: {', '.join(FILE_SUFFIXES)}, or a directory "
        "written by `datasets` `save_to_disk`. Convert the file, or load it into a pandas DataFrame yourself."
    )


def _read_delimited(path: Path, *, default: str) -> pd.DataFrame:
    """A CSV / TSV file with its separator (and decimal comma) detected, so `Date;Close` is two columns."""
    sep, decimal = sniff_csv_format(_first_lines(path), default=default)
    frame = pd.read_csv(path, sep=sep, decimal=decimal)
    note = f"read as delimited text with separator {sep!r}" + (f" and decimal {decimal!r}" if decimal != "." else "")
    note += " (detected)" if (sep, decimal) != (default, ".") else ""
    logger.info("%s: %s", path, note)
    frame.attrs[READ_NOTE] = note
    return frame


def _first_lines(path: Path) -> list[str]:
    from pandas.io.common import get_handle

    with get_handle(str(path), "r", compression="infer", encoding="utf-8", errors="replace") as handles:
        lines = []
        for line in handles.handle:
            if line.strip():
                lines.append(line)
            if len(lines) > _SNIFF_LINES:
                break
    return lines


def sniff_csv_format(lines: Sequence[str], *, default: str = ",") -> tuple[str, str]:
    """
    The separator and decimal mark of delimited text, from its first lines.

    A separator fits when it splits every line (quotes respected) into the same number of fields, more than one;
    among those that fit, the one giving the most fields wins (`1,5;2,5` is two fields with `;`, and `,` would be
    decimal commas). When none fits, `default`. The decimal mark is `,` when the separator is not `,` and every
    data field that is not a plain number is of the form `1,5`.

    Args:
        lines (`list[str]`): The header and the first data lines.
        default (`str`, defaults to `","`): The separator the file's extension implies.

    Returns:
        `(separator, decimal)`.
    """
    best, best_fields = default, 1
    for sep in CSV_SEPARATORS:
        counts = {len(row) for row in csv.reader(io.StringIO("".join(lines)), delimiter=sep)}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = sep, fields
    decimal = "."
    if best != "," and len(lines) > 1:
        fields = [f.strip() for row in csv.reader(io.StringIO("".join(lines[1:])), delimiter=best) for f in row]
        commas = [f for f in fields if "," in f]
        if commas and all(_DECIMAL_COMMA.fullmatch(f) for f in commas):
            decimal = ","
    return best, decimal


def _read_directory(path: Path, *, split: str) -> pd.DataFrame:
    import datasets

    if (path / "dataset_dict.json").is_file() or (path / "state.json").is_file():
        return _read_datasets_object(datasets.load_from_disk(str(path)), split=split)
    data_files = [p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(FILE_SUFFIXES)]
    if not data_files:
        listing = ", ".join(sorted(p.name for p in path.iterdir())[:10]) or "nothing"
        raise ValueError(
            f"The directory {str(path)!r} is neither a `datasets` `save_to_disk` directory (no dataset_dict.json or "
            f"state.json) nor a folder of {', '.join(FILE_SUFFIXES)} files; it holds: {listing}. Pass the data "
            "file's path instead."
        )
    return _read_datasets_object(datasets.load_dataset(str(path), split=split), split=split)


def _read_hub(name: str, *, split: str) -> pd.DataFrame:
    import datasets

    try:
        loaded = datasets.load_dataset(name, split=split)
    except Exception as error:  # noqa: BLE001 - any failure means the same to the user: this name is unusable
        raise FileNotFoundError(
            f"{name!r} is not a local file or directory, and loading it as a Hugging Face Hub dataset "
            f"(`datasets.load_dataset({name!r}, split={split!r})`) failed: {type(error).__name__}: {error}. "
            f"Check the path or the Hub name and your connection; bundled datasets: {_bundled_list()}."
        ) from error
    return _read_datasets_object(loaded, split=split)


def _read_datasets_object(source: Any, *, split: str) -> pd.DataFrame:
    import datasets

    if isinstance(source, (datasets.IterableDataset, datasets.IterableDatasetDict)):
        raise ValueError(
            f"Got a streaming `{type(source).__name__}`: windows need the whole series in time order. Load it "
            "with `streaming=False`, or materialise the part you need as a `datasets.Dataset`."
        )
    if isinstance(source, datasets.DatasetDict):
        if split not in source:
            raise ValueError(f"Split {split!r} is not in this DatasetDict; it has {sorted(source)}. Pass `split=`.")
        source = source[split]
    if isinstance(source, datasets.Dataset):
        return source.to_pandas()
    raise ValueError(
        f"Unsupported data source of type {type(source).__name__}. Pass a path (CSV / Parquet / save_to_disk "
        "directory), a pandas DataFrame, a datasets Dataset or DatasetDict, a Hub name, or "
        f"one of {_bundled_list()}."
    )


def _check_not_empty(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(
            f"The source {name} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns): there is nothing to "
            "train on. Check the file or the split."
        )
    return frame


def bundled_name_of(source: DataSource) -> str | None:
    """
    The bundled dataset a source names, or `None` for any other source: `None` (the default, `"eurusd"`),
    `"bundled:<name>"`, or a bare bundled name that is not a path in the working directory.

    Raises:
        `ValueError`: For `"bundled:<unknown>"`; the message lists the bundled names.
    """
    if source is None:
        return DEFAULT_DATASET
    if not isinstance(source, str):
        return None
    if source.startswith(BUNDLED_PREFIX):
        return get_bundled(source).name
    if source in bundled_names() and not Path(source).exists():
        return source
    return None


def bundled_missing_values(source: DataSource) -> dict[str, list[float]]:
    """The sentinel missing values a bundled source declares (empty for any other source)."""
    name = bundled_name_of(source)
    if name is None:
        return {}
    info = get_bundled(name)
    return {column: list(values) for column, values in info.missing_values.items()}


def load_series(
    source: DataSource = None,
    *,
    columns: str | Sequence[str] | None = None,
    time_column: str | None = "auto",
    split: str = "train",
    nan_policy: NanPolicy = "error",
    categorical: CategoricalPolicy = "error",
    missing_values: MissingValues = None,
) -> CleanSeries:
    """
    Read a source and clean it: [`read_source`] then [`clean_frame`].

    Args:
        source: See [`read_source`]; `None` is the bundled EUR/USD data.
        columns, time_column, nan_policy, categorical, missing_values: See [`clean_frame`]. For a bundled source,
            `missing_values=None` means the dataset's own sentinels (0 in `pollution` for `bundled:pollution`);
            pass `{}` to keep every value.
        split (`str`, defaults to `"train"`): See [`read_source`].

    Returns:
        [`CleanSeries`]: the clean frame `[T, C]` in the data's units, the one-hot categories, and the report.
    """
    raw = read_source(source, split=split)
    report = [f"source {describe_source(source)}: {raw.shape[0]} rows x {raw.shape[1]} columns {list(raw.columns)}"]
    if READ_NOTE in raw.attrs:
        report[0] += f", {raw.attrs.pop(READ_NOTE)}"
    if missing_values is None:
        missing_values = bundled_missing_values(source) or None
        if missing_values:
            report.append(f"bundled default missing_values={missing_values} (pass missing_values={{}} to keep them)")
    clean = clean_frame(
        raw,
        columns=columns,
        time_column=time_column,
        nan_policy=nan_policy,
        categorical=categorical,
        missing_values=missing_values,
    )
    clean.report[:0] = report
    return clean
