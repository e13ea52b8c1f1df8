"""Field masks: the ``fields`` query parameter (partial responses) and the ``fields`` of
update requests (which properties to overwrite).

Both syntaxes the Google APIs accept are understood: dotted or slashed paths
(``sheets.properties.title``, ``sheets/data/rowData/values/note``) and parenthesised groups
(``files(id,name)``, ``userEnteredFormat(backgroundColor,textFormat)``), comma separated.
"""

from __future__ import annotations

import copy
from typing import Any

from sheets_emulator.errors import MaskError

__all__ = ["MaskError", "Tree", "apply", "parse_paths", "select", "tree"]

Tree = dict[str, "Tree | None"]


def parse_paths(mask: str) -> list[tuple[str, ...]]:
    """``a.b,c(d,e)`` → ``[("a", "b"), ("c", "d"), ("c", "e")]``."""
    paths: list[tuple[str, ...]] = []

    def parse(text: str, prefix: tuple[str, ...]) -> None:
        depth, start = 0, 0
        for i, ch in enumerate(text + ","):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    raise MaskError(mask)
            elif ch == "," and depth == 0:
                item = text[start:i].strip()
                start = i + 1
                if not item:
                    continue
                if "(" in item:
                    if not item.endswith(")"):
                        raise MaskError(mask)
                    head, _, inner = item.partition("(")
                    parse(inner[:-1], prefix + _split(head))
                else:
                    paths.append(prefix + _split(item))
        if depth != 0:
            raise MaskError(mask)

    parse(mask, ())
    return paths


def _split(path: str) -> tuple[str, ...]:
    parts = tuple(p for p in path.replace("/", ".").strip().split(".") if p)
    if not parts:
        raise MaskError(path)
    return parts


def tree(mask: str) -> Tree:
    """The mask as a tree of keys; ``None`` marks a leaf (keep the whole value)."""
    root: Tree = {}
    for path in parse_paths(mask):
        node = root
        for i, key in enumerate(path):
            last = i == len(path) - 1
            if last:
                node[key] = None
            else:
                child = node.get(key, {})
                if child is None:  # a shorter path already keeps everything
                    break
                node[key] = child
                node = child
    return root


def select(obj: Any, mask: Tree | None) -> Any:
    """Keep only what the mask names (partial response)."""
    if mask is None:
        return obj
    if isinstance(obj, list):
        return [select(item, mask) for item in obj]
    if not isinstance(obj, dict):
        return obj
    if "*" in mask:
        return obj
    out: dict[str, Any] = {}
    for key, sub in mask.items():
        if key in obj:
            out[key] = select(obj[key], sub)
    return out


def select_object(obj: dict[str, Any], mask: Tree | None) -> dict[str, Any]:
    """:func:`select` for a JSON object."""
    selected: dict[str, Any] = select(obj, mask)
    return selected


def sub_tree(mask: Tree | None, *path: str) -> Tree | None:
    """The part of a mask below ``path``; ``None`` when everything below is kept."""
    node: Tree | None = mask
    for key in path:
        if node is None:
            return None
        if "*" in node:
            return None
        if key not in node:
            return {}
        node = node[key]
    return node


def mentions(mask: Tree | None, *path: str) -> bool:
    """Whether the mask asks for anything at or below ``path``."""
    node: Tree | None = mask
    for key in path:
        if node is None or "*" in node:
            return True
        if key not in node:
            return False
        node = node[key]
    return True


def apply(target: dict[str, Any], source: dict[str, Any], paths: list[tuple[str, ...]]) -> None:
    """Overwrite ``target`` at each path with ``source``'s value (absent: remove it)."""
    for path in paths:
        if path == ("*",):
            keep = {k: target[k] for k in ("sheetId",) if k in target}
            target.clear()
            target.update(copy.deepcopy(source))
            target.update(keep)
            continue
        value: Any = source
        found = True
        for key in path:
            if isinstance(value, dict) and key in value and value[key] is not None:
                value = value[key]
            else:
                found = False
                break
        node = target
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                if not found:
                    node = {}
                    break
                child = node[key] = {}
            node = child
        if found:
            node[path[-1]] = copy.deepcopy(value)
        else:
            node.pop(path[-1], None)
