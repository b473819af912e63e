"""`VerificationMixin`: lets an evaluator reuse its pipelines to compare two backends sample by sample."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from awml_deploy.core.logging import get_logger
from awml_deploy.core.samples import SampleSource
from awml_deploy.pipelines.base import BaseInferencePipeline, InferenceResult
from awml_deploy.verification.comparator import CompareResult, NodeResult
from awml_deploy.verification.results import FAILED, PASSED, SampleResult, ScenarioResult

_LOG = get_logger("verification")


class VerificationMixin:
    """Sample-by-sample comparison of two pipelines' raw outputs.

    Override :meth:`verification_input` or :meth:`verification_outputs` to adapt samples or select outputs, and
    :meth:`extra_nodes` (with ``verification_raw_only = False`` when it needs the postprocessed outputs) to add
    comparisons of your own to each sample.

    Attributes:
        verification_raw_only: Run the pipelines without postprocessing while verifying. Defaults to True.
    """

    verification_raw_only: bool = True

    def verification_input(self, sample: Mapping[str, Any]) -> Mapping[str, Any]:
        """The pipeline input for ``sample``. Defaults to the sample itself."""
        return sample

    def verification_outputs(self, raw_output: Any) -> Any:
        """The part of the raw outputs that is compared. Defaults to all of them."""
        return raw_output

    def extra_nodes(self, ref_result: InferenceResult, test_result: InferenceResult) -> Mapping[str, NodeResult]:
        """More comparison nodes for one sample (e.g. decoded boxes). Defaults to none.

        Args:
            ref_result (InferenceResult): The reference pipeline's result for the sample.
            test_result (InferenceResult): The tested pipeline's result for the sample.

        Returns:
            Mapping[str, NodeResult]: Node path → result, added to the raw-output comparison.
        """
        return {}

    def verify(
        self,
        key: str,
        ref: BaseInferencePipeline,
        test: BaseInferencePipeline,
        samples: SampleSource,
        num_samples: int,
        compare: Callable[[Any, Any], CompareResult],
        progress: Callable[[range, str], Any] | None = None,
    ) -> ScenarioResult:
        """Runs both pipelines on the first ``num_samples`` samples and compares their raw outputs.

        Args:
            key (str): Scenario key.
            ref (BaseInferencePipeline): Reference pipeline.
            test (BaseInferencePipeline): Tested pipeline.
            samples (SampleSource): Data.
            num_samples (int): Samples to compare (clipped to the data size).
            compare (Callable[[Any, Any], CompareResult]): Comparator.
            progress (Callable[[range, str], Any] | None): Wraps the sample loop (a progress bar). Defaults to none.

        Returns:
            ScenarioResult: Per-sample comparisons; tolerances/precision are filled in by the caller.
        """
        count = min(num_samples, len(samples))
        indices = range(count)
        results = []
        for index in progress(indices, key) if progress is not None else indices:
            sample = self.verification_input(samples.get_sample(index))
            ref_result = ref.infer(sample, raw_only=self.verification_raw_only)
            test_result = test.infer(sample, raw_only=self.verification_raw_only)
            nodes = CompareResult(
                compare(
                    self.verification_outputs(ref_result.raw_output), self.verification_outputs(test_result.raw_output)
                )
            )
            nodes.update(self.extra_nodes(ref_result, test_result))
            for node in nodes.values():
                (_LOG.info if node.passed else _LOG.error)("%s sample %d %s", key, index, node.log_line())
            results.append(SampleResult(index, nodes, dict(ref_result.latency_ms), dict(test_result.latency_ms)))
        failed = [r.index for r in results if not r.passed]
        if not results:
            return ScenarioResult(key, FAILED, "no samples to compare")
        reason = ""
        if failed:
            first = next(node for r in results for node in r.nodes.failures)
            reason = f"{len(failed)}/{len(results)} samples failed (first: {first.path}: {first.reason})"
        return ScenarioResult(key, FAILED if failed else PASSED, reason, samples=tuple(results))
