"""Trains the embedded-default YOLOX on freshly rendered synthetic scenes (CPU, minutes).

Every step renders a new batch (no dataset on disk, so no overfitting), letterboxes it with the same
preprocessing the deployment uses, and optimises the mmdet YOLOX losses with AdamW and a cosine schedule
over a wall-clock budget (or a fixed step count with ``--steps``, then the run is reproducible). Weights are averaged with an EMA; the EMA state dict is what gets saved (plain
tensors only, loadable with ``torch.load(..., weights_only=True)``).

Usage (from the repository root):
    python3 projects/yolox/tools/train.py --out projects/yolox/assets/yolox_pico_shapes.pth --minutes 18
"""

from __future__ import annotations

import argparse
import copy
import math
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "python")]

from projects.yolox.model import build_model, load_model_config  # noqa: E402
from projects.yolox.preprocessing import build_preprocessing_pipeline  # noqa: E402
from projects.yolox.synthetic import render_scene  # noqa: E402


def make_batch(rng, preprocess, batch_size):
    """Renders and preprocesses ``batch_size`` scenes; returns (inputs, gt_instances list, metas)."""
    import torch
    from mmengine.structures import InstanceData

    inputs, gts, metas = [], [], []
    for _ in range(batch_size):
        scene = render_scene(rng)
        tensor, meta = preprocess(scene["image"])
        scale = np.array(meta.scale_factor * 2, np.float32)
        inputs.append(tensor[0])
        gts.append(
            InstanceData(bboxes=torch.from_numpy(scene["bboxes"] * scale), labels=torch.from_numpy(scene["labels"]))
        )
        metas.append({"img_shape": meta.img_shape, "batch_input_shape": meta.input_shape})
    return torch.from_numpy(np.stack(inputs)), gts, metas


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "projects/yolox/configs/yolox_pico_shapes.py"))
    parser.add_argument("--out", required=True, help="where the EMA state dict goes")
    parser.add_argument("--minutes", type=float, default=18.0, help="wall-clock budget")
    parser.add_argument(
        "--steps", type=int, default=None, help="fixed step count (schedule by step: reproducible); overrides --minutes"
    )
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--snapshot-every", type=int, default=50)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cfg = load_model_config(args.config)
    preprocess = build_preprocessing_pipeline(cfg)
    model = build_model(cfg).train()
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    decay_params = [p for n, p in model.named_parameters() if p.ndim > 1]
    other_params = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay_params, "weight_decay": 5e-4}, {"params": other_params, "weight_decay": 0.0}], lr=args.lr
    )
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    budget = args.minutes * 60.0
    start = time.monotonic()
    step, warmup = 0, 30
    while True:
        elapsed = time.monotonic() - start
        progress = elapsed / budget if args.steps is None else step / args.steps
        if progress >= 1.0:
            break
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, gts, metas = make_batch(rng, preprocess, args.batch_size)
        feats = model.bbox_head(model.extract_feat(inputs))
        losses = model.bbox_head.loss_by_feat(*feats, gts, metas)
        loss = sum(losses.values())
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        decay = min(0.995, (1 + step) / (10 + step))
        with torch.no_grad():
            for e, m in zip(ema.state_dict().values(), model.state_dict().values(), strict=True):
                if e.dtype.is_floating_point:
                    e.mul_(decay).add_(m.detach(), alpha=1 - decay)
                else:
                    e.copy_(m)
        step += 1
        if step % 10 == 0:
            parts = " ".join(f"{k}={float(v):.3f}" for k, v in losses.items())
            print(f"step {step} t={elapsed:.0f}s lr={lr:.5f} loss={float(loss):.3f} {parts}", flush=True)
        if step % args.snapshot_every == 0:
            torch.save(ema.state_dict(), out.with_suffix(f".step{step}.pth"))
    torch.save(ema.state_dict(), out)
    print(f"done: {step} steps in {time.monotonic() - start:.0f}s -> {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
