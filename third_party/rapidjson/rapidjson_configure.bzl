"""RapidJSON from Debian's rapidjson-dev (header-only, /usr/include/rapidjson). Never fails.

Present: `@local_rapidjson//:rapidjson` holds the headers and defines AWML_HAVE_RAPIDJSON for its dependents.
Missing: `@local_rapidjson//:rapidjson` is empty (no define), RAPIDJSON_AVAILABLE = False, and the readers built
on it refuse every document (their callers take the Python path).
"""

def _rapidjson_configure_impl(rctx):
    root = rctx.os.environ.get("RAPIDJSON_ROOT", "")
    incs = ([root + "/include"] if root else []) + ["/usr/include", "/usr/local/include"]
    inc = ""
    for cand in incs:
        if rctx.path(cand + "/rapidjson/reader.h").exists and rctx.path(cand + "/rapidjson/error/en.h").exists:
            inc = cand
            break
    head = """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "rapidjson_setting")

constraint_value(
    name = "rapidjson_missing",
    constraint_setting = ":rapidjson_setting",
)
"""
    if inc:
        rctx.symlink(inc + "/rapidjson", "include/rapidjson")
        rctx.file("BUILD.bazel", head + """
cc_library(
    name = "rapidjson",
    hdrs = glob(["include/rapidjson/**/*.h"]),
    defines = ["AWML_HAVE_RAPIDJSON"],
    includes = ["include"],
)
""")
        rctx.file("defs.bzl", "RAPIDJSON_AVAILABLE = True\nRAPIDJSON_COMPAT = []\n")
    else:
        rctx.file("BUILD.bazel", head + """
cc_library(name = "rapidjson")
""")
        rctx.file("defs.bzl", 'RAPIDJSON_AVAILABLE = False\nRAPIDJSON_COMPAT = ["@local_rapidjson//:rapidjson_missing"]\n')

rapidjson_configure = repository_rule(
    implementation = _rapidjson_configure_impl,
    local = True,
    configure = True,
    environ = ["RAPIDJSON_ROOT"],
)
