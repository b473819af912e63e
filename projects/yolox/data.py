"""The evaluation data: our ``annotations.json`` folders and AWML's T4 2D infos (``yolox_infos_*.json``).

A sample is ``{"image", "ground_truth", "uuid", "timestamp_us"}``; ground-truth labels are class names.

T4 2D infos are what AWML's ``tools/detection2d/create_data_t4dataset.py`` writes and its ``T4Dataset`` (an mmdet
``BaseDetDataset``) reads: ``{"metainfo": {"classes": [...], ...}, "data_list": [{"img_path", "width", "height",
"instances": [{"bbox": [x1, y1, x2, y2], "bbox_label": int, "ignore_flag": 0|1, ...}]}]}``. Labels index
``metainfo.classes`` (or the model's classes when the file has none); ignored instances are left out; a relative
``img_path`` resolves against the model config's ``data_root`` (as mmengine joins it), else the info file's folder.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence

import numpy as np

from awml_deploy.core.errors import expected, fail

DEFAULT_DATA_DIR = pathlib.Path(__file__).absolute().parent / "assets" / "eval"


def read_image(path) -> np.ndarray:
    """Reads an image as uint8 [H, W, 3] BGR (``cv2.imread``, like mmdet's ``LoadImageFromFile``)."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        fail(f"yolox image | cannot read {path}. Note: expected a readable PNG/JPEG file, got an unreadable file")
    return image


class _ImageSamples:
    """Indexable images with ground truth; ``entries`` are ``(image path, boxes [K, 4], label names)``."""

    entries: list[tuple[pathlib.Path, np.ndarray, list[str]]]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def num_objects(self) -> int:
        """int: Ground-truth boxes over all images."""
        return sum(len(labels) for _, _, labels in self.entries)

    def get_sample(self, index: int) -> dict:
        """Sample ``index``: the BGR image and its ground truth (boxes in original pixels)."""
        if not 0 <= index < len(self.entries):
            fail(f"yolox data | sample index out of range. Note: expected 0 <= index < {len(self)}, got {index}")
        path, boxes, labels = self.entries[index]
        return {
            "image": read_image(path),
            "ground_truth": {"boxes": boxes, "labels": list(labels)},
            "uuid": path.name,
            "timestamp_us": index * 100_000,
        }


class YoloxSamples(_ImageSamples):
    """Our format: a folder with ``annotations.json`` ``{classes, images: [{file, boxes, labels}]}``.

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
            raw = list(doc["images"])[:limit]
            self.entries = [
                (
                    self.data_dir / e["file"],
                    np.asarray(e["boxes"], np.float32).reshape(-1, 4),
                    list(e["labels"]),
                )
                for e in raw
            ]
        except (ValueError, KeyError, TypeError) as err:
            fail(f"yolox data | {path} is malformed. Note: expected {{classes, images}}, got {err!r}", cause=err)


class T4InfoSamples(_ImageSamples):
    """AWML's T4 2D infos (``yolox_infos_val.json``), validated when constructed.

    Args:
        info_file (str | pathlib.Path): The infos JSON.
        class_names (Sequence[str]): The model's classes in index order.
        data_root (str | None): The model config's ``data_root`` (prefix of relative image paths). Defaults to
            the info file's folder.
        limit (int | None): Use only the first ``limit`` images. Defaults to all.
    """

    def __init__(self, info_file, class_names: Sequence[str], data_root: str | None = None, limit=None) -> None:
        self.info_file = pathlib.Path(info_file)
        key = "runtime_io.info_file"
        try:
            doc = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            fail(f"{key} {self.info_file} | not readable JSON. Note: expected T4 2D infos, got {err!r}", cause=err)
        if not isinstance(doc, dict) or not isinstance(doc.get("data_list"), list):
            got = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
            expected(key, "not T4 2D infos", "a JSON object with a data_list list (AWML yolox_infos_*.json)", got)
        metainfo = doc.get("metainfo") or {}
        file_classes = list(metainfo.get("classes") or class_names) if isinstance(metainfo, dict) else []
        unknown = [name for name in file_classes if name not in class_names]
        if not file_classes or unknown:
            expected(
                f"{key} metainfo.classes", "classes unknown to the model", f"names among {list(class_names)}", unknown
            )
        if not doc["data_list"]:
            expected(f"{key} data_list", "holds no images", "at least one image entry", [])
        roots = [pathlib.Path(data_root)] if data_root else []
        roots.append(self.info_file.parent)
        self.entries = [
            self._entry(item, f"{key} data_list[{i}]", file_classes, roots)
            for i, item in enumerate(doc["data_list"][:limit])
        ]

    @staticmethod
    def _entry(item, path: str, classes: list[str], roots: list[pathlib.Path]):
        if not isinstance(item, dict) or not isinstance(item.get("img_path"), str):
            expected(path, "not an image entry", "{img_path, instances: [...]}", item)
        image = pathlib.Path(item["img_path"])
        if not image.is_absolute():
            image = next((root / image for root in roots if (root / image).is_file()), roots[0] / image)
        if not image.is_file():
            expected(f"{path}.img_path", "image not found", "an existing image file", str(image))
        boxes, labels = [], []
        instances = item.get("instances", [])
        if not isinstance(instances, list):
            expected(f"{path}.instances", "must be a list", "a list of {bbox, bbox_label}", instances)
        for j, inst in enumerate(instances):
            where = f"{path}.instances[{j}]"
            if not isinstance(inst, dict):
                expected(where, "not a mapping", "{bbox, bbox_label, ignore_flag}", inst)
            bbox, label = inst.get("bbox"), inst.get("bbox_label")
            ok_box = isinstance(bbox, list) and len(bbox) == 4
            ok_box = ok_box and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox)
            if not ok_box or not np.all(np.isfinite(bbox)) or bbox[2] < bbox[0] or bbox[3] < bbox[1]:
                expected(f"{where}.bbox", "invalid box", "[x1, y1, x2, y2] finite with x1 <= x2, y1 <= y2", bbox)
            if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < len(classes):
                expected(f"{where}.bbox_label", "invalid label", f"an index in [0, {len(classes)})", label)
            if inst.get("ignore_flag", 0) not in (0, 1):
                expected(f"{where}.ignore_flag", "invalid flag", "0 or 1", inst.get("ignore_flag"))
            if inst.get("ignore_flag", 0) == 0:
                boxes.append(bbox)
                labels.append(classes[label])
        return image, np.asarray(boxes, np.float32).reshape(-1, 4), labels


def make_samples(settings, info_file: str | None, model_cfg, class_names: Sequence[str]):
    """The evaluation data a deploy config names, validated now (before any export).

    Args:
        settings (YoloxSettings): ``data_dir`` and ``num_images``.
        info_file (str | None): ``runtime_io.info_file`` (T4 2D infos); relative paths resolve against the model
            config's ``data_root`` first, as AWML's dataset does.
        model_cfg: The model config (``data_root``).
        class_names (Sequence[str]): The model's classes.

    Returns:
        YoloxSamples | T4InfoSamples: The samples.
    """
    from projects.yolox.settings import resolve_path

    if info_file is None:
        samples = YoloxSamples(settings.data_dir, settings.num_images)
        unknown = sorted(set(samples.classes) - set(class_names))
        if unknown:
            where = "project.data_dir" if settings.data_dir is not None else "the embedded evaluation images"
            expected(
                where,
                f"classes {unknown} are not the model's",
                f"runtime_io.info_file (T4 2D infos) or a data_dir labelled with {list(class_names)}",
                list(samples.classes),
            )
        return samples
    if settings.data_dir is not None:
        expected(
            "project.data_dir", "given together with runtime_io.info_file", "one data source", str(settings.data_dir)
        )
    data_root = model_cfg.get("data_root") or None
    path = pathlib.Path(info_file)
    if not path.is_absolute() and data_root and (pathlib.Path(data_root) / path).is_file():
        path = pathlib.Path(data_root) / path
    else:
        path = resolve_path(info_file)
    if not path.is_file():
        expected("runtime_io.info_file", "not found", "an existing T4 2D infos JSON (yolox_infos_*.json)", str(path))
    return T4InfoSamples(path, class_names, data_root, settings.num_images)
