"""The errors the Kiln client raises.

``KilnError`` is an answer the service gave (a non-2xx status with Kiln's error body), or no answer at
all (``status`` is ``None``). The ``VerificationError`` family is the client's own checks failing: the
data read is not the data a training run recorded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One wrong field of a request, as the service names it."""

    field: str
    message: str


class KilnError(Exception):
    """A refusal by the service: ``{"error": {"code", "message", "violations"}}`` with its HTTP status.

    ``status`` is ``None`` when the service could not be reached or the stream broke off
    (``code`` is then ``UNREACHABLE`` or ``STREAM_BROKEN``, which are the client's, not the service's).
    """

    def __init__(self, status: int | None, code: str, message: str, violations: list[Violation] | tuple = ()):
        self.status = status
        self.code = code
        self.message = message
        self.violations = tuple(violations)
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"{self.status} {self.code}" if self.status is not None else self.code
        text = f"{prefix}: {self.message}"
        if self.violations:
            text += "; " + "; ".join(f"{v.field}: {v.message}" for v in self.violations)
        return text

    def __reduce__(self):
        # picklable, so that an error raised in a DataLoader worker reaches the main process intact
        return (type(self), (self.status, self.code, self.message, self.violations))


class VerificationError(Exception):
    """The data read is not what was expected. ``expected`` and ``actual`` say how."""

    def __init__(self, message: str, expected=None, actual=None):
        self.expected = expected
        self.actual = actual
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (self.args[0], self.expected, self.actual))


class DigestMismatch(VerificationError):
    """A SHA-256 (of the rows stream or of an export file) differs from the recorded one."""


class SnapshotMismatch(VerificationError):
    """The config resolved to (or the service served) another snapshot than the recorded one."""


class RowCountMismatch(VerificationError):
    """A different number of rows than the resolution or the manifest says."""


class CoverageError(VerificationError):
    """The rows the readers of a sharded run saw are not every selected row exactly once."""
