"""SeriesPreprocessor: each forward/inverse pair round-trips, lengths are exact, statistics come from train only,
and the plain-data dict rebuilds it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from ts_diffusion_wavelet.data import (
    SeriesPreprocessor,
    apply_target_transform,
    geometric_prices,
    invert_target_transform,
    prepare_windows,
    random_walk,
    scale_values,
    unscale_values,
)

TRANSFORMS = ["none", "diff", "log_return"]
SCALINGS = ["standard", "minmax", "none"]


@pytest.fixture
def levels() -> np.ndarray:
    """[300, 2] positive levels: a price and a shifted random walk."""
    return np.stack([geometric_prices(300, seed=3), 50 + random_walk(300, seed=4)], axis=1)


def _frame(levels: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(levels, columns=["price", "level"][: levels.shape[1]])
    return frame.assign(date=pd.date_range("2020-01-01", periods=len(levels), freq="D"))


# ----- the pairs on their own ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TRANSFORMS)
def test_target_transform_lengths_and_round_trip(levels: np.ndarray, kind: str) -> None:
    kinds = [kind, kind]
    transformed = apply_target_transform(levels, kinds, channel_names=["a", "b"])
    lag = 0 if kind == "none" else 1
    assert transformed.shape == (300 - lag, 2)  # T levels -> T - 1 returns
    # A window of L values starting at transformed row s, with the level just before it, gives levels s+lag..s+lag+L-1.
    s, length = 40, 64
    start = levels[s + lag - 1] if lag else levels[0]
    rebuilt = invert_target_transform(transformed[s : s + length], kinds, start)
    np.testing.assert_allclose(rebuilt, levels[s + lag : s + lag + length], rtol=1e-12)


@pytest.mark.parametrize("kind", SCALINGS)
def test_scaling_round_trip(levels: np.ndarray, kind: str) -> None:
    preprocessor = SeriesPreprocessor(scaling=kind).fit(levels)
    loc, scale = preprocessor._stats()
    np.testing.assert_allclose(unscale_values(scale_values(levels, loc, scale), loc, scale), levels, rtol=1e-12)


@pytest.mark.parametrize("target_transform", ["none", "log_return"])
def test_input_scale_multiplies_the_model_space_and_inverts_exactly(levels: np.ndarray, target_transform: str) -> None:
    plain = SeriesPreprocessor(target_transform, "standard").fit(levels)
    halved = SeriesPreprocessor(target_transform, "standard", input_scale=0.5).fit(levels)
    model_space = halved.transform(levels)
    np.testing.assert_allclose(model_space, 0.5 * plain.transform(levels), rtol=1e-12)
    np.testing.assert_allclose(model_space.std(axis=0), 0.5, rtol=1e-9)
    windows = model_space[:64].T[np.newaxis]
    start = levels[0] if target_transform == "log_return" else None
    expected = levels[1:65] if target_transform == "log_return" else levels[:64]
    np.testing.assert_allclose(halved.inverse_transform(windows, start_values=start)[0], expected, rtol=1e-9)
    for bad in (0, -1.0, True, float("nan"), 1e7):
        with pytest.raises(ValueError, match=f"`input_scale` must be a positive number .*got {bad!r}"):
            SeriesPreprocessor(input_scale=bad)


def test_minmax_maps_training_range_to_minus_one_one(levels: np.ndarray) -> None:
    out = SeriesPreprocessor(scaling="minmax").fit_transform(levels)
    np.testing.assert_allclose(out.min(axis=0), -1.0)
    np.testing.assert_allclose(out.max(axis=0), 1.0)


# ----- the whole preprocessor ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TRANSFORMS)
@pytest.mark.parametrize("scaling", SCALINGS)
@pytest.mark.parametrize("num_channels", [1, 2])
def test_raw_to_windows_to_inverse_equals_raw(levels: np.ndarray, kind: str, scaling: str, num_channels: int) -> None:
    frame = _frame(levels[:, :num_channels])
    prepared = prepare_windows(
        frame, target_transform=kind, scaling=scaling, window_size=32, stride=7, validation_fraction=0.2
    )
    for dataset in (prepared.train, prepared.validation):
        indices = [0, len(dataset) // 2, len(dataset) - 1]
        windows = torch.stack([dataset[i] for i in indices])  # [B, C, L] float32
        assert windows.dtype == torch.float32 and windows.shape == (3, num_channels, 32)
        rebuilt = prepared.preprocessor.inverse_transform(windows, dataset.start_values(indices))  # [B, L, C]
        expected = np.stack([prepared.window_levels(dataset, i).to_numpy() for i in indices])
        np.testing.assert_allclose(rebuilt, expected, rtol=1e-5)


def test_inverse_contract_shapes_and_default_start(levels: np.ndarray) -> None:
    train = levels[:200]
    preprocessor = SeriesPreprocessor(target_transform="log_return").fit(train, channel_names=["p", "q"])
    assert preprocessor.lag == 1
    np.testing.assert_array_equal(preprocessor.start_values, train[-1])
    model = preprocessor.transform(levels)  # [299, 2]
    window = model[199:231].T  # [C, L]: the 32 returns right after the training split
    single = preprocessor.inverse_transform(window)  # default start: last training level
    assert single.shape == (32, 2)
    np.testing.assert_allclose(single, levels[200:232], rtol=1e-12)
    batch = preprocessor.inverse_transform(torch.from_numpy(np.stack([window, window])), start_values=2 * train[-1])
    assert batch.shape == (2, 32, 2)
    np.testing.assert_allclose(batch[1], 2 * levels[200:232], rtol=1e-12)
    with pytest.raises(ValueError, match=r"`start_values` must have shape \[2\] or \[2, 2\]"):
        preprocessor.inverse_transform(np.stack([window, window]), start_values=np.ones(3))
    with pytest.raises(ValueError, match=r"Expected windows of shape \[batch, 2, length\]"):
        preprocessor.inverse_transform(np.zeros((4, 3, 32)))


def test_mixed_transforms_per_column(levels: np.ndarray) -> None:
    frame = pd.DataFrame(levels, columns=["price", "level"])
    preprocessor = SeriesPreprocessor({"price": "log_return"}, {"price": "standard", "level": "minmax"}).fit(frame)
    assert [c["target_transform"] for c in preprocessor.channels] == ["log_return", "none"]
    model = preprocessor.transform(frame)
    assert model.shape == (299, 2)  # the "none" channel drops its first row too, to stay aligned
    rebuilt = preprocessor.inverse_transform(model[None].transpose(0, 2, 1), start_values=levels[0])
    np.testing.assert_allclose(rebuilt[0], levels[1:], rtol=1e-10)
    with pytest.raises(ValueError, match=r"`target_transform` names unknown columns \['volume'\]"):
        SeriesPreprocessor({"volume": "diff"}).fit(frame)


def test_scaler_statistics_come_from_train_only() -> None:
    values = np.concatenate([np.zeros(90), 1000 + np.arange(10.0)])  # validation is far off the training range
    noise = np.random.default_rng(0).normal(size=100)
    frame = pd.DataFrame({"x": values + noise})
    prepared = prepare_windows(frame, scaling="standard", window_size=8, validation_fraction=0.1)
    record = prepared.preprocessor.channels[0]
    train_part = frame["x"].to_numpy()[:90]
    assert record["loc"] == pytest.approx(train_part.mean())
    assert record["scale"] == pytest.approx(train_part.std())
    assert record["start_value"] == pytest.approx(train_part[-1])
    assert prepared.validation[0].mean() > 100  # validation is scaled with train's statistics, not its own


def test_to_dict_from_dict_round_trip_through_json(levels: np.ndarray) -> None:
    frame = _frame(levels).assign(wind=np.where(np.arange(300) % 3 == 0, "N", "S"))
    prepared = prepare_windows(frame, target_transform={"price": "log_return"}, categorical="onehot", window_size=16)
    config = prepared.preprocessor.to_dict()
    # No list of exactly two strings at the top level (diffusers would read it as a component entry).
    assert not any(isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in config.values())
    rebuilt = SeriesPreprocessor.from_dict(json.loads(json.dumps(config)))
    assert rebuilt.to_dict() == config
    windows = torch.stack([prepared.train[i] for i in range(3)])
    np.testing.assert_array_equal(rebuilt.inverse_transform(windows), prepared.preprocessor.inverse_transform(windows))
    np.testing.assert_array_equal(rebuilt.transform(prepared.frame), prepared.preprocessor.transform(prepared.frame))
    unfitted = SeriesPreprocessor("diff", "minmax")
    assert SeriesPreprocessor.from_dict(unfitted.to_dict()).to_dict() == unfitted.to_dict()
    with pytest.raises(ValueError, match="Not a SeriesPreprocessor dict of version 1"):
        SeriesPreprocessor.from_dict({"type": "something else"})


def test_to_frames_decodes_categories(levels: np.ndarray) -> None:
    labels = np.where(np.arange(300) % 3 == 0, "N", "S")
    frame = _frame(levels).assign(wind=labels)
    prepared = prepare_windows(frame, target_transform="diff", categorical="onehot", window_size=16, stride=16)
    assert prepared.channel_names == ["price", "level", "wind=N", "wind=S"]
    assert [c["scaling"] for c in prepared.preprocessor.channels] == ["standard", "standard", "minmax", "minmax"]
    indices = [0, 3]
    windows = torch.stack([prepared.train[i] for i in indices])
    frames = prepared.to_frames(windows, prepared.train.start_values(indices))
    assert len(frames) == 2 and list(frames[0].columns) == ["price", "level", "wind"]
    expected = frame.iloc[prepared.train.window_start(3) + 1 :].iloc[:16]
    assert frames[1]["wind"].tolist() == expected["wind"].tolist()
    np.testing.assert_allclose(frames[1]["price"].to_numpy(), expected["price"].to_numpy(), rtol=1e-5)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match=r"`target_transform` must be one of \['none', 'diff', 'log_return'\]"):
        SeriesPreprocessor(target_transform="pct_change")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not fitted yet"):
        SeriesPreprocessor().inverse_transform(np.zeros((1, 1, 4)))
    with pytest.raises(ValueError, match=r"Levels contain 1 NaN/inf values \(first: nan in 'channel_0' at row 2\)"):
        SeriesPreprocessor().fit(np.array([1.0, 2.0, np.nan, 4.0]))
