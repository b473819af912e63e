"""tools/trt_compile_check.sh's arguments: the TensorRT include folder, and the ONNX parser's include folder where
the first lacks NvOnnxParser.h (TensorRT sources that keep the parser in their parsers/onnx submodule, v10.3.0 for
one). Bad arguments: one line naming what is missing, exit 2, before any compile. Header folders are written here;
the compile itself needs real TensorRT headers and is not run to success."""

import pathlib
import subprocess
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "tools" / "trt_compile_check.sh"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


class TrtCompileCheckArgumentsTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(self._tmp.name)
        self.trt = root / "trt_include"  # NvInfer.h without NvOnnxParser.h, as in NVIDIA/TensorRT v10.3.0's include/
        self.trt.mkdir()
        (self.trt / "NvInfer.h").write_text("#error fake TensorRT header\n")
        (self.trt / "NvInferVersion.h").write_text(
            "#define NV_TENSORRT_MAJOR 10\n#define NV_TENSORRT_MINOR 3\n#define NV_TENSORRT_PATCH 0\n"
        )
        self.parser = root / "parser_include"
        self.parser.mkdir()
        (self.parser / "NvOnnxParser.h").write_text("#error fake parser header\n")
        self.empty = root / "empty"
        self.empty.mkdir()

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def assert_refused(self, proc: subprocess.CompletedProcess, *words: str) -> None:
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")  # nothing compiled, nothing reported
        first = proc.stderr.splitlines()[0]
        for w in words:
            self.assertIn(w, first)

    def test_no_argument_or_three_are_refused_with_the_usage(self) -> None:
        self.assert_refused(run(), "usage:")
        self.assert_refused(run(str(self.trt), str(self.parser), str(self.parser)), "usage:")

    def test_a_folder_without_nvinfer_is_refused(self) -> None:
        self.assert_refused(run(str(self.empty)), "no NvInfer.h in", str(self.empty))

    def test_a_missing_parser_header_is_refused_and_the_second_argument_named(self) -> None:
        self.assert_refused(run(str(self.trt)), "no NvOnnxParser.h in", str(self.trt), "second argument")

    def test_a_second_folder_without_the_parser_header_is_refused(self) -> None:
        self.assert_refused(run(str(self.trt), str(self.empty)), "no NvOnnxParser.h in", str(self.empty))

    def test_the_second_folder_is_searched_for_the_parser_header(self) -> None:
        proc = run(str(self.trt), str(self.parser))
        self.assertNotEqual(proc.returncode, 2, proc.stderr)  # past the argument checks, into the compile
        self.assertIn("(version 10.3.0)", proc.stdout)
        self.assertIn(f"ONNX parser header: {self.parser}/NvOnnxParser.h", proc.stdout)
        self.assertIn(f"-isystem {self.trt} -isystem {self.parser}", proc.stdout)
        self.assertIn("compile check FAILED", proc.stdout)  # the fake headers stop every unit


if __name__ == "__main__":
    unittest.main()
