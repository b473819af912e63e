"""Artifacts and their resolution order: registered (this run) → configured (config path) → fallback."""

from __future__ import annotations

import dataclasses
import pathlib

from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import fail
from awml_deploy.core.fsio import LOCK_FILE_NAME, TMP_SUFFIX, sha256_file
from awml_deploy.core.logging import get_logger

_LOG = get_logger("artifacts")


def _is_scratch(path: pathlib.Path) -> bool:
    """A work-dir lock or an in-flight atomic-write temp file: never part of an artifact (other dot-files are)."""
    return path.name == LOCK_FILE_NAME or (path.name.startswith(".") and path.name.endswith(TMP_SUFFIX))


REGISTERED = "registered"
CONFIGURED = "configured"
FALLBACK = "fallback"


@dataclasses.dataclass(frozen=True)
class FileRecord:
    """One file of an artifact with its hash.

    Attributes:
        path: File path.
        sha256: Hex digest.
        size: Size in bytes.
    """

    path: str
    sha256: str
    size: int


@dataclasses.dataclass(frozen=True)
class Artifact:
    """A backend artifact: a checkpoint, an ONNX file/directory or a TensorRT engine/directory.

    Attributes:
        backend: Backend that consumes it.
        path: File or directory.
        producer: What produced it ("export", "config:<key>", "user").
        files: The hashed files (one for a file, every file for a directory).
    """

    backend: Backend
    path: str
    producer: str
    files: tuple[FileRecord, ...] = ()

    @classmethod
    def from_path(cls, backend: Backend, path: str | pathlib.Path, producer: str) -> Artifact:
        """Hashes ``path`` (a file, or every file under a directory).

        Args:
            backend (Backend): Consumer backend.
            path (str | pathlib.Path): An existing file or directory.
            producer (str): What produced it.

        Returns:
            Artifact: The artifact with its file records.
        """
        path = pathlib.Path(path)
        if not path.exists():
            fail(f"artifact {backend} | path does not exist. Note: expected an existing file or directory, got {path}")
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _is_scratch(p)) if path.is_dir() else [path]
        records = tuple(FileRecord(str(p), sha256_file(p), p.stat().st_size) for p in files)
        return cls(backend, str(path), producer, records)

    @property
    def is_dir(self) -> bool:
        """bool: Whether the artifact is a directory (multi-component models)."""
        return pathlib.Path(self.path).is_dir()

    @property
    def size(self) -> int:
        """int: Total size of its files in bytes."""
        return sum(f.size for f in self.files)

    @property
    def sha256(self) -> str:
        """str: The file's digest, or for a directory a digest over (name, digest) of its files."""
        if len(self.files) == 1 and not self.is_dir:
            return self.files[0].sha256
        import hashlib

        digest = hashlib.sha256()
        for record in self.files:
            digest.update(f"{pathlib.Path(record.path).relative_to(self.path)}:{record.sha256}\n".encode())
        return digest.hexdigest()

    def to_json_dict(self) -> dict:
        """Returns the JSON form used in report.json."""
        return {
            "backend": self.backend.value,
            "path": self.path,
            "producer": self.producer,
            "sha256": self.sha256,
            "size": self.size,
            "files": [dataclasses.asdict(f) for f in self.files],
        }


@dataclasses.dataclass(frozen=True)
class Resolution:
    """Where an artifact came from.

    Attributes:
        artifact: The artifact.
        source: "registered", "configured" or "fallback".
    """

    artifact: Artifact
    source: str


class ArtifactManager:
    """Resolves artifacts per backend: registered → configured → fallback.

    Args:
        configured (dict[Backend, str] | None): Paths given explicitly in the config. Defaults to none.
        fallbacks (dict[Backend, str] | None): Last-resort paths (checkpoint, export.onnx_path). Defaults to none.
    """

    def __init__(
        self, configured: dict[Backend, str] | None = None, fallbacks: dict[Backend, str] | None = None
    ) -> None:
        self._registered: dict[Backend, Artifact] = {}
        self._configured = dict(configured or {})
        self._fallbacks = dict(fallbacks or {})
        self._resolved: dict[Backend, Resolution] = {}

    def register(self, artifact: Artifact) -> Artifact:
        """Registers an artifact produced in this run; it wins over configured and fallback paths.

        Args:
            artifact (Artifact): The artifact.

        Returns:
            Artifact: The same artifact.
        """
        self._registered[artifact.backend] = artifact
        self._resolved.pop(artifact.backend, None)
        _LOG.info("artifact %s registered: %s (sha256 %s…)", artifact.backend, artifact.path, artifact.sha256[:12])
        return artifact

    def resolve(self, backend: Backend) -> Resolution | None:
        """Finds the artifact for ``backend`` (``runtime`` runs the ONNX artifact unless one is configured for it).

        Args:
            backend (Backend): The backend.

        Returns:
            Resolution | None: The artifact and its source, or None when no candidate exists on disk.
        """
        if backend in self._registered:
            return Resolution(self._registered[backend], REGISTERED)
        if backend is Backend.RUNTIME and backend not in self._configured:
            return self.resolve(Backend.ONNX)  # the C++ runtime runs the exported ONNX
        if backend in self._resolved:
            return self._resolved[backend]
        for source, table in ((CONFIGURED, self._configured), (FALLBACK, self._fallbacks)):
            path = table.get(backend)
            if path is None:
                continue
            if not pathlib.Path(path).exists():
                _LOG.warning("artifact %s: %s path %s does not exist", backend, source, path)
                continue
            resolution = Resolution(Artifact.from_path(backend, path, f"{source}"), source)
            self._resolved[backend] = resolution
            return resolution
        return None

    def write_manifest(self, path: str | pathlib.Path, extra: dict | None = None) -> pathlib.Path:
        """Atomically writes every resolved artifact (with hashes and sources) plus ``extra`` as JSON.

        Args:
            path (str | pathlib.Path): Manifest file, e.g. ``<work_dir>/manifest.json``.
            extra (dict | None): Additional top-level entries (config hash, tool versions, run dir). Defaults to none.

        Returns:
            pathlib.Path: The manifest path.
        """
        from awml_deploy.core.fsio import atomic_write_json

        artifacts = {b.value: {**r.artifact.to_json_dict(), "source": r.source} for b, r in self.all_resolved().items()}
        return atomic_write_json(path, {**(extra or {}), "artifacts": artifacts})

    def all_resolved(self) -> dict[Backend, Resolution]:
        """Returns every artifact resolved or registered so far.

        Returns:
            dict[Backend, Resolution]: Per backend.
        """
        out = dict(self._resolved)
        out.update({b: Resolution(a, REGISTERED) for b, a in self._registered.items()})
        return out


def component_file(artifact: Artifact, file_name: str) -> pathlib.Path:
    """The file of one component inside an artifact: the artifact itself when it is a file, else ``dir/file_name``.

    Args:
        artifact (Artifact): A file or directory artifact.
        file_name (str): The component's ``onnx_file``/``engine_file``.

    Returns:
        pathlib.Path: The existing component file.
    """
    path = pathlib.Path(artifact.path)
    target = path if path.is_file() else path / file_name
    if not target.is_file():
        fail(f"artifact {artifact.backend} | component file missing. Note: expected {target}, got no such file")
    return target
