"""Export stage: ONNX for every component, then TensorRT engines (skipped with a reason when unavailable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awml_deploy import __version__
from awml_deploy.core.artifacts import Artifact
from awml_deploy.core.device import CPU, DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import EXIT_USAGE, DeployError, describe_unexpected, fail
from awml_deploy.core.logging import get_logger
from awml_deploy.core.provenance import git_sha
from awml_deploy.core.samples import SampleSource
from awml_deploy.exporters.pipeline import ExportPipeline
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.results import FAILED, PASSED, SKIPPED

_LOG = get_logger("export")
ONNX_DIR_NAME = "onnx"
TENSORRT_DIR_NAME = "tensorrt"


class ExportOrchestrator:
    """Runs the export stage of one run.

    Args:
        context (RunContext): Run state.
        load_model (Callable[[DeviceSpec], Any]): Returns the PyTorch model on a device.
        samples (Callable[[], SampleSource]): Returns the data.
        pipeline (ExportPipeline): Splits and exports the model.
    """

    def __init__(
        self,
        context: RunContext,
        load_model: Callable[[DeviceSpec], Any],
        samples: Callable[[], SampleSource],
        pipeline: ExportPipeline,
    ) -> None:
        self.context = context
        self.load_model = load_model
        self.samples = samples
        self.pipeline = pipeline

    def run(self) -> bool:
        """Exports what ``export.mode`` asks for.

        Returns:
            bool: False when an export failed (later stages are then skipped).
        """
        mode = self.context.config.export.mode
        ok = self._onnx() if mode.exports_onnx else self._skip("onnx", f"export.mode is {mode}")
        if not ok:
            return False
        if not mode.exports_tensorrt:
            return self._skip("tensorrt", f"export.mode is {mode}")
        if not self.context.tensorrt.available:
            _LOG.warning(self.context.tensorrt_skip_reason)
            self.context.result.add_gate("export.tensorrt", SKIPPED, self.context.tensorrt_skip_reason)
            return self._skip("tensorrt", self.context.tensorrt_skip_reason)
        return self._tensorrt()

    def _output_dirs(self) -> list[str]:
        """The folders this run writes: an earlier run's content there is moved aside first."""
        mode = self.context.config.export.mode
        names = [ONNX_DIR_NAME] if mode.exports_onnx else []
        return names + ([TENSORRT_DIR_NAME] if mode.exports_tensorrt and self.context.tensorrt.available else [])

    def _skip(self, backend: str, reason: str) -> bool:
        self.context.result.export[backend] = {"status": SKIPPED, "reason": reason}
        return True

    def _record_failure(self, backend: str, err: DeployError) -> bool:
        if err.exit_code == EXIT_USAGE:
            raise err
        _LOG.error("export %s failed: %s", backend, err)
        self.context.result.export[backend] = {"status": FAILED, "reason": str(err)}
        self.context.result.add_gate(f"export.{backend}", FAILED, str(err))
        return False

    def _onnx(self) -> bool:
        ctx = self.context
        config = ctx.config
        checkpoint = config.require_checkpoint("export (mode onnx/both)")
        try:
            ctx.artifacts.register(Artifact.from_path(Backend.PYTORCH, checkpoint, "config:checkpoint_path"))
            model = self.load_model(CPU)
            metadata = {
                "producer": "awml-deploy",
                "version": __version__,
                "git_sha": git_sha(),
                "config_hash": config.config_hash,
            }
            out_dir = ctx.work_dir / ONNX_DIR_NAME
            ctx.retire_outputs(self._output_dirs())
            infos = self.pipeline.export_onnx(
                model,
                self.samples(),
                config.runtime_io.sample_idx,
                config.components,
                config.onnx_config,
                out_dir,
                metadata,
            )
            artifact = ctx.artifacts.register(Artifact.from_path(Backend.ONNX, out_dir, "export"))
        except DeployError as err:
            return self._record_failure("onnx", err)
        except Exception as err:  # noqa: BLE001 - project component builder / adapter
            return self._record_failure("onnx", DeployError(describe_unexpected("export onnx", err), 1))
        ctx.result.export["onnx"] = {
            "status": PASSED,
            "components": [i.to_json_dict() for i in infos],
            "artifact": artifact.to_json_dict(),
        }
        ctx.result.add_gate("export.onnx", PASSED)
        return True

    def _tensorrt(self) -> bool:
        ctx = self.context
        config = ctx.config
        try:
            source = ctx.artifacts.resolve(Backend.ONNX)
            if source is None:
                fail(
                    f"export.onnx_path | no ONNX source for TensorRT. Note: expected an existing path, got "
                    f"{config.export.onnx_path}",
                    exit_code=EXIT_USAGE,
                )
            out_dir = ctx.work_dir / TENSORRT_DIR_NAME
            ctx.retire_outputs(self._output_dirs())
            engines = self.pipeline.export_tensorrt(
                source.artifact.path, config.components, config.tensorrt_config, config.devices.aliases["cuda"], out_dir
            )
            artifact = ctx.artifacts.register(Artifact.from_path(Backend.TENSORRT, out_dir, "export"))
        except DeployError as err:
            return self._record_failure("tensorrt", err)
        except Exception as err:  # noqa: BLE001 - native builder
            return self._record_failure("tensorrt", DeployError(describe_unexpected("export tensorrt", err), 1))
        ctx.result.export["tensorrt"] = {
            "status": PASSED,
            "engines": engines,
            "artifact": artifact.to_json_dict(),
        }
        ctx.result.add_gate("export.tensorrt", PASSED)
        return True
