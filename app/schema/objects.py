"""How the schema's objects are made from what the domain hands them: global ids, fields of the same name, null.

Most types show a row as it is: ``copied`` reads every field a type is built with
from the attribute of the same name, and the caller gives only the fields that
differ (the global id, money, the row itself as a private field). Inputs become
the domain's items the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

from app.ids import encode_id

T = TypeVar("T")
M = TypeVar("M")


def node_id(type_name: str, pk: int) -> strawberry.ID:
    """The global id of the row with that key, as every ``id`` field answers it."""
    return strawberry.ID(encode_id(type_name, pk))


_FIELDS: dict[type, tuple[str, ...]] = {}


def copied(cls: type[T], source: object, /, **given: Any) -> T:
    """``cls`` (a dataclass: a Strawberry type or input, a domain item) with the fields in ``given`` as given
    and every other field it is built with ``source``'s attribute of the same name.

    As quick as naming every field in the call (a product page makes a hundred objects).
    """
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.init)  # type: ignore[arg-type]
    for name in names:
        if name not in given:
            given[name] = getattr(source, name)
    return cast(Callable[..., T], cls)(**given)


def or_none(make: Callable[[M], T], found: M | None) -> T | None:
    """``make(found)``, or None when nothing was found: a nullable field's answer."""
    return make(found) if found is not None else None
