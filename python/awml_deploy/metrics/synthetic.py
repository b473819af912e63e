"""Seeded synthetic frames (FRAMES.json dicts) for benchmarks and randomised tests.

Ground truth is scattered over the ego area; most objects get one or two noisy predictions (position, size,
heading, sometimes the label), and every frame gets a few unmatched false positives. Scores are rounded to
``score_decimals`` so that score ties happen.
"""

from __future__ import annotations

import numpy as np

DEFAULT_LABELS = ("car", "truck", "bus", "bicycle", "pedestrian")
# The benchmarks' matching settings: five modes at four thresholds each (metres, or IoU).
BENCH_THRESHOLDS = {
    "center_distance_3d": [0.5, 1.0, 2.0, 4.0],
    "center_distance_bev": [0.5, 1.0, 2.0, 4.0],
    "plane_distance": [0.5, 1.0, 2.0, 4.0],
    "iou_bev": [0.1, 0.3, 0.5, 0.7],
    "iou_3d": [0.1, 0.3, 0.5, 0.7],
}


def bench_settings(labels) -> dict:
    """Metric settings of the benchmarks: :data:`BENCH_THRESHOLDS` for every label.

    Args:
        labels: Label names.

    Returns:
        dict: ``{"labels": [...], "thresholds": {mode: {label: [...]}}}``.
    """
    return {
        "labels": list(labels),
        "thresholds": {m: {label: t for label in labels} for m, t in BENCH_THRESHOLDS.items()},
    }


_SIZES = {
    "car": (4.5, 1.9, 1.6),
    "truck": (8.0, 2.5, 3.0),
    "bus": (11.0, 2.7, 3.2),
    "bicycle": (1.8, 0.6, 1.5),
    "pedestrian": (0.6, 0.6, 1.7),
}


def frames_3d(
    num_frames: int, objects: int = 20, seed: int = 0, labels=None, extent: float = 110.0, score_decimals: int = 3
) -> list[dict]:
    """Synthetic 3D frames.

    Args:
        num_frames (int): Number of frames.
        objects (int): Mean number of ground-truth objects per frame (predictions are about as many).
            Defaults to 20.
        seed (int): Random seed. Defaults to 0.
        labels (tuple[str, ...] | None): Labels to draw from (plus "unknown" now and then). Defaults to
            :data:`DEFAULT_LABELS`.
        extent (float): Half-width of the square the centres are drawn in, metres. Defaults to 110 (some
            objects fall outside the 100 m range filter).
        score_decimals (int): Decimals kept in scores. Defaults to 3.

    Returns:
        list[dict]: Frames in the FRAMES.json schema.
    """
    labels = DEFAULT_LABELS if labels is None else tuple(labels)
    rng = np.random.default_rng(seed)
    frames = []
    for f in range(num_frames):
        n = int(rng.poisson(objects))
        names = rng.choice(list(labels) + ["unknown"], size=n, p=[0.96 / len(labels)] * len(labels) + [0.04])
        centers = np.column_stack([rng.uniform(-extent, extent, (n, 2)), rng.uniform(-1.0, 1.0, n)])
        base = np.array([_SIZES.get(str(name), (2.0, 2.0, 2.0)) for name in names]).reshape(n, 3)
        sizes = base * rng.uniform(0.8, 1.2, (n, 3))
        yaws = rng.uniform(-np.pi, np.pi, n)
        gt, pred = [], []
        for i in range(n):
            gt.append(
                {
                    "label": str(names[i]),
                    "center": centers[i].tolist(),
                    "size": sizes[i].tolist(),
                    "yaw": float(yaws[i]),
                }
            )
            for _ in range(int(rng.choice([0, 1, 1, 1, 2]))):
                label = str(names[i]) if rng.random() < 0.92 else str(rng.choice(labels))
                noise = rng.normal(0.0, [0.6, 0.6, 0.2])
                flip = np.pi if rng.random() < 0.1 else 0.0
                yaw = float((yaws[i] + flip + rng.normal(0.0, 0.3) + np.pi) % (2 * np.pi) - np.pi)
                pred.append(
                    {
                        "label": label,
                        "center": (centers[i] + noise).tolist(),
                        "size": (sizes[i] * rng.uniform(0.85, 1.15, 3)).tolist(),
                        "yaw": yaw,
                        "score": round(float(rng.uniform(0.05, 1.0)), score_decimals),
                    }
                )
        for _ in range(int(rng.poisson(max(objects // 10, 1)))):
            label = str(rng.choice(labels))
            center = [float(rng.uniform(-extent, extent)), float(rng.uniform(-extent, extent)), 0.0]
            pred.append(
                {
                    "label": label,
                    "center": center,
                    "size": list(_SIZES[label]) if label in _SIZES else [2.0] * 3,
                    "yaw": float(rng.uniform(-np.pi, np.pi)),
                    "score": round(float(rng.uniform(0.0, 0.6)), score_decimals),
                }
            )
        order = rng.permutation(len(pred))
        frames.append({"frame_index": f, "timestamp_us": 100_000 * f, "gt": gt, "pred": [pred[j] for j in order]})
    return frames


def frames_2d(num_frames: int, objects: int = 10, seed: int = 0, labels=None, score_decimals: int = 2) -> list[dict]:
    """Synthetic 2D frames (pixel boxes in a 1920 x 1080 image); arguments as in :func:`frames_3d`."""
    labels = DEFAULT_LABELS if labels is None else tuple(labels)
    rng = np.random.default_rng(seed)
    frames = []
    for f in range(num_frames):
        gt, pred = [], []
        for _ in range(int(rng.poisson(objects))):
            label = str(rng.choice(labels))
            x1, y1 = rng.uniform(0, 1800), rng.uniform(0, 1000)
            box = [x1, y1, x1 + rng.uniform(5, 200), y1 + rng.uniform(5, 200)]
            gt.append({"label": label, "box": [float(v) for v in box]})
            for _ in range(int(rng.choice([0, 1, 1, 2]))):
                jitter = rng.normal(0.0, 8.0, 4)
                noisy = [
                    box[0] + jitter[0],
                    box[1] + jitter[1],
                    max(box[2] + jitter[2], box[0] + jitter[0]),
                    max(box[3] + jitter[3], box[1] + jitter[1]),
                ]
                plabel = label if rng.random() < 0.9 else str(rng.choice(labels))
                pred.append(
                    {
                        "label": plabel,
                        "box": [float(v) for v in noisy],
                        "score": round(float(rng.uniform(0.05, 1.0)), score_decimals),
                    }
                )
        frames.append({"frame_index": f, "timestamp_us": f, "gt": gt, "pred": pred})
    return frames


def frames_classification(num_frames: int, seed: int = 0, labels=("ok", "miscalibrated")) -> list[dict]:
    """Synthetic classification frames with missing, extra and mislabelled predictions."""
    rng = np.random.default_rng(seed)
    frames = []
    for f in range(num_frames):
        gt = [
            {"uuid": f"{f}-{i}", "label": str(rng.choice(list(labels) + ["other"]))}
            for i in range(int(rng.integers(0, 4)))
        ]
        pred = []
        for g in gt:
            if rng.random() < 0.8:
                label = g["label"] if rng.random() < 0.7 else str(rng.choice(labels))
                pred.append({"uuid": g["uuid"], "label": label, "score": float(rng.random())})
        if rng.random() < 0.3:
            pred.append({"uuid": f"{f}-extra", "label": str(rng.choice(labels)), "score": 0.5})
        frames.append({"frame_index": f, "timestamp_us": f, "gt": gt, "pred": pred})
    return frames
