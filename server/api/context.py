"""The per-request GraphQL context: services from the app's lifespan, the caller resolved once."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.api.auth import Authenticator
from server.service import Caller, ClassificationService


@dataclass
class Context:
    service: ClassificationService
    authenticator: Authenticator
    authorization: str | None = field(repr=False)
    request_id: str = ""
    _caller: Caller | None = field(default=None, repr=False)

    async def caller(self) -> Caller:
        """Who is asking; raises an UNAUTHENTICATED/FORBIDDEN API error otherwise."""
        if self._caller is None:
            self._caller = await self.authenticator.authenticate(self.authorization)
        return self._caller
