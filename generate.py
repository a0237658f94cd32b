"""Generate synthetic windows from a trained pipeline.

    python generate.py --model outputs/ts-diffusion-wavelet/pipeline --num_samples 64 \
        --num_inference_steps 50 --scheduler ddim --seed 0 --output samples.csv --plot samples.png --real eurusd

Writes CSV / Parquet (long format: sample, step, <channels>) or .npy ([N, L, C]) by the extension.
`python generate.py --help` lists every option.
"""

import sys

from ts_diffusion_wavelet.cli.generate import main

if __name__ == "__main__":
    sys.exit(main())
