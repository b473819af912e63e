"""Framework logging: timestamped lines on the console and a fresh log file per run."""

from __future__ import annotations

import logging
import pathlib

LOGGER_NAME = "awml_deploy"
_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s | %(message)s"
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def get_logger(name: str | None = None) -> logging.Logger:
    """Returns the framework logger or one of its children.

    Args:
        name (str | None): Child name, e.g. "verification". Defaults to the framework root logger.

    Returns:
        logging.Logger: The logger.
    """
    return logging.getLogger(LOGGER_NAME if not name else f"{LOGGER_NAME}.{name}")


def setup_logging(level: str | None = None, log_file: str | pathlib.Path | None = None) -> pathlib.Path | None:
    """Configures the framework logger; replaces the handlers a previous run installed.

    Args:
        level (str | None): Console level: DEBUG, INFO, WARNING or ERROR. Defaults to INFO.
        log_file (str | pathlib.Path | None): File that receives every record of this run at DEBUG level
            (tracebacks of failures included); it is truncated (a fresh file per run). Defaults to no file.

    Returns:
        pathlib.Path | None: The log file path, if any.
    """
    level = "INFO" if level is None else level.upper()
    logger = get_logger()
    for handler in list(logger.handlers):
        if getattr(handler, "_awml_deploy", False):
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel("DEBUG")
    logger.propagate = False
    formatter = logging.Formatter(_FORMAT, _DATE_FORMAT)
    console = logging.StreamHandler()
    console.setLevel(level if level in _LEVELS else "INFO")
    console.setFormatter(formatter)
    console._awml_deploy = True  # type: ignore[attr-defined]
    logger.addHandler(console)
    if log_file is None:
        return None
    path = pathlib.Path(log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    file_handler.setLevel("DEBUG")
    file_handler.setFormatter(formatter)
    file_handler._awml_deploy = True  # type: ignore[attr-defined]
    logger.addHandler(file_handler)
    return path


def close_logging() -> None:
    """Flushes and removes the handlers installed by :func:`setup_logging`."""
    logger = get_logger()
    for handler in list(logger.handlers):
        if getattr(handler, "_awml_deploy", False):
            logger.removeHandler(handler)
            handler.close()
