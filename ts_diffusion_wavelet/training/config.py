"""The training configuration: one typed dataclass, the same names on the command line, in files and in JSON.

`config_parsing.parse_config` reads it from `--name value` options and YAML/JSON files with
`transformers.HfArgumentParser`, which turns each field into an option: its type hint gives the type, the field's
metadata (`help`, `choices`) goes to `argparse` as it is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..data.labels import parse_regimes
from ..models import MODEL_PRESETS
from ..schedulers import SCHEDULER_NAMES


def _option(default: Any, help: str, choices: tuple[Any, ...] | None = None) -> Any:
    metadata: dict[str, Any] = {"help": help} if choices is None else {"help": help, "choices": choices}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


SECRET_OPTIONS: tuple[str, ...] = ("hub_token",)  # never written to disk or sent to a tracker
_AT_LEAST_ONE_OR_NONE = ("max_train_steps", "checkpoints_total_limit", "image_width")
_AT_LEAST_ONE = (
    "window_size",
    "stride",
    "num_scales",
    "image_size",
    "train_batch_size",
    "num_epochs",
    "num_train_timesteps",
    "gradient_accumulation_steps",
    "checkpointing_steps",
    "logging_steps",
    *_AT_LEAST_ONE_OR_NONE,
)


@dataclass
class TrainingConfig:
    """
    Everything a training run needs; saved with every checkpoint and with the exported pipeline. Building one
    checks choices and ranges (`ValueError` naming the option, the value and the fix).
    """

    # --- data ---------------------------------------------------------------------------------------------
    data: str = _option(
        "eurusd", "A CSV/Parquet path, a `datasets` directory or Hub name, or a bundled name (eurusd, pollution)."
    )
    columns: list[str] | None = _option(None, "Columns to model (comma-separated); default: all numeric columns.")
    time_column: str | None = _option(
        "auto", "Column with timestamps ('auto' detects date/time; 'none' for no time column)."
    )
    dataset_split: str = _option("train", "Split to read from a `datasets` dataset.")
    target_transform: str = _option(
        "log_return",
        "Per-channel target: none, diff or log_return (prices must be positive).",
        ("none", "diff", "log_return"),
    )
    scaling: str = _option(
        "standard", "Per-channel scaling fitted on the training split.", ("standard", "minmax", "none")
    )
    # Where in the schedule a feature is decided depends on its size against the noise: below 1 moves training
    # towards coarse features (a long window's volatility path), above 1 towards fine ones (the hourly increments of
    # short MinMax windows); README "Where the raw model still falls short" and "The literature benchmark".
    input_scale: float = _option(
        1.0,
        "Factor on the scaled data before diffusion (Chen 2023's b): below 1 noise drowns it sooner, above 1 later.",
    )
    nan_policy: str = _option(
        "error", "What to do with NaN/inf: error, drop or ffill (counts are reported).", ("error", "drop", "ffill")
    )
    categorical: str = _option("error", "Categorical columns: error, onehot or drop.", ("error", "onehot", "drop"))
    missing_values: list[str] | None = _option(
        None,
        "Values meaning 'missing' in every column (comma-separated, e.g. -999,N/A); default: a bundled set's own.",
    )
    window_size: int = _option(256, "Samples per training window (the original design's 256).")
    # Stride 1: every window a series offers; at stride 4 the default job memorised EUR/USD (README "Defaults").
    stride: int = _option(1, "Step between consecutive windows.")
    validation_fraction: float = _option(0.1, "Last share of the series held out for validation (split by time).")

    # --- labels (classifier-free guidance) ----------------------------------------------------------------
    label_column: str | None = _option(
        None, "A categorical column that labels each window (not modelled as a channel); see --label_rule."
    )
    # The mode, not the last value: a label then describes the whole window the model learns, not one step.
    label_rule: str = _option(
        "mode",
        "A window's label from --label_column: its most frequent value (mode) or its last one (end).",
        ("mode", "end"),
    )
    regimes: str | None = _option(
        None,
        "Labels computed from the data: volatility:K or trend:K (K quantile regimes of the window's realised "
        "volatility or summed increments, fitted on training windows; K=3 names them low/mid/high, down/flat/up).",
    )
    label_dropout: float = _option(
        0.1,
        "Share of training windows whose label is replaced by the null label, so one model also samples "
        "unconditionally and supports guidance_scale (1.0: ignore the labels).",
    )

    # --- representation and model ------------------------------------------------------------------------
    # raw by default: at equal training time it is as close to the data as the scalogram model or closer
    # (README "Long windows").
    representation: str = _option(
        "raw",
        "raw (a UNet1DModel on the windows) or scalogram (a UNet on their Morlet CWT images).",
        ("raw", "scalogram"),
    )
    # Each window's own scale as a generated number: the raw model left alone regresses turbulent windows towards
    # calm ones (README "Where the raw model still falls short").
    window_scale: str = _option(
        "none",
        "Raw only: none; std (each window divided by its own standard deviation, whose log the model generates as "
        "an extra constant channel); local (divided by its scale_width-step moving volatility, generated as a path).",
        ("none", "std", "local"),
    )
    scale_width: int = _option(32, "With window_scale local: steps of the moving volatility window.")
    # PatchTST's channel independence: a column whose relation to the others shifts after training (ETTh1's LUFL)
    # misleads a joint model's forecasts; a shared univariate model reads each column from its own past (README
    # "Imputation and forecasting").
    channels: str = _option(
        "joint",
        "Raw only: joint (one UNet input channel per column: columns generated together) or independent (one "
        "univariate UNet shared by every column, each denoised on its own: better forecasts where the columns' "
        "relations shift, but generated columns are independent of each other; each step costs columns x as much, "
        "so lower --train_batch_size).",
        ("joint", "independent"),
    )
    wavelet: str = _option("morl", "Mother wavelet: morl (real Morlet) or cmorB-C (complex Morlet, e.g. cmor1.5-1.0).")
    # 16, not the original 128: 128 scales for 256 samples are highly redundant; 16 log-spaced ones still invert
    # accurately and make a far smaller image (README "How it works").
    num_scales: int = _option(16, "Wavelet scales (log-spaced from the Nyquist scale).")
    image_size: int = _option(
        16, "Height of the scalogram image (scales are resized to it) and its width when square."
    )
    image_width: int | None = _option(None, "Width of the scalogram image; default: the layout's natural width.")
    time_layout: str = _option(
        "auto",
        "Time axis to image width: fold (lossless, into channels), resize, none, or auto (none for the 1-D UNet; "
        "for the 2-D one fold when it divides, else resize).",
        ("auto", "fold", "resize", "none"),
    )
    detrend: str = _option(
        "mean",
        "Removed before the CWT and carried in constant image planes: the window mean, or level and slope.",
        ("mean", "linear"),
    )
    diffusion_space: str = _option(
        "series",
        "Scalogram only: diffuse the windows and denoise through their images (series), or diffuse the images (0.1).",
        ("series", "image"),
    )
    scalogram_unet: str = _option(
        "1d",
        "Scalogram only: a UNet1DModel over (plane, scale) channels, or a UNet2DModel on the image.",
        ("1d", "2d"),
    )
    model_preset: str = _option("small", "UNet size.", MODEL_PRESETS)

    # --- diffusion ----------------------------------------------------------------------------------------
    num_train_timesteps: int = _option(1000, "Diffusion steps of the training schedule.")
    beta_schedule: str = _option("linear", "Noise schedule.", ("linear", "cosine", "sigmoid"))
    # v_prediction: with epsilon, the x0 estimate at high noise carries the network's error times 1/sqrt(alpha_bar),
    # and samples drift out of the data's range (README "Defaults").
    prediction_type: str = _option("v_prediction", "What the UNet predicts.", ("epsilon", "v_prediction", "sample"))
    snr_gamma: float | None = _option(
        None, "Min-SNR loss weighting gamma (5.0 is the paper's value); none to disable."
    )
    input_perturbation: float = _option(
        0.0, "Input perturbation gamma against exposure bias (Ning et al. 2023; 0.1 in the paper); 0 to disable."
    )
    # DPM-Solver++ rather than DDPM: closer to the data at the pipeline's default 50 steps, and good at 25
    # (README "Defaults" and the sampler table).
    sampler: str = _option("dpmsolver", "Scheduler saved with the pipeline for sampling.", SCHEDULER_NAMES)
    # On: the strong judge was as good or better with it on every model measured (EUR/USD's default job, ETTh1's
    # protocol models), and the returns' std came to .99 from .87 (README "Where the raw model still falls short").
    calibrate_epsilon_scaling: bool = _option(
        True,
        "After training, find the epsilon scaling at which 256 windows sampled with the saved sampler (25 steps) "
        "change from step to step as much as the training data, and save it as the pipeline's sampling default "
        "(false: no epsilon scaling).",
    )

    # --- optimisation -------------------------------------------------------------------------------------
    train_batch_size: int = _option(32, "Windows per batch per process.")
    num_epochs: int = _option(10, "Passes over the training windows (ignored when max_train_steps is set).")
    # 3,000 steps at batch 32 and lr 5e-4: the default job fits a CPU budget; the scalogram model overfits sooner
    # (README "Defaults").
    max_train_steps: int | None = _option(
        3000,
        "Stop after this many optimizer steps (overrides num_epochs); none to train num_epochs. "
        "1500 suits the scalogram representation on the bundled data.",
    )
    learning_rate: float = _option(5e-4, "Peak learning rate of AdamW.")
    lr_scheduler: str = _option(
        "cosine", "Learning-rate schedule after warm-up.", ("constant", "linear", "cosine", "constant_with_warmup")
    )
    lr_warmup_steps: int = _option(200, "Linear warm-up steps.")
    adam_beta1: float = _option(0.95, "AdamW beta1.")
    adam_beta2: float = _option(0.999, "AdamW beta2.")
    adam_weight_decay: float = _option(1e-6, "AdamW weight decay.")
    adam_epsilon: float = _option(1e-8, "AdamW epsilon.")
    gradient_accumulation_steps: int = _option(1, "Batches accumulated per optimizer step.")
    max_grad_norm: float = _option(1.0, "Gradient clipping norm (0 disables).")
    mixed_precision: str = _option("no", "Mixed precision: no, fp16 (GPU) or bf16.", ("no", "fp16", "bf16"))
    use_ema: bool = _option(True, "Keep an EMA of the weights and export it.")
    ema_max_decay: float = _option(0.9999, "EMA decay ceiling.")
    ema_inv_gamma: float = _option(1.0, "EMA warm-up inverse gamma.")
    ema_power: float = _option(0.75, "EMA warm-up power.")
    seed: int = _option(0, "Seed of the data order, the noise and the initial weights.")
    dataloader_num_workers: int = _option(0, "DataLoader worker processes.")

    # --- checkpoints, logging, validation -----------------------------------------------------------------
    output_dir: str = _option("outputs/ts-diffusion-wavelet", "Where checkpoints, logs and the final pipeline go.")
    overwrite_output_dir: bool = _option(
        False,
        "Allow a new run to reuse an output_dir that already holds a pipeline; another run's checkpoints there are "
        "moved to output_dir/replaced/ rather than mixed with this run's.",
    )
    checkpointing_steps: int = _option(500, "Save a resumable checkpoint every N optimizer steps.")
    checkpoints_total_limit: int | None = _option(
        3, "Keep at most this many of this run's checkpoints (oldest deleted)."
    )
    resume_from_checkpoint: str | None = _option(None, "'latest' or a checkpoint path to continue from.")
    logger: str = _option("tensorboard", "Accelerate tracker.", ("tensorboard", "wandb", "none"))
    logging_steps: int = _option(10, "Log loss and learning rate every N steps.")
    validation_steps: int = _option(500, "Validation loss and a sample plot every N steps (0 disables).")
    num_validation_samples: int = _option(4, "Windows generated for the validation plot.")
    validation_inference_steps: int = _option(25, "Sampler steps for validation samples (DDIM).")

    # --- hub ----------------------------------------------------------------------------------------------
    push_to_hub: bool = _option(False, "Upload the final pipeline with a model card.")
    hub_model_id: str | None = _option(None, "Hub repo id, e.g. user/eurusd-scalogram-diffusion.")
    # Discouraged: `accelerate launch` echoes the command line on failure; HF_TOKEN or `hf auth login` are not echoed.
    hub_token: str | None = _option(
        None, "Hub token; prefer HF_TOKEN or `hf auth login` (default: the logged-in one)."
    )
    hub_private: bool = _option(False, "Create the Hub repo as private.")

    def __post_init__(self) -> None:
        """Check choices, ranges and combinations, so that a configuration that exists is one a run can use."""
        for spec in dataclasses.fields(self):
            choices, value = spec.metadata.get("choices"), getattr(self, spec.name)
            if choices and value not in choices:
                raise ValueError(f"--{spec.name} must be one of {', '.join(map(str, choices))}; got {value!r}.")
        for name in _AT_LEAST_ONE:
            value = getattr(self, name)
            if value is not None and value < 1:
                none = " (or none)" if name in _AT_LEAST_ONE_OR_NONE else ""
                raise ValueError(f"--{name} must be at least 1{none}, got {value}.")
        if self.learning_rate <= 0:
            raise ValueError(f"--learning_rate must be positive, got {self.learning_rate}.")
        if not 0.0 < self.input_scale < 1e6:
            raise ValueError(
                f"--input_scale must be positive and below 1e6 (1 keeps the data as scaled), got {self.input_scale}."
            )
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(f"--validation_fraction must be in [0, 1), got {self.validation_fraction}.")
        if not 0.0 <= self.label_dropout <= 1.0:
            raise ValueError(f"--label_dropout must be in [0, 1] (0.1 is usual), got {self.label_dropout}.")
        if self.window_scale == "local" and not 2 <= self.scale_width <= self.window_size:
            raise ValueError(
                f"--scale_width must be from 2 to the window size {self.window_size}, got {self.scale_width}."
            )
        if self.window_scale != "none" and self.representation != "raw":
            raise ValueError(
                f"--window_scale {self.window_scale} needs --representation raw, got --representation "
                f"{self.representation}; use --window_scale none with it."
            )
        if self.channels == "independent" and (self.representation != "raw" or self.window_scale != "none"):
            raise ValueError(
                f"--channels independent needs --representation raw and --window_scale none, got --representation "
                f"{self.representation} --window_scale {self.window_scale}; use --channels joint with them."
            )
        if self.label_column is not None and self.regimes is not None:
            raise ValueError(
                f"Choose one source of labels: --label_column {self.label_column!r} or --regimes {self.regimes!r}, "
                "not both."
            )
        if self.regimes is not None:
            parse_regimes(self.regimes)
        if self.snr_gamma is not None and self.snr_gamma <= 0:
            raise ValueError(f"--snr_gamma must be positive (5.0 is usual) or none, got {self.snr_gamma}.")
        if not 0 <= self.input_perturbation <= 1:
            raise ValueError(
                f"--input_perturbation must be in [0, 1] (0.1 is the paper's value, 0 disables it), "
                f"got {self.input_perturbation}."
            )
        if self.lr_warmup_steps < 0 or self.validation_steps < 0 or self.max_grad_norm < 0:
            raise ValueError("--lr_warmup_steps, --validation_steps and --max_grad_norm must not be negative.")
        if self.push_to_hub and not self.hub_model_id:
            raise ValueError("--push_to_hub needs --hub_model_id user/name.")

    def to_dict(self, *, include_secrets: bool = False) -> dict[str, Any]:
        """
        The configuration as plain data (JSON-ready). Secrets (`hub_token`) are blanked unless asked for, because
        this is what checkpoints, exported pipelines and trackers store.
        """
        values = dataclasses.asdict(self)
        if not include_secrets:
            values.update({name: None for name in SECRET_OPTIONS if values.get(name) is not None})
        return values
