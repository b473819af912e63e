"""The CLI's JSON reading: orjson and the standard library give the same values, the same errors, the same output.

The reference is what the CLI did before orjson: ``json.load(open(path, encoding="utf-8"))``.
"""

import gc
import json
import math
import random
import re
import struct

import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.metrics import jsonio, native3d, synthetic
from awml_deploy.metrics.__main__ import run


def canonical(value):
    """A comparable form that tells int from float and floats by their bits (NaN and -0.0 included)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", struct.pack("<d", value).hex())
    if isinstance(value, list):
        return ("list", [canonical(v) for v in value])
    assert isinstance(value, dict), type(value)
    return ("dict", [(k, canonical(v)) for k, v in value.items()])


def reference(tmp_path, raw: bytes):
    """``json.load`` of a text-mode file holding ``raw``: the value, or the error's type and message."""
    path = tmp_path / "doc.json"
    path.write_bytes(raw)
    try:
        with open(path, encoding="utf-8") as handle:
            return canonical(json.load(handle))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return (type(err).__name__, str(err))


def ours(raw: bytes):
    try:
        return canonical(jsonio.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return (type(err).__name__, str(err))


EDGE_CASES = [
    b'{"a": 1, "a": 2.5}',  # duplicate key: the last wins
    b"\xef\xbb\xbf[1]",  # BOM: refused by both
    b"[NaN, Infinity, -Infinity]",  # refused by orjson, accepted by json
    b"[1e400, -1e400, 1.7976931348623159e308]",  # overflow to infinity
    b"[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]",
    b'{"frame_index": 123456789012345678901234567890}',
    b"[12345678901234567890.5, 0.00012345678901234567, 1.2345678901234567e-300, 5e-324, 2.2250738585072011e-308]",
    b"[-0, -0.0, 0.0, 1E5, 1e-5, 0.30000000000000004]",
    b'["\\ud800", "\\ud83d\\ude00", "\\u0000", "\\/"]',
    b'"\xc3\x28"',  # not UTF-8
    b"[1,]",
    b"",
    b"01",
    b'{"a":\r\n [1,\r\n 2,,]}',  # CRLF: error positions count as in a text-mode file
    b'{"a":\r [1,\r x]}',
    b'["tab\tinside"]',
    b"[1] 2",
    b'  {"a" : [1, 2.5, "x", true, false, null]}  \r\n',
    b'["12345678901234567890 in a string"]',
]


def test_orjson_is_installed_and_used():
    jsonio.loads(b"[]")  # orjson is imported on first use
    assert jsonio.orjson is not None, "orjson is pinned in tools/constraints.txt"
    # The fast path parses a plain document without the standard library.
    saved = json.loads
    try:
        json.loads = None
        assert jsonio.loads(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    finally:
        json.loads = saved


@pytest.mark.parametrize("raw", EDGE_CASES)
def test_edge_cases_match_json_load(tmp_path, raw):
    assert ours(raw) == reference(tmp_path, raw)


def test_random_numbers_match_json_to_the_bit(tmp_path):
    rng = random.Random(7)
    numbers = []
    for _ in range(4000):
        kind = rng.random()
        if kind < 0.3:
            value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            numbers.append(repr(value) if math.isfinite(value) else "1.5")
        elif kind < 0.6:
            sign = rng.choice(["", "-"])
            numbers.append(
                f"{sign}{rng.randint(0, 10 ** rng.randint(1, 25))}.{rng.randint(0, 10**20)}e{rng.randint(-330, 310)}"
            )
        elif kind < 0.8:
            numbers.append(f"{rng.choice(['', '-'])}{rng.randint(0, 10 ** rng.randint(0, 30))}")
        else:
            digits, value = rng.randint(1, 25), rng.uniform(-1e3, 1e3) * 10 ** rng.randint(-20, 20)
            numbers.append(f"{value:.{digits}g}")
    for number in numbers:  # one document each, so a refused one does not hide the others
        raw = f"[{number}]".encode()
        assert ours(raw) == reference(tmp_path, raw), number
    raw = ("[" + ", ".join(numbers) + "]").encode()
    assert ours(raw) == reference(tmp_path, raw)


def test_big_integer_guard():
    assert jsonio.may_hold_big_integer(b"[18446744073709551616]")
    assert jsonio.may_hold_big_integer(b'{"a": -9223372036854775809}')
    assert jsonio.may_hold_big_integer(b'["1234567890123456789"]')  # conservative: a string counts
    assert not jsonio.may_hold_big_integer(b"[0.00012345678901234567, 12345678901234567890.5, 1234567890123456789e3]")
    assert not jsonio.may_hold_big_integer(b"[123456789012345678, 1.5]")
    assert jsonio.loads(b"[18446744073709551616]") == [18446744073709551616]
    assert type(jsonio.loads(b"[18446744073709551616]")[0]) is int


def reference_guard(raw: bytes) -> bool:
    """The guard's rule, written as a regular expression: a run of 19+ digits not a float's fraction or integer part."""
    return re.search(rb"(?<![0-9.])[0-9]{19,}(?![0-9.eE])", raw) is not None


def test_big_integer_guard_across_pieces():
    rng = random.Random(11)
    filler = ", ".join(repr(rng.uniform(-1e3, 1e3) * 10 ** rng.randint(-6, 6)) for _ in range(30000))
    assert len(filler) > 4 * jsonio._PIECE
    assert not jsonio.may_hold_big_integer(f"[{filler}]".encode())
    for _ in range(30):  # a big integer anywhere, a piece boundary included
        at = rng.randrange(len(filler))
        at = filler.index(", ", at) if ", " in filler[at:] else 0
        raw = f"[{filler[:at]}, {rng.choice(['', '-'])}{rng.randint(10**19, 10**25)}{filler[at:]}]".encode()
        assert jsonio.may_hold_big_integer(raw) and reference_guard(raw)
        assert jsonio.loads(raw) == json.loads(raw)
    for _ in range(300):  # short documents of long digit runs in every context
        parts = []
        for _ in range(rng.randint(1, 6)):
            run = str(rng.randint(10**17, 10**21))
            parts.append(rng.choice([run, f"0.{run}", f"{run}.5", f"{run}e3", f"1.{run}e-3", f'"{run}"', f"-{run}"]))
        raw = ("[" + ", ".join(parts) + "]").encode()
        if not reference_guard(raw):
            assert not jsonio.may_hold_big_integer(raw) or b'"' in raw, raw
        else:
            assert jsonio.may_hold_big_integer(raw), raw
        assert canonical(jsonio.loads(raw)) == canonical(json.loads(raw)), raw


def test_frames_document_identical_with_and_without_orjson(tmp_path, monkeypatch):
    frames = synthetic.frames_3d(30, objects=20, seed=3, labels=list(synthetic.DEFAULT_LABELS), score_decimals=12)
    raw = json.dumps({"frames": frames, "settings": synthetic.bench_settings(list(synthetic.DEFAULT_LABELS))}).encode()
    fast = canonical(jsonio.loads(raw))
    assert fast == reference(tmp_path, raw)
    monkeypatch.setattr(jsonio, "orjson", None)
    assert canonical(jsonio.loads(raw)) == fast


def test_load_json_errors_and_collector_state(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"frames":\r\n [1,,]}')
    with pytest.raises(DeployError) as caught:
        jsonio.load_json(str(bad), "frames")
    assert str(caught.value) == (
        f"--frames {bad} | not valid JSON: {reference(tmp_path, bad.read_bytes())[1]}. Note: expected a JSON document"
    )
    assert gc.isenabled()
    with pytest.raises(DeployError, match="cannot read"):
        jsonio.load_json(str(tmp_path / "missing.json"), "settings")
    assert gc.isenabled()


def test_integer_beyond_the_digit_limit_is_a_usage_error(tmp_path):
    """json refuses an integer of more than sys.get_int_max_str_digits() digits with a bare ValueError."""
    path = tmp_path / "frames.json"
    path.write_text('{"frames": [{"frame_index": ' + "1" * 5000 + ', "timestamp_us": 0, "gt": [], "pred": []}]}')
    with pytest.raises(DeployError) as caught:
        jsonio.load_json(str(path), "frames")
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"--frames {path} | not valid JSON: Exceeds the limit (4300 digits)")
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(synthetic.bench_settings(list(synthetic.DEFAULT_LABELS))))
    argv = ["--task", "detection3d", "--frames", str(path), "--settings", str(settings)]
    assert run([*argv, "--output", str(tmp_path / "out.json")]) == 2
    assert not (tmp_path / "out.json").exists()


def test_cli_output_identical_with_and_without_orjson(tmp_path, monkeypatch):
    labels = list(synthetic.DEFAULT_LABELS)
    frames = synthetic.frames_3d(40, objects=15, seed=5, labels=labels, score_decimals=12)
    (tmp_path / "frames.json").write_text(json.dumps({"frames": frames}))
    (tmp_path / "settings.json").write_text(json.dumps(synthetic.bench_settings(labels)))
    monkeypatch.setattr(native3d, "native_module", lambda: None)  # the Python path: it parses the frames here
    jsonio.loads(b"[]")  # orjson is imported on first use
    outputs = {}
    for name, module in (("orjson", jsonio.orjson), ("json", None)):
        monkeypatch.setattr(jsonio, "orjson", module)
        out = tmp_path / f"{name}.json"
        argv = ["--task", "detection3d", "--frames", str(tmp_path / "frames.json")]
        assert run([*argv, "--settings", str(tmp_path / "settings.json"), "--output", str(out)]) == 0
        outputs[name] = out.read_bytes()
        assert gc.isenabled() and gc.get_freeze_count() == 0  # the CLI's pause of the collector is undone
    assert outputs["orjson"] == outputs["json"]
    assert b'"ap"' in outputs["json"]
