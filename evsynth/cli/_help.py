"""How ``--help`` names the values options take, and how a bad choice is reported.

Recent typer shows each parameter's Python type (``<bool>``, ``<list[Path]>``,
``<str>``). :func:`set_metavars` replaces them, once, on the built command
tree, with what a user types: nothing for flags, ``ris|bibtex|csv|json`` for a
choice, ``PATH``, ``TEXT``, ``INTEGER``, ``NUMBER``; arguments by their name
and kind (``FILES PATH...``). A metavar given in the code is kept.

:func:`usage_message` rewrites the validation library's message for a value
outside a choice (``Value error, 'docx' is not one of 'ris', ...``) as
``'docx' is not a choice; choose from ris, bibtex, csv, json``.
"""

from __future__ import annotations

import enum
import pathlib
import re
from typing import Any, get_args, get_origin

__all__ = ["set_metavars", "usage_message"]

_NAMES = {str: "TEXT", int: "INTEGER", float: "NUMBER", pathlib.Path: "PATH"}


def _choices(param: Any) -> list[str] | None:
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and getattr(desc, "is_choice", False) and desc.choices:
        return [c.value if isinstance(c, enum.Enum) else str(c) for c in desc.choices]
    choices = getattr(getattr(param, "type", None), "choices", None)
    return [str(c) for c in choices] if choices else None


def _metavar(param: Any) -> str:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    choices = _choices(param)
    if choices:
        return "|".join(choices)
    desc = getattr(param, "type_descriptor", None)
    annotation = getattr(desc, "annotation", None)
    if get_origin(annotation) in (list, tuple) and get_args(annotation):
        annotation = get_args(annotation)[0]
    return _NAMES.get(annotation, "VALUE")


def _is_argument(param: Any) -> bool:
    return not getattr(param, "opts", None) or not any(o.startswith("-") for o in param.opts)


def set_metavars(command: Any) -> Any:
    """Set user-facing metavars on every parameter of a click/typer command tree (in place).

    Returns
    -------
    The command, for chaining.
    """
    ctx = command.context_class(command)
    params = list(command.params)
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        params.append(help_option)
    for param in params:
        if param.metavar is not None:
            continue
        if _is_argument(param):
            param.metavar = (param.name or "value").upper()
            kind = _metavar(param) + ("..." if param.nargs != 1 else "")
            # typer shows an argument's Python type beside its name whatever its metavar
            param.display_type_rich = lambda ctx=None, kind=kind: kind
        else:
            param.metavar = _metavar(param)
    for sub in getattr(command, "commands", {}).values():
        set_metavars(sub)
    return command


_NOT_ONE_OF = re.compile(r"(?:Value error, )?(?P<value>'[^']*') is not one of (?P<choices>'.*')\.?")


def usage_message(message: str) -> str:
    """A click usage message without the validation library's wording.

    Examples
    --------
    >>> usage_message("Value error, 'docx' is not one of 'ris', 'bibtex'.")
    "'docx' is not a choice; choose from ris, bibtex"
    """

    def plain(m: re.Match[str]) -> str:
        choices = ", ".join(c.strip().strip("'") for c in m.group("choices").split(","))
        return f"{m.group('value')} is not a choice; choose from {choices}"

    return _NOT_ONE_OF.sub(plain, message).replace("Value error, ", "")
