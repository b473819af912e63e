"""core.checkpoint: mmengine training checkpoints load weights-only; nothing else runs code unless trusted."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel

from awml_deploy.core.checkpoint import read_state_dict
from awml_deploy.core.errors import DeployError


class _Tiny(BaseModel):
    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)

    def forward(self, x, mode="tensor"):
        x = torch.stack(x) if isinstance(x, list) else x
        out = self.fc(x)
        return {"loss": (out**2).mean()} if mode == "loss" else out


class _Points(torch.utils.data.Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> dict:
        return {"x": torch.full((3,), float(index))}


@pytest.fixture(scope="module")
def training_checkpoint(tmp_path_factory) -> tuple[pathlib.Path, dict]:
    """A checkpoint written by mmengine's own Runner after one epoch (meta, message_hub, optimizer, schedulers)."""
    from mmengine.runner import Runner

    work_dir = tmp_path_factory.mktemp("mmengine_run")
    runner = Runner(
        model=_Tiny(),
        work_dir=str(work_dir),
        train_dataloader={
            "dataset": _Points(),
            "batch_size": 2,
            "sampler": {"type": "DefaultSampler", "shuffle": False},
            "collate_fn": {"type": "default_collate"},
        },
        optim_wrapper={"optimizer": {"type": "AdamW", "lr": 1e-3}},
        param_scheduler=[{"type": "LinearLR", "start_factor": 0.5, "by_epoch": False, "begin": 0, "end": 2}],
        train_cfg={"by_epoch": True, "max_epochs": 1},
        default_hooks={"checkpoint": {"type": "CheckpointHook", "interval": 1}},
        randomness={"seed": 0},
    )
    runner.train()
    path = work_dir / "epoch_1.pth"
    expected = {k: v.detach().clone() for k, v in runner.model.state_dict().items()}
    return path, expected


def test_mmengine_training_checkpoint_loads_weights_only(training_checkpoint):
    path, expected = training_checkpoint
    # The file really is a full mmengine training checkpoint: plain weights_only refuses it.
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(str(path), map_location="cpu", weights_only=True)
    state = read_state_dict(path)
    assert sorted(state) == sorted(expected)
    for name, tensor in expected.items():
        assert torch.equal(state[name], tensor), name


class _Payload:
    """An object whose unpickling would create a marker file."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mknod, (str(self.marker),))


def test_unknown_pickled_object_is_refused_without_trust(training_checkpoint, tmp_path):
    path, _ = training_checkpoint
    data = torch.load(str(path), map_location="cpu", weights_only=False)
    marker = tmp_path / "PWNED"
    data["meta"]["payload"] = _Payload(marker)
    evil = tmp_path / "evil.pth"
    torch.save(data, evil)
    with pytest.raises(DeployError, match=r"outside the weights-only allowlist: \['posix.mknod'\]") as err:
        read_state_dict(evil)
    assert "\n" not in str(err.value)
    assert "project.trust_checkpoint=True" in str(err.value)
    assert not marker.exists()
    # Only explicit trust unpickles it fully (and that is what runs the file's code).
    read_state_dict(evil, trusted=True)
    assert marker.exists()


class _GetattrAbuse:
    """Pickles as getattr(HistoryBuffer, '__init__'): the admitted getattr must refuse anything but statistics."""

    def __reduce__(self):
        from mmengine.logging.history_buffer import HistoryBuffer

        return (getattr, (HistoryBuffer, "__init__"))


def test_admitted_getattr_only_reaches_history_buffer_statistics(tmp_path):
    evil = tmp_path / "getattr.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "meta": {"x": _GetattrAbuse()}}, evil)
    with pytest.raises(DeployError, match="not a HistoryBuffer statistics method"):
        read_state_dict(evil)


def test_numpy_scalars_and_plain_state_dicts_load(tmp_path):
    path = tmp_path / "plain.pth"
    torch.save({"state_dict": {"w": torch.arange(3.0)}, "meta": {"lr": np.float64(0.1), "ids": np.arange(2)}}, path)
    assert torch.equal(read_state_dict(path)["w"], torch.arange(3.0))
    bare = tmp_path / "bare.pth"
    torch.save({"w": torch.zeros(1)}, bare)
    assert list(read_state_dict(bare)) == ["w"]


def test_truncated_checkpoint_is_one_line(training_checkpoint, tmp_path):
    path, _ = training_checkpoint
    cut = tmp_path / "cut.pth"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DeployError, match="cannot be loaded weights-only") as err:
        read_state_dict(cut)
    assert "\n" not in str(err.value)
