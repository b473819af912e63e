"""The YOLOX project: ``PROJECT = ProjectSpec("yolox", ...)`` for the awml-deploy CLI.

Project settings (``project`` section of the deploy config, all optional):
    model_config: mmdet YOLOX config file (relative paths: to the repository root, then the CWD).
        Defaults to the embedded ``configs/yolox_pico_shapes.py``.
    data_dir: Folder with ``annotations.json`` + images. Defaults to the embedded ``assets/eval``.
    num_images: Use only the first N images. Defaults to all.
    iou_thresholds: "0.5", "0.5:0.95" or a list. Defaults to "0.5".
    max_detections: Cap on detections per image after NMS. Defaults to 0 (none, as mmdet's YOLOX).
    class_names: Class names in index order (e.g. Autoware's list). Defaults to the model config's.
    trusted_checkpoint: Load with ``weights_only=False`` (trusted mmengine training checkpoints). Defaults to False.
    cpu_threads: Intra-op threads of torch and ONNX Runtime on CPU (set process-wide for torch). Defaults to the
        libraries' own choice; 1 avoids OpenMP spin-waits on an oversubscribed machine.
    nms: {"append": ["onnx", "tensorrt"], "onnx_in_graph": bool, "max_output_boxes": int}: NMS variants written
        next to the main ONNX graph, and whether the ONNX backend runs the NonMaxSuppression variant.
        Defaults to no variants, host NMS.
"""

from __future__ import annotations

import pathlib

from awml_deploy.core.errors import fail
from awml_deploy.runtime import BaseDeploymentRunner, ProjectSpec

HERE = pathlib.Path(__file__).absolute().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_DEPLOY_CONFIG = HERE / "configs" / "deploy_default.py"
_KNOWN = {
    "cpu_threads",
    "model_config",
    "data_dir",
    "num_images",
    "iou_thresholds",
    "max_detections",
    "nms",
}
_NMS_KNOWN = {"append", "onnx_in_graph", "max_output_boxes"}


def _path(value) -> pathlib.Path | None:
    if value is None:
        return None
    path = pathlib.Path(value)
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


def _number(settings, key: str, kind: type, minimum: float):
    """``settings[key]`` as ``kind`` (>= minimum), None when absent; anything else fails naming the key."""
    value = settings.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum or kind(value) != value:
        fail(f"project.{key} | invalid value. Note: expected {kind.__name__} >= {minimum}, got {value!r}")
    return kind(value)


def _nms_settings(raw) -> dict:
    raw = dict(raw or {})
    unknown = sorted(set(raw) - _NMS_KNOWN)
    if unknown:
        fail(f"project.nms | unknown keys {unknown}. Note: expected keys among {sorted(_NMS_KNOWN)}")
    append = tuple(raw.get("append") or ())
    for variant in append:
        if variant not in ("onnx", "tensorrt"):
            fail(f"project.nms.append | unknown variant {variant!r}. Note: expected a list of onnx|tensorrt")
    in_graph = bool(raw.get("onnx_in_graph", False))
    if in_graph and "onnx" not in append:
        fail(
            "project.nms.onnx_in_graph | needs the onnx variant. Note: expected 'onnx' in project.nms.append, got "
            f"{list(append)}"
        )
    return {"append": append, "onnx_in_graph": in_graph, "max_output_boxes": int(raw.get("max_output_boxes", 100))}


class YoloxRunner(BaseDeploymentRunner):
    """Thin runner: model loader, data, export pipeline, pipelines and evaluator are injected.

    Args:
        config (DeployConfig): Validated config.
    """

    project_name = "yolox"

    def __init__(self, config) -> None:
        from projects.yolox.data import YoloxSamples
        from projects.yolox.decode import YoloxDecoder
        from projects.yolox.evaluator import YoloxEvaluator, iou_thresholds
        from projects.yolox.export import YoloxComponentBuilder, YoloxExportPipeline
        from projects.yolox.model import class_names, load_model_config, load_yolox
        from projects.yolox.pipelines import make_registry
        from projects.yolox.preprocessing import build_preprocessing_pipeline

        settings = dict(config.project)
        unknown = sorted(set(settings) - _KNOWN)
        if unknown:
            fail(f"project | unknown keys {unknown}. Note: expected keys among {sorted(_KNOWN)}")
        if list(config.components) != ["model"]:
            fail(
                f"components | YOLOX exports one graph. Note: expected exactly ['model'], got {list(config.components)}"
            )
        threads = _number(settings, "cpu_threads", int, 1)
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        model_cfg = load_model_config(_path(settings.get("model_config")))
        override = settings.get("class_names")
        names = class_names(model_cfg, None if override is None else list(override))
        preprocess = build_preprocessing_pipeline(model_cfg)
        decoder = YoloxDecoder.from_model_config(model_cfg, _number(settings, "max_detections", int, 0))
        nms = _nms_settings(settings.get("nms"))
        nms_args = {
            "strides": decoder.strides,
            "num_classes": len(names),
            "score_threshold": decoder.score_thr,
            "iou_threshold": decoder.iou_threshold,
            "max_output_boxes": nms["max_output_boxes"],
        }
        trusted = bool(settings.get("trusted_checkpoint", False))
        data_dir, limit = _path(settings.get("data_dir")), _number(settings, "num_images", int, 1)
        super().__init__(
            config,
            load_model=lambda checkpoint, device: load_yolox(checkpoint, device, model_cfg, trusted),
            samples=lambda: YoloxSamples(data_dir, limit),
            export_pipeline=YoloxExportPipeline(YoloxComponentBuilder(preprocess), nms["append"], nms_args),
            evaluator=YoloxEvaluator(names, iou_thresholds(settings.get("iou_thresholds", "0.5")), decoder),
            pipelines=make_registry(preprocess, decoder, nms["onnx_in_graph"], threads),
        )
        self.model_config = model_cfg


PROJECT = ProjectSpec(
    "yolox",
    YoloxRunner,
    default_config=str(DEFAULT_DEPLOY_CONFIG),
    description="YOLOX 2D detection (mmdet) in Autoware's ONNX layout; embedded synthetic-shapes default",
)
