"""`accelerate launch train.py [--config FILE] [--name value ...]`: train and save a pipeline."""

from __future__ import annotations

import sys

from ..training import parse_config


def main(argv: list[str] | None = None) -> int:
    """Parse the options, train, and print where the pipeline went; bad input exits with its message."""
    try:
        config = parse_config(argv)
        from ..training.loop import train  # after parsing, so that `--help` and a typo answer without its imports

        path = train(config)
    except (ValueError, OSError) as error:  # bad input, missing files, the Hub out of reach
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Pipeline saved to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
