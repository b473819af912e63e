"""The `verification` and `evaluation` sections."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from awml_deploy.config.reader import SectionReader, as_bool, as_float, as_int, as_list, as_mapping, as_str, optional
from awml_deploy.config.sections import DevicesConfig
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend, ExportMode
from awml_deploy.core.errors import expected
from awml_deploy.core.logging import get_logger

_LOG = get_logger("config")
DEFAULT_TOLERANCES = {"fp32": (1e-4, 1e-3), "fp16": (2e-2, 2e-2)}


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """Elementwise tolerance |a - b| <= atol + rtol * |b|.

    Attributes:
        atol: Absolute tolerance.
        rtol: Relative tolerance.
    """

    atol: float
    rtol: float


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One verification pair.

    Attributes:
        ref_backend: Reference backend.
        ref_device: Reference device.
        test_backend: Tested backend.
        test_device: Tested device.
    """

    ref_backend: Backend
    ref_device: DeviceSpec
    test_backend: Backend
    test_device: DeviceSpec

    @property
    def key(self) -> str:
        """str: e.g. "pytorch_cpu_vs_onnx_cpu"."""
        return f"{self.ref_backend}_{self.ref_device}_vs_{self.test_backend}_{self.test_device}".replace(":", "")

    @property
    def backends(self) -> tuple[Backend, Backend]:
        """tuple[Backend, Backend]: (ref, test)."""
        return (self.ref_backend, self.test_backend)


@dataclasses.dataclass(frozen=True)
class VerificationConfig:
    """The `verification` section.

    Attributes:
        enabled: Run verification.
        num_verify_samples: Samples compared per scenario.
        tolerances: Precision ("fp32", "fp16") → default tolerance.
        per_output: Output name or path → tolerance override.
        scenarios: Export mode → scenarios run in that mode.
    """

    enabled: bool
    num_verify_samples: int
    tolerances: Mapping[str, Tolerance]
    per_output: Mapping[str, Tolerance]
    scenarios: Mapping[ExportMode, tuple[Scenario, ...]]

    def scenarios_for(self, mode: ExportMode) -> tuple[Scenario, ...]:
        """Scenarios of ``mode``."""
        return self.scenarios.get(mode, ())


def _default_scenarios(devices: DevicesConfig) -> dict[ExportMode, tuple[Scenario, ...]]:
    cpu, cuda = devices.aliases["cpu"], devices.aliases["cuda"]
    torch_onnx = Scenario(Backend.PYTORCH, cpu, Backend.ONNX, cpu)
    onnx_trt = Scenario(Backend.ONNX, cuda, Backend.TENSORRT, cuda)
    return {
        ExportMode.ONNX: (torch_onnx,),
        ExportMode.BOTH: (torch_onnx, onnx_trt),
        ExportMode.TRT: (onnx_trt,),
        ExportMode.NONE: (torch_onnx,),
    }


def _tolerance(value: object, path: str, base: Tolerance | None = None) -> Tolerance:
    reader = SectionReader(value, path)
    atol = reader.get("atol", as_float, None if base is None else base.atol, minimum=0.0)
    rtol = reader.get("rtol", as_float, None if base is None else base.rtol, minimum=0.0)
    reader.finish()
    if atol is None or rtol is None:
        expected(path, "both atol and rtol are required", "{atol: float, rtol: float}", value)
    return Tolerance(atol, rtol)


def _scenario(value: object, path: str, devices: DevicesConfig) -> Scenario:
    reader = SectionReader(value, path)
    scenario = Scenario(
        ref_backend=reader.get("ref_backend", Backend.parse),
        ref_device=reader.get("ref_device", devices.resolve),
        test_backend=reader.get("test_backend", Backend.parse),
        test_device=reader.get("test_device", devices.resolve),
    )
    reader.finish()
    for side in ("ref", "test"):
        if getattr(scenario, f"{side}_backend") is Backend.TENSORRT and not getattr(scenario, f"{side}_device").is_cuda:
            expected(
                f"{path}.{side}_device",
                "TensorRT runs only on CUDA",
                "a CUDA device",
                str(getattr(scenario, f"{side}_device")),
            )
    if scenario.ref_backend == scenario.test_backend and scenario.ref_device == scenario.test_device:
        expected(path, "reference and test are the same", "two different backend/device pairs", scenario.key)
    return scenario


def parse_verification(value: object, devices: DevicesConfig) -> VerificationConfig:
    """Parses ``verification``; device aliases resolve through ``devices``."""
    reader = SectionReader(value, "verification")
    enabled = reader.get("enabled", as_bool, True)
    num = reader.get("num_verify_samples", as_int, 3, minimum=1)
    tol_reader = SectionReader(reader.get("tolerances", as_mapping, {}), "verification.tolerances")
    awml_tolerance = reader.get("tolerance", optional(as_float), None, minimum=0.0)
    if awml_tolerance is not None and tol_reader.data:
        expected("verification.tolerance", "given with verification.tolerances", "one of the two", awml_tolerance)
    tolerances = {}
    for precision, (atol, rtol) in DEFAULT_TOLERANCES.items():
        if awml_tolerance is not None:  # AWML: one absolute tolerance per element, whatever the precision
            atol, rtol = awml_tolerance, 0.0
        tolerances[precision] = tol_reader.get(precision, _tolerance, Tolerance(atol, rtol), Tolerance(atol, rtol))
    tol_reader.finish()
    _awml_ignored(reader, "verification.devices", "scenario devices resolve through the top-level devices")
    per_output = {
        name: _tolerance(raw, f"verification.per_output.{name}", tolerances["fp32"])
        for name, raw in as_mapping(reader.get("per_output", as_mapping, {}), "verification.per_output").items()
    }
    scenarios = _default_scenarios(devices)
    raw_scenarios = as_mapping(reader.get("scenarios", as_mapping, {}), "verification.scenarios")
    for mode_name, items in raw_scenarios.items():
        path = f"verification.scenarios.{mode_name}"
        mode = ExportMode.parse(mode_name, path)
        scenarios[mode] = tuple(_scenario(s, f"{path}[{i}]", devices) for i, s in enumerate(as_list(items, path)))
    reader.finish()
    return VerificationConfig(
        enabled, num, MappingProxyType(tolerances), MappingProxyType(per_output), MappingProxyType(scenarios)
    )


@dataclasses.dataclass(frozen=True)
class EvalBackendConfig:
    """One backend entry of `evaluation.backends`.

    Attributes:
        enabled: Evaluate this backend.
        device: Device it runs on.
        artifact: Explicit artifact path ("configured" in the resolution order), or None.
    """

    enabled: bool
    device: DeviceSpec
    artifact: str | None = None


@dataclasses.dataclass(frozen=True)
class EvaluationConfig:
    """The `evaluation` section.

    Attributes:
        enabled: Run evaluation.
        num_samples: Samples per backend (-1 = all).
        warmup: Untimed warm-up iterations before timing.
        backends: Backend → settings.
        max_primary_metric_delta: Gate: |metric(backend) - metric(pytorch)| must stay within this, or None.
        min_primary_metric: Quality floor in [0, 1]: a backend whose primary metric is below it fails its
            ``evaluation.<backend>`` gate; None for no floor.
    """

    enabled: bool = False
    num_samples: int = 10
    warmup: int = 2
    backends: Mapping[Backend, EvalBackendConfig] = dataclasses.field(default_factory=dict)
    max_primary_metric_delta: float | None = None
    min_primary_metric: float | None = None


def _awml_ignored(reader: SectionReader, path: str, why: str) -> None:
    """Accepts a key AWML parses but never uses, with a one-line notice."""
    name = path.rsplit(".", 1)[-1]
    if reader.has(name):
        reader.get(name, lambda value, key: value)
        _LOG.warning("%s | accepted and ignored, as AWML does (%s)", path, why)


# AWML's explicit artifact key of each backend (evaluation.backends.<backend>.<key>); ours is `artifact`.
AWML_ARTIFACT_KEYS = {"onnx": "model_dir", "tensorrt": "engine_dir"}


def _eval_backend(
    value: object, path: str, devices: DevicesConfig, default_device: str, artifact: str | None = None
) -> EvalBackendConfig:
    reader = SectionReader(value, path)
    backend = path.rsplit(".", 1)[-1]
    artifact = reader.get("artifact", optional(as_str), artifact)
    awml_key = AWML_ARTIFACT_KEYS.get(backend)
    if awml_key is not None and reader.has(awml_key):
        if reader.has("artifact"):
            expected(f"{path}.{awml_key}", "given with artifact", "one of the two (the same meaning)", artifact)
        artifact = reader.get(awml_key, optional(as_str), None)
    config = EvalBackendConfig(
        enabled=reader.get("enabled", as_bool, True),
        device=reader.get("device", devices.resolve, devices.resolve(default_device, path)),
        artifact=artifact,
    )
    reader.finish()
    if path.endswith(".tensorrt") and not config.device.is_cuda:
        expected(f"{path}.device", "TensorRT runs only on CUDA", "a CUDA device", str(config.device))
    return config


def parse_evaluation(value: object, devices: DevicesConfig) -> EvaluationConfig:
    """Parses ``evaluation``; missing backends keep defaults (pytorch/onnx on cpu, tensorrt on cuda; runtime, cpu,
    only when listed)."""
    reader = SectionReader(value, "evaluation")
    enabled = reader.get("enabled", as_bool, False)
    num_samples = reader.get("num_samples", as_int, 10, minimum=-1)
    if num_samples == 0:
        expected("evaluation.num_samples", "must be -1 (all) or positive", "-1 or an integer >= 1", num_samples)
    warmup = reader.get("warmup", as_int, 2, minimum=0)
    defaults = {Backend.PYTORCH: "cpu", Backend.ONNX: "cpu", Backend.TENSORRT: "cuda"}
    models = {  # AWML: evaluation.models = {backend: artifact path}
        Backend.parse(name, f"evaluation.models.{name}"): as_str(path, f"evaluation.models.{name}")
        for name, path in as_mapping(reader.get("models", as_mapping, {}), "evaluation.models").items()
    }
    backends = {
        b: EvalBackendConfig(True, devices.resolve(d, "evaluation"), models.get(b)) for b, d in defaults.items()
    }
    for name, raw in as_mapping(reader.get("backends", as_mapping, {}), "evaluation.backends").items():
        path = f"evaluation.backends.{name}"
        backend = Backend.parse(name, path)
        backends[backend] = _eval_backend(
            raw, f"evaluation.backends.{backend}", devices, defaults.get(backend, "cpu"), models.get(backend)
        )
    delta = reader.get("max_primary_metric_delta", optional(as_float), None, minimum=0.0)
    floor = reader.get("min_primary_metric", optional(as_float), None, minimum=0.0, maximum=1.0)
    _awml_ignored(reader, "evaluation.verbose", "progress and per-stage timings are always logged")
    _awml_ignored(reader, "evaluation.devices", "backend devices are evaluation.backends.<backend>.device")
    reader.finish()
    return EvaluationConfig(enabled, num_samples, warmup, MappingProxyType(backends), delta, floor)
