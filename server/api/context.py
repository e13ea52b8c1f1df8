"""The per-request GraphQL context: services from the app's lifespan, the caller resolved
once, and the request's time budget."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from server.alerts import AlertConfig, Sealer
from server.api.auth import Authenticator
from server.api.errors import describe_failure
from server.service import Alerting, Caller, ClassificationService, RunManager

#: Seconds a request may spend in all, its Google calls and waits included: under Apps
#: Script's UrlFetch limit (about 60 s) with room to answer.
REQUEST_BUDGET = 50.0
#: Seconds kept back from the budget to shape and send the answer.
ANSWER_MARGIN = 2.0


@dataclass
class Context:
    service: ClassificationService
    authenticator: Authenticator
    authorization: str | None = field(repr=False)
    request_id: str = ""
    runs: RunManager | None = None  # the app's; a bare one when a test builds a context
    alerting: Alerting | None = None
    budget: float = REQUEST_BUDGET
    started: float = field(default_factory=time.monotonic)
    _caller: Caller | None = field(default=None, repr=False)

    async def caller(self) -> Caller:
        """Who is asking; raises an UNAUTHENTICATED/FORBIDDEN API error otherwise."""
        if self._caller is None:
            self._caller = await self.authenticator.authenticate(self.authorization)
        return self._caller

    @property
    def manager(self) -> RunManager:
        if self.runs is None:  # a test's context: no lease, no alerts
            self.runs = RunManager(self.service, describe=describe_failure)
        return self.runs

    @property
    def alerts(self) -> Alerting:
        if self.alerting is None:  # a test's context: settings kept, nothing posted
            store = self.service.store
            self.alerting = Alerting(store, Sealer(None), AlertConfig(), None, self.service.now)
        return self.alerting

    def time_left(self) -> float:
        """Seconds of the request's budget left to wait in, the answer's margin kept."""
        return max(0.0, self.budget - ANSWER_MARGIN - (time.monotonic() - self.started))
