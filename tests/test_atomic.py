"""Atomic writes: a failure mid-write leaves the previous file or folder intact and no debris."""

import pytest

from ts_diffusion_wavelet.atomic import atomic_directory, atomic_file, write_json


def test_atomic_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_file(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new"


def test_atomic_directory_keeps_the_old_folder_until_the_new_one_is_complete(tmp_path):
    target = tmp_path / "pipeline"
    target.mkdir()
    (target / "weights").write_text("v1")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as temporary:
            (temporary / "weights").write_text("partial")
            raise RuntimeError("killed while saving")
    assert (target / "weights").read_text() == "v1"
    with atomic_directory(target) as temporary:
        (temporary / "weights").write_text("v2")
    assert (target / "weights").read_text() == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipeline"]


def test_write_json_is_readable_and_sorted(tmp_path):
    write_json(tmp_path / "a" / "state.json", {"b": 1, "a": [1, 2]})
    assert (tmp_path / "a" / "state.json").read_text() == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
