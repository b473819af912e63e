"""File-system primitives: atomic writes (temp file + fsync + rename, mode from the umask), sha256, and a
per-work-dir lock.

Every artifact the framework writes goes through :func:`atomic_write` (or :func:`save_onnx_atomic` for ONNX
models): a reader, a killed run or a full disk never leaves a partial file under the final name; an interrupted
write leaves at most a ``.<name>.<random>.tmp`` file, which the next run removes (see ``runtime.housekeeping``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import tempfile
from collections.abc import Callable, Iterator

from awml_deploy.core.errors import fail

LOCK_FILE_NAME = ".awml-deploy.lock"
TMP_SUFFIX = ".tmp"
ONNX_EXTERNAL_DATA_LIMIT = 2**31 - 1  # protobuf's 2 GiB message limit


def default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file: 0o666 minus the process umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_dir(directory: pathlib.Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | pathlib.Path, write: Callable[[pathlib.Path], None]) -> pathlib.Path:
    """Lets ``write`` produce a temp file beside ``path`` and renames it over ``path`` when done.

    A reader never sees a partial file: either the old content or the complete new one. The file gets the mode
    a plain ``open()`` would give it (0644 under umask 022), not ``mkstemp``'s 0600.

    Args:
        path (str | pathlib.Path): Destination.
        write (Callable[[pathlib.Path], None]): Writes the content to the given temporary path.

    Returns:
        pathlib.Path: The destination path.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = pathlib.Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, default_file_mode())
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def save_onnx_atomic(model: object, path: str | pathlib.Path) -> pathlib.Path:
    """Saves an ONNX ``ModelProto`` atomically (temp + fsync + rename, normal file mode).

    A model over protobuf's 2 GiB limit, or one that already keeps tensors as external data, is written with
    its tensors in ``<name>.data`` beside it; that file is written and renamed the same way, before the model.

    Args:
        model (object): An ``onnx.ModelProto``.
        path (str | pathlib.Path): Destination ``.onnx`` file.

    Returns:
        pathlib.Path: The destination path.
    """
    import onnx
    from onnx.external_data_helper import uses_external_data

    path = pathlib.Path(path)
    unloaded = [t.name for t in model.graph.initializer if uses_external_data(t) and not t.HasField("raw_data")]
    if unloaded:
        fail(
            f"{path} | the model's tensors are in an external data file that was not loaded. Note: expected "
            f"onnx.load(..., load_external_data=True), got unloaded tensors {unloaded[:3]}"
        )
    external = bool([t for t in model.graph.initializer if uses_external_data(t)])
    if not external and model.ByteSize() <= ONNX_EXTERNAL_DATA_LIMIT:
        return atomic_write(path, lambda tmp: onnx.save_model(model, str(tmp)))
    path.parent.mkdir(parents=True, exist_ok=True)
    data_name = f"{path.name}.data"
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent))
    try:
        copy = onnx.ModelProto()
        copy.CopyFrom(model)
        onnx.save_model(copy, str(staging / path.name), save_as_external_data=True, location=data_name)
        for name in (data_name, path.name):
            staged = staging / name
            if staged.exists():
                atomic_write(path.parent / name, lambda tmp, staged=staged: os.replace(staged, tmp))
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    return path


def atomic_write_bytes(path: str | pathlib.Path, data: bytes) -> pathlib.Path:
    """Atomically writes ``data`` to ``path``.

    Args:
        path (str | pathlib.Path): Destination.
        data (bytes): Content.

    Returns:
        pathlib.Path: The destination path.
    """
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | pathlib.Path, text: str) -> pathlib.Path:
    """Atomically writes UTF-8 ``text`` to ``path``.

    Args:
        path (str | pathlib.Path): Destination.
        text (str): Content.

    Returns:
        pathlib.Path: The destination path.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | pathlib.Path, payload: object) -> pathlib.Path:
    """Atomically writes ``payload`` as indented JSON (NaN/Inf are written as null).

    Args:
        path (str | pathlib.Path): Destination.
        payload (object): JSON-compatible data.

    Returns:
        pathlib.Path: The destination path.
    """
    return atomic_write_text(path, json.dumps(json_safe(payload), indent=2, sort_keys=False) + "\n")


def json_safe(value: object) -> object:
    """Converts numpy scalars/arrays, paths, enums, sets and non-finite floats into plain JSON values.

    Args:
        value (object): Any nested structure.

    Returns:
        object: A structure ``json.dumps`` accepts, with NaN/Inf replaced by None.
    """
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_json_dict"):
        return json_safe(value.to_json_dict())
    return str(value)


def sha256_file(path: str | pathlib.Path, chunk_size: int | None = None) -> str:
    """Hex sha256 of a file.

    Args:
        path (str | pathlib.Path): File.
        chunk_size (int | None): Read size. Defaults to 1 MiB.

    Returns:
        str: The hex digest.
    """
    chunk_size = 1 << 20 if chunk_size is None else chunk_size
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def work_dir_lock(work_dir: str | pathlib.Path) -> Iterator[pathlib.Path]:
    """Holds an exclusive, non-blocking lock on ``<work_dir>/.awml-deploy.lock`` for the duration.

    A second run on the same work dir fails at once instead of corrupting the first run's artifacts.

    Args:
        work_dir (str | pathlib.Path): The work directory (created if missing).

    Yields:
        pathlib.Path: The lock file path.
    """
    import fcntl

    work_dir = pathlib.Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    lock_path = work_dir / LOCK_FILE_NAME
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the duration of the context
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            fail(
                f"{work_dir} | work dir is locked by another run. Note: expected no concurrent run, "
                f"got lock holder pid {holder}; wait for it or use --work-dir",
                cause=err,
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield lock_path
    finally:
        handle.close()
