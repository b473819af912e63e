"""Trains the embedded segmentation checkpoint on synthetic scenes (CPU, about 15 CPU-minutes, reproducible).

    PYTHONPATH=python:. nice python3 projects/lidar_segmentation/tools/train.py          # the committed recipe

Three disjoint seed ranges (``sample_scene(seed)``):

- training: seeds ``0 .. frames - 1``, augmented by rotations about z in whole azimuth steps and mirroring in y
  (both keep the points on the sensor's range-image grid);
- validation (model selection): seeds ``VAL_SEED0 .. VAL_SEED0 + val_frames - 1``, rendered in memory;
- evaluation (the deploy gate, ``assets/eval_scenes.json``): seeds from ``generate_dataset.EVAL_SEED0``; it is
  scored once, on the selected checkpoint, and never used for a decision.

Loss: cross entropy with class weights ``freq**-0.5`` (normalised); Adam with a cosine learning rate over a fixed
number of steps. Every ``eval_every`` steps the validation mIoU is computed and the best checkpoint kept as a plain
fp32 state dict. The run is a pure function of its arguments: one thread, ``torch.manual_seed(seed)``, a NumPy
generator seeded with ``seed`` and ``torch.use_deterministic_algorithms(True)``, so a rerun on the same torch build
writes the same weights: the printed ``weights sha256`` (over parameter names and tensor bytes; the file's own
bytes hold a random serialisation id) is recorded in ``assets/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import pathlib
import sys
import time

_ROOT = pathlib.Path(__file__).resolve().parents[3]
for _p in (str(_ROOT), str(_ROOT / "python")):
    if _p not in sys.path:
        sys.path.append(_p)

import numpy as np  # noqa: E402

from awml_deploy.datasets.synthetic_lidar import render_scene, sample_scene  # noqa: E402
from awml_deploy.metrics import evaluate_segmentation  # noqa: E402
from projects.lidar_segmentation.dataset import LABELS, SegmentationScenes  # noqa: E402
from projects.lidar_segmentation.model import ModelSettings, build_model  # noqa: E402

ASSETS = _ROOT / "projects" / "lidar_segmentation" / "assets"
VAL_SEED0 = 800_000  # validation scenes: below generate_dataset.EVAL_SEED0 (900_000), above any training seed


def augment(points: np.ndarray, rng: np.random.Generator, cols: int) -> np.ndarray:
    """Rotation about z by a whole number of azimuth steps, then a mirror in y with probability 0.5."""
    angle = rng.integers(cols) * (2.0 * math.pi / cols)
    c, s = math.cos(angle), math.sin(angle)
    out = points.copy()
    out[:, 0] = c * points[:, 0] - s * points[:, 1]
    out[:, 1] = s * points[:, 0] + c * points[:, 1]
    if rng.uniform() < 0.5:
        out[:, 1] = -out[:, 1]
    return out


def evaluate(model, frames: list[dict]) -> object:
    """mIoU etc. of ``model`` on ``frames`` (``{"points", "gt_labels"}``)."""
    import torch

    pairs = []
    model.eval()
    with torch.no_grad():
        for frame in frames:
            pred = model(torch.from_numpy(frame["points"])).argmax(dim=1).numpy()
            pairs.append({"gt_labels": frame["gt_labels"], "pred_labels": pred})
    model.train()
    return evaluate_segmentation(pairs, {"labels": list(LABELS)})


def rendered(seeds: range) -> list[dict]:
    """``{"points", "gt_labels"}`` of ``sample_scene(seed)`` for each seed."""
    frames = [render_scene(sample_scene(seed)) for seed in seeds]
    return [{"points": f.points, "gt_labels": f.semantic.astype(np.int64)} for f in frames]


def weights_digest(state: dict) -> str:
    """sha256 over the sorted parameter names and their tensor bytes (independent of the file container)."""
    digest = hashlib.sha256()
    for name in sorted(state):
        digest.update(name.encode())
        digest.update(state[name].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=400, help="training scenes (seeds 0 .. frames - 1)")
    parser.add_argument("--val-frames", type=int, default=16, help="validation scenes (seeds VAL_SEED0 ..)")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--steps", type=int, default=2000, help="optimizer steps")
    parser.add_argument("--eval-every", type=int, default=250, help="steps between validation evaluations")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-set", default=str(ASSETS / "eval_scenes.json"), help="scored once at the end")
    parser.add_argument("--out", default=str(ASSETS / "lidar_segmentation_range_w16.pth"))
    args = parser.parse_args(argv)
    if not 0 < args.frames < VAL_SEED0:
        parser.error(f"--frames must be in (0, {VAL_SEED0}) so training and validation seeds stay disjoint")

    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    settings = ModelSettings()
    model = build_model(settings)

    start = time.time()
    train = rendered(range(args.frames))
    val = rendered(range(VAL_SEED0, VAL_SEED0 + args.val_frames))
    labels = [torch.from_numpy(f["gt_labels"]) for f in train]
    freq = np.bincount(np.concatenate([f["gt_labels"] for f in train]), minlength=len(LABELS)) + 1.0
    weight = (freq / freq.sum()) ** -0.5
    weight = torch.tensor(weight / weight.mean(), dtype=torch.float32)
    print(f"rendered {len(train)} + {len(val)} frames in {time.time() - start:.1f}s; class weights {weight.numpy()}")

    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    best, best_step, t0 = -1.0, 0, time.time()
    model.train()
    for step in range(1, args.steps + 1):
        lr = args.lr * 0.5 * (1.0 + math.cos(math.pi * (step - 1) / args.steps))
        for group in opt.param_groups:
            group["lr"] = lr
        batch = rng.choice(len(train), size=args.batch, replace=False)
        inputs = [torch.from_numpy(augment(train[i]["points"], rng, settings.cols)) for i in batch]
        outputs = model.forward_batch(inputs)
        loss = sum(
            torch.nn.functional.cross_entropy(o, labels[i], weight=weight) for o, i in zip(outputs, batch, strict=True)
        )
        opt.zero_grad()
        (loss / args.batch).backward()
        opt.step()
        if step % 25 == 0:
            print(f"step {step} t={time.time() - t0:.0f}s lr={lr:.2e} loss={loss.item() / args.batch:.4f}", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            result = evaluate(model, val)
            print(f"validation step {step}: mIoU {result.miou:.4f} acc {result.overall_accuracy:.4f}", flush=True)
            if result.miou > best:
                best, best_step = result.miou, step
                torch.save({k: v.detach().clone() for k, v in model.state_dict().items()}, args.out)
    state = torch.load(args.out, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    scenes = SegmentationScenes(args.eval_set)
    final = evaluate(model, [scenes.get_sample(i) for i in range(len(scenes))])
    ious = {k: round(v.iou, 4) for k, v in final.per_label.items()}
    print(f"selected step {best_step} (validation mIoU {best:.4f}); evaluation-set mIoU {final.miou:.4f} {ious}")
    print(f"wrote {args.out} weights sha256 {weights_digest(state)} in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
