"""The one macro file every BUILD file loads from.

Optional SDKs map to SKIPPED targets (target_compatible_with), never to a red build:
  CUDA (nvcc + cudart_static), TensorRT, GoogleTest, pybind11, and a GPU to run tests on.

GPU-only tests: `awml_cc_test(..., gpu = True)` / `awml_py_test(..., gpu = True)` generate a `<name>_gpu`
test tagged "gpu" that Bazel reports SKIPPED (not PASSED) on a machine without a GPU (@local_gpu probes
/dev/nvidia0 and nvidia-smi). `awml_test_suites()` adds `cpu_tests` and `gpu_tests` suites to a package.
"""

load("@local_cuda//:defs.bzl", _CUDA_AVAILABLE = "CUDA_AVAILABLE", _CUDA_COMPAT = "CUDA_COMPAT")
load("@local_gpu//:defs.bzl", _GPU_AVAILABLE = "GPU_AVAILABLE", _GPU_COMPAT = "GPU_COMPAT")
load("@local_gtest//:defs.bzl", "GTEST_COMPAT")
load("@local_python//:defs.bzl", _PYBIND11_AVAILABLE = "PYBIND11_AVAILABLE")
load("@local_tensorrt//:defs.bzl", _TENSORRT_AVAILABLE = "TENSORRT_AVAILABLE", _TENSORRT_COMPAT = "TENSORRT_COMPAT")
load("//tools/bazel:cuda.bzl", _cuda_library = "cuda_library")

CUDA_AVAILABLE = _CUDA_AVAILABLE
CUDA_COMPAT = _CUDA_COMPAT
GPU_AVAILABLE = _GPU_AVAILABLE
GPU_COMPAT = _GPU_COMPAT
TENSORRT_AVAILABLE = _TENSORRT_AVAILABLE
TENSORRT_COMPAT = _TENSORRT_COMPAT
PYBIND11_AVAILABLE = _PYBIND11_AVAILABLE

cuda_library = _cuda_library

AWML_COPTS = ["-Wall", "-Wextra", "-Werror"]

# Attributes only a test rule has: they go to the `<name>_gpu` test, not to the binary it runs.
_TEST_ONLY_ATTRS = ["args", "env", "flaky", "local", "shard_count", "size", "timeout"]

def awml_cc_library(name, copts = [], **kwargs):
    """cc_library with the project's warnings."""
    native.cc_library(name = name, copts = AWML_COPTS + copts, **kwargs)

def awml_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = AWML_COPTS + copts, **kwargs)

def awml_cc_test(name, deps = [], copts = [], target_compatible_with = [], tags = [], gpu = False, **kwargs):
    """A GoogleTest cc_test (gtest_main linked in); SKIPPED where GoogleTest is missing.

    Args:
      gpu: the test needs a GPU to run. Then `<name>` is the test binary (a testonly cc_binary, built
        wherever it compiles, so it can be copied to a GPU machine) and `<name>_gpu` the test that runs
        it, SKIPPED where there is no GPU. Defaults to False.
    """
    compat = target_compatible_with + GTEST_COMPAT
    if not gpu:
        native.cc_test(
            name = name,
            deps = deps + ["@local_gtest//:gtest_main"],
            copts = AWML_COPTS + copts,
            target_compatible_with = compat,
            tags = tags,
            **kwargs
        )
        return
    test_attrs = {k: kwargs.pop(k) for k in _TEST_ONLY_ATTRS if k in kwargs}
    native.cc_binary(
        name = name,
        testonly = True,
        deps = deps + ["@local_gtest//:gtest_main"],
        copts = AWML_COPTS + copts,
        target_compatible_with = compat,
        tags = tags,
        **kwargs
    )
    native.sh_test(
        name = name + "_gpu",
        srcs = ["//tools/bazel:gpu_test.sh"],
        args = ["$(rootpath :%s)" % name] + test_attrs.pop("args", []),
        data = [":" + name],
        target_compatible_with = compat + GPU_COMPAT,
        tags = tags + ["gpu"],
        visibility = kwargs.get("visibility"),
        **test_attrs
    )

def awml_test_suites():
    """`cpu_tests` (every test of the package not tagged "gpu") and `gpu_tests` (the `_gpu` variants)."""
    native.test_suite(name = "cpu_tests", tags = ["-gpu"])
    native.test_suite(name = "gpu_tests", tags = ["gpu"])

def trt_cc_library(name, deps = [], copts = [], target_compatible_with = [], **kwargs):
    """A cc_library that needs TensorRT: SKIPPED when TensorRT is absent, links nvinfer when present."""
    native.cc_library(
        name = name,
        deps = deps + ["@local_cuda//:cuda_headers", "@local_tensorrt//:tensorrt"],
        copts = AWML_COPTS + copts,
        target_compatible_with = target_compatible_with + TENSORRT_COMPAT,
        **kwargs
    )

def pybind_library(name, srcs, deps = [], copts = [], **kwargs):
    """The cc_library holding a PYBIND11_MODULE (alwayslink: nothing references PyInit_*)."""
    native.cc_library(
        name = name,
        srcs = srcs,
        copts = ["-fvisibility=hidden"] + AWML_COPTS + copts,
        deps = deps + ["@local_python//:pybind11"],
        alwayslink = True,
        **kwargs
    )

def pybind_extension(name, deps, **kwargs):
    """The Python extension module `<name>.so` (cc_binary linkshared) from pybind_library deps.

    Put it in the Python package's folder and list it as py_library data, so that
    `from <package> import <name>` finds it.
    """
    native.cc_binary(
        name = name + ".so",
        linkshared = True,
        deps = deps,
        **kwargs
    )

def awml_py_library(name, **kwargs):
    native.py_library(name = name, srcs_version = "PY3", **kwargs)

def awml_py_binary(name, **kwargs):
    native.py_binary(name = name, python_version = "PY3", srcs_version = "PY3", **kwargs)

def awml_py_test(name, srcs, deps = [], data = [], args = [], size = "medium", tags = [], target_compatible_with = [], gpu = False, **kwargs):
    """A pytest-run py_test: every file in srcs is a pytest module.

    Args:
      gpu: the test needs a GPU. Then the target is `<name>_gpu`, tagged "gpu" and SKIPPED where there
        is no GPU; where it runs, a skipped test fails it (AWML_GPU_TEST=1). Defaults to False.
    """
    native.py_test(
        name = name + "_gpu" if gpu else name,
        srcs = srcs + ["//tools/bazel:pytest_main.py"],
        main = "//tools/bazel:pytest_main.py",
        args = args + ["$(rootpath %s)" % s for s in srcs],
        deps = deps,
        data = data,
        size = size,
        env = dict(kwargs.pop("env", {}), **({"AWML_GPU_TEST": "1"} if gpu else {})),
        tags = tags + (["gpu"] if gpu else []),
        target_compatible_with = target_compatible_with + (GPU_COMPAT if gpu else []),
        python_version = "PY3",
        srcs_version = "PY3",
        **kwargs
    )

def awml_project_deploy(project, module = None, visibility = None):
    """The bundle's `deploy` binary: `bazel run //projects/<project>:deploy [-- awml-deploy options]`.

    Every bundle gets the same entry: a generated one-line main calls `awml_deploy.cli.bundle.main` with the
    project's name and the module that defines its `PROJECT`, so the binary registers its own project (the
    framework names none) and outputs default to `$BUILD_WORKING_DIRECTORY/work_dirs/<project>`.

    Args:
      project: Project name; the package must hold the bundle's library `:<project>`.
      module: Module defining `PROJECT`. Defaults to `projects.<project>.runner`.
      visibility: Visibility of the binary.
    """
    module = module or "projects.%s.runner" % project
    main = "deploy_main.py"
    lines = [
        '"""Generated by awml_project_deploy (tools/bazel/defs.bzl): the %s bundle\'s deploy entry."""' % project,
        "import sys",
        "from awml_deploy.cli.bundle import main",
        'sys.exit(main("%s", "%s"))' % (project, module),
    ]
    native.genrule(
        name = "deploy_main",
        outs = [main],
        cmd = "cat > $@ <<'AWML_EOF'\n%s\nAWML_EOF" % "\n".join(lines),
    )
    native.py_binary(
        name = "deploy",
        srcs = [main],
        main = main,
        python_version = "PY3",
        srcs_version = "PY3",
        deps = [
            ":" + project,
            "//python/awml_deploy",
        ],
        visibility = visibility,
    )

# DESIGN's floors of the framework's subpackages: a subpackage is visible to those on its floor and above, never
# below (tests/framework/test_import_graph.py checks the same arrows on every import of the sources).
FRAMEWORK_FLOORS = {
    "awml": 1,
    "cli": 6,
    "config": 1,
    "core": 0,
    "datasets": 1,
    "evaluation": 4,
    "exporters": 3,
    "metrics": 1,
    "pipelines": 2,
    "preprocessing": 1,
    "report": 1,
    "runtime": 5,
    "trt_plugins": 1,
    "verification": 3,
}

def awml_framework_library(name, deps = [], data = []):
    """The py_library of framework subpackage `name` (python/awml_deploy/<name>), with floor-derived visibility."""
    floor = FRAMEWORK_FLOORS[name]
    visibility = ["//python/awml_deploy:__pkg__"] + [
        "//python/awml_deploy/%s:__pkg__" % other
        for other, other_floor in sorted(FRAMEWORK_FLOORS.items())
        if other != name and other_floor >= floor
    ]
    native.py_library(
        name = name,
        srcs = native.glob(["*.py"]),
        data = data,
        imports = ["../.."],
        srcs_version = "PY3",
        visibility = visibility,
        deps = deps,
    )
