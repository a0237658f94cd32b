"""The training configuration: `TrainingConfig`, one typed dataclass with a help text per field.

The dataclass lives in the package (`ts_diffusion_wavelet.training.config`) so that installed users have it too;
this file is the project-root view of it. `python config.py` prints the defaults as YAML, a starting point for
`train.py --config FILE.yaml` (options given here change them: `python config.py --window_size 64`);
`python config.py --help` prints every option with its help.
"""

import yaml

from ts_diffusion_wavelet.training import TrainingConfig, parse_config

__all__ = ["TrainingConfig", "parse_config"]

if __name__ == "__main__":
    print(yaml.safe_dump(parse_config().to_dict(), sort_keys=False), end="")
