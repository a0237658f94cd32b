"""Train a diffusion model on time series: `accelerate launch train.py [--config FILE.yaml] [--name value ...]`.

With no options it trains on the bundled EUR/USD rates and saves the pipeline to
`outputs/ts-diffusion-wavelet/pipeline`. `python train.py --help` lists every option (see `config.py`).
"""

import sys

from ts_diffusion_wavelet.cli.train import main

if __name__ == "__main__":
    sys.exit(main())
