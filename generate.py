"""Generate synthetic windows from a trained pipeline.

    python generate.py --model outputs/ts-diffusion-wavelet/pipeline --num_samples 64 \
        --num_inference_steps 50 --scheduler ddim --seed 0 --output samples.csv --plot samples.png --real eurusd

Fill gaps, forecast, or draw paths longer than a window (timestamps continued from the input):

    python generate.py --model PIPELINE --impute gappy.csv --num_samples 16 --output filled.csv
    python generate.py --model PIPELINE --forecast recent.csv --horizon 64 --num_samples 100 --output forecast.csv
    python generate.py --model PIPELINE --length 5000 --num_samples 4 --output paths.parquet

Writes CSV / Parquet (long format: sample, step, <channels>) or .npy ([N, L, C]) by the extension.
`python generate.py --help` lists every option.
"""

import sys

from ts_diffusion_wavelet.cli.generate import main

if __name__ == "__main__":
    sys.exit(main())
