"""Writes a small dataset in the shape of AWML's T4 2D data (our synthetic scenes, our own code).

Layout (as AWML's ``tools/detection2d/create_data_t4dataset.py`` lays out what it reads and writes):
``<out>/<dataset_version>/<scene_id>/<version>/data/CAM_FRONT/<index>.jpg`` and
``<out>/info/yolox_infos_<split>.json`` = ``{"metainfo": {"dataset_type", "task_name", "classes"}, "data_list":
[{"img_id", "img_path", "width", "height", "instances": [{"bbox": [x1, y1, x2, y2], "bbox_label", "mask",
"extra_anns", "ignore_flag"}]}]}``. ``img_path`` is absolute (as AWML writes it) unless ``relative`` is set
(then relative to the info file's folder).
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Sequence

import numpy as np

from projects.yolox.synthetic import CLASS_NAMES, render_scene

DATASET_VERSION = "db_synthetic_v1"
CAMERA = "CAM_FRONT"


def write_t4_2d_dataset(
    out_dir,
    count: int | None = None,
    seed: int | None = None,
    classes: Sequence[str] | None = None,
    split: str | None = None,
    relative: bool | None = None,
    empty_every: int | None = None,
) -> pathlib.Path:
    """Renders ``count`` scenes into a T4-shaped folder and writes the infos JSON.

    Args:
        out_dir (str | pathlib.Path): Dataset root (created).
        count (int | None): Images. Defaults to 12.
        seed (int | None): Scene seed. Defaults to 11.
        classes (Sequence[str] | None): Names of the dataset classes; the synthetic shapes take them in turn
            (shape k → ``classes[k % len(classes)]``). Defaults to the shapes' names.
        split (str | None): Infos split name. Defaults to "val" (``yolox_infos_val.json``).
        relative (bool | None): Write ``img_path`` relative to the info file. Defaults to False (absolute).
        empty_every (int | None): Every n-th image gets no objects (background only). Defaults to none.

    Returns:
        pathlib.Path: The infos JSON.
    """
    import cv2

    count = 12 if count is None else count
    rng = np.random.default_rng(11 if seed is None else seed)
    classes = list(CLASS_NAMES if classes is None else classes)
    out = pathlib.Path(out_dir).absolute()
    info = out / "info" / f"yolox_infos_{'val' if split is None else split}.json"
    info.parent.mkdir(parents=True, exist_ok=True)
    data_list = []
    for index in range(count):
        scene_dir = out / DATASET_VERSION / f"scene_{index // 6:03d}" / "0" / "data" / CAMERA
        scene_dir.mkdir(parents=True, exist_ok=True)
        scene = render_scene(rng)
        if empty_every and index % empty_every == empty_every - 1:
            scene = {"image": scene["image"], "bboxes": np.zeros((0, 4), np.float32), "labels": []}
            scene["image"][:] = scene["image"].mean(axis=(0, 1), keepdims=True).astype(np.uint8)
        image_path = scene_dir / f"{index:05d}.jpg"
        cv2.imwrite(str(image_path), scene["image"], [cv2.IMWRITE_JPEG_QUALITY, 92])
        height, width = scene["image"].shape[:2]
        instances = [
            {
                "bbox": [round(float(v), 2) for v in box],
                "bbox_label": int(label) % len(classes),
                "mask": [],
                "extra_anns": [],
                "ignore_flag": 0,
            }
            for box, label in zip(scene["bboxes"], scene["labels"], strict=True)
        ]
        path = os.path.relpath(image_path, info.parent) if relative else str(image_path)
        data_list.append({"img_id": index, "img_path": path, "width": width, "height": height, "instances": instances})
    doc = {
        "metainfo": {"dataset_type": "yolox", "task_name": "detection_task", "classes": classes},
        "data_list": data_list,
    }
    info.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return info
