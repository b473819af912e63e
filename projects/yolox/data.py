"""The evaluation data: images + ``annotations.json`` (written by ``tools/generate_images.py``)."""

from __future__ import annotations

import json
import pathlib

import numpy as np

from awml_deploy.core.errors import fail

DEFAULT_DATA_DIR = pathlib.Path(__file__).absolute().parent / "assets" / "eval"


def read_image(path) -> np.ndarray:
    """Reads an image as uint8 [H, W, 3] BGR (``cv2.imread``, like mmdet's ``LoadImageFromFile``)."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        fail(f"yolox image | cannot read {path}. Note: expected a readable PNG/JPEG file, got an unreadable file")
    return image


class YoloxSamples:
    """Images with ground truth; a sample is ``{"image", "ground_truth", "uuid", "timestamp_us", "meta"}``.

    Args:
        data_dir (str | pathlib.Path | None): Folder with ``annotations.json``. Defaults to the embedded set.
        limit (int | None): Use only the first ``limit`` images. Defaults to all.
    """

    def __init__(self, data_dir=None, limit: int | None = None) -> None:
        self.data_dir = pathlib.Path(data_dir or DEFAULT_DATA_DIR)
        path = self.data_dir / "annotations.json"
        if not path.is_file():
            fail(f"yolox data | {path} not found. Note: expected annotations.json from tools/generate_images.py")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            self.classes = tuple(doc["classes"])
            self.entries = list(doc["images"])
        except (ValueError, KeyError, TypeError) as err:
            fail(f"yolox data | {path} is malformed. Note: expected {{classes, images}}, got {err!r}", cause=err)
        if limit is not None:
            self.entries = self.entries[:limit]

    def __len__(self) -> int:
        return len(self.entries)

    def get_sample(self, index: int) -> dict:
        """Sample ``index``: the BGR image and its ground truth (boxes in original pixels)."""
        if not 0 <= index < len(self.entries):
            fail(f"yolox data | sample index out of range. Note: expected 0 <= index < {len(self)}, got {index}")
        entry = self.entries[index]
        return {
            "image": read_image(self.data_dir / entry["file"]),
            "ground_truth": {
                "boxes": np.asarray(entry["boxes"], np.float32).reshape(-1, 4),
                "labels": list(entry["labels"]),
            },
            "uuid": entry["file"],
            "timestamp_us": index * 100_000,
        }
