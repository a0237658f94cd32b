"""What `import ts_diffusion_wavelet` loads, and the `eval` extra's packages failing with the extra's name."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from ts_diffusion_wavelet import evaluate
from ts_diffusion_wavelet.evaluation.baselines import garch_baseline

JUDGE_MODULES = ("ts_diffusion_wavelet.evaluation", "matplotlib", "arch", "sklearn", "aeon")


def test_importing_the_package_loads_the_judge_only_when_it_is_used():
    code = (
        "import sys, ts_diffusion_wavelet as tsdw\n"
        f"print(sorted(name for name in {JUDGE_MODULES!r} if name in sys.modules))\n"
        "print(tsdw.generate_report.__module__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["[]", "ts_diffusion_wavelet.evaluation.report"]


def test_the_garch_baseline_names_the_eval_extra_when_arch_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "arch", None)  # what `import arch` meets when the package is not installed
    returns = np.random.default_rng(0).standard_normal((500, 1))
    with pytest.raises(ImportError, match=r"needs the `arch` package: `pip install 'ts-diffusion-wavelet\[eval\]'`"):
        garch_baseline([returns], 2, 16)


def test_tsdw_evaluate_names_the_eval_extra_before_any_work_when_arch_is_missing(tmp_path, capsys, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "arch" else real_find_spec(name))
    arguments = ["--real", "missing.npy", "--synthetic", "missing.npy", "--output_dir", str(tmp_path)]
    with pytest.raises(SystemExit) as raised:
        evaluate.main([*arguments, "--no_classifiers"])
    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "The GARCH baseline needs arch (missing); install the evaluation extra" in error
    assert "--baselines gaussian block_bootstrap" in error
    with pytest.raises(SystemExit):  # without GARCH the run goes on, to the missing file
        evaluate.main([*arguments, "--no_classifiers", "--baselines", "gaussian"])
    assert "missing.npy" in capsys.readouterr().err
