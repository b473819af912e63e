"""The evaluation frames: a committed scene-set JSON re-rendered in memory, each cloud checked against its sha256.

The JSON is :mod:`awml_deploy.datasets.synthetic_set`'s format (scene specs, point counts and digests; no points),
so the same file also materialises to ``.bin`` files + ``infos.pkl`` with ``synthetic_set.materialize_scene_set``.
A sample is ``{"frame_index", "seed", "points": (N, 4) float32, "gt_labels": (N,) int64}`` with the per-point
semantic labels of :data:`awml_deploy.datasets.synthetic_lidar.SEMANTIC_CLASSES`.
"""

from __future__ import annotations

import pathlib

import numpy as np

from awml_deploy.core.errors import fail
from awml_deploy.datasets.synthetic_lidar import SEMANTIC_CLASSES, points_digest, render_scene
from awml_deploy.datasets.synthetic_set import load_scene_set

LABELS = SEMANTIC_CLASSES


class SegmentationScenes:
    """The evaluation set as a sample source (frames rendered on first use and cached).

    Args:
        path (str | pathlib.Path): Scene-set JSON written by ``tools/generate_dataset.py``.
        limit (int | None): Use only the first ``limit`` frames. Defaults to all.
    """

    def __init__(self, path: str | pathlib.Path, limit: int | None = None) -> None:
        self.path = str(path)
        doc, specs = load_scene_set(self.path)
        semantic = doc.get("semantic_classes")
        if semantic is not None and tuple(semantic) != LABELS:
            fail(f"{self.path} | unexpected semantic classes. Note: expected {list(LABELS)}, got {semantic}")
        self.records = doc["frames"][: limit if limit is not None else None]
        self.specs = specs[: len(self.records)]
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.specs)

    def get_sample(self, index: int) -> dict:
        """Frame ``index``: points, per-point labels, seed (see the module docstring)."""
        if index not in self._cache:
            frame = render_scene(self.specs[index])
            digest = points_digest(frame.points)
            if digest != self.records[index]["sha256"]:
                fail(
                    f"{self.path}: frame {index} | re-rendered cloud does not match its sha256. Note: expected "
                    f"{self.records[index]['sha256'][:12]}…, got {digest[:12]}… (synthetic_lidar changed?)"
                )
            self._cache[index] = {
                "frame_index": index,
                "seed": self.specs[index].seed,
                "points": frame.points,
                "gt_labels": frame.semantic.astype(np.int64),
            }
        return self._cache[index]
