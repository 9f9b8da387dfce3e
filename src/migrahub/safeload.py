"""Bounded reading of structured input: YAML and JSON with a size, depth and node limit, and a depth check for parsed
XML trees.

Every parser of user-supplied YAML or JSON (codebooks, coding rules, passage lists, API bodies) goes through here, so
that a hostile file gets a clear error naming the file and the reason instead of a ``RecursionError`` or a process
that runs out of memory:

- ``max_bytes``: the file (or body) is refused before parsing when larger;
- ``max_depth``: nesting deeper than this is refused while composing, before any recursive code sees it;
- ``max_nodes``: YAML aliases (``*a``) and merge keys (``<<: *a``) count the nodes they repeat, so an alias bomb
  ("billion laughs") is refused after ``max_nodes`` nodes instead of making its consumers walk 2**n of them;
  an alias that refers to a node still being composed (a cycle) is refused too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000
MAX_XML_DEPTH = 128


class InputError(ValueError):
    """Input refused or unreadable; the message names the source and the reason."""


def read_limited(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, refused when larger than ``max_bytes`` (checked while reading, not only by stat)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than the limit of {max_bytes:,} bytes")
    return data


def _check_size(data: bytes | str, source: str, max_bytes: int) -> None:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InputError(f"{source}: larger than the limit of {max_bytes:,} bytes")


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting nesting depth and composed nodes (aliases count what they repeat)."""

    def __init__(self, stream, source: str, max_depth: int, max_nodes: int) -> None:
        super().__init__(stream)
        self._source, self._max_depth, self._max_nodes = source, max_depth, max_nodes
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> nodes it stands for
        self._open: set[str] = set()  # anchors whose node is still being composed

    def _count(self, n: int) -> None:
        self._nodes += n
        if self._nodes > self._max_nodes:
            raise InputError(f"{self._source}: more than {self._max_nodes:,} YAML nodes once aliases are expanded "
                             f"(an alias bomb?); refused")

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except InputError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:  # a timestamp such as 2024-01-01T25:00:00
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            raise InputError(f"{self._source}: line {node.start_mark.line + 1}: value {str(value)[:80]!r} cannot be "
                             f"read: {exc}") from None

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            if event.anchor in self._open:
                raise InputError(f"{self._source}: line {event.start_mark.line + 1}: alias *{event.anchor} refers to "
                                 f"a node that contains it (a cycle); refused")
            node = self.anchors.get(event.anchor)
            if node is not None:
                self._count(self._sizes.get(id(node), 1))
            return super().compose_node(parent, index)
        event = self.peek_event()
        self._depth += 1
        if self._depth > self._max_depth:
            raise InputError(f"{self._source}: line {event.start_mark.line + 1}: nested more than "
                             f"{self._max_depth} levels deep; refused")
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._open.add(anchor)
        before = self._nodes
        self._count(1)
        node = super().compose_node(parent, index)
        if anchor:
            self._open.discard(anchor)
            self._sizes[id(node)] = self._nodes - before
        self._depth -= 1
        return node


def load_yaml(data: bytes | str, source: str = "<yaml>", *, max_bytes: int = MAX_BYTES,
              max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """Parse one YAML document (safe types only) within the limits; raises :class:`InputError` for oversized,
    too deep or alias-bombed input, for YAML syntax or encoding errors, for characters YAML forbids and for values
    that cannot be built (a timestamp such as ``2024-01-01T25:00:00``)."""
    _check_size(data, source, max_bytes)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: not readable as UTF-8 YAML: {exc}") from None
    loader = None
    try:
        loader = _BoundedLoader(data, source, max_depth, max_nodes)  # the reader checks the characters here
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not readable as UTF-8 YAML: {exc}") from None
    except RecursionError:  # not expected below max_depth; a clear error all the same
        raise InputError(f"{source}: nested too deeply; refused") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value PyYAML cannot build (2024-01-01T25:00:00)
        raise InputError(f"{source}: YAML value that cannot be read: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml_file(path: str | os.PathLike, **limits) -> Any:
    return load_yaml(read_limited(path, limits.get("max_bytes", MAX_BYTES)), str(path), **limits)


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 1), walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def load_json(data: bytes | str, source: str = "<json>", *, max_bytes: int = MAX_BYTES,
              max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON within the limits; raises :class:`InputError` naming ``source`` and the reason."""
    _check_size(data, source, max_bytes)
    try:
        value = json.loads(data)
    except RecursionError:
        raise InputError(f"{source}: nested more than {max_depth} levels deep; refused") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not readable as UTF-8 JSON: {exc}") from None
    except ValueError as exc:  # json.JSONDecodeError
        raise InputError(f"{source}: not valid JSON: {exc}") from None
    if json_depth(value) > max_depth:
        raise InputError(f"{source}: nested more than {max_depth} levels deep; refused")
    return value


def load_json_file(path: str | os.PathLike, **limits) -> Any:
    return load_json(read_limited(path, limits.get("max_bytes", MAX_BYTES)), str(path), **limits)


def check_xml_depth(root: Any, source: str, max_depth: int = MAX_XML_DEPTH) -> None:
    """Refuse a parsed XML tree (ElementTree or lxml) nested deeper than ``max_depth``, walked without recursion,
    before recursive code (a code tree walk) sees it."""
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > max_depth:
            raise InputError(f"{source}: XML nested more than {max_depth} levels deep; refused")
        stack.extend((child, depth + 1) for child in el)
