"""report.md: the run for a person to read (gates, artifacts, verification tables, metrics, latency)."""

from __future__ import annotations


def _fmt(value: object, digits: int | None = None) -> str:
    digits = 4 if digits is None else digits
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return "—" if value is None else str(value)


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _per_label_ap(metrics: dict) -> list[str]:
    """Per-class AP tables of a detection result (``modes.<mode>.per_label``); nothing for other tasks."""
    lines: list[str] = []
    for mode, result in (metrics.get("modes") or {}).items():
        per_label = result.get("per_label") or {}
        if not per_label:
            continue
        thresholds = next(iter(per_label.values())).get("ap", {})
        lines += [f"per-class AP ({mode}):", ""] + _table(
            ["class", "gt", "pred", *[f"AP@{t}" for t in thresholds], "mean AP"],
            [
                [
                    label,
                    r.get("num_gt"),
                    r.get("num_pred"),
                    *[_fmt(r["ap"].get(t), 4) for t in thresholds],
                    _fmt(r.get("mean_ap"), 4),
                ]
                for label, r in per_label.items()
            ],
        )
    return lines


def render_markdown(report: dict) -> str:
    """Renders the report dict as Markdown.

    Args:
        report (dict): The report.json content.

    Returns:
        str: Markdown text.
    """
    verdict = "PASSED" if report["passed"] else "FAILED"
    env = report["environment"]
    lines = [
        f"# awml-deploy report — {report.get('project') or 'project'}: {verdict}",
        "",
        f"- run: `{report['run_dir']}` ({report['started_at']} → {report['finished_at']}, {report['duration_s']} s)",
        f"- export mode: `{report['export_mode']}`, config sha256 `{report['config_hash'][:16]}…`",
        f"- awml-deploy {env['awml_deploy']} (git {env['git_sha'][:12]}), Python {env['python']}",
        f"- tensorrt: {'available ' + str(env['tensorrt']['version']) if env['tensorrt']['available'] else 'skipped — ' + env['tensorrt']['reason']}",
        "",
    ]
    if report.get("error"):
        lines += [f"**Error:** {report['error']}", ""]
    lines += ["## Gates", ""] + _table(
        ["gate", "status", "reason"], [[g["name"], g["status"], g["reason"]] for g in report["gates"]]
    )
    lines += ["## Artifacts", ""] + _table(
        ["backend", "path", "source", "size (bytes)", "sha256"],
        [
            [b, f"`{a['path']}`", a["source"], a["size"], f"`{a['sha256'][:16]}…`"]
            for b, a in report["artifacts"].items()
        ],
    )
    lines += ["## Export", ""] + _table(
        ["backend", "status", "detail"],
        [
            [b, e["status"], e.get("reason") or ", ".join(c["component"] for c in e.get("components", []))]
            for b, e in report["export"].items()
        ],
    )
    lines += ["## Verification", ""]
    for key, scenario in report["verification"].items():
        if key == "_status":
            lines += [f"verification {scenario['status']}: {scenario['reason']}", ""]
            continue
        lines += [f"### {key}: {scenario['status']}" + (f" — {scenario['reason']}" if scenario["reason"] else ""), ""]
        if scenario.get("summary"):
            lines += [f"precision `{scenario['precision']}`, {len(scenario['samples'])} samples", ""]
            lines += _table(
                ["output", "pass", "max abs", "mean abs", "max rel", "cosine", "nan/inf"],
                [
                    [
                        p,
                        "yes" if r["passed"] else "NO",
                        r["max_abs"],
                        r["mean_abs"],
                        r["max_rel"],
                        r["cosine"],
                        r["nan_inf"],
                    ]
                    for p, r in scenario["summary"].items()
                ],
            )
    lines += ["## Evaluation", ""]
    for backend, entry in report["evaluation"].items():
        if entry.get("status") != "passed":
            lines += [f"- {backend}: {entry.get('status')} — {entry.get('reason')}"]
            continue
        metric = entry["primary_metric"]
        lines += [
            f"### {backend} on {entry['device']}: {metric['name']} = {_fmt(metric['value'], 6)} ({entry['num_samples']} samples, {entry['warmup']} warm-up)",
            "",
        ]
        lines += _table(
            ["stage", "mean ms", "std", "min", "p50", "p90", "p99", "max"],
            [
                [s, v["mean"], v["std"], v["min"], v["p50"], v["p90"], v["p99"], v["max"]]
                for s, v in entry["latency"].items()
            ],
        )
        lines += _per_label_ap(entry.get("metrics") or {})
    lines += [""]
    if report["deltas"]:
        lines += ["## Cross-backend deltas (vs pytorch)", ""] + _table(
            ["backend", "metric", "pytorch", "value", "delta"],
            [[b, d["metric"], d["reference"], d["value"], d["delta"]] for b, d in report["deltas"].items()],
        )
    return "\n".join(lines).rstrip() + "\n"
