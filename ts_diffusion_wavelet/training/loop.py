"""`train(config)`: the training run as a sequence of named steps."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import broadcast_object_list, set_seed
from diffusers import DDPMScheduler
from diffusers.training_utils import EMAModel
from torch.utils.data import DataLoader
from tqdm.auto import tqdm

from ..atomic import recover_interrupted_writes, write_json
from ..data import PreparedData, prepare_windows
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..representations import Representation, build_representation, representation_from_dict
from .checkpoint_loading import Checkpoint, load_checkpoint, read_checkpoint
from .checkpoint_runs import claim_output_dir, new_run_id, resolve_checkpoint
from .checkpointing import TrainingState, check_resume_compatible, save_checkpoint
from .components import make_ema, make_lr_scheduler, make_noise_scheduler, make_optimizer
from .config import TrainingConfig
from .data_order import ResumableShardSampler, batch_generator
from .diffusion_loss import diffusion_loss
from .export import (
    CALIBRATION_STEPS,
    PIPELINE_FOLDER,
    build_export_pipeline,
    calibrate_on_training_data,
    save_pipeline,
)
from .run_lock import is_main_launch_process, output_dir_lock
from .setup import check_output_dir, configure_logging, create_accelerator, tracker_config
from .validation import save_sample_plot, validation_loss

logger = logging.getLogger(__name__)

_FIT_WINDOWS = 2048  # windows the scalogram normalisation is fitted on


@dataclass
class TrainingRun:
    """What the loop works with, assembled by [`prepare_run`]."""

    config: TrainingConfig
    accelerator: Accelerator
    data: PreparedData
    representation: Representation
    model: torch.nn.Module
    noise_scheduler: DDPMScheduler
    optimizer: torch.optim.Optimizer
    lr_scheduler: torch.optim.lr_scheduler.LRScheduler
    ema: EMAModel | None
    data_order: ResumableShardSampler  # which windows each batch holds (not the diffusion sampler)
    loader: DataLoader
    total_steps: int
    state: TrainingState
    run_id: str  # stamped on every checkpoint this run writes; only those are resumed from and pruned


def load_data(config: TrainingConfig) -> PreparedData:
    """Step 1: the user's data as lazy training and validation windows (errors name the bad input)."""
    return prepare_windows(
        config.data,
        columns=config.columns,
        time_column=None if config.time_column in (None, "none") else config.time_column,
        target_transform=config.target_transform,
        scaling=config.scaling,
        input_scale=config.input_scale,
        window_size=config.window_size,
        stride=config.stride,
        validation_fraction=config.validation_fraction,
        nan_policy=config.nan_policy,
        categorical=config.categorical,
        missing_values=parse_missing_values(config.missing_values),
        split=config.dataset_split,
        label_column=config.label_column,
        label_rule=config.label_rule,  # type: ignore[arg-type]
        regimes=config.regimes,
    )


def parse_missing_values(values: list[str] | None) -> list[float | str] | None:
    """Command-line sentinels as numbers where they read as numbers (`-999` matches a numeric -999)."""
    if values is None:
        return None
    parsed: list[float | str] = []
    for value in values:
        try:
            parsed.append(float(value))
        except ValueError:
            parsed.append(value)
    return parsed


def sample_windows(data: PreparedData, count: int, seed: int) -> torch.Tensor:
    """A seeded sample of training windows `[count, C, L]` (all of them when there are fewer)."""
    rng = np.random.default_rng(seed)
    indices = np.sort(rng.choice(len(data.train), size=min(count, len(data.train)), replace=False))
    return torch.stack([data.train[int(i)] for i in indices])


def find_checkpoint(config: TrainingConfig) -> Checkpoint | None:
    """Step 2: the checkpoint to resume from, its files verified and its options checked against the current ones."""
    if config.resume_from_checkpoint is None:
        return None
    record = resolve_checkpoint(config.output_dir, config.resume_from_checkpoint)
    if record is None:
        return None
    checkpoint = read_checkpoint(record)
    check_resume_compatible(checkpoint.config, config.to_dict(), checkpoint.path)
    return checkpoint


def claim_run(config: TrainingConfig, accelerator: Accelerator, checkpoint: Checkpoint | None) -> str:
    """
    Step 2b: this run's id (the checkpoint's when resuming, a new one otherwise, the same on every process), after
    making sure `output_dir` holds no other run's checkpoints and cleaning up after interrupted writes.
    """
    run_id = checkpoint.run_id if checkpoint is not None else None
    if run_id is None:
        run_id = broadcast_object_list([new_run_id()])[0]
        if checkpoint is not None:
            logger.warning(
                "%s was written before run ids; this run continues it as run %s. The older checkpoints in %s are "
                "kept and never pruned: delete them by hand when done.",
                checkpoint.path,
                run_id,
                config.output_dir,
            )
    claim_output_dir(
        config.output_dir, run_id, checkpoint is None, config.overwrite_output_dir, accelerator.is_main_process
    )
    if accelerator.is_main_process:
        for line in recover_interrupted_writes(config.output_dir):
            logger.warning("%s", line)
        write_json(Path(config.output_dir) / "training_config.json", config.to_dict())
    accelerator.wait_for_everyone()
    logger.info("Run id %s (stamped on this run's checkpoints)", run_id)
    return run_id


def prepare_run(config: TrainingConfig) -> TrainingRun:
    """Steps 1-4: data, representation, model and optimisation, data order, and the resumed state."""
    check_output_dir(config)
    accelerator = create_accelerator(config)
    configure_logging(accelerator)
    checkpoint = find_checkpoint(config)
    run_id = claim_run(config, accelerator, checkpoint)
    data = load_data(config)
    logger.info("Data:\n%s", data.report)
    # 3. The representation: fitted statistics come from the checkpoint when resuming, so they never drift.
    if checkpoint is not None:
        representation = representation_from_dict(checkpoint.representation)
    else:
        num_labels = 0 if data.labeler is None else data.labeler.num_labels
        representation = build_representation(config, sample_windows(data, _FIT_WINDOWS, config.seed), num_labels)
    set_seed(config.seed)  # identical initial weights on every process
    model = representation.build_unet(config.model_preset)
    logger.info(
        "Model: %s UNet (%s), %.2fM parameters",
        representation.name,
        config.model_preset,
        sum(p.numel() for p in model.parameters()) / 1e6,
    )
    log_device(accelerator)
    data_order = ResumableShardSampler(
        len(data.train),
        config.train_batch_size,
        config.gradient_accumulation_steps,
        config.seed,
        accelerator.process_index,
        accelerator.num_processes,
    )
    loader = DataLoader(
        data.train if data.labeler is None else data.labelled(data.train),
        batch_size=config.train_batch_size,
        sampler=data_order,
        num_workers=config.dataloader_num_workers,
    )
    total_steps = config.max_train_steps or config.num_epochs * data_order.steps_per_epoch
    optimizer = make_optimizer(config, model)
    lr_scheduler = make_lr_scheduler(config, optimizer, total_steps, accelerator.num_processes)
    ema = make_ema(config, model)
    model, optimizer, lr_scheduler = accelerator.prepare(model, optimizer, lr_scheduler)
    if ema is not None:
        # Saved and loaded by the checkpoint code as safetensors, not registered: Accelerate would pickle it.
        ema.to(accelerator.device)
    state = TrainingState()
    if checkpoint is not None:
        load_checkpoint(accelerator, checkpoint, accelerator.unwrap_model(model), ema)
        state = checkpoint.state
        logger.info(
            "Resumed from %s at step %d (epoch %d, batch %d)",
            checkpoint.path,
            state.global_step,
            state.epoch,
            state.batch_in_epoch,
        )
    return TrainingRun(
        config,
        accelerator,
        data,
        representation,
        model,
        make_noise_scheduler(config),
        optimizer,
        lr_scheduler,
        ema,
        data_order,
        loader,
        total_steps,
        state,
        run_id,
    )


def log_device(accelerator: Accelerator) -> None:
    """
    Say where the run trains; warn when a CUDA build of torch sees no GPU, since such a run silently takes CPU time
    (a GPU job that trains at CPU speed is otherwise noticed only from its step rate).
    """
    logger.info(
        "Training on %s: %d process(es), mixed precision %s",
        accelerator.device,
        accelerator.num_processes,
        accelerator.mixed_precision,
    )
    if accelerator.device.type == "cpu" and torch.version.cuda is not None and not torch.cuda.is_available():
        logger.warning(
            "torch %s is a CUDA build but sees no GPU, so this run trains on the CPU; check `nvidia-smi`, "
            "CUDA_VISIBLE_DEVICES and that the driver supports CUDA %s.",
            torch.__version__,
            torch.version.cuda,
        )


def describe_shard(run: TrainingRun) -> None:
    """Log the data plan; with several processes, also which windows each reads first (the shards are disjoint)."""
    logger.info(
        "%d training windows, %d optimizer steps per epoch, %d steps in all",
        len(run.data.train),
        run.data_order.steps_per_epoch,
        run.total_steps,
    )
    if run.accelerator.num_processes > 1:
        # Logged by every process (warning level passes the non-main filter) so a user can see the split.
        logger.warning(
            "Process %d of %d reads %d windows per epoch; first windows %s",
            run.accelerator.process_index,
            run.accelerator.num_processes,
            run.data_order.num_batches * run.data_order.batch_size,
            run.data_order.epoch_indices(run.state.epoch)[:8].tolist(),
        )


def train_step(run: TrainingRun, batch: torch.Tensor | list[torch.Tensor]) -> float:
    """Step 5a: one batch through the model; the optimizer steps once the accumulation is complete."""
    device = run.accelerator.device
    generator = batch_generator(
        run.config.seed, run.state.epoch, run.state.batch_in_epoch, run.accelerator.process_index, device
    )
    windows, labels = (batch, None) if isinstance(batch, torch.Tensor) else batch
    clean = run.representation.clean_sample(windows.to(device))
    if labels is not None:
        labels = drop_labels(labels.to(device), run.config.label_dropout, run.representation.num_labels, generator)
    with run.accelerator.accumulate(run.model):
        denoiser = partial(run.representation.denoise, run.model, labels=labels)
        loss = diffusion_loss(
            denoiser,
            clean,
            run.noise_scheduler,
            generator,
            run.config.snr_gamma,
            run.config.input_perturbation,
        )
        run.accelerator.backward(loss)
        if run.accelerator.sync_gradients and run.config.max_grad_norm > 0:
            run.accelerator.clip_grad_norm_(run.model.parameters(), run.config.max_grad_norm)
        run.optimizer.step()
        run.lr_scheduler.step()
        run.optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())


def drop_labels(labels: torch.Tensor, dropout: float, null: int, generator: torch.Generator) -> torch.Tensor:
    """
    Label dropout for classifier-free guidance: each label becomes the null label `null` with probability
    `dropout`, drawn from the batch's own generator (so a resumed run drops the same labels).
    """
    drop = torch.rand(labels.shape, generator=generator, device=labels.device) < dropout
    return torch.where(drop, torch.full_like(labels, null), labels)


def advance(run: TrainingRun) -> bool:
    """Step 5b: count the batch; returns True when it completed an optimizer step."""
    run.state.batch_in_epoch += 1
    if run.state.batch_in_epoch == run.data_order.num_batches:
        run.state.epoch += 1
        run.state.batch_in_epoch = 0
    if not run.accelerator.sync_gradients:
        return False
    if run.ema is not None:
        run.ema.step(run.model.parameters())
    run.state.global_step += 1
    return True


def export_pipeline(run: TrainingRun) -> TimeSeriesDiffusionPipeline:
    """The current (EMA) weights as a pipeline, with the data's preprocessing and this run's configuration."""
    return build_export_pipeline(
        run.accelerator.unwrap_model(run.model),
        run.ema,
        run.noise_scheduler,
        run.representation,
        run.data.preprocessor.to_dict(),
        run.config.to_dict(),
        run.config.sampler,
        None if run.data.labeler is None else run.data.labeler.to_dict(),
    )


def validate(run: TrainingRun) -> None:
    """Step 6: validation loss of the exported weights and a sample plot, on the main process."""
    if not run.accelerator.is_main_process:
        return
    pipeline = export_pipeline(run)
    metrics = {}
    if run.data.validation is not None:
        metrics["validation_loss"] = validation_loss(
            pipeline.unet,
            run.data.validation,
            run.representation,
            run.noise_scheduler,
            run.config.train_batch_size,
            run.accelerator.device,
        )
        logger.info("step %d: validation loss %.4f", run.state.global_step, metrics["validation_loss"])
        run.accelerator.log(metrics, step=run.state.global_step)
    if run.config.num_validation_samples > 0:
        path = Path(run.config.output_dir) / "samples" / f"step-{run.state.global_step:07d}.png"
        consistency_db = save_sample_plot(
            pipeline,
            run.data,
            path,
            run.config.num_validation_samples,
            run.config.validation_inference_steps,
            run.state.global_step,
        )
        if consistency_db is not None:
            run.accelerator.log({"consistency_db": consistency_db}, step=run.state.global_step)


def save_state(run: TrainingRun) -> None:
    """Step 7: a resumable checkpoint (every process takes part)."""
    save_checkpoint(
        run.accelerator,
        run.config.output_dir,
        run.state,
        run.run_id,
        run.config.to_dict(),
        run.representation.to_dict(),
        run.config.checkpoints_total_limit,
        run.accelerator.unwrap_model(run.model),
        run.optimizer,
        run.ema,
    )


def run_loop(run: TrainingRun) -> None:
    """Step 5: epochs of batches until `total_steps` optimizer steps are done."""
    config = run.config
    progress = tqdm(
        total=run.total_steps,
        initial=run.state.global_step,
        desc="Training",
        disable=not run.accelerator.is_local_main_process,
        dynamic_ncols=True,
    )
    while run.state.global_step < run.total_steps:
        run.data_order.set_epoch(run.state.epoch, start_batch=run.state.batch_in_epoch)
        for batch in run.loader:
            loss = train_step(run, batch)
            if not advance(run):
                continue
            step = run.state.global_step
            progress.update(1)
            progress.set_postfix(loss=f"{loss:.4f}", epoch=run.state.epoch)
            if step % config.logging_steps == 0:
                run.accelerator.log({"loss": loss, "lr": run.lr_scheduler.get_last_lr()[0]}, step=step)
            if step % config.checkpointing_steps == 0 or step == run.total_steps:
                save_state(run)
            if config.validation_steps and step % config.validation_steps == 0:
                validate(run)
                run.accelerator.wait_for_everyone()
            if step >= run.total_steps:
                break
    progress.close()


def train(config: TrainingConfig) -> Path:
    """
    Train a diffusion model on the configured data and save the pipeline to `output_dir/pipeline`.

    Works the same on one CPU, one GPU or several processes (`accelerate launch`); resumes exactly from a
    checkpoint with `resume_from_checkpoint`.

    Returns:
        `Path`: the saved pipeline folder.
    """
    with output_dir_lock(config.output_dir, is_main_launch_process()):
        run = prepare_run(config)
        if run.accelerator.is_main_process:
            run.accelerator.init_trackers("ts_diffusion_wavelet", config=tracker_config(config))
        logger.info("Configuration: %s", config.to_dict())
        describe_shard(run)
        run_loop(run)
        run.accelerator.wait_for_everyone()
        pipeline_path = Path(config.output_dir) / PIPELINE_FOLDER
        if run.accelerator.is_main_process:
            pipeline = export_pipeline(run)
            if config.calibrate_epsilon_scaling:
                calibrate_on_training_data(pipeline, run.data, CALIBRATION_STEPS, config.seed)
            pipeline_path = save_pipeline(pipeline, config.output_dir)
            if config.push_to_hub:
                from ..hub.push import push_trained_pipeline

                push_trained_pipeline(pipeline, pipeline_path, config)
        run.accelerator.wait_for_everyone()
        run.accelerator.end_training()
    return pipeline_path
