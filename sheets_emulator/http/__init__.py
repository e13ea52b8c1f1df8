"""The HTTP layer: the app (:mod:`.app`), the route table (:mod:`.routes`) and how it is
matched (:mod:`.routing`), middleware (:mod:`.middleware`), request/response helpers
(:mod:`.common`) and errors rendered as Google's JSON (:mod:`.errors`)."""
