"""The one way the framework fails: :func:`fail` raises :class:`DeployError`.

Messages read "`<subject> | <problem>`. Note: expected <x>, got <y>"; the CLI prints the message on one
line and exits with the error's ``exit_code`` (2 for configuration/usage errors, 1 for run failures).
"""

from __future__ import annotations

from typing import NoReturn

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2


class DeployError(Exception):
    """The framework's only exception type.

    Attributes:
        exit_code: Process exit code the CLI uses for this error (1 run failure, 2 usage/config).
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, *, exit_code: int | None = None, cause: BaseException | None = None) -> NoReturn:
    """Raises :class:`DeployError` with ``message``, keeping ``cause`` as ``__cause__``.

    Args:
        message (str): "`<subject> | <problem>`. Note: expected <x>, got <y>" style text, one line.
        exit_code (int | None): Exit code for the CLI. Defaults to 2 (usage/config error).
        cause (BaseException | None): The original exception. Defaults to no cause.

    Raises:
        DeployError: Always.
    """
    exit_code = EXIT_USAGE if exit_code is None else exit_code
    message = " ".join(str(message).split("\n"))
    raise DeployError(message, exit_code) from cause


def expected(subject: str, problem: str, accepted: object, got: object) -> NoReturn:
    """Fails with the house message format.

    Args:
        subject (str): What is wrong (a key path, a file, a backend).
        problem (str): What the problem is.
        accepted (object): What would be accepted.
        got (object): The offending value (shown with ``repr`` for strings).

    Raises:
        DeployError: Always, exit code 2.
    """
    fail(f"{subject} | {problem}. Note: expected {accepted}, got {short_repr(got)}")


def short_repr(value: object, limit: int | None = None) -> str:
    """A one-line ``repr`` clipped to ``limit`` characters.

    Args:
        value (object): Any value.
        limit (int | None): Maximum length. Defaults to 80.

    Returns:
        str: The representation.
    """
    limit = 80 if limit is None else limit
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_unexpected(subject: str, err: BaseException) -> str:
    """One line for an unexpected exception (from project code or a library); the traceback goes to the run's
    log file (DEBUG level), never to the console.

    Args:
        subject (str): What was running, e.g. "verification pytorch_cpu_vs_onnx_cpu".
        err (BaseException): The exception.

    Returns:
        str: "<subject> | <Type>: <message>".
    """
    import logging

    logging.getLogger("awml_deploy").debug("%s raised", subject, exc_info=err)
    return f"{subject} | {type(err).__name__}: {' '.join(str(err).split())[:300]}"


def fail_unexpected(subject: str, err: BaseException) -> NoReturn:
    """Fails with :func:`describe_unexpected`'s line as a run failure (exit 1).

    Args:
        subject (str): What was running.
        err (BaseException): The exception.

    Raises:
        DeployError: Always, exit code 1.
    """
    fail(describe_unexpected(subject, err), exit_code=EXIT_GATE_FAILED, cause=err)
