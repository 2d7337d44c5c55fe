"""Every reliance on Jinja's internals, in one place; each has a fallback and a canary test.

:class:`surveypaper.template_errors.EditorUndefined` must know, when a template uses a name that
does not exist, which name and which object lacked it, to suggest the names that object holds.
Jinja keeps those on the undefined object in private attributes (``_undefined_name``,
``_undefined_obj``, ``_undefined_hint``, ``_undefined_message``) and raises through one private
method, ``_fail_with_undefined_error``, which ``StrictUndefined`` binds to each of its dunder
methods (``__str__``, ``__iter__``, ``__eq__``...) when the class is created. :func:`strict_undefined`
makes a ``StrictUndefined`` subclass whose every failing operation calls ``fail(undefined)``
instead, and :func:`what_is_undefined` reads what it lacked. Fallback: if Jinja renames them, the
subclass is plain ``StrictUndefined`` (templates still fail on unknown names, with Jinja's own
message; the name is then read from that message) and ``tests/test_compat.py`` fails.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import StrictUndefined, Undefined
from jinja2.utils import internalcode

__all__ = ["FAIL_METHOD", "strict_undefined", "what_is_undefined"]

#: The private method every failing operation of an undefined value calls.
FAIL_METHOD = "_fail_with_undefined_error"


def strict_undefined(name: str, fail: Callable[[Undefined], None]) -> type[StrictUndefined]:
    """A ``StrictUndefined`` subclass called ``name`` whose failing operations call ``fail(self)``."""
    base_fail = getattr(Undefined, FAIL_METHOD, None)

    @internalcode
    def _fail(self, *args, **kwargs):
        fail(self)
        if base_fail is not None:  # ``fail`` is meant to raise; if it did not, Jinja's own error
            base_fail(self, *args, **kwargs)

    klass = type(name, (StrictUndefined,), {"__slots__": ()})
    if base_fail is None:
        return klass  # the fallback: plain StrictUndefined behaviour
    setattr(klass, FAIL_METHOD, _fail)
    # StrictUndefined binds its dunder methods to the base function at class creation: point them at ours.
    for base in StrictUndefined.__mro__:
        for attr, value in list(vars(base).items()):
            if value is base_fail and attr != FAIL_METHOD:
                setattr(klass, attr, _fail)
    return klass


def what_is_undefined(undefined: Undefined) -> tuple[str, str | None, object, str | None]:
    """(Jinja's message, the missing name, the object that lacked it, Jinja's hint)."""
    return (
        getattr(undefined, "_undefined_message", "undefined value"),
        getattr(undefined, "_undefined_name", None),
        getattr(undefined, "_undefined_obj", None),
        getattr(undefined, "_undefined_hint", None),
    )
