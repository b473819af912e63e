"""Reading data pickles (mmdet3d / AWML T4 info files) without executing code from them.

``pickle.load`` calls whatever callable a file names (``__reduce__``), so a crafted info file runs code. The
:class:`RestrictedUnpickler` resolves only the globals the info format is made of: builtin containers and
scalars, and NumPy arrays, dtypes and scalars through NumPy's own reconstruct functions. Any other global is a
one-line :class:`~awml_deploy.core.errors.DeployError` naming the global and the file; nothing from the file runs.

Example::

    data = load_restricted("infos_train.pkl", "runtime_io.info_file")
"""

from __future__ import annotations

import io
import os
import pickle

from awml_deploy.core.errors import fail

# The globals an info file may name. Calling any of them with arguments from the file builds data, nothing else.
_BUILTINS = frozenset(
    {"dict", "list", "tuple", "set", "frozenset", "int", "float", "complex", "bool", "str", "bytes", "bytearray"}
)
_NUMPY_CORE_NAMES = frozenset({"_reconstruct", "scalar", "_frombuffer"})
_NUMPY_CORE_MODULES = ("numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric", "numpy._core.numeric")
ALLOWED_GLOBALS = frozenset(
    {("builtins", name) for name in _BUILTINS}
    | {("__builtin__", name) for name in _BUILTINS}
    | {(module, name) for module in _NUMPY_CORE_MODULES for name in _NUMPY_CORE_NAMES}
    | {("numpy", "ndarray"), ("numpy", "dtype"), ("collections", "OrderedDict")}
    | {("_codecs", "encode")}  # protocol 2 writes bytes as _codecs.encode(text, "latin1")
)
ACCEPTED = "builtin containers/scalars and NumPy arrays/dtypes/scalars"


def _numpy_dtype_class(module: str, name: str) -> bool:
    # NumPy 2 may pickle a dtype through its class, e.g. numpy.dtypes.Float32DType.
    return module == "numpy.dtypes" and name.endswith("DType")


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` (and NumPy dtype classes).

    Args:
        file (io.BufferedIOBase): The opened pickle.
        subject (str): What is being read, for messages (a config key or the file path).
        source (str): The file name, for messages.
    """

    def __init__(self, file: io.BufferedIOBase, subject: str, source: str) -> None:
        super().__init__(file)
        self._subject = subject
        self._source = source

    def find_class(self, module: str, name: str) -> object:
        """Resolves an allowed global; fails on any other."""
        if (module, name) in ALLOWED_GLOBALS or _numpy_dtype_class(module, name):
            return super().find_class(module, name)
        fail(
            f"{self._subject} | the pickle names the global {module}.{name}, which is not loaded (a data file must "
            f"not run code). Note: expected only {ACCEPTED}, got {module}.{name} in {self._source}"
        )

    def persistent_load(self, pid: object) -> object:
        """Persistent ids are not part of the info format."""
        fail(
            f"{self._subject} | the pickle uses a persistent id. Note: expected only {ACCEPTED}, "
            f"got a persistent id in {self._source}"
        )


def loads_restricted(data: bytes, subject: str, source: str | None = None) -> object:
    """Unpickles ``data`` with :class:`RestrictedUnpickler`.

    Args:
        data (bytes): Pickle bytes.
        subject (str): What is being read, for messages.
        source (str | None): Where the bytes came from, for messages. Defaults to ``subject``.

    Returns:
        object: The unpickled data.

    Raises:
        DeployError: A global outside the allow-list (exit 2), or bytes that are not a readable pickle.
    """
    source = subject if source is None else source
    try:
        return RestrictedUnpickler(io.BytesIO(data), subject, source).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as err:
        fail(
            f"{subject} | not a readable pickle ({type(err).__name__}: {' '.join(str(err).split())[:200]}). "
            f"Note: expected a pickle of {ACCEPTED}, got {source}",
            cause=err,
        )
    except (MemoryError, RecursionError) as err:
        fail(f"{subject} | the pickle is too large or too deep. Note: expected a data file, got {source}", cause=err)


def load_restricted(path: str | os.PathLike, subject: str | None = None) -> object:
    """Reads a pickle file without executing code from it.

    Args:
        path (str | os.PathLike): The ``.pkl`` file.
        subject (str | None): What is being read, for messages (e.g. "runtime_io.info_file"). Defaults to the path.

    Returns:
        object: The unpickled data (dicts, lists, scalars, NumPy arrays).

    Raises:
        DeployError: An unreadable file, a global outside the allow-list (naming it and the file), or bytes
            that are not a pickle; exit code 2.
    """
    source = os.fspath(path)
    subject = source if subject is None else subject
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as err:
        fail(f"{subject} | cannot read the file ({err.strerror}). Note: expected a readable file, got {source}")
    return loads_restricted(data, subject, source)
