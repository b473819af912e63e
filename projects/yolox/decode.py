"""Host-side decoding of the Autoware YOLOX output and mmdet-equivalent post-processing (NumPy only).

The graph output is ``[B, N, 4 + 1 + C]`` per anchor (anchors level by level, stride 8, 16, 32, each level
row-major over (y, x)): ``dx, dy, log_w, log_h`` (raw regression, stride units), ``sigmoid(objectness)``,
``sigmoid(class logits)``. Decoding: ``cx = (dx + gx) * s``, ``cy = (dy + gy) * s``, ``w = exp(log_w) * s``,
``h = exp(log_h) * s`` in network-input pixels. Post-processing follows mmdet's ``YOLOXHead.predict_by_feat``:
best class per anchor, score = objectness x class score, ``score >= score_thr``, class-aware NMS, boxes divided
by the letterbox scale factor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from awml_deploy.core.errors import fail


def anchor_grid(input_shape: tuple[int, int], strides: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Anchor cells in output order.

    Args:
        input_shape (tuple[int, int]): Network input (height, width).
        strides (Sequence[int]): Level strides.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``grid`` float32 [N, 2] (gx, gy) and ``stride`` float32 [N, 1].
    """
    grids, scales = [], []
    for stride in strides:
        rows, cols = -(-input_shape[0] // stride), -(-input_shape[1] // stride)
        gy, gx = np.meshgrid(np.arange(rows, dtype=np.float32), np.arange(cols, dtype=np.float32), indexing="ij")
        grids.append(np.stack([gx.ravel(), gy.ravel()], axis=1))
        scales.append(np.full((rows * cols, 1), stride, np.float32))
    return np.concatenate(grids), np.concatenate(scales)


def decode_boxes(output: np.ndarray, input_shape: tuple[int, int], strides: Sequence[int]) -> np.ndarray:
    """Decodes ``output[..., :4]`` into ``[x1, y1, x2, y2]`` network-input pixels (float32 [B, N, 4])."""
    grid, stride = anchor_grid(input_shape, strides)
    if output.shape[-2] != len(grid):
        fail(
            f"yolox output | anchor count does not match the input size. Note: expected {len(grid)} anchors for "
            f"input {list(input_shape)} and strides {list(strides)}, got {output.shape[-2]}"
        )
    center = (output[..., :2] + grid) * stride
    size = np.exp(output[..., 2:4]) * stride
    return np.concatenate([center - size / 2, center + size / 2], axis=-1).astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy NMS (suppress IoU > threshold, mmcv's ``nms`` with offset 0); returns kept indices, best first.

    Memory is O(n): each kept box is compared with the boxes still alive (an untrained model can give every
    anchor a score above the threshold).
    """
    order = np.argsort(-scores, kind="stable")
    b = boxes[order].astype(np.float32)
    areas = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    alive = np.arange(len(b))
    keep = []
    while alive.size:
        i, rest = alive[0], alive[1:]
        keep.append(i)
        w = np.clip(np.minimum(b[i, 2], b[rest, 2]) - np.maximum(b[i, 0], b[rest, 0]), 0, None)
        h = np.clip(np.minimum(b[i, 3], b[rest, 3]) - np.maximum(b[i, 1], b[rest, 1]), 0, None)
        inter = w * h
        alive = rest[inter / np.maximum(areas[i] + areas[rest] - inter, 1e-12) <= iou_threshold]
    return order[np.asarray(keep, dtype=np.int64)]


@dataclasses.dataclass(frozen=True)
class Detections:
    """Detections of one image in original-image pixels.

    Attributes:
        boxes: float32 [K, 4] ``x1, y1, x2, y2``.
        scores: float32 [K].
        labels: int64 [K] class indices.
    """

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray


@dataclasses.dataclass(frozen=True)
class YoloxDecoder:
    """Turns the Autoware-layout output of one image into :class:`Detections`.

    Attributes:
        strides: Level strides (``bbox_head.strides``, else the head's mmdet default).
        score_thr: Minimum ``objectness x class score`` (``test_cfg.score_thr``).
        iou_threshold: NMS IoU (``test_cfg.nms.iou_threshold``).
        max_detections: Keep at most this many (best first); 0 = all.
    """

    strides: tuple[int, ...]
    score_thr: float
    iou_threshold: float
    max_detections: int = 0

    @classmethod
    def from_model_config(cls, cfg, max_detections: int | None = None) -> YoloxDecoder:
        """Reads strides, score threshold and NMS IoU from an mmdet YOLOX config.

        Args:
            cfg: mmengine Config.
            max_detections (int | None): Cap per image. Defaults to 0 (no cap, as mmdet's YOLOX test_cfg).
        """
        from projects.yolox.contract import head_strides

        test_cfg = cfg.model.test_cfg
        return cls(
            strides=head_strides(cfg),
            score_thr=float(test_cfg.score_thr),
            iou_threshold=float(test_cfg.nms.iou_threshold),
            max_detections=0 if max_detections is None else int(max_detections),
        )

    def __call__(self, output: np.ndarray, input_shape: tuple[int, int], scale_factor: tuple[float, float]):
        """Decodes one image.

        Args:
            output (np.ndarray): float32 [1, N, 5 + C] or [N, 5 + C].
            input_shape (tuple[int, int]): Network input (height, width).
            scale_factor (tuple[float, float]): (w_scale, h_scale) of the letterbox resize.

        Returns:
            Detections: Boxes in original-image pixels, best first.
        """
        output = np.asarray(output, dtype=np.float32)
        if output.ndim == 3:
            if output.shape[0] != 1:
                fail(f"yolox output | one image at a time. Note: expected batch 1, got {output.shape[0]}")
            output = output[0]
        if output.ndim != 2 or output.shape[1] < 6:
            fail(f"yolox output | wrong shape. Note: expected [1, N, 4 + 1 + C], got {list(output.shape)}")
        boxes = decode_boxes(output, input_shape, self.strides)
        class_scores = output[:, 5:]
        labels = class_scores.argmax(axis=1)
        scores = class_scores[np.arange(len(labels)), labels] * output[:, 4]
        keep = scores >= self.score_thr
        return self.finish(boxes[keep], scores[keep], labels[keep], scale_factor, run_nms=True)

    def finish(self, boxes, scores, labels, scale_factor, run_nms: bool) -> Detections:
        """(Class-aware NMS), cap, and scale back to the original image."""
        if run_nms and len(boxes):
            kept = [
                np.flatnonzero(labels == c)[nms(boxes[labels == c], scores[labels == c], self.iou_threshold)]
                for c in np.unique(labels)
            ]
            order = np.concatenate(kept)
            order = order[np.argsort(-scores[order], kind="stable")]
            boxes, scores, labels = boxes[order], scores[order], labels[order]
        if self.max_detections:
            boxes, scores, labels = (
                boxes[: self.max_detections],
                scores[: self.max_detections],
                labels[: self.max_detections],
            )
        scale = np.array([*scale_factor, *scale_factor], np.float32)
        return Detections(
            (np.asarray(boxes, np.float32).reshape(-1, 4) / scale).astype(np.float32),
            np.asarray(scores, np.float32).reshape(-1),
            np.asarray(labels, np.int64).reshape(-1),
        )
