"""One traceback entry as a frame of Sentry's stack-trace interface.

Frames carry what Sentry shows and groups by: the module-relative file name, the function, the
line and the source around it, whether the code is the application's own (`in_app`), and the
frame's local variables as short reprs, with the names that usually hold secrets filtered out here
(the sidecar scrubs the values again like every other field).
"""

from __future__ import annotations

import itertools
import linecache
import os
import re
import reprlib
import sys
import sysconfig
from types import FrameType, TracebackType
from typing import Any, Dict, List, Optional, Tuple

CONTEXT_LINES = 5
MAX_LINE_CHARS = 256
MAX_VARS = 20
MAX_VAR_CHARS = 200
FILTERED = "[Filtered]"

_SECRET_NAME = re.compile(
    r"pass(word|wd)?|secret|token|api_?key|auth|credential|cookie|session|csrf|xsrf|private_?key|signature",
    re.IGNORECASE,
)


def _library_dirs() -> Tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths.get(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(os.path.join(d, "") for d in dirs if d)


_LIBRARY_DIRS = _library_dirs()


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel = 2
    short.maxstring = MAX_VAR_CHARS
    short.maxother = MAX_VAR_CHARS
    short.maxlong = 40
    for name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
        setattr(short, name, 10)
    return short


_REPR = _short_repr()


def is_in_app(abs_path: str, module: Optional[str]) -> bool:
    """False for the standard library, installed packages, this client and code without a file."""
    if abs_path.startswith("<"):
        return False
    if module is not None and (module == "sidecar_events" or module.startswith("sidecar_events.")):
        return False
    if f"{os.sep}site-packages{os.sep}" in abs_path or f"{os.sep}dist-packages{os.sep}" in abs_path:
        return False
    return not abs_path.startswith(_LIBRARY_DIRS)


def filename_for_module(module: Optional[str], abs_path: str) -> str:
    """The path from the top package's parent, as Sentry's Python SDK names files: app/routes.py."""
    if not module or abs_path.startswith("<"):
        return abs_path
    base = module.split(".", 1)[0]
    if base == module:
        return os.path.basename(abs_path)
    base_file = getattr(sys.modules.get(base), "__file__", None)
    if not base_file:
        return abs_path
    root = base_file.rsplit(os.sep, 2)[0]
    return abs_path.split(root, 1)[-1].lstrip(os.sep)


def safe_repr(value: Any) -> str:
    try:
        text = _REPR.repr(value)
    except Exception:
        text = f"<{type(value).__name__} object: repr() failed>"
    return text if len(text) <= MAX_VAR_CHARS else text[: MAX_VAR_CHARS - 1] + "…"


def local_vars(frame: FrameType) -> Dict[str, str]:
    """Up to MAX_VARS locals (arguments first, in definition order), as short reprs."""
    if frame.f_code.co_name == "<module>":
        return {}  # a module's locals are its globals: imports and functions, not state
    found: Dict[str, str] = {}
    for name, value in list(frame.f_locals.items()):
        if len(found) >= MAX_VARS:
            break
        name = str(name)
        found[name] = FILTERED if _SECRET_NAME.search(name) else safe_repr(value)
    return found


def _line(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def _source(frame: FrameType, abs_path: str, lineno: int) -> Dict[str, Any]:
    lines = linecache.getlines(abs_path, frame.f_globals)
    if not 1 <= lineno <= len(lines):
        return {}
    index = lineno - 1
    return {
        "context_line": _line(lines[index]),
        "pre_context": [_line(line) for line in lines[max(0, index - CONTEXT_LINES) : index]],
        "post_context": [_line(line) for line in lines[index + 1 : index + 1 + CONTEXT_LINES]],
    }


def _colno(frame: FrameType, lasti: int) -> Optional[int]:
    """The 1-based column of the failing expression (Python 3.11+ records it)."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is None or lasti < 0:
        return None
    try:
        column = next(itertools.islice(positions(), lasti // 2, None))[2]
    except Exception:
        return None
    return column + 1 if column is not None else None


def describe_frame(frame: FrameType, lineno: int, lasti: int, include_locals: bool) -> Dict[str, Any]:
    code = frame.f_code
    abs_path = code.co_filename
    if not abs_path.startswith("<"):
        abs_path = os.path.abspath(abs_path)
    module = frame.f_globals.get("__name__")
    module = module if isinstance(module, str) else None
    described: Dict[str, Any] = {
        "filename": filename_for_module(module, abs_path),
        "abs_path": abs_path,
        "function": code.co_name,
        "module": module,
        "lineno": lineno,
        "in_app": is_in_app(abs_path, module),
    }
    colno = _colno(frame, lasti)
    if colno is not None:
        described["colno"] = colno
    if module is None:
        del described["module"]
    described.update(_source(frame, abs_path, lineno))
    if include_locals:
        described["vars"] = local_vars(frame)
    return described


def traceback_frames(tb: Optional[TracebackType], include_locals: bool, limit: int) -> List[Dict[str, Any]]:
    """The frames of a traceback, oldest first (the raising frame last), at most `limit`.

    A longer traceback (deep recursion) keeps its first fifth and its innermost frames, where the
    failure is.
    """
    entries: List[Tuple[FrameType, int, int]] = []
    while tb is not None:
        entries.append((tb.tb_frame, tb.tb_lineno or 0, tb.tb_lasti))
        tb = tb.tb_next
    if len(entries) > limit:
        head = limit // 5
        entries = entries[:head] + entries[len(entries) - (limit - head) :]
    return [describe_frame(frame, lineno, lasti, include_locals) for frame, lineno, lasti in entries]
