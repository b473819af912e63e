"""The ``project`` section of a CenterPoint deploy config, read once into :class:`CenterPointSettings`.

Read through :class:`awml_deploy.config.reader.SectionReader`: unknown keys, non-bool booleans (``"no"``,
``"false"``, ``0``, ``2``), bad numbers and bad tolerances are one-line errors (exit 2) raised by the runner's
constructor, before any work starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.reader import SectionReader, as_bool, as_choice, as_float, as_int, as_mapping, as_str, optional
from awml_deploy.core.errors import expected
from projects.centerpoint.evaluator import DEFAULT_BOX_TOLERANCES

METRIC_KEYS = ("thresholds", "range_filter", "distance_buckets", "min_points")


@dataclasses.dataclass(frozen=True)
class CenterPointSettings:
    """CenterPoint project settings.

    Attributes:
        model_config: mmdet3d/AWML model config, or None for the embedded tiny synthetic model.
        trust_checkpoint: Allow unknown pickled objects in the checkpoint (runs code from the file).
        num_frames: Frames of the data used, or None for all.
        scene_set: Synthetic scene-set JSON rendered when ``runtime_io.info_file`` is not given, or None for the
            embedded evaluation scenes.
        rot_y_axis_reference: Export the head in Autoware's y-axis convention.
        single_graph: Also write the single-graph ONNX with the scatter plugin node.
        bev_picture: Draw frame 0 with GT and predictions, per-class PR curves and box-error histograms into the
            run directory (linked from report.md).
        metrics: Detection3DMetricsInterface settings overriding the model config's, or None.
        box_tolerances: Decoded-box verification tolerances (center, size, yaw, score, match_radius).
        cpu_threads: Threads of PyTorch and ONNX Runtime on CPU, or None for each library's choice.
        autoware_target: The Autoware node the model must fit: universe | legacy | none (see ``autoware.py``).
    """

    model_config: str | None = None
    trust_checkpoint: bool = False
    num_frames: int | None = None
    scene_set: str | None = None
    rot_y_axis_reference: bool = False
    single_graph: bool = True
    bev_picture: bool = True
    metrics: Mapping[str, Any] | None = None
    box_tolerances: Mapping[str, float] = dataclasses.field(default_factory=lambda: dict(DEFAULT_BOX_TOLERANCES))
    cpu_threads: int | None = None
    autoware_target: str = "universe"


def _tolerances(value: object, path: str) -> dict:
    reader = SectionReader(value, path)
    out = {key: reader.get(key, as_float, default, minimum=0.0) for key, default in DEFAULT_BOX_TOLERANCES.items()}
    reader.finish()
    return out


def _metrics(value: object, path: str) -> dict:
    data = dict(as_mapping(value, path))
    unknown = sorted(set(data) - set(METRIC_KEYS))
    if unknown:
        expected(f"{path}.{unknown[0]}", "unknown key", "one of " + "|".join(METRIC_KEYS), unknown[0])
    if "thresholds" in data:
        thresholds = as_mapping(data["thresholds"], f"{path}.thresholds")
        if not thresholds:
            expected(f"{path}.thresholds", "empty", "{mode: [t, ...]} or {mode: {label: [t, ...]}}", thresholds)
    return data


def read_settings(value: object, path: str | None = None) -> CenterPointSettings:
    """Reads the ``project`` section.

    Args:
        value (object): The raw section (None = all defaults).
        path (str | None): Key path for messages. Defaults to "project".

    Returns:
        CenterPointSettings: The settings.
    """
    path = "project" if path is None else path
    r = SectionReader(value, path)
    settings = CenterPointSettings(
        model_config=r.get("model_config", optional(as_str), None),
        trust_checkpoint=r.get("trust_checkpoint", as_bool, False),
        num_frames=r.get("num_frames", optional(as_int), None, minimum=1),
        scene_set=r.get("scene_set", optional(as_str), None),
        rot_y_axis_reference=r.get("rot_y_axis_reference", as_bool, False),
        single_graph=r.get("single_graph", as_bool, True),
        bev_picture=r.get("bev_picture", as_bool, True),
        metrics=r.get("metrics", optional(_metrics), None),
        box_tolerances=r.get("box_tolerances", _tolerances, dict(DEFAULT_BOX_TOLERANCES)),
        cpu_threads=r.get("cpu_threads", optional(as_int), None, minimum=1),
        autoware_target=r.get("autoware_target", as_choice, "universe", ("universe", "legacy", "none")),
    )
    r.finish()
    return settings
