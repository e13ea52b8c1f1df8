"""The alerts' exceptions, in one place.

::

    AlertsError
    ├── WebhookUrlError      a webhook URL refused; ``reason`` names the check, the message
    │                        says what to do (``setAlerts`` answers it as BAD_INPUT)
    └── SealingError         a stored URL that does not open (sealing.py: a key missing)

Posting never raises: a message that could not be delivered is a
:class:`~server.alerts.delivery.Delivery` with a status, not an exception.
"""

from __future__ import annotations


class AlertsError(Exception):
    """Base of the alerts' errors."""


class WebhookUrlError(AlertsError, ValueError):
    """A webhook URL that alerts will not be posted to.

    ``reason`` is one of ``empty``, ``length``, ``characters``, ``malformed``, ``scheme``,
    ``credentials``, ``host``, ``ip``, ``port``, ``shape``. The message never repeats the
    URL (it is a secret); it may name the host."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
