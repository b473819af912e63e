"""GoogleTest from Debian's libgtest-dev (/usr/include/gtest, /usr/lib/<arch>/libgtest*.a). Never fails.

Missing: GTEST_AVAILABLE = False and every cc_test made by awml_cc_test is SKIPPED.
"""

_LIBDIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib"]

def _gtest_configure_impl(rctx):
    root = rctx.os.environ.get("GTEST_ROOT", "")
    incs = ([root + "/include"] if root else []) + ["/usr/include", "/usr/local/include"]
    libdirs = ([root + "/lib"] if root else []) + _LIBDIRS
    inc = ""
    for cand in incs:
        if rctx.path(cand + "/gtest/gtest.h").exists:
            inc = cand
            break
    lib = ""
    for cand in libdirs:
        if rctx.path(cand + "/libgtest.a").exists and rctx.path(cand + "/libgtest_main.a").exists:
            lib = cand
            break
    head = """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "gtest_setting")

constraint_value(
    name = "gtest_missing",
    constraint_setting = ":gtest_setting",
)
"""
    if inc and lib:
        rctx.symlink(inc + "/gtest", "include/gtest")
        rctx.symlink(lib + "/libgtest.a", "lib/libgtest.a")
        rctx.symlink(lib + "/libgtest_main.a", "lib/libgtest_main.a")
        rctx.file("BUILD.bazel", head + """
cc_library(
    name = "gtest",
    srcs = ["lib/libgtest.a"],
    hdrs = glob(["include/gtest/**/*.h"]),
    includes = ["include"],
    linkopts = ["-lpthread"],
)

cc_library(
    name = "gtest_main",
    srcs = ["lib/libgtest_main.a"],
    deps = [":gtest"],
)
""")
        rctx.file("defs.bzl", "GTEST_AVAILABLE = True\nGTEST_COMPAT = []\n")
    else:
        rctx.file("BUILD.bazel", head + """
cc_library(name = "gtest")

cc_library(name = "gtest_main")
""")
        rctx.file("defs.bzl", 'GTEST_AVAILABLE = False\nGTEST_COMPAT = ["@local_gtest//:gtest_missing"]\n')

gtest_configure = repository_rule(
    implementation = _gtest_configure_impl,
    local = True,
    configure = True,
    environ = ["GTEST_ROOT"],
)
