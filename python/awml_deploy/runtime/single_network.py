"""Bundles whose model is one network from one checkpoint (classification, segmentation): the shared pieces.

- :class:`ParameterShape` / :func:`check_state_dict`: a checkpoint is checked against the parameters that pin the
  architecture (stem, head) before anything is built, so a wrong file fails on one line that names the parameter.
- :func:`load_network`: weights-only read (:func:`awml_deploy.core.checkpoint.read_state_dict`, the trust switch
  passed through), the check, a strict load, eval mode on the device.
- :class:`InputSampleAdapter`: the export sample is the preprocessed model input of ``runtime_io.sample_idx``.
- :class:`SingleNetworkRunner`: one component, and everything that can be checked before a run starts is checked
  in its constructor (component count, checkpoint file, evaluation data, export sample index).

torch is imported only when a network is loaded.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.checkpoint import load_into, read_state_dict
from awml_deploy.core.errors import expected
from awml_deploy.core.samples import SampleSource
from awml_deploy.evaluation.evaluator import BaseEvaluator
from awml_deploy.exporters.pipeline import ExportPipeline, ExportSampleAdapter, WholeModelBuilder
from awml_deploy.pipelines.factory import PipelineRegistry
from awml_deploy.runtime.runner import BaseDeploymentRunner


@dataclasses.dataclass(frozen=True)
class ParameterShape:
    """A parameter that pins the architecture, with its expected shape.

    Attributes:
        key: State-dict key, e.g. ``backbone.conv1.weight``.
        shape: Expected shape; None in a slot accepts any size.
        meaning: What the shape encodes and the setting that controls it, for messages.
    """

    key: str
    shape: tuple[int | None, ...]
    meaning: str


def check_state_dict(
    state: Mapping[str, Any], parameters: Sequence[ParameterShape], source: str, what: str
) -> Mapping[str, Any]:
    """Checks that ``state`` has every parameter of ``parameters`` with its shape.

    Args:
        state (Mapping[str, Any]): A state dict (name → tensor).
        parameters (Sequence[ParameterShape]): The pinning parameters, in the order they are checked.
        source (str): The checkpoint file, for messages.
        what (str): What the network is, e.g. "calibration classifier".

    Returns:
        Mapping[str, Any]: ``state``.
    """
    if any(p.key not in state for p in parameters):
        keys = ", ".join(p.key for p in parameters)
        expected(f"checkpoint {source}", f"not a {what} state dict", f"keys {keys}", sorted(state)[:4])
    for parameter in parameters:
        got = tuple(state[parameter.key].shape)
        want = parameter.shape
        if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got, strict=True)):
            shape = "[" + ", ".join("*" if w is None else str(w) for w in want) + "]"
            expected(
                f"checkpoint {source}",
                f"architecture mismatch at {parameter.key}",
                f"shape {shape} ({parameter.meaning})",
                list(got),
            )
    return state


def load_network(
    build: Callable[[], Any],
    parameters: Sequence[ParameterShape],
    what: str,
    checkpoint_path: str | pathlib.Path,
    device: str,
    trusted: bool | None = None,
) -> Any:
    """Reads, checks and loads a checkpoint into a freshly built network.

    Args:
        build (Callable[[], Any]): Builds the network with random weights.
        parameters (Sequence[ParameterShape]): See :func:`check_state_dict`.
        what (str): What the network is, for messages.
        checkpoint_path (str | pathlib.Path): Plain state dict or mmengine checkpoint.
        device (str): torch device string.
        trusted (bool | None): The file is trusted (``project.trust_checkpoint``). Defaults to False.

    Returns:
        torch.nn.Module: The network in eval mode on ``device``.
    """
    state = read_state_dict(checkpoint_path, trusted=False if trusted is None else trusted)
    check_state_dict(state, parameters, str(checkpoint_path), what)
    return load_into(build(), state, checkpoint_path).to(device).eval()


class InputSampleAdapter(ExportSampleAdapter):
    """Export sample: ``{"inputs": to_inputs(sample)}`` of sample ``sample_idx`` (range checked by the runner).

    Args:
        to_inputs (Callable[[Mapping[str, Any]], Mapping[str, Any]]): Sample → named model inputs (the same
            preprocessing the pipelines use).
    """

    def __init__(self, to_inputs: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> None:
        self.to_inputs = to_inputs

    def extract_sample(self, model: Any, samples: SampleSource, sample_idx: int) -> Any:
        return {"inputs": dict(self.to_inputs(samples.get_sample(sample_idx)))}


class SingleNetworkRunner(BaseDeploymentRunner):
    """A runner for a one-component bundle; validates what it can before any work.

    Args:
        config (DeployConfig): Validated deploy config.
        load_model (Callable[[str, str], Any]): ``(checkpoint_path, device) -> network``.
        samples (SampleSource): The evaluation data, already opened (so a bad file fails here).
        to_inputs (Callable[[Mapping[str, Any]], Mapping[str, Any]]): Sample → named model inputs (export sample).
        evaluator (BaseEvaluator): Evaluation and verification.
        pipelines (PipelineRegistry): The bundle's pipelines.
    """

    def __init__(
        self,
        config: DeployConfig,
        load_model: Callable[[str, str], Any],
        samples: SampleSource,
        to_inputs: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        evaluator: BaseEvaluator,
        pipelines: PipelineRegistry,
    ) -> None:
        if len(config.components) != 1:
            expected("components", "one component expected", "a single 'model' component", list(config.components))
        checkpoint = config.checkpoint_path
        if checkpoint is not None and not pathlib.Path(checkpoint).is_file():
            expected("checkpoint_path", "checkpoint not found", "an existing .pth state dict", checkpoint)
        if not len(samples):
            expected("evaluation data", "holds no samples", "at least one sample", 0)
        sample_idx = config.runtime_io.sample_idx
        if not 0 <= sample_idx < len(samples):
            expected("runtime_io.sample_idx", "out of range", f"0 <= idx < {len(samples)}", sample_idx)
        component = next(iter(config.components.values()))
        export = ExportPipeline(WholeModelBuilder(component), InputSampleAdapter(to_inputs))
        super().__init__(config, load_model, samples, export, evaluator, pipelines)
