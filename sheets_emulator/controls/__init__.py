"""The test controls under ``/_emulator/`` (:mod:`.endpoints`) and what keeps browsers away
from them (:mod:`.guard`)."""
