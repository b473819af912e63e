"""Latency statistics: mean/std/min/max/p50/p90/p99 per stage and in total."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from awml_deploy.core.errors import fail


@dataclasses.dataclass(frozen=True)
class LatencyStats:
    """Statistics of one stage in milliseconds.

    Attributes:
        count: Number of timed runs.
        mean / std / min / max / p50 / p90 / p99: Statistics (std is the population std).
    """

    count: int
    mean: float
    std: float
    min: float
    max: float
    p50: float
    p90: float
    p99: float

    @classmethod
    def from_samples(cls, values: Sequence[float]) -> LatencyStats:
        """Computes the statistics (linear-interpolated percentiles).

        Args:
            values (Sequence[float]): Timings in ms (at least one).

        Returns:
            LatencyStats: The statistics.
        """
        import numpy as np

        data = np.asarray(values, dtype=np.float64)
        if data.size == 0:
            fail("latency | no timings to summarise. Note: expected at least 1 timed run, got 0")
        p50, p90, p99 = np.percentile(data, [50, 90, 99])
        return cls(
            int(data.size),
            float(data.mean()),
            float(data.std()),
            float(data.min()),
            float(data.max()),
            float(p50),
            float(p90),
            float(p99),
        )

    def to_json_dict(self) -> dict:
        """JSON form."""
        return dataclasses.asdict(self)


def summarize_stages(records: Iterable[Mapping[str, float]]) -> dict[str, LatencyStats]:
    """Per-stage statistics over per-run stage timings (stages in first-seen order).

    Args:
        records (Iterable[Mapping[str, float]]): One {stage: ms} per timed run.

    Returns:
        dict[str, LatencyStats]: Stage → statistics.
    """
    columns: dict[str, list[float]] = {}
    for record in records:
        for stage, value in record.items():
            columns.setdefault(stage, []).append(float(value))
    return {stage: LatencyStats.from_samples(values) for stage, values in columns.items()}
