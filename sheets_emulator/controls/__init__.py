"""The test controls under ``/_emulator/`` (:mod:`.endpoints`)."""
