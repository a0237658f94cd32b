"""Non-numeric columns: tell numbers-as-text, categories and free text apart; one-hot encode and decode categories."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

# A text column with at most this many distinct values is a category; more is free text (an id, a comment).
MAX_CATEGORIES = 32
# A text column in which at least this share of values parses as numbers is numeric data with stray markers.
MOSTLY_NUMBERS = 0.9
CategoricalPolicy = Literal["error", "onehot", "drop"]
CATEGORICAL_POLICIES = ("error", "onehot", "drop")
ColumnKind = Literal["numeric", "numeric_text", "categorical", "text", "datetime"]


def onehot_channel_name(column: str, label: str) -> str:
    """The channel name of one category, e.g. `"wnd_dir=NE"`."""
    return f"{column}={label}"


def classify_column(values: pd.Series) -> ColumnKind:
    """
    What a column holds.

    Returns:
        `"numeric"` (numbers or booleans), `"numeric_text"` (text in which every present value parses as a number),
        `"categorical"` (a `category` dtype, or text with at most `MAX_CATEGORIES` distinct values) or `"text"`
        (free text, or mostly numbers with a few non-numbers) or `"datetime"` (dates or durations).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_timedelta64_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        return "numeric"
    present = values.dropna()
    parsed = pd.to_numeric(present, errors="coerce").notna()
    if len(present) and parsed.all():
        return "numeric_text"
    if len(present) and parsed.mean() >= MOSTLY_NUMBERS:
        return "text"  # numbers with a few stray markers ("N/A", "-"): see `describe_non_numeric`
    if present.nunique() <= MAX_CATEGORIES:
        return "categorical"
    return "text"


def describe_non_numeric(values: pd.Series) -> str:
    """Why a text column cannot be used as numbers, with examples (for error messages)."""
    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    not_numbers = present[numbers.isna()]
    examples = ", ".join(repr(v) for v in not_numbers.unique()[:5])
    if numbers.notna().mean() >= MOSTLY_NUMBERS:
        return (
            f"column {values.name!r} is text: mostly numbers, but {len(not_numbers)} values are not ({examples}). If "
            f"those mark missing data, pass `missing_values={{{values.name!r}: [...]}}` with them; otherwise fix them"
        )
    return (
        f"column {values.name!r} holds free text ({present.nunique()} distinct values, e.g. {examples}; a category "
        f"has at most {MAX_CATEGORIES}): it is neither numeric nor categorical. Leave it out with `columns=[...]` or "
        "convert it to numbers"
    )


def categories_of(values: pd.Series) -> list[str]:
    """The sorted distinct labels of a categorical column, as strings."""
    return sorted({str(v) for v in values.dropna().unique()})


def onehot_encode(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """
    Replace each categorical column by one 0/1 channel per label (`"column=label"`), in place of the column.

    Args:
        frame (`pandas.DataFrame`): Data with the categorical columns (no missing values in them).
        categories (`dict[str, list[str]]`): Labels of each column to encode, as from [`categories_of`].

    Returns:
        `pandas.DataFrame` with float 0/1 channels for the encoded columns; other columns unchanged.
    """
    parts = []
    for column in frame.columns:
        if column not in categories:
            parts.append(frame[[column]])
            continue
        labels = frame[column].astype(str)
        unknown = sorted(set(labels.unique()) - set(categories[column]))
        if unknown:
            raise ValueError(
                f"Categorical column {column!r} has labels {unknown} that were not seen when fitting "
                f"(known: {categories[column]}). Refit on data that contains them."
            )
        encoded = {
            onehot_channel_name(column, label): (labels == label).astype("float64") for label in categories[column]
        }
        parts.append(pd.DataFrame(encoded, index=frame.index))
    return pd.concat(parts, axis=1)


def onehot_decode(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """
    Inverse of [`onehot_encode`]: each group of `"column=label"` channels becomes one column holding the label of
    its largest channel (argmax), placed where the group's first channel was.

    Args:
        frame (`pandas.DataFrame`): Data with one-hot channels (any real values, e.g. generated ones).
        categories (`dict[str, list[str]]`): The labels of each encoded column.

    Returns:
        `pandas.DataFrame` with one string column per categorical column.
    """
    channel_to_group = {
        onehot_channel_name(column, label): column for column, labels in categories.items() for label in labels
    }
    parts: list[pd.DataFrame | pd.Series] = []
    done: set[str] = set()
    for channel in frame.columns:
        group = channel_to_group.get(channel)
        if group is None:
            parts.append(frame[[channel]])
        elif group not in done:
            done.add(group)
            labels = categories[group]
            values = frame[[onehot_channel_name(group, label) for label in labels]].to_numpy()
            decoded = np.asarray(labels, dtype=object)[np.argmax(values, axis=1)]
            parts.append(pd.DataFrame({group: pd.Series(decoded, index=frame.index, dtype="str")}))
    return pd.concat(parts, axis=1)
