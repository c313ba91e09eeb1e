"""Safe, line-aware YAML loading for every file a user or architect hands us.

Why not ``yaml.safe_load``: it silently keeps the last of two duplicate keys,
forgets where each value came from (so an error can only say "somewhere in the
file"), expands aliases without limit (a "billion laughs" file of a few hundred
bytes becomes gigabytes once something walks it) and reads any size of file.
Rules, answers and overrides files are user artifacts kept in git, so every
problem must point at ``file:line:column`` and the YAML path, and all problems
of a file are reported at once.

How: the document is *composed* (PyYAML's node graph, where an alias is a
pointer to the anchored node, so composing is cheap even for a bomb), then the
expanded size of the graph is counted with memoisation before anything is
expanded. Only a document under the node budget is turned into plain Python
data, while recording the position of every mapping key and value in a
:class:`Locator`. Scalar *values* are typed by PyYAML's SafeLoader resolver
(``1e6`` is a float, ``true`` a bool); mapping *keys* are always kept as their
source text, so ``on:`` stays the string ``"on"``.

This module imports nothing from ``advisor`` (the engine's overrides loader
uses it too).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import SizewiseError
from engine.safefile import TooLarge, UnreadableFile, read_user_file

#: Files larger than this are refused before parsing (rules and answers are a few KB).
MAX_FILE_BYTES = 1_000_000
#: Largest number of nodes a document may expand to (aliases counted at every use).
MAX_EXPANDED_NODES = 200_000
#: Deepest nesting accepted (guards recursion in the walkers below).
MAX_DEPTH = 100

PathKey = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file: where it is and what is wrong.

    ``line`` and ``column`` are 1-based; 0 means "not known" (e.g. the file
    could not be read at all). ``yaml_path`` is like ``tables[2].rules[0].when``
    ("" for the document itself).
    """

    file: str
    line: int
    column: int
    yaml_path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        path = f" {self.yaml_path}:" if self.yaml_path else ""
        return f"{where}:{path} {self.message}"


class YamlProblems(SizewiseError):
    """A file (or several) could not be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None):
        self.problems = sorted(set(problems))
        lines = [str(p) for p in self.problems]
        head = summary or f"{len(lines):,} problem{'s' if len(lines) != 1 else ''}"
        super().__init__(head + ":\n  " + "\n  ".join(lines) if len(lines) > 1 else (lines[0] if lines else head))


def format_path(path: PathKey) -> str:
    """``("tables", 2, "rules", 0, "when")`` -> ``tables[2].rules[0].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclasses.dataclass
class Locator:
    """YAML path -> (line, column) of the value and of its mapping key."""

    file: str
    values: dict[PathKey, tuple[int, int]] = dataclasses.field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def position(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path`` (its key when ``key``), else of its nearest known ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key and path in self.keys else self.values
            if path in table:
                return table[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = False

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, format_path(path), message)


@dataclasses.dataclass
class Document:
    """Plain data (dicts, lists, scalars) plus where each piece came from."""

    data: Any
    locator: Locator

    @property
    def file(self) -> str:
        return self.locator.file


def load_yaml_file(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, display: str | None = None) -> Document:
    """Read and parse ``path``; raise :class:`YamlProblems` with every problem found.

    Regular files and pipes are read; directories, sockets and devices are
    refused, and a FIFO nobody writes to reads as empty instead of hanging
    (engine/safefile.py says why and how).
    """
    path = Path(path)
    name = display or str(path)

    def refuse(message: str) -> YamlProblems:
        return YamlProblems([Problem(name, 0, 0, "", message)])

    try:
        raw = read_user_file(path, max_bytes)
    except TooLarge as err:
        raise refuse(f"{err}; refusing to parse it") from None
    except UnreadableFile as err:
        message = str(err)
        raise refuse(f"{message}, expected a YAML file" if message == "is a directory" else message) from None
    if len(raw) > max_bytes:
        raise refuse(f"file is over the {max_bytes:,}-byte limit; refusing to parse it")
    return load_yaml_bytes(raw, name, max_bytes=max_bytes)


def load_yaml_bytes(raw: bytes, file: str, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Check size and encoding of ``raw`` then parse it (see :func:`load_yaml_text`)."""
    if len(raw) > max_bytes:
        raise YamlProblems([Problem(file, 0, 0, "", f"file is over the {max_bytes:,}-byte limit; refusing to parse it")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start
        line = raw.count(b"\n", 0, offset) + 1
        column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        raise YamlProblems(
            [Problem(file, line, column, "", f"not valid UTF-8: byte 0x{raw[offset]:02x} at offset {offset}; save the file as UTF-8")]
        ) from None
    return load_yaml_text(text, file)


_BASE_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """Safe loader used only to compose nodes and resolve/construct scalars.

    libyaml's parser (``CSafeLoader``) when PyYAML was built with it: the
    pure-Python scanner is ~10x slower, and the rules are read at every start.
    Both build the same nodes with the same positions.
    """


# YAML 1.2 floats: PyYAML (YAML 1.1) reads `1e6` and `5.0e7` as *strings*, a
# trap for anyone writing token volumes. Resolve them as floats.
#
# And only the number spellings of the tool's one grammar (docs/numbers.md): YAML 1.1 also reads 0x10, 0b101,
# 0o17, 017 (octal 15!), 1_000 and 1:30 (sexagesimal 90) as ints, so they were accepted in files although
# every flag refuses them. Here such a scalar stays a string, and the answer's parser refuses it by name.
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_Loader.add_implicit_resolver(_FLOAT_TAG, re.compile(r"^$"), None)  # gives _Loader its own resolver table
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?[0-9]+$", re.ASCII), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(r"""^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)$
                  |^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$""", re.VERBOSE | re.ASCII),
    list("-+0123456789."),
)


def load_yaml_text(text: str, file: str = "<string>", *, max_nodes: int = MAX_EXPANDED_NODES) -> Document:
    """Parse one YAML document from ``text`` into plain data plus a :class:`Locator`.

    Raises :class:`YamlProblems` listing syntax errors, duplicate keys, unsupported
    tags, recursive or over-expanding aliases. An empty document is ``None``.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            msg = " ".join(str(m) for m in (err.context, err.problem) if m) or "invalid YAML"
            if "expected a single document" in msg:
                msg = "more than one YAML document in the file (remove the '---' separator)"
            raise YamlProblems([Problem(file, line, col, "", f"invalid YAML: {msg}")]) from None
        except yaml.reader.ReaderError as err:  # NUL, ESC...: PyYAML says "position N" on two lines
            line = text.count("\n", 0, err.position) + 1
            column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
            char = err.character if isinstance(err.character, str) else chr(err.character)
            raise YamlProblems([Problem(file, line, column, "", f"invalid YAML: control character "
                                        f"{char.encode('unicode_escape').decode('ascii')} (U+{ord(char):04X}) is not "
                                        "allowed; remove it or write it as an escape in double quotes")]) from None
        except yaml.YAMLError as err:
            raise YamlProblems([Problem(file, 0, 0, "", f"invalid YAML: {' '.join(str(err).split())}")]) from None
        except RecursionError:
            raise YamlProblems([Problem(file, 0, 0, "", f"nesting deeper than {MAX_DEPTH} levels")]) from None
        locator = Locator(file)
        if node is None:
            return Document(None, locator)
        _check_expansion(node, file, max_nodes)
        builder = _Builder(loader, locator)
        data = builder.build(node, (), 0)
        if builder.problems:
            raise YamlProblems(builder.problems)
        return Document(data, locator)
    finally:
        loader.dispose()


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _check_expansion(root: Node, file: str, max_nodes: int) -> None:
    """Count the nodes the document expands to, without expanding it.

    Each distinct node is visited once (memoised on identity), so a billion
    laughs file costs a few microseconds per *written* node, and memory stays
    bounded by the file size. A recursive alias (an anchor used inside itself)
    is refused outright.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            in_progress.discard(key)
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > max_nodes:
                line, col = _pos(node)
                raise YamlProblems(
                    [Problem(file, line, col, "", f"YAML aliases expand to more than {max_nodes:,} nodes (an 'alias bomb'); refusing to load it")]
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in in_progress:
            line, col = _pos(node)
            raise YamlProblems([Problem(file, line, col, "", "recursive YAML alias (an anchor used inside itself)")])
        if depth > MAX_DEPTH:
            line, col = _pos(node)
            raise YamlProblems([Problem(file, line, col, "", f"nesting deeper than {MAX_DEPTH} levels")])
        in_progress.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Builder:
    """Turn a checked node graph into plain data, recording positions."""

    def __init__(self, loader: _Loader, locator: Locator):
        self.loader = loader
        self.locator = locator
        self.problems: list[Problem] = []

    def _problem(self, node: Node, path: PathKey, message: str) -> None:
        line, col = _pos(node)
        self.problems.append(Problem(self.locator.file, line, col, format_path(path), message))

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        self.locator.values.setdefault(path, _pos(node))
        if isinstance(node, ScalarNode):
            try:
                if node.tag == _INT_TAG:  # decimal only: PyYAML would read 017 as octal 15
                    return int(node.value, 10)
                return self.loader.construct_scalar(node) if node.tag == "tag:yaml.org,2002:str" else self.loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError:
                self._problem(node, path, f"unsupported YAML tag {node.tag!r}")
                return None
            except (ValueError, TypeError, OverflowError) as err:
                self._problem(node, path, f"cannot read value {node.value!r}: {err}")
                return None
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._problem(node, path, f"unsupported YAML tag {node.tag!r}")
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self._problem(node, path, f"unsupported YAML tag {node.tag!r}")
            out: dict[Any, Any] = {}
            first_seen: dict[Any, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._problem(key_node, path, "merge keys ('<<') are not supported; write the keys out")
                    continue
                if not isinstance(key_node, ScalarNode):
                    self._problem(key_node, path, "mapping keys must be plain scalars")
                    continue
                # Keys are always their source text: `on:` or `1:` stay strings,
                # never YAML 1.1 booleans or ints.
                key = key_node.value
                child = path + (key,)
                if key in out:
                    line, col = first_seen[key]
                    self._problem(key_node, child, f"duplicate key '{key}' (first defined at line {line}, column {col})")
                    continue
                first_seen[key] = _pos(key_node)
                self.locator.keys[child] = _pos(key_node)
                out[key] = self.build(value_node, child, depth + 1)
            return out
        self._problem(node, path, "unsupported YAML node")  # pragma: no cover
        return None
