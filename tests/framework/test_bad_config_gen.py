"""Issue 17: every generated bad config (each section, each project, each file format, CLI syntax, deep nesting,
alias bombs) ends in-process with exit 2 and one error line: 0 tracebacks, 0 exit-0, 0 hangs."""

from __future__ import annotations

import collections
import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("mmdet3d")

import bad_config_gen as gen  # noqa: E402

from awml_deploy.config.deploy_config import TOP_LEVEL_KEYS  # noqa: E402

LIMIT_S = 20.0


def test_generator_covers_every_section_project_and_format():
    cases = gen.generate()
    assert len(cases) >= 230 and len({c.case_id for c in cases}) == len(cases)
    forms = collections.Counter(c.form for c in cases)
    assert all(forms[f] >= 60 for f in gen.FORMATS) and forms["cli"] >= 10
    assert {c.project for c in cases} == set(gen.PROJECTS)
    sections = {c.what.split(":")[0].split(".")[0] for c in cases if c.config is not None and c.form != "cli"}
    assert set(TOP_LEVEL_KEYS) - {"deploy_log_path"} <= sections  # every section but AWML's alias of logging.file
    for project in gen.PROJECTS:
        assert sum(c.project == project and c.in_project_section for c in cases) >= 7, project


@pytest.mark.parametrize("project", gen.PROJECTS)
def test_small_base_configs_are_valid(project, tmp_path, monkeypatch):
    # Each case differs from its base by one mutation: the base must pass validation, or the cases test nothing.
    from awml_deploy.config.loader import load_config
    from awml_deploy.runtime.projects import load_project

    monkeypatch.chdir(gen.REPO)
    base = gen.small_base(project)
    base["export"]["work_dir"] = str(tmp_path / "work")
    for form in gen.FORMATS:
        path = tmp_path / f"base{form}"
        path.write_text(gen.render(base, form))
        config = load_config(path)
        load_project(project).create_runner(config)
        assert config.export.mode.value == "onnx"


def test_every_bad_config_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(gen.REPO)
    outcomes = gen.run_all(gen.generate(), tmp_path, LIMIT_S)
    counts = gen.summary(outcomes)
    bad = [o for o in outcomes if o.verdict != "ok"]
    with capsys.disabled():
        print("\nbad-config generator:", json.dumps(counts))
        for o in bad:
            detail = (o.error_lines or [o.traceback or ""])[0][:160].replace("\n", " ")
            print(f"  {o.verdict:12s} {o.case.case_id} ({o.case.what}) {detail}")
    assert counts.get("traceback", 0) == 0
    assert counts.get("exit0", 0) == 0
    assert counts.get("hang", 0) == 0
    assert counts.get("not-one-line", 0) == 0
    assert not bad, f"{len(bad)} of {len(outcomes)} bad configs not rejected as exit 2 with one line"
