"""Training under Accelerate: configuration, the loop in named steps, checkpoints that survive faults."""

from .config import TrainingConfig
from .config_parsing import TrainingConfigParser, config_from_dict, parse_config

__all__ = ["TrainingConfig", "TrainingConfigParser", "config_from_dict", "parse_config"]
