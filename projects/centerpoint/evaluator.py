"""CenterPoint data, evaluation (Detection3DMetricsInterface) and verification (head tensors + decoded boxes)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from awml_deploy.core.errors import fail
from awml_deploy.core.samples import SampleSource
from awml_deploy.evaluation import BaseEvaluator, Detection3DMetricsInterface
from awml_deploy.pipelines.base import BaseInferencePipeline
from awml_deploy.verification.comparator import NodeResult
from projects.centerpoint.model import CenterPointGeometry

DEFAULT_BOX_TOLERANCES = {"center": 1e-3, "size": 1e-3, "yaw": 1e-3, "score": 1e-3, "match_radius": 0.5}


class CenterPointSamples:
    """Frames of an mmdet3d/AWML info file: ``{"points", "gt_boxes", "gt_labels", "uuid", "timestamp_us"}``.

    Args:
        info_path (str): Info .pkl.
        class_names (tuple[str, ...]): Model classes (GT labels are mapped by name).
        limit (int | None): Use only the first ``limit`` frames. Defaults to all.
        preprocess (Callable[[dict], dict] | None): The model's test pipeline
            (``preprocessing.build_preprocessing_pipeline``) applied to each frame's mmdet3d results dict.
            Defaults to the frame's own point file as stored.
        data_root (str | None): Folder the info file's point paths are relative to. Defaults to the info file's.
    """

    def __init__(
        self,
        info_path: str,
        class_names: tuple[str, ...],
        limit: int | None = None,
        preprocess: Callable[[dict], dict] | None = None,
        data_root: str | None = None,
    ) -> None:
        from awml_deploy.datasets import info_pkl

        self.info = info_pkl.load_info_pkl(info_path, data_root)
        self.preprocess = preprocess
        self.frames = self.info.frames[:limit] if limit is not None else self.info.frames
        self.class_names = class_names
        self.label_names = self.info.classes

    def __len__(self) -> int:
        return len(self.frames)

    def get_sample(self, index: int) -> Mapping[str, Any]:
        from awml_deploy.datasets import info_pkl, t4_dataset

        frame = self.frames[index]
        if self.preprocess is None:
            points = info_pkl.load_points(frame)
        else:
            points = self.preprocess(t4_dataset.frame_results(frame))["points"]
        names = [self.label_names[int(k)] for k in frame.gt_labels]
        keep = np.array([n in self.class_names for n in names], bool)
        stamp = index if frame.timestamp is None else int(round(frame.timestamp * 1e6))
        return {
            "points": points,
            "gt_boxes": frame.gt_boxes[keep] if len(names) else frame.gt_boxes,
            "gt_labels": np.array([self.class_names.index(n) for n in names if n in self.class_names], np.int64),
            "uuid": str(frame.token),
            "timestamp_us": stamp,
        }


def to_objects(boxes: np.ndarray, labels: np.ndarray, names: tuple[str, ...], scores: np.ndarray | None) -> list:
    """Boxes (x, y, z, dx, dy, dz, yaw; ``awml_deploy.kernels.BOX_FIELDS``) as METRICS.md objects."""
    out = []
    for i, box in enumerate(np.asarray(boxes, np.float64)):
        obj = {
            "label": names[int(labels[i])],
            "center": box[:3].tolist(),
            "size": box[3:6].tolist(),
            "yaw": float(box[6]),
        }
        if scores is not None:
            obj["score"] = float(scores[i])
        out.append(obj)
    return out


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def compare_detections(ref: Mapping, test: Mapping, tolerances: Mapping[str, float], score_threshold: float) -> dict:
    """Matches decoded boxes (same label, nearest centre within ``match_radius``) and checks their deltas.

    A box without a partner fails unless its score is within ``tolerances["score"]`` of the score threshold
    (a tensor difference below the tolerance may legitimately move such a box across it).

    Args:
        ref (Mapping): Reference detections.
        test (Mapping): Tested detections.
        tolerances (Mapping[str, float]): center, size (m), yaw (rad), score, match_radius (m).
        score_threshold (float): The decoder's score threshold.

    Returns:
        dict: Path -> NodeResult ("boxes.matching", "boxes.center", "boxes.size", "boxes.yaw", "boxes.score").
    """
    rb, tb = np.asarray(ref["boxes"], np.float64), np.asarray(test["boxes"], np.float64)
    rl, tl = np.asarray(ref["labels"]), np.asarray(test["labels"])
    rs, ts = np.asarray(ref["scores"], np.float64), np.asarray(test["scores"], np.float64)
    pairs, used = [], np.zeros(len(tb), bool)
    for i in np.argsort(-rs, kind="stable"):
        d = np.hypot(tb[:, 0] - rb[i, 0], tb[:, 1] - rb[i, 1]) if len(tb) else np.zeros(0)
        d[(tl != rl[i]) | used] = np.inf
        j = int(np.argmin(d)) if len(d) else -1
        if j >= 0 and d[j] <= tolerances["match_radius"]:
            used[j] = True
            pairs.append((int(i), j))
    matched_ref = {i for i, _ in pairs}
    near = score_threshold + tolerances["score"]
    missing = [i for i in range(len(rb)) if i not in matched_ref]
    extra = [j for j in range(len(tb)) if not used[j]]
    hard = [i for i in missing if rs[i] > near] + [j for j in extra if ts[j] > near]
    reason = f"{len(pairs)} matched, {len(missing)} missing, {len(extra)} extra of {len(rb)} reference boxes"
    nodes = {"boxes.matching": NodeResult("boxes.matching", not hard, reason if hard else "")}
    ri = np.array([p[0] for p in pairs], np.int64)
    ti = np.array([p[1] for p in pairs], np.int64)
    deltas = {
        "center": np.abs(rb[ri, :3] - tb[ti, :3]).ravel(),
        "size": np.abs(rb[ri, 3:6] - tb[ti, 3:6]).ravel(),
        "yaw": np.abs(_wrap(rb[ri, 6] - tb[ti, 6])),
        "score": np.abs(rs[ri] - ts[ti]),
    }
    for key, delta in deltas.items():
        worst = float(delta.max()) if delta.size else 0.0
        ok = worst <= tolerances[key]
        text = "" if ok else f"max |delta {key}| {worst:.3g} > {tolerances[key]:g}"
        nodes[f"boxes.{key}"] = NodeResult(
            f"boxes.{key}",
            ok,
            text,
            max_abs=worst,
            mean_abs=float(delta.mean()) if delta.size else 0.0,
            atol=tolerances[key],
            rtol=0.0,
        )
    return nodes


class CenterPointEvaluator(BaseEvaluator):
    """Detection 3D metrics over the frames; verification adds a decoded-box comparison to the head tensors.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        metric_settings (Mapping[str, Any]): Detection3DMetricsInterface settings (labels filled in).
        box_tolerances (Mapping[str, float] | None): Box comparison tolerances. Defaults to DEFAULT_BOX_TOLERANCES.
    """

    verification_raw_only = False

    def __init__(
        self,
        geometry: CenterPointGeometry,
        metric_settings: Mapping[str, Any],
        box_tolerances: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(Detection3DMetricsInterface({"labels": list(geometry.class_names), **metric_settings}))
        self.geometry = geometry
        self.box_tolerances = {**DEFAULT_BOX_TOLERANCES, **(box_tolerances or {})}
        self.first_frame: dict[str, tuple[Mapping, Mapping]] = {}
        self.frames_by_backend: dict[str, list] = {}  # evaluated frames (METRICS.md objects), for the pictures
        self._backend = ""

    def parse_predictions(self, output: Any, sample: Mapping[str, Any]) -> list[dict]:
        if not self.first_frame.get(self._backend):
            self.first_frame[self._backend] = (sample, output)
        return to_objects(output["boxes"], output["labels"], self.geometry.class_names, output["scores"])

    def parse_ground_truth(self, sample: Mapping[str, Any]) -> list[dict]:
        return to_objects(sample["gt_boxes"], sample["gt_labels"], self.geometry.class_names, None)

    def evaluate(self, pipeline: BaseInferencePipeline, samples: SampleSource, *args: Any, **kwargs: Any):
        """:meth:`BaseEvaluator.evaluate`, remembering the first frame's detections per backend (BEV picture)."""
        self._backend = pipeline.spec.backend.value
        self.first_frame.pop(self._backend, None)
        result = super().evaluate(pipeline, samples, *args, **kwargs)
        self.frames_by_backend[self._backend] = list(self.metrics.frames)
        return result

    def extra_nodes(self, ref_result: Any, test_result: Any) -> Mapping[str, NodeResult]:
        """The decoded boxes of both backends, compared with ``box_tolerances`` (added to the head tensors)."""
        return compare_detections(
            ref_result.output, test_result.output, self.box_tolerances, self.geometry.score_threshold
        )


def check_box_tolerances(value: Mapping[str, Any] | None) -> dict:
    """Validates ``project.box_tolerances``."""
    value = {} if value is None else dict(value)
    for key, tol in value.items():
        if key not in DEFAULT_BOX_TOLERANCES or not isinstance(tol, (int, float)) or not math.isfinite(tol) or tol < 0:
            fail(
                f"project.box_tolerances.{key} | invalid. Note: expected keys {sorted(DEFAULT_BOX_TOLERANCES)} with "
                f"numbers >= 0, got {tol!r}"
            )
    return value
