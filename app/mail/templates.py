"""Jinja2 templates for email, in Norwegian Bokmål.

Each message ``name`` has three files in ``app/mail/templates/``:
``name.subject.txt``, ``name.txt`` (plain text) and ``name.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("app.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, /, **params: Any) -> RenderedMail:
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(**params)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=env.get_template(f"{template}.txt").render(**params),
        html=env.get_template(f"{template}.html").render(**params),
    )
