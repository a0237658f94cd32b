"""`tsdw-push PIPELINE_FOLDER REPO_ID` (or `python -m ts_diffusion_wavelet.cli.push`): upload a saved run."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..hub.push import push_saved_pipeline
from ..pipeline_loading import load_pipeline


def main(argv: list[str] | None = None) -> int:
    """`tsdw-push PIPELINE_FOLDER REPO_ID`: upload a saved pipeline with its model card."""
    parser = argparse.ArgumentParser(prog="tsdw-push", description=main.__doc__)
    parser.add_argument("pipeline", help="Folder written by save_pretrained (e.g. outputs/run/pipeline).")
    parser.add_argument("repo_id", help="Hub repo id, e.g. user/eurusd-scalogram-diffusion.")
    parser.add_argument(
        "--token",
        default=None,
        help="Hub token with write access; discouraged (others can read a command line): log in once with "
        "`hf auth login` or set HF_TOKEN instead.",
    )
    parser.add_argument("--private", action="store_true", help="Create the repo as private.")
    parser.add_argument("--evaluation", default=None, help="Markdown evaluation summary (e.g. report/summary.md).")
    parser.add_argument(
        "--sample_plot",
        default=None,
        help="PNG for the card (default: the run's latest samples/*.png, or a new plot).",
    )
    parser.add_argument("--create_pr", action="store_true", help="Open a pull request instead of committing.")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.INFO)
    try:
        if args.evaluation and not Path(args.evaluation).is_file():
            raise FileNotFoundError(f"--evaluation {args.evaluation}: no such file.")
        commit = push_saved_pipeline(
            load_pipeline(args.pipeline),
            args.pipeline,
            args.repo_id,
            token=args.token,
            private=args.private or None,
            create_pr=args.create_pr,
            evaluation=Path(args.evaluation).read_text(encoding="utf-8") if args.evaluation else None,
            sample_plot=args.sample_plot,
        )
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Uploaded: {commit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
