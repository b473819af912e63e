"""The YOLOX project: ``PROJECT = ProjectSpec("yolox", ...)`` for the awml-deploy CLI.

Project settings (``project`` section of the deploy config, all optional; read strictly by
:func:`projects.yolox.settings.parse_settings`):
    model_config: mmdet YOLOX config file (relative paths: to the CWD, then the repository root).
        Defaults to the embedded ``configs/yolox_pico_shapes.py``.
    data_dir: Folder with ``annotations.json`` + images. Defaults to the embedded ``assets/eval`` (when
        ``runtime_io.info_file`` does not name a dataset).
    num_images: Use only the first N images. Defaults to all.
    iou_thresholds: "0.5", "0.5:0.95" or a list. Defaults to "0.5".
    max_detections: Cap on detections per image after NMS. Defaults to 0 (none, as mmdet's YOLOX).
    class_names: Class names in index order (e.g. Autoware's list). Defaults to the model config's.
    trust_checkpoint: Allow a full-pickle checkpoint (only for files you trust). Defaults to False.
    cpu_threads: Intra-op threads of torch and ONNX Runtime on CPU (set process-wide for torch). Defaults to the
        libraries' own choice; 1 avoids OpenMP spin-waits on an oversubscribed machine.
    nms: {"append": ["onnx", "tensorrt"], "onnx_in_graph": bool, "max_output_boxes": int}: NMS variants written
        next to the main ONNX graph, and whether the ONNX backend runs the NonMaxSuppression variant.
        Defaults to no variants, host NMS.
    flavour: "dynamic_batch" or "autoware" (static batch for autoware_tensorrt_yolox). Defaults to "dynamic_batch".
    batch_size: The autoware flavour's static batch. Defaults to 1.

The ONNX I/O shapes and TensorRT profile come from the model config (see :mod:`projects.yolox.contract`);
``components.model.io`` may declare only the names.
"""

from __future__ import annotations

import dataclasses
import pathlib

from awml_deploy.core.errors import expected
from awml_deploy.runtime import BaseDeploymentRunner, ProjectSpec

HERE = pathlib.Path(__file__).absolute().parent
DEFAULT_DEPLOY_CONFIG = HERE / "configs" / "deploy_default.py"


class YoloxRunner(BaseDeploymentRunner):
    """Thin runner: model loader, data, export pipeline, pipelines and evaluator are injected.

    The ``project`` section and the model config are validated here, before any work starts.

    Args:
        config (DeployConfig): Validated config.
    """

    project_name = "yolox"

    def __init__(self, config) -> None:
        from projects.yolox.contract import YoloxContract, input_hw
        from projects.yolox.data import make_samples
        from projects.yolox.decode import YoloxDecoder
        from projects.yolox.evaluator import YoloxEvaluator
        from projects.yolox.export import YoloxComponentBuilder, YoloxExportPipeline
        from projects.yolox.model import class_names, load_model_config, load_yolox
        from projects.yolox.pipelines import make_registry
        from projects.yolox.preprocessing import build_preprocessing_pipeline
        from projects.yolox.settings import parse_settings

        settings = parse_settings(config.project)
        if list(config.components) != ["model"]:
            expected("components", "YOLOX exports one graph", "exactly ['model']", list(config.components))
        if settings.cpu_threads is not None:
            import torch

            torch.set_num_threads(settings.cpu_threads)
        model_cfg = load_model_config(settings.model_config)
        names = class_names(model_cfg, settings.class_names)
        preprocess = build_preprocessing_pipeline(model_cfg)
        decoder = YoloxDecoder.from_model_config(model_cfg, settings.max_detections)
        contract = YoloxContract(
            input_hw(preprocess), decoder.strides, len(names), settings.flavour, settings.batch_size
        )
        config = dataclasses.replace(config, components={"model": contract.component(config.components["model"])})
        nms_args = {
            "strides": decoder.strides,
            "num_classes": len(names),
            "score_threshold": decoder.score_thr,
            "iou_threshold": decoder.iou_threshold,
            "max_output_boxes": settings.nms_max_output_boxes,
        }
        samples = make_samples(settings, config.runtime_io.info_file, model_cfg, names)
        super().__init__(
            config,
            load_model=lambda checkpoint, device: load_yolox(checkpoint, device, model_cfg, settings.trust_checkpoint),
            samples=samples,
            export_pipeline=YoloxExportPipeline(
                YoloxComponentBuilder(preprocess, batch_size=settings.batch_size),
                settings.nms_append,
                nms_args,
                contract,
            ),
            evaluator=YoloxEvaluator(names, settings.iou_thresholds, decoder, contract.input_hw),
            pipelines=make_registry(
                preprocess, decoder, settings.nms_onnx_in_graph, settings.cpu_threads, settings.batch_size
            ),
        )
        self.contract = contract
        self.settings = settings
        self.model_config = model_cfg


PROJECT = ProjectSpec(
    "yolox",
    YoloxRunner,
    default_config=str(DEFAULT_DEPLOY_CONFIG),
    description="YOLOX 2D detection (mmdet) in Autoware's ONNX layout; embedded synthetic-shapes default",
)
