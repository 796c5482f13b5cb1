"""The small files a user writes by hand (the constraints file, the alias file): one reading rule.

`read_settings_text` takes a path that names a regular file (links followed, as the catalog's
``is_file()`` check does) of at most `MAX_SETTINGS_BYTES`. A FIFO, device, socket or folder is
refused after a ``stat`` and again on the opened descriptor (opened non-blocking, so a FIFO
swapped in between cannot block): such a file blocks for ever or never ends.

`load_yaml` is ``yaml.safe_load`` (the same tags and types) with two checks for hand-written
files: a key given twice in one mapping is an error (YAML would keep the last silently), and
aliases may add at most `MAX_ALIAS_EXPANSION` nodes to the document (a few hundred bytes of
nested aliases otherwise stand for millions of values, which any walk over them, a repr for an
error message included, expands). `load_json` also refuses a key given twice. Both raise
`SettingsSyntaxError` (a ValueError) with a one-line message.
"""

import functools
import json
import os
import reprlib
import stat
from pathlib import Path
from typing import Any

from workout_pipeline.errors import InputError

MAX_SETTINGS_BYTES = 1 << 20  # 1 MiB: far above any hand-written settings file
MAX_ALIAS_EXPANSION = 100_000  # nodes that YAML aliases may add on top of the written ones

_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
for _name, _limit in (("maxlevel", 2), ("maxdict", 4), ("maxlist", 4), ("maxtuple", 4), ("maxset", 4),
                      ("maxfrozenset", 4), ("maxdeque", 4), ("maxarray", 4), ("maxstring", 40), ("maxlong", 40),
                      ("maxother", 40)):
    setattr(_SHORT, _name, _limit)
del _name, _limit


def short_repr(value: Any, limit: int = 40) -> str:
    """A repr for an error line whose cost and length are bounded, whatever `value` holds
    (nested or shared containers, long strings, integers with thousands of digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 128:
        # repr() of an int over 4300 digits raises; the size says enough
        return f"an integer of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
    text = _SHORT.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class SettingsSyntaxError(ValueError):
    """A settings file that does not parse (or breaks the checks above); one-line message."""


def file_kind(mode: int) -> str:
    """What a path that is no regular file is, for messages ("a FIFO", "a folder", ...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_settings_text(path: "str | os.PathLike[str]", what: str, encoding: str = "utf-8") -> str:
    """The text of a hand-written settings file.

    Args:
        path: The file.
        what: What it is, for messages ("constraints file", "alias file").
        encoding: Its text encoding ("utf-8-sig" also drops a byte-order mark).

    Returns:
        The decoded text.

    Raises:
        InputError: ``cannot read {what} {path}: ...``: missing or unreadable, not a regular
            file, over `MAX_SETTINGS_BYTES`, or not text in `encoding`.
    """
    path = Path(path)

    def refuse(why: str) -> InputError:
        return InputError(f"cannot read {what} {path}: {why}")

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise refuse(f"it is {file_kind(mode)}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise refuse(f"it is {file_kind(mode)}, not a regular file")
            data = bytearray()
            while len(data) <= MAX_SETTINGS_BYTES:  # bounded even where st_size says 0 (/proc)
                chunk = os.read(fd, MAX_SETTINGS_BYTES + 1 - len(data))
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(fd)
    except OSError as error:
        raise refuse(error.strerror or type(error).__name__) from None
    if len(data) > MAX_SETTINGS_BYTES:
        raise refuse(f"larger than {MAX_SETTINGS_BYTES // (1 << 20)} MiB (a {what} is a short hand-written file)")
    try:
        return bytes(data).decode(encoding)
    except UnicodeDecodeError:
        raise refuse(f"not {encoding.split('-sig')[0].upper()} text") from None


@functools.lru_cache(maxsize=1)
def _settings_loader():
    import yaml

    class SettingsLoader(yaml.SafeLoader):
        """`yaml.SafeLoader` that refuses duplicate keys and huge alias expansions."""

        def compose_document(self):
            node = super().compose_document()
            _check_alias_expansion(node, yaml)
            return node

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue  # merged keys may be overridden: that is what `<<` is for
                    key = self.construct_object(key_node, deep=True)
                    try:
                        duplicate = key in seen
                    except TypeError:
                        continue  # an unhashable key: SafeLoader's own error follows
                    if duplicate:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"key {short_repr(key)} is given twice", key_node.start_mark)
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return SettingsLoader


def _check_alias_expansion(root: Any, yaml: Any) -> None:
    """Refuse a node graph whose aliases expand it by more than MAX_ALIAS_EXPANSION nodes
    (or that refers to itself: an infinite expansion). Shared nodes are counted once per
    distinct node for the written size and once per reference for the expanded size."""
    if root is None:
        return

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.SequenceNode):
            return node.value
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    distinct: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in distinct:
            distinct.add(id(node))
            stack.extend(children(node))
    limit = len(distinct) + MAX_ALIAS_EXPANSION
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise yaml.composer.ComposerError(None, None, "an alias refers to a node that holds it", node.start_mark)
        open_nodes.add(key)
        total = 1
        for child in children(node):
            total += expanded(child)
            if total > limit:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand the document by more than {MAX_ALIAS_EXPANSION} values")
        open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded(root)


def _one_line(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem:
        text = f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else str(problem)
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())[:300]


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)`` with the checks of this module's docstring.

    Raises:
        SettingsSyntaxError: invalid YAML, a duplicate key, a huge alias expansion, or nesting
            too deep to parse.
    """
    import yaml

    try:
        return yaml.load(text, Loader=_settings_loader())  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, RecursionError) as error:
        raise SettingsSyntaxError(_one_line(error)) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SettingsSyntaxError(f"key {short_repr(key)} is given twice")
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """``json.loads(text)``, refusing a key given twice in one object.

    Raises:
        SettingsSyntaxError: invalid JSON, a duplicate key, or nesting too deep to parse.
    """
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except SettingsSyntaxError:
        raise
    except (ValueError, RecursionError) as error:
        raise SettingsSyntaxError(_one_line(error)) from None
