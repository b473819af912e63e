"""A bird's-eye view of one frame: points, ground-truth and predicted boxes per backend (matplotlib, Agg)."""

from __future__ import annotations

import pathlib
from collections.abc import Mapping

import numpy as np

COLORS = {"pytorch": "tab:blue", "onnx": "tab:orange", "tensorrt": "tab:purple"}


def _corners(box: np.ndarray) -> np.ndarray:
    x, y, _, length, width, _, yaw = box[:7]
    c, s = np.cos(yaw), np.sin(yaw)
    local = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1], [1, 1]]) * [length / 2, width / 2]
    return local @ np.array([[c, s], [-s, c]]) + [x, y]


def draw_bev(
    sample: Mapping, detections: Mapping[str, Mapping], class_names: tuple[str, ...], extent: float, path: pathlib.Path
) -> pathlib.Path:
    """Draws one frame and writes a PNG.

    Args:
        sample (Mapping): The sample (points, gt_boxes, gt_labels, uuid).
        detections (Mapping[str, Mapping]): Backend -> detections (boxes, scores, labels).
        class_names (tuple[str, ...]): Class names.
        extent (float): Half width of the view in metres.
        path (pathlib.Path): Output file.

    Returns:
        pathlib.Path: The written file.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 8), dpi=100)
    pts = np.asarray(sample["points"])
    inside = (np.abs(pts[:, 0]) < extent) & (np.abs(pts[:, 1]) < extent) & (pts[:, 2] > 0.15)
    ax.scatter(pts[inside, 0], pts[inside, 1], s=1.0, c="0.45", linewidths=0)
    for i, box in enumerate(np.asarray(sample["gt_boxes"])):
        xy = _corners(box)
        ax.plot(xy[:, 0], xy[:, 1], color="tab:green", lw=1.6, label="ground truth" if i == 0 else None)
        ax.text(box[0], box[1], class_names[int(sample["gt_labels"][i])][:3], fontsize=6, color="tab:green")
    for backend, det in detections.items():
        for i, box in enumerate(np.asarray(det["boxes"])):
            if det["scores"][i] < 0.3:
                continue
            xy = _corners(box)
            style = "--" if backend != "pytorch" else "-"
            ax.plot(
                xy[:, 0], xy[:, 1], style, color=COLORS.get(backend, "k"), lw=0.9, label=backend if i == 0 else None
            )
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m, forward)")
    ax.set_ylabel("y (m, left)")
    ax.set_title(f"frame {sample.get('uuid', '')}: ground truth and predictions (score >= 0.3)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
