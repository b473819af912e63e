"""AWML's `projects` namespace next to ours, and a model config's custom_imports: modules the model does not use
are skipped in one warning line; a failing module that defines a type of the model is a one-line error."""

from __future__ import annotations

import pathlib
import sys

import pytest

from awml_deploy.awml import custom_imports
from awml_deploy.awml.root import add_awml_root
from awml_deploy.core.errors import DeployError

ROOT = pathlib.Path(__file__).parent / "fixtures/awml_root"
MODELS = "projects.TinyCenterPoint.models"
DATASETS = "projects.TinyCenterPoint.datasets"


@pytest.fixture
def awml_root(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(custom_imports, "_REPORTED", set())
    return add_awml_root(str(ROOT))


def _cfg(imports: list[str], neck: str = "FixtureSECONDFPN") -> dict:
    return {
        "custom_imports": {"imports": imports, "allow_failed_imports": False},
        "model": {"type": "CenterPoint", "pts_neck": {"type": neck}, "pts_bbox_head": {"type": "mmdet3d.CenterHead"}},
    }


def test_awml_projects_import_next_to_ours(awml_root) -> None:
    import projects
    import projects.centerpoint.contract  # ours

    assert awml_root in sys.path
    assert {pathlib.Path(p).resolve() for p in projects.__path__} >= {(ROOT / "projects").resolve()}
    assert not (pathlib.Path(projects.centerpoint.contract.__file__).parents[2] / "projects/__init__.py").exists()


def test_awml_root_env_and_bad_root(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("AWML_ROOT", str(ROOT))
    assert add_awml_root() == str(ROOT.resolve())
    with pytest.raises(DeployError, match=r"--awml-root \| not an AWML checkout"):
        add_awml_root(str(tmp_path))
    monkeypatch.setenv("AWML_ROOT", str(tmp_path))
    with pytest.raises(DeployError, match=r"AWML_ROOT \| not an AWML checkout"):
        add_awml_root()


def test_unused_failing_module_is_skipped_in_one_warning(awml_root, notices) -> None:
    pytest.importorskip("mmdet3d")
    skipped = custom_imports.import_custom_modules(_cfg([MODELS, DATASETS]), "fixture.py")
    assert [s.split(" ")[0] for s in skipped] == [DATASETS]
    lines = list(notices)
    assert len(lines) == 1 and "awml_fixture_missing_dependency" in lines[0] and "skipped 1 module" in lines[0]
    from mmdet3d.registry import MODELS as REGISTRY

    assert REGISTRY.get("FixtureSECONDFPN") is not None


def test_failing_module_the_model_needs_is_one_line_error(awml_root) -> None:
    cfg = _cfg([DATASETS, "projects.TinyCenterPoint.broken_models"], neck="FixtureBrokenNeck")
    with pytest.raises(
        DeployError, match=r"broken_models failed to import and it defines \['FixtureBrokenNeck'\]"
    ) as e:
        custom_imports.import_custom_modules(cfg, "fixture.py")
    assert "awml_fixture_missing_dependency" in str(e.value) and "\n" not in str(e.value)


def test_model_package_not_on_path_is_an_error(monkeypatch) -> None:
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "awml_root" not in p])
    with pytest.raises(DeployError, match=r"projects\.NoSuchAwmlProject\.models failed to import and it is not on"):
        custom_imports.import_custom_modules(_cfg(["projects.NoSuchAwmlProject.models"]), "fixture.py")


def test_defined_types_reads_sources_without_importing(awml_root) -> None:
    assert "FixtureSECONDFPN" in custom_imports.defined_types(MODELS)
    assert custom_imports.model_types(_cfg([])["model"]) == {"CenterPoint", "FixtureSECONDFPN", "CenterHead"}
    assert DATASETS not in sys.modules
