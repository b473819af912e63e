"""Trains the tiny CenterPoint of the embedded default on synthetic scenes (CPU, mmdet3d model, plain torch loop).

Reads the train set written by ``generate_dataset.py`` (an info ``.pkl`` + point files), trains with
``model.loss()`` under AdamW (warm-up + cosine LR) for ``--iters`` iterations or ``--time-budget`` seconds,
with global rotation / flip / scale augmentation, then evaluates on the committed evaluation scenes with a
simple centre-distance AP (greedy matching by score, BEV centre distance, 101-point interpolated AP) and saves
a plain fp32 ``state_dict`` (loadable with ``torch.load(..., weights_only=True)``).

How the committed checkpoint was made (2-core machine shared with other jobs, 1 torch thread)::

    PYTHONPATH=python python3 projects/centerpoint/tools/generate_dataset.py --which all
    PYTHONPATH=python python3 projects/centerpoint/tools/train.py --lr 2e-3 --time-budget 1500 --out /tmp/stage1.pth
    PYTHONPATH=python python3 projects/centerpoint/tools/train.py --init /tmp/stage1.pth --lr 1e-3 --seed 1 \
        --time-budget 1200 --out /tmp/stage2.pth
    # stage 3, after the switch to canonical box labels (synthetic_lidar.canonical_boxes): ~450 iterations
    PYTHONPATH=python python3 projects/centerpoint/tools/train.py --init /tmp/stage2.pth --lr 1e-3 --seed 2 \
        --iters 100000 --time-budget 1140

Seeds fix the data order and augmentation; a run bounded by ``--iters`` (large ``--time-budget``) is
repeatable, one bounded by time stops after as many iterations as the machine managed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

from awml_deploy.datasets import info_pkl, synthetic_lidar, synthetic_set

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
DEFAULT_CONFIG = os.path.join(PROJECT, "configs", "centerpoint_tiny_synthetic.py")
DEFAULT_EVAL_JSON = os.path.join(PROJECT, "assets", "eval_scenes.json")
THRESHOLDS = (0.5, 1.0, 2.0, 4.0)


def build_model(config_path: str, checkpoint: str | None = None):
    """Builds the config's mmdet3d model on CPU and optionally loads a state dict (weights_only).

    Returns:
        tuple: (model, mmengine Config).
    """
    import mmdet.models  # noqa: F401  registers mmdet modules (losses)
    import mmdet3d.models  # noqa: F401  registers mmdet3d modules
    import torch
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet3d")
    cfg = Config.fromfile(config_path)
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True))
    return model, cfg


def speed_up_pillar_batchnorm() -> None:
    """Training-only speed patch: mmdet3d's last PFN layer normalises ``[V, C, P]`` (channels in the middle),
    which PyTorch's CPU BatchNorm handles ~5x slower than the same statistics over ``[V * P, C]``. The patched
    forward computes the same function (same per-channel statistics and running-stat updates) with the fast
    layout; weights and the saved state dict are unchanged, and inference/export use the stock module.
    """
    import torch
    from mmdet3d.models.voxel_encoders import utils as vfe_utils

    def forward(self, inputs, num_voxels=None, aligned_distance=None):
        if self.mode != "max" or aligned_distance is not None or not self.last_vfe:
            return stock_forward(self, inputs, num_voxels, aligned_distance)
        x = self.linear(inputs)
        x = torch.relu(self.norm(x.reshape(-1, x.shape[-1])).reshape(x.shape))
        return torch.max(x, dim=1, keepdim=True)[0]

    stock_forward = vfe_utils.PFNLayer.forward
    vfe_utils.PFNLayer.forward = forward


def augment(points: np.ndarray, boxes: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Global flip (x and y), rotation about z (+-45 deg) and scaling (0.95..1.05) of points and boxes.

    The boxes come back in :func:`synthetic_lidar.canonical_boxes` form (``l >= w``, yaw in [-pi/4, 3pi/4)), the
    form of the generated labels: the rendered cuboids look the same turned by pi, so only the canonical yaw is
    a function of the points (an arbitrary one of the equivalent headings gives the rot head no usable target).
    """
    points, boxes = points.copy(), boxes.copy()
    if rng.uniform() < 0.5:  # mirror y
        points[:, 1] *= -1
        boxes[:, 1] *= -1
        boxes[:, 6] *= -1
    if rng.uniform() < 0.5:  # mirror x
        points[:, 0] *= -1
        boxes[:, 0] *= -1
        boxes[:, 6] = math.pi - boxes[:, 6]
    angle = rng.uniform(-math.pi / 4, math.pi / 4)
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]], dtype=np.float32)
    points[:, :2] = points[:, :2] @ rot.T
    boxes[:, :2] = boxes[:, :2] @ rot.T
    boxes[:, 6] += angle
    scale = rng.uniform(0.95, 1.05)
    points[:, :3] *= scale
    boxes[:, :6] *= scale
    return points, synthetic_lidar.canonical_boxes(boxes)


def make_sample(boxes: np.ndarray | None = None, labels: np.ndarray | None = None):
    """A Det3DDataSample with LiDAR box type and optional gravity-centre GT boxes (velocity 0)."""
    import torch
    from mmdet3d.structures import Det3DDataSample, LiDARInstance3DBoxes
    from mmengine.structures import InstanceData

    sample = Det3DDataSample(metainfo=dict(box_type_3d=LiDARInstance3DBoxes))
    if boxes is not None:
        gt = InstanceData()
        box9 = np.concatenate([boxes, np.zeros((len(boxes), 2), np.float32)], axis=1)
        gt.bboxes_3d = LiDARInstance3DBoxes(torch.from_numpy(box9), box_dim=9, origin=(0.5, 0.5, 0.5))
        gt.labels_3d = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        sample.gt_instances_3d = gt
    return sample


def predict(model, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs mmdet3d inference on one cloud.

    Returns:
        tuple: boxes (K, 7) gravity centre (x, y, z, dx, dy, dz, yaw), scores (K,), labels (K,).
    """
    import torch

    with torch.no_grad():
        data = model.data_preprocessor(
            {"inputs": {"points": [torch.from_numpy(points)]}, "data_samples": [make_sample()]}, False
        )
        pred = model(**data, mode="predict")[0].pred_instances_3d
    b = pred.bboxes_3d
    boxes = torch.cat([b.gravity_center, b.dims, b.yaw[:, None]], dim=1).numpy()
    return boxes, pred.scores_3d.numpy(), pred.labels_3d.numpy()


def average_precision_101(scores: np.ndarray, is_tp: np.ndarray, num_gt: int) -> float:
    """101-point interpolated AP of score-ranked detections (NaN when there is no ground truth)."""
    if num_gt == 0:
        return float("nan")
    if len(scores) == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(is_tp[order])
    fp = np.cumsum(~is_tp[order])
    recall = tp / num_gt
    precision = tp / np.maximum(tp + fp, 1)
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # interpolate: max precision at recall >= r
    points = np.linspace(0.0, 1.0, 101)
    idx = np.searchsorted(recall, points, side="left")
    return float(np.mean(np.where(idx < len(recall), precision[np.minimum(idx, len(recall) - 1)], 0.0)))


def centre_distance_ap(frames: list[dict], num_classes: int, thresholds: tuple[float, ...] = THRESHOLDS) -> np.ndarray:
    """AP per (class, threshold): greedy matching by score on BEV centre distance, per frame.

    Args:
        frames (list[dict]): Each with ``gt_boxes, gt_labels, boxes, scores, labels`` (boxes as (K, 7)).
        num_classes (int): Number of classes.
        thresholds (tuple[float, ...]): Matching distances (m).

    Returns:
        np.ndarray: (num_classes, len(thresholds)) AP, NaN for classes without ground truth.
    """
    ap = np.full((num_classes, len(thresholds)), np.nan)
    for c in range(num_classes):
        for t, thr in enumerate(thresholds):
            scores, tps, num_gt = [], [], 0
            for f in frames:
                gt = f["gt_boxes"][f["gt_labels"] == c]
                sel = f["labels"] == c
                pb, ps = f["boxes"][sel], f["scores"][sel]
                num_gt += len(gt)
                used = np.zeros(len(gt), dtype=bool)
                for k in np.argsort(-ps, kind="stable"):
                    tp = False
                    if len(gt):
                        d = np.hypot(gt[:, 0] - pb[k, 0], gt[:, 1] - pb[k, 1])
                        d[used] = np.inf
                        j = int(np.argmin(d))
                        if d[j] < thr:
                            used[j] = tp = True
                    scores.append(ps[k])
                    tps.append(tp)
            ap[c, t] = average_precision_101(np.asarray(scores), np.asarray(tps, dtype=bool), num_gt)
    return ap


def evaluate(model, info: info_pkl.InfoFile, limit: int | None = None) -> tuple[np.ndarray, float, list[dict]]:
    """Centre-distance AP of ``model`` on an info file's frames.

    Returns:
        tuple: AP (classes x :data:`THRESHOLDS`), mean inference time per frame (s), the per-frame results.
    """
    model.eval()
    frames, elapsed = [], 0.0
    for fr in info.frames[:limit]:
        points = info_pkl.load_points(fr)
        start = time.perf_counter()
        boxes, scores, labels = predict(model, points)
        elapsed += time.perf_counter() - start
        frames.append(dict(gt_boxes=fr.gt_boxes, gt_labels=fr.gt_labels, boxes=boxes, scores=scores, labels=labels))
    return centre_distance_ap(frames, len(info.classes)), elapsed / max(len(frames), 1), frames


def official_ap(frames: list[dict], classes: tuple[str, ...]) -> np.ndarray | None:
    """The same AP table from ``awml_deploy.metrics`` (autoware_perception_evaluation semantics), if present."""
    try:
        from awml_deploy.metrics import evaluate_detection3d
    except ImportError:
        return None

    def objects(boxes, labels, scores=None):
        return [
            {"label": classes[k], "center": b[:3].tolist(), "size": b[3:6].tolist(), "yaw": float(b[6])}
            | ({} if scores is None else {"score": float(scores[i])})
            for i, (b, k) in enumerate(zip(boxes, labels, strict=True))
        ]

    doc = {
        "frames": [
            {
                "frame_index": i,
                "timestamp_us": i,
                "gt": objects(f["gt_boxes"], f["gt_labels"]),
                "pred": objects(f["boxes"], f["labels"], f["scores"]),
            }
            for i, f in enumerate(frames)
        ]
    }
    thresholds = {
        mode: {c: list(THRESHOLDS) for c in classes} for mode in ("center_distance_bev", "center_distance_3d")
    }
    result = evaluate_detection3d(doc, {"labels": list(classes), "thresholds": thresholds})
    return np.array([[result.modes[m].per_label[c].ap for c in classes] for m in thresholds])


def format_ap(ap: np.ndarray, classes: tuple[str, ...]) -> str:
    """A small table: class x threshold."""
    lines = ["class        " + " ".join(f"@{t:>4}m" for t in THRESHOLDS)]
    for c, name in enumerate(classes):
        lines.append(f"{name:<12} " + " ".join(f"{v:6.3f}" for v in ap[c]))
    lines.append("mAP          " + " ".join(f"{v:6.3f}" for v in np.nanmean(ap, axis=0)))
    return "\n".join(lines)


def train(args: argparse.Namespace) -> None:
    """Training loop (see module docstring)."""
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    speed_up_pillar_batchnorm()
    rng = np.random.default_rng(args.seed)
    model, _ = build_model(args.config, args.init)
    info = info_pkl.load_info_pkl(args.train_info)
    print(f"train frames: {len(info.frames)}, params: {sum(p.numel() for p in model.parameters())}", flush=True)
    clouds = [info_pkl.load_points(fr) for fr in info.frames]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    model.train()
    start, it = time.time(), 0
    log_sum: dict[str, float] = {}
    while it < args.iters and time.time() - start < args.time_budget:
        idx = rng.choice(len(clouds), size=args.batch, replace=False)
        pts, samples = [], []
        for i in idx:
            p, b = augment(clouds[i], info.frames[i].gt_boxes, rng)
            pts.append(torch.from_numpy(p))
            samples.append(make_sample(b, info.frames[i].gt_labels))
        # Warm-up then cosine decay over the run; progress is the larger of iterations and time used, so that a
        # run stopped by --time-budget still ends at a low learning rate.
        progress = max(it / args.iters, (time.time() - start) / args.time_budget)
        lr = args.lr * (
            0.1 + 0.9 * progress / 0.05 if progress < 0.05 else 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress))
        )
        for group in opt.param_groups:
            group["lr"] = lr
        data = model.data_preprocessor({"inputs": {"points": pts}, "data_samples": samples}, True)
        loss, log = model.parse_losses(model(**data, mode="loss"))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 35.0)
        opt.step()
        it += 1
        for k, v in log.items():
            log_sum[k] = log_sum.get(k, 0.0) + float(v.detach() if hasattr(v, "detach") else v)
        if it % args.log_every == 0:
            avg = " ".join(f"{k}={v / args.log_every:.3f}" for k, v in log_sum.items())
            print(f"it {it}/{args.iters} {time.time() - start:.0f}s lr={lr:.2e} {avg}", flush=True)
            log_sum = {}
        if args.save_every and it % args.save_every == 0:
            save(model, args.out)
    print(f"trained {it} iterations in {time.time() - start:.0f} s", flush=True)
    save(model, args.out)


def save(model, path: str) -> None:
    """Saves a plain fp32 state dict."""
    import torch

    state = {
        k: v.detach().clone().float() if v.is_floating_point() else v.detach().clone()
        for k, v in model.state_dict().items()
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(state, path)
    print(f"saved {path} ({os.path.getsize(path)} B)", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument(
        "--train-info", default=os.path.join(tempfile.gettempdir(), "awml_centerpoint_synthetic", "train", "infos.pkl")
    )
    parser.add_argument("--out", default=os.path.join(PROJECT, "assets", "centerpoint_tiny_synthetic.pth"))
    parser.add_argument("--iters", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--time-budget", type=float, default=1800.0, help="stop after this many seconds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core machine)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--save-every", type=int, default=200)
    parser.add_argument("--init", default=None, help="start from this state dict (fine-tuning)")
    parser.add_argument("--eval-only", action="store_true", help="skip training, evaluate --out")
    parser.add_argument("--eval-json", default=DEFAULT_EVAL_JSON)
    parser.add_argument("--eval-dir", default=os.path.join(tempfile.gettempdir(), "awml_centerpoint_synthetic", "eval"))
    parser.add_argument("--eval-limit", type=int, default=None)
    args = parser.parse_args(argv)

    if not args.eval_only:
        train(args)
    import torch

    torch.set_num_threads(args.threads)
    model, _ = build_model(args.config, args.out)
    info = info_pkl.load_info_pkl(synthetic_set.materialize_scene_set(args.eval_json, args.eval_dir, args.eval_limit))
    ap, sec, frames = evaluate(model, info)
    print(f"eval on {len(info.frames)} frames, {1000 * sec:.0f} ms/frame (mmdet3d predict, CPU)")
    print("own evaluator (greedy by score, BEV centre distance, 101-point AP):")
    print(format_ap(ap, info.classes))
    official = official_ap(frames, info.classes)
    if official is not None:
        print("awml_deploy.metrics, center_distance_bev:")
        print(format_ap(official[0], info.classes))
        print("awml_deploy.metrics, center_distance_3d:")
        print(format_ap(official[1], info.classes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
