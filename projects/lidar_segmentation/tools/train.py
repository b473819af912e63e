"""Trains the embedded segmentation checkpoint on synthetic scenes (CPU, minutes).

    PYTHONPATH=python:. python3 projects/lidar_segmentation/tools/train.py --time-budget 660 --threads 1

Training scenes are ``sample_scene(seed)`` for seeds ``0 .. frames - 1`` (the evaluation set starts at
``generate_dataset.EVAL_SEED0``), augmented by rotations about z in whole azimuth steps and mirroring in y (both
keep the points on the sensor's range-image grid). Loss: cross entropy with class weights ``freq**-0.5``
(normalised); Adam with a cosine learning rate over the time budget. The checkpoint with the best mIoU on the
evaluation scenes (``awml_deploy.metrics.evaluate_segmentation``) is saved as a plain fp32 state dict.
"""

from __future__ import annotations

import argparse
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


def evaluate(model, scenes: SegmentationScenes) -> object:
    """mIoU etc. of ``model`` on every evaluation frame."""
    import torch

    frames = []
    model.eval()
    with torch.no_grad():
        for i in range(len(scenes)):
            sample = scenes.get_sample(i)
            pred = model(torch.from_numpy(sample["points"])).argmax(dim=1).numpy()
            frames.append({"gt_labels": sample["gt_labels"], "pred_labels": pred})
    model.train()
    return evaluate_segmentation(frames, {"labels": list(LABELS)})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=400, help="training scenes")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--time-budget", type=float, default=660.0, help="seconds of training")
    parser.add_argument("--eval-every", type=float, default=120.0, help="seconds between evaluations")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", default=None, help="state dict to start from")
    parser.add_argument("--eval-set", default=str(ASSETS / "eval_scenes.json"))
    parser.add_argument("--out", default=str(ASSETS / "lidar_segmentation_range_w16.pth"))
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    settings = ModelSettings()
    model = build_model(settings)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu", weights_only=True))
    scenes = SegmentationScenes(args.eval_set)

    start = time.time()
    frames = [render_scene(sample_scene(seed)) for seed in range(args.frames)]
    clouds = [f.points for f in frames]
    labels = [torch.from_numpy(f.semantic.astype(np.int64)) for f in frames]
    freq = np.bincount(np.concatenate([f.semantic for f in frames]), minlength=len(LABELS)) + 1.0
    weight = (freq / freq.sum()) ** -0.5
    weight = torch.tensor(weight / weight.mean(), dtype=torch.float32)
    print(f"rendered {len(frames)} frames in {time.time() - start:.1f}s; class weights {weight.numpy().round(2)}")

    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    best, step, t0, last_eval = -1.0, 0, time.time(), time.time()
    model.train()
    while (elapsed := time.time() - t0) < args.time_budget:
        lr = args.lr * 0.5 * (1.0 + math.cos(math.pi * min(elapsed / args.time_budget, 1.0)))
        for group in opt.param_groups:
            group["lr"] = lr
        batch = rng.choice(len(frames), size=args.batch, replace=False)
        inputs = [torch.from_numpy(augment(clouds[i], rng, settings.cols)) for i in batch]
        outputs = model.forward_batch(inputs)
        loss = sum(
            torch.nn.functional.cross_entropy(o, labels[i], weight=weight) for o, i in zip(outputs, batch, strict=True)
        )
        opt.zero_grad()
        (loss / args.batch).backward()
        opt.step()
        step += 1
        if step % 25 == 0:
            print(f"step {step} t={elapsed:.0f}s lr={lr:.2e} loss={loss.item() / args.batch:.4f}", flush=True)
        if time.time() - last_eval > args.eval_every or time.time() - t0 >= args.time_budget:
            result = evaluate(model, scenes)
            ious = {k: round(v.iou, 3) for k, v in result.per_label.items()}
            print(f"eval step {step}: mIoU {result.miou:.4f} acc {result.overall_accuracy:.4f} {ious}", flush=True)
            if result.miou > best:
                best = result.miou
                torch.save({k: v.detach().clone() for k, v in model.state_dict().items()}, args.out)
                print(f"saved {args.out} (mIoU {best:.4f})", flush=True)
            last_eval = time.time()
    print(f"done: {step} steps in {time.time() - t0:.0f}s, best mIoU {best:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
