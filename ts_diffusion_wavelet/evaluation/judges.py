"""
The classifiers of the two-sample test ([`c2st_scores`]): each turns windows into features and tells two labelled
sets apart. scikit-learn and aeon are imported on first use (the `eval` extra), so the package imports without them.

- `minirocket`: MiniRocket features (Dempster et al., KDD 2021; `aeon`) of per-channel standardised windows, and a
  strongly regularised logistic regression on the standardised features (on EUR/USD returns against Gaussian
  windows it separated at .24 where aeon's default ridge classifier reached .15, with the same score from
  C = 3e-4 to 3e-2). Strong on shape, smoothness and scale; not interpretable.
- `features`: scikit-learn's `HistGradientBoostingClassifier` on [`window_statistics`]. Interpretable: the
  permutation importance of each statistic says what gave generated windows away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .window_statistics import window_statistics

MINIROCKET_MIN_LENGTH = 9  # MiniRocket's kernels have 9 taps
PERMUTATION_REPEATS = 2
MAX_IMPORTANCE_WINDOWS = 500  # importance costs features x repeats predictions: 7 channels have 238 statistics
LOGISTIC_C = 3e-3  # inverse L2 strength on ~10,000 standardised features and ~1,000 windows
LOGISTIC_MAX_ITER = 3000
# Shallow trees: on EUR/USD returns against Gaussian windows .37 (scikit-learn's defaults: .35); 300 slower steps: .37.
BOOSTING = {"max_iter": 100, "learning_rate": 0.1, "max_depth": 3, "min_samples_leaf": 30}


def require_eval_extra(package: str) -> None:
    """Raises an `ImportError` that says how to install the two-sample test's dependencies."""
    raise ImportError(
        f"The classifier two-sample test needs `{package}`, which is not installed; "
        "install the evaluation extra: `pip install 'ts-diffusion-wavelet[eval]'` (scikit-learn and aeon)."
    )


@dataclass
class JudgeResult:
    """Balanced accuracy on the test windows, and the permutation importance of each feature if the judge has one."""

    balanced_accuracy: float
    importances: np.ndarray | None = field(default=None)


class Judge(Protocol):
    """What [`c2st_scores`] needs of a classifier."""

    name: str
    feature_names: list[str] | None

    def fit_features(self, real_train: np.ndarray, seed: int) -> None:
        """Fits whatever the features depend on, from the real training windows `[N, L, C]` only."""

    def features(self, windows: np.ndarray) -> np.ndarray:
        """Features `[N, F]` of windows `[N, L, C]`."""

    def classify(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        seed: int,
        explain: bool = True,
    ) -> JudgeResult:
        """Trains on `(x_train, y_train)` (labels 0 / 1), scores on the test features; `explain`: importances too."""


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean of the accuracy on each class (0.5 for a constant guess, whatever the class sizes)."""
    return float(np.mean([np.mean(y_pred[y_true == label] == label) for label in (0, 1)]))


def _oversample(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the smaller class drawn again (with replacement) until both classes have as many rows."""
    counts = np.bincount(y, minlength=2)
    smaller = int(np.argmin(counts))
    extra = rng.choice(np.flatnonzero(y == smaller), size=int(counts.max() - counts.min()), replace=True)
    order = np.concatenate([np.arange(len(y)), extra])
    return x[order], y[order]


class MiniRocketJudge:
    """MiniRocket features of standardised windows, L2 logistic regression (balanced classes)."""

    name = "minirocket"
    feature_names = None

    def __init__(self, num_kernels: int = 10_000) -> None:
        self.num_kernels = num_kernels
        self._mean: np.ndarray | None = None
        self._std: np.ndarray | None = None
        self._transform = None

    def fit_features(self, real_train: np.ndarray, seed: int) -> None:
        try:
            from aeon.transformations.collection.convolution_based import MiniRocket
        except ImportError:
            require_eval_extra("aeon")
        # 1. One scale per channel, from the real training windows (channels in different units weigh alike).
        self._mean = real_train.mean(axis=(0, 1))
        std = real_train.std(axis=(0, 1))
        self._std = np.where(std > 0, std, 1.0)
        # 2. MiniRocket's biases are quantiles of convolution outputs on these windows: unsupervised, real only.
        self._transform = MiniRocket(n_kernels=self.num_kernels, random_state=seed).fit(
            self._channels_first(real_train)
        )

    def _channels_first(self, windows: np.ndarray) -> np.ndarray:
        scaled = (windows - self._mean) / self._std
        return np.ascontiguousarray(scaled.transpose(0, 2, 1), dtype=np.float32)

    def features(self, windows: np.ndarray) -> np.ndarray:
        if self._transform is None:
            raise RuntimeError("Call `fit_features` on the real training windows first.")
        return np.asarray(self._transform.transform(self._channels_first(windows)), dtype=np.float64)

    def classify(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        seed: int,
        explain: bool = True,
    ) -> JudgeResult:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=LOGISTIC_C, class_weight="balanced", max_iter=LOGISTIC_MAX_ITER),
        )
        model.fit(x_train, y_train)
        return JudgeResult(_balanced_accuracy(y_test, model.predict(x_test)))


class StatisticsJudge:
    """Gradient boosting (`HistGradientBoostingClassifier`) on named per-window statistics."""

    name = "features"

    def __init__(self, channel_names: list[str] | None = None) -> None:
        self.channel_names = channel_names
        self.feature_names: list[str] | None = None

    def fit_features(self, real_train: np.ndarray, seed: int) -> None:
        """Nothing to fit: the statistics are fixed functions of a window."""

    def features(self, windows: np.ndarray) -> np.ndarray:
        values, self.feature_names = window_statistics(windows, self.channel_names)
        return values

    def classify(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        seed: int,
        explain: bool = True,
    ) -> JudgeResult:
        try:
            from sklearn.ensemble import HistGradientBoostingClassifier
            from sklearn.inspection import permutation_importance
            from threadpoolctl import threadpool_limits
        except ImportError:
            require_eval_extra("scikit-learn")
        # One thread: with a few thousand windows, scikit-learn's binning threads spent most of the time waiting
        # on each other (4 of 7 s in `time.sleep` on 2 busy cores).
        # Unequal class sizes: the smaller class is drawn again at random up to the size of the larger one. Class
        # weights did as well but made fitting 5x slower (weighted percentiles when binning every feature).
        x_train, y_train = _oversample(x_train, y_train, np.random.default_rng(seed))

        def balanced_score(model: HistGradientBoostingClassifier, x: np.ndarray, y: np.ndarray) -> float:
            return _balanced_accuracy(y, model.predict(x))

        with threadpool_limits(limits=1):
            model = HistGradientBoostingClassifier(random_state=seed, **BOOSTING).fit(x_train, y_train)
            accuracy = balanced_score(model, x_test, y_test)
            if not explain:
                return JudgeResult(accuracy)
            # What the classifier relied on: the drop in balanced accuracy when one statistic is shuffled.
            rows = np.random.default_rng(seed).permutation(len(x_test))[:MAX_IMPORTANCE_WINDOWS]
            importance = permutation_importance(
                model,
                x_test[rows],
                y_test[rows],
                scoring=balanced_score,
                n_repeats=PERMUTATION_REPEATS,
                random_state=seed,
            )
        return JudgeResult(accuracy, importance.importances_mean)


JUDGE_NAMES = ("minirocket", "features")


def make_judge(name: str, channel_names: list[str] | None = None) -> Judge:
    """The judge called `name` (see [`JUDGE_NAMES`])."""
    if name == "minirocket":
        return MiniRocketJudge()
    if name == "features":
        return StatisticsJudge(channel_names)
    raise ValueError(f"Unknown two-sample classifier {name!r}; choose among {JUDGE_NAMES}.")
