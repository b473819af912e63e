"""A straightforward per-object implementation of METRICS.md: the test oracle and the benchmark baseline.

Plain Python loops over frames, predictions and ground truth, ``math`` for the geometry, shapely ``Polygon``
per pair for intersections (as the reference library does), and its own transcription of ``numpy.interp``.
It shares no code with the vectorised engine except the settings parser; never use it for real evaluations.
Input: validated settings and frames as parsed JSON dicts. Output: the same JSON dict as ``to_json_dict()``.
"""

from __future__ import annotations

import math
from typing import Any

from awml_deploy.metrics.settings import (
    IOU_MODES,
    parse_classification_settings,
    parse_detection2d_settings,
    parse_detection3d_settings,
)

_LOCAL = ((1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0))


def _corners(obj: dict) -> list[tuple[float, float]]:
    (x, y, _), (length, width, _), yaw = obj["center"], obj["size"], obj["yaw"]
    c, s = math.cos(yaw), math.sin(yaw)
    return [
        (sx * length / 2 * c - sy * width / 2 * s + x, sx * length / 2 * s + sy * width / 2 * c + y)
        for sx, sy in _LOCAL
    ]


def _inter_area(p: dict, g: dict) -> float:
    from shapely.geometry import Polygon

    return Polygon(_corners(p)).intersection(Polygon(_corners(g))).area


def _plane_distance(p: dict, g: dict) -> float:
    cx, cy = p["center"][0], p["center"][1]
    est = sorted(_corners(p), key=lambda q: math.atan2(q[1] - cy, q[0] - cx))
    gt = _corners(g)
    best, best_sum = 0, math.inf
    for s in range(4):
        total = sum(math.dist(est[(i + s) % 4], gt[i]) for i in range(4))
        if total < best_sum:
            best, best_sum = s, total
    aligned = [est[(i + best) % 4] for i in range(4)]
    a, b = sorted(range(4), key=lambda i: gt[i][0] ** 2 + gt[i][1] ** 2)[:2]
    da, db = math.dist(aligned[a], gt[a]), math.dist(aligned[b], gt[b])
    return round(math.sqrt((da * da + db * db) / 2.0), 10)


def value_3d(mode: str, p: dict, g: dict) -> float:
    """The matching value of one pair (distance, or IoU for IoU modes)."""
    (px, py, pz), (gx, gy, gz) = p["center"], g["center"]
    if mode == "center_distance_3d":
        return math.sqrt((px - gx) ** 2 + (py - gy) ** 2 + (pz - gz) ** 2)
    if mode == "center_distance_bev":
        return math.sqrt((px - gx) ** 2 + (py - gy) ** 2)
    if mode == "plane_distance":
        return _plane_distance(p, g)
    (pl, pw, ph), (gl, gw, gh) = p["size"], g["size"]
    inter = _inter_area(p, g)
    if mode == "iou_bev":
        union = pl * pw + gl * gw - inter
    else:
        overlap = max(0.0, min(pz + ph / 2, gz + gh / 2) - max(pz - ph / 2, gz - gh / 2))
        inter *= overlap
        union = pl * pw * ph + gl * gw * gh - inter
    return inter / union if union > 0 else 0.0


def value_2d(p: dict, g: dict) -> float:
    (a1, b1, a2, b2), (c1, d1, c2, d2) = p["box"], g["box"]
    inter = max(0.0, min(a2, c2) - max(a1, c1)) * max(0.0, min(b2, d2) - max(b1, d1))
    union = (a2 - a1) * (b2 - b1) + (c2 - c1) * (d2 - d1) - inter
    return inter / union if union > 0 else 0.0


def heading_weight(yaw_p: float, yaw_g: float, legacy_unsigned: bool = False) -> float:
    """``round(1 - delta / pi, 10)`` with delta the yaw difference wrapped to [0, pi]."""

    def wrap(a: float) -> float:
        while a > math.pi:
            a -= 2 * math.pi
        while a < -math.pi:
            a += 2 * math.pi
        return a

    a, b = wrap(yaw_p), wrap(yaw_g)
    if legacy_unsigned:
        a, b = abs(a), abs(b)
    delta = abs(a - b)
    if delta > math.pi:
        delta = 2 * math.pi - delta
    return round(min(1.0, max(0.0, 1.0 - delta / math.pi)), 10)


def interp(x: float, xp: list[float], fp: list[float]) -> float:
    """``numpy.interp(x, xp, fp, right=0)`` for one point, written out."""
    if x > xp[-1]:
        return 0.0
    if x == xp[-1]:
        return fp[-1]
    if x < xp[0]:
        return fp[0]
    j = 0
    while j + 1 < len(xp) and xp[j + 1] <= x:
        j += 1
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]


def average_precision(items: list[tuple[float, bool, float]], num_gt: int) -> float:
    """AP from pooled ``(score, is_tp, weight)`` items."""
    if not items:
        return math.nan if num_gt == 0 else 0.0
    ranked = sorted(items, key=lambda item: -item[0])
    precision, recall, tp, fp = [], [], 0.0, 0.0
    for _, is_tp, weight in ranked:
        if is_tp:
            tp += weight
        else:
            fp += 1.0
        precision.append(tp / (tp + fp) if tp + fp > 0 else 0.0)
        recall.append(tp / num_gt if num_gt > 0 else 0.0)
    envelope = precision[:]
    for i in range(len(envelope) - 2, -1, -1):
        envelope[i] = max(envelope[i], envelope[i + 1])
    total = 0.0
    for k in range(11, 101):
        total += max(0.0, interp(k / 100, recall, envelope) - 0.1)
    return total / 90 / 0.9


def _mean(values: list[float]) -> float | None:
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return sum(kept) / len(kept) if kept else None


def _nullable(v: float) -> float | None:
    return None if math.isnan(v) else v


def _detection(frames: list[dict], labels, thresholds, value, keep, with_aph: bool, legacy: bool = False) -> dict:
    out: dict[str, Any] = {"modes": {}}
    for mode, per_label_thr in thresholds.items():
        per_label = {}
        for label in labels:
            thr = per_label_thr[label]
            items = {t: [] for t in thr}
            num_gt = num_pred = 0
            counts = {t: 0 for t in thr}
            for frame in frames:
                gts = [g for g in frame["gt"] if g["label"] == label and keep(g)]
                preds = sorted((p for p in frame["pred"] if p["label"] == label and keep(p)), key=lambda p: -p["score"])
                num_gt += len(gts)
                num_pred += len(preds)
                cache: dict[tuple[int, int], float] = {}
                for t in thr:
                    used: set[int] = set()
                    for pi, p in enumerate(preds):
                        best, best_v = None, None
                        for gi, g in enumerate(gts):
                            if gi in used:
                                continue
                            if (pi, gi) not in cache:
                                cache[(pi, gi)] = value(mode, p, g)
                            v = cache[(pi, gi)]
                            better = best_v is None or (v > best_v if mode in IOU_MODES else v < best_v)
                            if better:
                                best, best_v = gi, v
                        ok = best is not None and (best_v > t if mode in IOU_MODES else best_v < t)
                        weight = 1.0
                        if ok:
                            used.add(best)
                            counts[t] += 1
                        if with_aph and ok:
                            weight = heading_weight(p["yaw"], gts[best]["yaw"], legacy)
                        items[t].append((p["score"], ok, weight))
            ap = [average_precision([(s, ok, 1.0) for s, ok, _ in items[t]], num_gt) for t in thr]
            entry = {
                "thresholds": [float(t) for t in thr],
                "num_gt": num_gt,
                "num_pred": num_pred,
                "num_tp": {str(float(t)): counts[t] for t in thr},
                "num_fp": {str(float(t)): num_pred - counts[t] for t in thr},
                "ap": {str(float(t)): _nullable(a) for t, a in zip(thr, ap, strict=True)},
                "mean_ap": _mean(ap),
            }
            if with_aph:
                aph = [average_precision(items[t], num_gt) for t in thr]
                entry["aph"] = {str(float(t)): _nullable(a) for t, a in zip(thr, aph, strict=True)}
                entry["mean_aph"] = _mean(aph)
            per_label[label] = entry
        mode_out: dict[str, Any] = {"per_label": per_label, "map": _mean([e["mean_ap"] for e in per_label.values()])}
        if with_aph:
            mode_out["maph"] = _mean([e["mean_aph"] for e in per_label.values()])
        out["modes"][mode] = mode_out
    return out


def detection3d(frames: list[dict], settings: Any, legacy_unsigned_yaw: bool = False) -> dict:
    """Per-object 3D evaluation; returns the CLI output dict (APH with unsigned yaws when asked)."""
    s = parse_detection3d_settings(settings)

    def keep(obj: dict) -> bool:
        return abs(obj["center"][0]) < s.max_abs_x and abs(obj["center"][1]) < s.max_abs_y

    return _detection(frames, s.labels, s.thresholds, value_3d, keep, True, legacy_unsigned_yaw)


def detection2d(frames: list[dict], settings: Any) -> dict:
    """Per-object 2D evaluation; returns the CLI output dict."""
    s = parse_detection2d_settings(settings)
    return _detection(frames, s.labels, s.thresholds, lambda _m, p, g: value_2d(p, g), lambda _o: True, False)


def classification(frames: list[dict], settings: Any) -> dict:
    """Per-object classification counts and scores; returns the CLI output dict."""
    labels = parse_classification_settings(settings).labels
    counts = {label: [0, 0, 0] for label in labels}  # pred, gt, tp
    for frame in frames:
        for g in frame["gt"]:
            if g["label"] in counts:
                counts[g["label"]][1] += 1
        for p in frame["pred"]:
            if p["label"] not in counts:
                continue
            counts[p["label"]][0] += 1
            for g in frame["gt"]:
                if g["uuid"] == p["uuid"] and g["label"] == p["label"]:
                    counts[p["label"]][2] += 1

    def scores(n_pred: int, n_gt: int, tp: int) -> dict:
        def div(a: float, b: float) -> float:
            return a / b if b != 0 else math.inf

        p, r = div(tp, n_pred), div(tp, n_gt)
        f1 = math.inf if math.isinf(p) or math.isinf(r) or p + r == 0 else 2 * p * r / (p + r)
        raw = {"accuracy": div(tp, n_pred + n_gt - tp), "precision": p, "recall": r, "f1": f1}
        return {k: ("inf" if math.isinf(v) else v) for k, v in raw.items()}

    per_label = {}
    for label, (n_pred, n_gt, tp) in counts.items():
        per_label[label] = {
            "num_pred": n_pred,
            "num_gt": n_gt,
            "num_tp": tp,
            "num_fp": n_pred - tp,
            **scores(n_pred, n_gt, tp),
        }
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"per_label": per_label, "total": scores(*totals)}
