"""Probes the Python interpreter on PATH (or $PYTHON_BIN_PATH): headers, pybind11, py toolchain.

Never fails: when something is missing the generated repository says so through PYTHON_AVAILABLE /
PYBIND11_AVAILABLE in @local_python//:defs.bzl and empty targets.
"""

_PROBE = """
import json, sys, sysconfig
info = {"executable": sys.executable, "include": sysconfig.get_paths()["include"],
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or ".so",
        "version": "%d.%d" % sys.version_info[:2], "pybind11": "", "numpy": ""}
try:
    import pybind11
    info["pybind11"] = pybind11.get_include()
except Exception:
    pass
try:
    import numpy
    info["numpy"] = numpy.__version__
except Exception:
    pass
print(json.dumps(info))
"""

def _python_configure_impl(rctx):
    python = rctx.os.environ.get("PYTHON_BIN_PATH", "") or rctx.which("python3")
    info = None
    if python:
        res = rctx.execute([str(python), "-c", _PROBE])
        if res.return_code == 0:
            info = json.decode(res.stdout.strip())
    if info == None:
        rctx.file("BUILD.bazel", "\n".join([
            'package(default_visibility = ["//visibility:public"])',
            'cc_library(name = "python_headers")',
            'cc_library(name = "pybind11")',
            "",
        ]))
        rctx.file("defs.bzl", 'PYTHON_AVAILABLE = False\nPYBIND11_AVAILABLE = False\nPYTHON_VERSION = ""\n' +
                              'PYBIND11_FROM = ""\nPYTHON_EXECUTABLE = ""\n')
        return

    rctx.symlink(info["include"], "python_include")
    source = rctx.os.environ.get("PYBIND11_SOURCE", "auto")
    pybind_dir = ""
    pybind_from = ""
    if source in ("auto", "pip") and info["pybind11"]:
        pybind_dir = info["pybind11"]
        pybind_from = "pip"
    elif source in ("auto", "system") and rctx.path("/usr/include/pybind11/pybind11.h").exists:
        pybind_dir = "/usr/include"
        pybind_from = "system"
    if pybind_dir:
        rctx.symlink(pybind_dir + "/pybind11", "pybind11_include/pybind11")
    exe = info["executable"]
    rctx.file("BUILD.bazel", """load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

cc_library(
    name = "python_headers",
    hdrs = glob(["python_include/**/*.h"]),
    includes = ["python_include"],
)

cc_library(
    name = "pybind11",
    hdrs = glob(["pybind11_include/pybind11/**/*.h"]),
    includes = ["pybind11_include"],
    deps = [":python_headers"],
)

py_runtime(
    name = "py3_runtime",
    interpreter_path = "{exe}",
    python_version = "PY3",
    stub_shebang = "#!{exe}",
)

py_runtime_pair(
    name = "py_runtime_pair",
    py3_runtime = ":py3_runtime",
)

toolchain(
    name = "py_toolchain",
    toolchain = ":py_runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)
""".format(exe = exe))
    rctx.file("defs.bzl", "\n".join([
        "PYTHON_AVAILABLE = True",
        "PYBIND11_AVAILABLE = %s" % (pybind_from != ""),
        'PYTHON_VERSION = "%s"' % info["version"],
        'PYTHON_EXECUTABLE = "%s"' % exe,
        'PYBIND11_FROM = "%s"' % pybind_from,
        'EXT_SUFFIX = "%s"' % info["ext_suffix"],
        'NUMPY_VERSION = "%s"' % info["numpy"],
        "",
    ]))

python_configure = repository_rule(
    implementation = _python_configure_impl,
    local = True,
    configure = True,
    environ = ["PYTHON_BIN_PATH", "PYBIND11_SOURCE", "PATH"],
)
