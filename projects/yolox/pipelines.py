"""YOLOX inference pipelines: one pre/post-processing for every backend, backend-specific model runs.

A sample is ``{"image": uint8 [H, W, 3] BGR, ...}``. ``preprocess`` letterboxes it with the pipeline built from
the model config's mmdet test pipeline; ``run_model`` runs the backend on ``images``; ``postprocess`` turns the
Autoware-layout ``output`` into :class:`~projects.yolox.decode.Detections` (or, for the ONNX graph with NMS
inside, only rescales ``det_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.core.arrays import as_numpy
from awml_deploy.core.artifacts import component_file
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import fail
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.factory import PipelineContext, PipelineRegistry
from awml_deploy.pipelines.runner import BaseRunner
from projects.yolox.decode import Detections, YoloxDecoder
from projects.yolox.export import INPUT_NAME, OUTPUT_NAME, autoware_wrapper, nms_file_name

NMS_OUTPUTS = ("det_boxes", "det_scores", "det_classes", "det_batch")


class YoloxPipeline(BaseInferencePipeline):
    """Image → detections in original-image pixels.

    Args:
        runner (BaseRunner): Backend runner taking ``images`` and returning ``output`` (and ``det_*`` with NMS).
        spec (ModelSpec): What runs where.
        preprocess: ``image -> (tensor [1, 3, H, W], ImageMeta)``.
        decoder (YoloxDecoder): Host decoding and NMS.
        nms_in_graph (bool | None): The graph already ran NMS (``det_*`` outputs). Defaults to False.
        batch_size (int | None): Static batch of the graph (autoware flavour): the image is repeated and the
            first result used. Defaults to 1.
    """

    def __init__(
        self,
        runner: BaseRunner,
        spec: ModelSpec,
        preprocess,
        decoder: YoloxDecoder,
        nms_in_graph: bool | None = None,
        batch_size: int | None = None,
    ) -> None:
        super().__init__(runner, spec)
        self.preprocess_image = preprocess
        self.decoder = decoder
        self.nms_in_graph = False if nms_in_graph is None else nms_in_graph
        self.batch_size = 1 if batch_size is None else batch_size

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        if not isinstance(sample, Mapping) or "image" not in sample:
            fail("yolox sample | no image. Note: expected a mapping with 'image' (uint8 [H, W, 3] BGR)")
        tensor, meta = self.preprocess_image(sample["image"])
        return {INPUT_NAME: np.repeat(tensor, self.batch_size, axis=0)}, {"image_meta": meta}

    def run_model(self, feed: Mapping[str, Any]) -> Any:
        outputs = self.runner.infer(feed)
        required = (OUTPUT_NAME, *NMS_OUTPUTS) if self.nms_in_graph else (OUTPUT_NAME,)
        missing = [name for name in required if name not in outputs]
        if missing:
            fail(
                f"yolox {self.spec.label} | model outputs lack {missing}. Note: expected outputs {list(required)}, "
                f"got {sorted(outputs)}"
            )
        return outputs

    def postprocess(self, raw_output: Any, metadata: dict) -> Detections:
        meta = metadata["image_meta"]
        if not self.nms_in_graph:
            return self.decoder(as_numpy(raw_output[OUTPUT_NAME])[:1], meta.input_shape, meta.scale_factor)
        first = as_numpy(raw_output["det_batch"]) == 0  # a static batch > 1 repeats the image
        return self.decoder.finish(
            as_numpy(raw_output["det_boxes"])[first],
            as_numpy(raw_output["det_scores"])[first],
            as_numpy(raw_output["det_classes"])[first],
            meta.scale_factor,
            run_nms=False,
        )


class CheckedOnnxSession:
    """Loader: an ORT session checked against the declared I/O; fails with one line (exit 2) when the graph lacks the declared I/O."""

    def __init__(self, loader, required_outputs: tuple[str, ...], batch_size: int | None = None) -> None:
        self.loader = loader
        self.required_outputs = required_outputs
        self.batch_size = batch_size

    def __call__(self):
        session = self.loader()
        inputs = [i.name for i in session.get_inputs()]
        outputs = [o.name for o in session.get_outputs()]
        if inputs != [INPUT_NAME]:
            fail(f"yolox onnx {self.loader.path} | wrong inputs. Note: expected ['{INPUT_NAME}'], got {inputs}")
        missing = [name for name in self.required_outputs if name not in outputs]
        if missing:
            fail(
                f"yolox onnx {self.loader.path} | missing output {missing[0]!r}. Note: expected outputs "
                f"{list(self.required_outputs)}, got {outputs}"
            )
        batch = session.get_inputs()[0].shape[0]
        if self.batch_size is not None and batch != self.batch_size:
            fail(
                f"yolox onnx {self.loader.path} | dynamic or wrong batch for the autoware flavour "
                f"(autoware_tensorrt_yolox reads the batch from the ONNX). Note: expected {self.batch_size}, got {batch!r}"
            )
        return session


def make_registry(
    preprocess,
    decoder: YoloxDecoder,
    nms_in_graph_onnx: bool,
    cpu_threads: int | None = None,
    batch_size: int | None = None,
) -> PipelineRegistry:
    """Pipeline builders of the three backends for project "yolox".

    Args:
        preprocess: The preprocessing pipeline.
        decoder (YoloxDecoder): Host decoder.
        nms_in_graph_onnx (bool): The ONNX backend runs the graph with ``NonMaxSuppression`` appended.
        cpu_threads (int | None): ONNX Runtime intra-op threads. Defaults to ONNX Runtime's choice.
        batch_size (int | None): Static batch of the graphs (autoware flavour). Defaults to a dynamic batch.

    Returns:
        PipelineRegistry: Registry with project builders for pytorch, onnx and tensorrt.
    """

    def pytorch(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
        from awml_deploy.pipelines.torch_backend import PyTorchRunner

        runner = PyTorchRunner(
            lambda: autoware_wrapper(context.load_pytorch_model(spec.device)),
            (INPUT_NAME,),
            (OUTPUT_NAME,),
            spec.device,
        )
        return YoloxPipeline(runner, spec, preprocess, decoder, batch_size=batch_size)

    def onnx(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
        from awml_deploy.pipelines.onnxruntime_backend import OnnxRuntimeRunner, OnnxSessionFromPath

        component = context.components["model"]
        name = nms_file_name(component.onnx_file, "onnx") if nms_in_graph_onnx else component.onnx_file
        path = component_file(spec.artifact, name)
        required = (OUTPUT_NAME, *NMS_OUTPUTS) if nms_in_graph_onnx else (OUTPUT_NAME,)
        loader = CheckedOnnxSession(OnnxSessionFromPath(str(path), spec.device, cpu_threads), required, batch_size)
        runner = OnnxRuntimeRunner(loader, spec.device)
        return YoloxPipeline(runner, spec, preprocess, decoder, nms_in_graph_onnx, batch_size)

    def tensorrt(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
        from awml_deploy.config.components import component_io_spec
        from awml_deploy.pipelines.tensorrt_backend import TensorRTRunner

        component = context.components["model"]
        path = component_file(spec.artifact, component.engine_file)
        runner = TensorRTRunner(str(path), component_io_spec(component), spec.device)
        return YoloxPipeline(runner, spec, preprocess, decoder, batch_size=batch_size)

    registry = PipelineRegistry()
    registry.register(Backend.PYTORCH, pytorch, "yolox")
    registry.register(Backend.ONNX, onnx, "yolox")
    registry.register(Backend.TENSORRT, tensorrt, "yolox")
    return registry
