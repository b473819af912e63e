"""Report pictures of an evaluation: per-class precision-recall curves and centre/size/yaw error histograms of
matched boxes, one line or bar set per backend (matplotlib, Agg).

Matching for the pictures: per frame and class, predictions by descending score, each takes the nearest unmatched
ground truth within ``match_distance`` metres in BEV (the ``center_distance_bev`` rule of METRICS.md at one
threshold). The reported mAP numbers come from :mod:`awml_deploy.metrics`, not from here.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence

import numpy as np

from projects.centerpoint.bev import COLORS


def match_frames(
    frames: Sequence[Mapping], label: str, match_distance: float
) -> tuple[np.ndarray, np.ndarray, int, list]:
    """Greedy BEV-centre matching of one class over frames (METRICS.md object schema).

    Args:
        frames (Sequence[Mapping]): ``{"gt": [...], "pred": [...]}`` per frame.
        label (str): The class.
        match_distance (float): Match radius in metres.

    Returns:
        tuple: scores (P,), true-positive flags (P,), number of ground truths, matched (pred, gt) object pairs.
    """
    scores, tps, pairs, num_gt = [], [], [], 0
    for frame in frames:
        gts = [g for g in frame["gt"] if g["label"] == label]
        preds = sorted((p for p in frame["pred"] if p["label"] == label), key=lambda p: -p["score"])
        num_gt += len(gts)
        centres = np.array([g["center"][:2] for g in gts], np.float64).reshape(-1, 2)
        used = np.zeros(len(gts), bool)
        for pred in preds:
            dist = np.hypot(*(centres - np.asarray(pred["center"][:2])).T) if len(gts) else np.zeros(0)
            dist[used] = np.inf
            j = int(np.argmin(dist)) if len(dist) else -1
            hit = j >= 0 and dist[j] < match_distance
            if hit:
                used[j] = True
                pairs.append((pred, gts[j]))
            scores.append(pred["score"])
            tps.append(hit)
    return np.asarray(scores, np.float64), np.asarray(tps, bool), num_gt, pairs


def pr_curve(scores: np.ndarray, tps: np.ndarray, num_gt: int) -> tuple[np.ndarray, np.ndarray]:
    """(recall, precision) over descending score thresholds."""
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(tps[order])
    fp = np.cumsum(~tps[order])
    return tp / max(num_gt, 1), tp / np.maximum(tp + fp, 1)


def _wrap(angle: np.ndarray) -> np.ndarray:
    return np.abs((angle + np.pi) % (2 * np.pi) - np.pi)


def draw_evaluation(
    frames_by_backend: Mapping[str, Sequence[Mapping]],
    labels: Sequence[str],
    out_dir: pathlib.Path,
    match_distance: float | None = None,
) -> list[pathlib.Path]:
    """Writes ``pr_curves.png`` and ``box_errors.png``.

    Args:
        frames_by_backend (Mapping[str, Sequence[Mapping]]): Backend -> evaluated frames.
        labels (Sequence[str]): Classes.
        out_dir (pathlib.Path): The run directory.
        match_distance (float | None): BEV match radius. Defaults to 2 m.

    Returns:
        list[pathlib.Path]: The files written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    match_distance = 2.0 if match_distance is None else match_distance
    cols = min(len(labels), 3)
    rows = -(-len(labels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.4 * rows), dpi=100, squeeze=False)
    errors: dict[str, dict[str, list]] = {}
    for k, label in enumerate(labels):
        ax = axes[k // cols][k % cols]
        for backend, frames in frames_by_backend.items():
            scores, tps, num_gt, pairs = match_frames(frames, label, match_distance)
            recall, precision = pr_curve(scores, tps, num_gt)
            style = "-" if backend == "pytorch" else "--"
            ax.plot(recall, precision, style, color=COLORS.get(backend, "k"), label=f"{backend} ({num_gt} GT)")
            err = errors.setdefault(backend, {"center": [], "size": [], "yaw": []})
            for pred, gt in pairs:
                err["center"].append(float(np.linalg.norm(np.subtract(pred["center"], gt["center"]))))
                err["size"].append(float(np.linalg.norm(np.subtract(pred["size"], gt["size"]))))
                err["yaw"].append(float(_wrap(np.asarray(pred["yaw"] - gt["yaw"]))))
        ax.set(title=label, xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=7, loc="lower left")
    for k in range(len(labels), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle(f"precision-recall per class (BEV centre distance < {match_distance:g} m)")
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    pr_path = out_dir / "pr_curves.png"
    fig.savefig(pr_path)
    plt.close(fig)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), dpi=100)
    units = {"center": "centre error (m)", "size": "size error |dl, dw, dh| (m)", "yaw": "yaw error (rad)"}
    for ax, (key, title) in zip(axes, units.items(), strict=True):
        for backend, err in errors.items():
            if err[key]:
                ax.hist(err[key], bins=30, histtype="step", color=COLORS.get(backend, "k"), label=backend)
        ax.set(xlabel=title, ylabel="matched boxes")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no matched boxes", ha="center", transform=ax.transAxes)
    fig.suptitle("errors of matched boxes, all classes")
    fig.tight_layout()
    hist_path = out_dir / "box_errors.png"
    fig.savefig(hist_path)
    plt.close(fig)
    return [pr_path, hist_path]
