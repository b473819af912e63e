"""200+ generated bad configs: each gives one line naming the key, exit code 2, no traceback."""

import json

import pytest
from config_cases import bad_configs, full_config

from awml_deploy.cli.main import main
from awml_deploy.config import parse_config
from awml_deploy.core.errors import DeployError
from awml_deploy.runtime import register_project

CASES = list(bad_configs())


def test_full_config_is_valid():
    config = parse_config(full_config())
    assert len(config.components) == 2


def test_at_least_200_distinct_cases():
    assert len(CASES) >= 200
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,config,key", CASES, ids=[c[0] for c in CASES])
def test_bad_config_names_the_key(case_id, config, key):
    with pytest.raises(DeployError) as info:
        parse_config(config)
    message = str(info.value)
    assert "\n" not in message
    assert key in message, f"{case_id}: {message}"
    assert "Note: expected" in message
    assert info.value.exit_code == 2


def test_cli_prints_one_line_per_bad_config(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    register_project("tiny_cnn", "tiny_project")
    lines = []
    for i, (case_id, config, key) in enumerate(CASES):
        path = tmp_path / f"bad_{i}.json"
        path.write_text(json.dumps(config, default=str, allow_nan=True))
        code = main(["tiny_cnn", str(path)])
        captured = capsys.readouterr()
        assert code == 2, case_id
        err_lines = captured.err.strip().splitlines()
        assert len(err_lines) == 1, (case_id, captured.err)
        assert "Traceback" not in captured.err + captured.out
        assert key.split("[")[0].split(".")[0] in err_lines[0], (case_id, err_lines[0])
        lines.append(err_lines[0])
    assert len(lines) == len(CASES) >= 200
