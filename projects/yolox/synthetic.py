"""Synthetic 2D detection scenes: filled shapes (circle, rectangle, triangle) on textured backgrounds.

Each scene is a BGR uint8 image (the channel order ``cv2.imread`` gives, as mmdet's ``LoadImageFromFile``)
and a list of axis-aligned boxes ``[x1, y1, x2, y2]`` in pixels with class indices into :data:`CLASS_NAMES`.
"""

from __future__ import annotations

import numpy as np

CLASS_NAMES = ("circle", "rectangle", "triangle")
IMAGE_SIZE = (256, 192)  # width, height
SIZE_RANGE = (22, 80)  # object extent in pixels
MAX_OBJECTS = 6


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Low-frequency colour field + fine noise + a few thin distractor lines (uint8 BGR)."""
    import cv2

    coarse = rng.uniform(40, 215, size=(rng.integers(2, 6), rng.integers(2, 6), 3)).astype(np.float32)
    image = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    gray = image.mean(axis=2, keepdims=True)
    image = 0.5 * image + 0.5 * gray  # desaturate so the shapes stand out by colour and edges
    image += rng.normal(0.0, rng.uniform(3, 12), size=image.shape).astype(np.float32)
    image = np.clip(image, 0, 255).astype(np.uint8)
    for _ in range(rng.integers(0, 5)):
        p1 = tuple(int(v) for v in rng.integers(0, (width, height)))
        p2 = tuple(int(v) for v in rng.integers(0, (width, height)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        cv2.line(image, p1, p2, colour, int(rng.integers(1, 3)), lineType=cv2.LINE_AA)
    return image


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A saturated random colour."""
    channels = rng.uniform(0, 90, 3)
    channels[rng.integers(0, 3)] = rng.uniform(170, 255)
    return tuple(int(v) for v in channels)


def _draw(rng: np.random.Generator, image: np.ndarray, label: int, cx: float, cy: float, size: float) -> np.ndarray:
    """Draws one shape; returns its tight box (float32 [4])."""
    import cv2

    colour = _colour(rng)
    if label == 0:
        radius = size / 2
        cv2.circle(image, (round(cx), round(cy)), round(radius), colour, -1, lineType=cv2.LINE_AA)
        box = [cx - radius, cy - radius, cx + radius, cy + radius]
    else:
        if label == 1:
            w, h = size * rng.uniform(0.5, 1.0, 2)
            corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
            angle = rng.uniform(-0.6, 0.6)
        else:
            corners = np.array([[0.0, -0.5], [-0.5, 0.5], [0.5, 0.5]]) * size * rng.uniform(0.8, 1.0, (1, 2))
            corners[0, 0] += rng.uniform(-0.3, 0.3) * size
            angle = rng.uniform(-0.4, 0.4)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        points = corners @ rotation.T + (cx, cy)
        cv2.fillPoly(image, [np.round(points).astype(np.int32)], colour, lineType=cv2.LINE_AA)
        box = [*points.min(axis=0), *points.max(axis=0)]
    height, width = image.shape[:2]
    return np.clip(np.asarray(box, dtype=np.float32), 0, [width, height, width, height])


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    lt = np.maximum(box[:2], boxes[:, :2])
    rb = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    return inter / (area + np.prod(boxes[:, 2:] - boxes[:, :2], axis=1) - inter)


def render_scene(rng: np.random.Generator, size: tuple[int, int] | None = None) -> dict:
    """Renders one scene.

    Args:
        rng (np.random.Generator): Source of randomness.
        size (tuple[int, int] | None): Image (width, height). Defaults to IMAGE_SIZE.

    Returns:
        dict: ``image`` (uint8 [H, W, 3] BGR), ``bboxes`` (float32 [N, 4] x1y1x2y2), ``labels`` (int64 [N]).
    """
    width, height = size or IMAGE_SIZE
    image = _background(rng, width, height)
    boxes: list[np.ndarray] = []
    labels: list[int] = []
    for _ in range(rng.integers(1, MAX_OBJECTS + 1)):
        extent = rng.uniform(*SIZE_RANGE)
        cx, cy = rng.uniform(extent * 0.4, (width - extent * 0.4, height - extent * 0.4))
        candidate = np.array([cx - extent / 2, cy - extent / 2, cx + extent / 2, cy + extent / 2], np.float32)
        if boxes and _iou(candidate, np.stack(boxes)).max() > 0.1:
            continue  # keep the scene readable: shapes barely overlap
        label = int(rng.integers(0, len(CLASS_NAMES)))
        canvas = image.copy()
        box = _draw(rng, canvas, label, cx, cy, extent)
        if min(box[2] - box[0], box[3] - box[1]) < 6:
            continue  # a sliver cut by the border: not drawn
        image = canvas
        boxes.append(box)
        labels.append(label)
    return {
        "image": image,
        "bboxes": np.asarray(boxes, np.float32).reshape(-1, 4),
        "labels": np.asarray(labels, np.int64),
    }
