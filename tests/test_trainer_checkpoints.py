"""Checkpoints: rows survive a kill right after one, they belong to their run, a full disk is reported."""
import errno
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from deeparch.engine.callbacks import StoreLogger
from deeparch.course.archs import make_config
from deeparch.engine.checkpoint import CheckpointMismatch, CheckpointWriteError
from deeparch.engine.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
TINY = dict(max_steps=10, channels=4, hidden=16, eval_every=100, batch_size=16)

# a worker killed (os._exit: no flush, no finally) at the end of step KILL_AT
KILLED_WORKER = textwrap.dedent("""
    import os, sys
    import torch
    torch.set_num_threads(1)
    from deeparch.engine.callbacks import StoreLogger
    from deeparch.course.archs import load_config
    from deeparch.store import Store
    from deeparch.engine.trainer import Callback, Trainer

    root, run_id, kill_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = Store(root)

    class Kill(Callback):
        def on_step(self, trainer):
            if trainer.step == kill_at:
                os._exit(9)

    cfg = load_config(store.get_run(run_id).config)
    logger = StoreLogger(store, run_id, flush_s=3600, poll_s=3600)  # rows stay buffered between writes
    Trainer(cfg, [logger, Kill()], checkpoint=store.run_dir(run_id) / "checkpoint.pt").fit()
""")


@pytest.mark.slow  # worker processes killed
@pytest.mark.parametrize("kill_at", [6, 8])
def test_a_kill_near_a_checkpoint_leaves_one_row_per_step_after_resume(store, kill_at):
    # checkpoints at 4 and 8; the probe grid at step 6 writes the rows of steps 1-6.
    # kill at 8 (right after its checkpoint): rows 7-8 must not be lost;
    # kill at 6 (two steps past the checkpoint at 4): rows 5-6 must not be stored twice
    cfg = make_config("cnn", checkpoint_every=4, sample_every=6, **TINY)
    run_id = store.create_run(cfg.to_dict())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", KILLED_WORKER, str(store.root), str(run_id), str(kill_at)],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 9, p.stderr
    Trainer(cfg, [StoreLogger(store, run_id)], checkpoint=store.run_dir(run_id) / "checkpoint.pt").fit()
    steps = store.metrics(run_id, ["loss"])["step"].tolist()
    assert sorted(steps) == list(range(1, 11))
    assert store.media_steps(run_id, "probe") == [6, 10]


def test_checkpoint_of_another_run_is_refused_with_its_owner(tmp_path):
    ck = tmp_path / "ck.pt"
    cfg = make_config("cnn", **TINY)
    Trainer(cfg, checkpoint=ck, identity={"run_id": 3, "uid": "a1"}).fit()
    with pytest.raises(CheckpointMismatch) as e:
        Trainer(cfg, checkpoint=ck, identity={"run_id": 3, "uid": "b2"}).setup()
    msg = str(e.value)
    assert "uid a1" in msg and "uid b2" in msg and "not loaded" in msg and "Delete" in msg
    # the owner itself resumes from it
    t = Trainer(cfg, checkpoint=ck, identity={"run_id": 3, "uid": "a1"})
    t.setup()
    assert t.step == 10


def test_checkpoint_of_another_architecture_or_config_is_refused_clearly(tmp_path):
    ck = tmp_path / "ck.pt"
    Trainer(make_config("cnn", **TINY), checkpoint=ck).fit()
    with pytest.raises(CheckpointMismatch, match="belongs to a cnn run on mnist-5k, not to this rnn run"):
        Trainer(make_config("rnn", max_steps=2, hidden=8), checkpoint=ck).setup()
    with pytest.raises(CheckpointMismatch, match=r"other hyperparameters \(hidden 16, here 32\)"):
        Trainer(make_config("cnn", **{**TINY, "hidden": 32}), checkpoint=ck).setup()


def test_old_checkpoint_without_identity_loads_only_into_the_same_shapes(tmp_path):
    ck = tmp_path / "ck.pt"
    Trainer(make_config("cnn", **TINY), checkpoint=ck).fit()
    blob = torch.load(ck, weights_only=True)
    del blob["identity"], blob["config"]  # as written before checkpoints carried them
    torch.save(blob, ck)
    t = Trainer(make_config("cnn", **TINY), checkpoint=ck, identity={"run_id": 1})
    t.setup()
    assert t.step == 10
    with pytest.raises(CheckpointMismatch) as e:
        Trainer(make_config("cnn", **{**TINY, "hidden": 32}), checkpoint=ck).setup()
    assert "does not fit this cnn model" in str(e.value) and "Error(s) in loading" not in str(e.value)
    with pytest.raises(CheckpointMismatch, match="lacks"):
        Trainer(make_config("gan", max_steps=2), checkpoint=ck).setup()


def _full_disk_write(monkeypatch):
    real_open = open

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, b):
            self.f.write(bytes(b)[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(path, mode="r", *a, **kw):
        f = real_open(path, mode, *a, **kw)
        return Full(f) if str(path).endswith(".tmp") and "w" in mode else f

    monkeypatch.setattr("builtins.open", fake_open)


def test_disk_full_removes_the_tmp_file_keeps_the_old_checkpoint_and_says_why(tmp_path, monkeypatch):
    ck = tmp_path / "ck.pt"
    t = Trainer(make_config("cnn", **TINY), checkpoint=ck)
    t.fit()
    before = ck.read_bytes()
    _full_disk_write(monkeypatch)
    with pytest.raises(CheckpointWriteError, match=r"disk full while writing the checkpoint \([\d.]+ MB needed, "
                                                   r"[\d.]+ MB free"):
        t.save_checkpoint()
    assert not ck.with_suffix(".tmp").exists()
    assert ck.read_bytes() == before


def test_any_write_failure_removes_the_tmp_file(tmp_path, monkeypatch):
    ck = tmp_path / "ck.pt"
    t = Trainer(make_config("cnn", **TINY), checkpoint=ck)
    t.setup()

    def fail(*a):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError):
        t.save_checkpoint()
    assert not ck.with_suffix(".tmp").exists() and not ck.exists()


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="mounting a tmpfs needs root on Linux")
def test_disk_full_on_a_real_small_tmpfs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("mount refused")
    try:
        ck = mnt / "ck.pt"
        t = Trainer(make_config("cnn", **TINY), checkpoint=ck)
        t.fit()  # fits
        before = ck.read_bytes()
        free = shutil.disk_usage(mnt).free
        (mnt / "filler").write_bytes(b"\0" * (free - len(before) // 2))  # room for half a checkpoint
        with pytest.raises(CheckpointWriteError, match="disk full while writing the checkpoint"):
            t.save_checkpoint()
        assert sorted(p.name for p in mnt.iterdir()) == ["ck.pt", "filler"]
        assert ck.read_bytes() == before
    finally:
        subprocess.run(["umount", "--lazy", str(mnt)])  # lazy: a failed save may still hold a file
