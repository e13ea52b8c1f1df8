"""Find the GraphQL documents in the add-on's sources (whole template literals or strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.addon.harness import ADDON

SOURCE_SUFFIXES = (".gs", ".html", ".js")
_LITERAL = re.compile(
    r"`(?P<template>(?:[^`\\]|\\.)*)`"
    r"|'(?P<single>(?:[^'\\\n]|\\.)*)'"
    r'|"(?P<double>(?:[^"\\\n]|\\.)*)"',
    re.S,
)
_OPERATION = re.compile(r"^\s*(query|mutation|subscription|fragment)\b")


@dataclass(frozen=True)
class Document:
    path: Path
    line: int
    text: str
    interpolated: bool

    def where(self) -> str:
        return f"{self.path.relative_to(ADDON.parent)}:{self.line}"


def source_files(root: Path = ADDON) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in SOURCE_SUFFIXES and "node_modules" not in p.parts
    )


def documents_in(path: Path) -> list[Document]:
    text = path.read_text(encoding="utf-8")
    found: list[Document] = []
    for match in _LITERAL.finditer(text):
        body = next(g for g in match.groups() if g is not None) if any(match.groups()) else ""
        if not _OPERATION.match(body):
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append(Document(path, line, body, interpolated="${" in body))
    return found


def addon_documents(root: Path = ADDON) -> list[Document]:
    return [d for path in source_files(root) for d in documents_in(path)]
