"""One training run per output folder: a second run stops before touching anything, and a killed run frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_training import tiny_config

from ts_diffusion_wavelet.training.loop import train
from ts_diffusion_wavelet.training.run_lock import LOCK_NAME, OWNER_NAME, OutputDirBusyError, output_dir_lock

HOLD = """
import sys, time
from ts_diffusion_wavelet.training.run_lock import output_dir_lock
with output_dir_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


def hold_in_another_process(folder: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_run_stops_before_writing_and_names_the_holder(tmp_path):
    holder = hold_in_another_process(tmp_path)
    try:
        with pytest.raises(OutputDirBusyError) as caught:
            train(tiny_config(tmp_path, "--max_train_steps", "2"))
        message = str(caught.value)
        assert f"Another training run is writing to {tmp_path} (process {holder.pid} on " in message
        assert message.endswith("Wait for it to finish, stop it, or pass another --output_dir.")
        assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME, OWNER_NAME]  # nothing written or moved
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_run_leaves_no_stale_lock_and_the_lock_is_released_after_a_run(tmp_path):
    holder = hold_in_another_process(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with output_dir_lock(tmp_path):  # the operating system released the dead process's lock
        pass
    train(tiny_config(tmp_path, "--max_train_steps", "2", "--checkpointing_steps", "100"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".training")) == []  # nothing left behind
    with output_dir_lock(tmp_path):  # the finished run let go
        started = time.monotonic()
        with pytest.raises(OutputDirBusyError, match="process"):
            with output_dir_lock(tmp_path):
                pass
        assert time.monotonic() - started < 5  # refused at once, not after a wait


def test_other_processes_of_a_launch_do_not_take_the_lock(tmp_path):
    with output_dir_lock(tmp_path), output_dir_lock(tmp_path, enabled=False):
        pass
