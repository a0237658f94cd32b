"""Training under Accelerate: configuration, the loop in named steps, checkpoints that survive faults."""

from .config import TrainingConfig
from .config_parsing import format_help, parse_config, validate_config

__all__ = ["TrainingConfig", "format_help", "parse_config", "validate_config"]
