"""A shopping list on paper and in a spreadsheet: the print page (HTML for A4) and the CSV file.

Pure rendering: the caller reads the list and passes the moment of printing.
The print page is a Jinja2 template in ``app/ordering/templates/``, like the
mails; the CSV is what Excel in Norway opens by double-click: ``;``-separated,
UTF-8 with a byte order mark (without it Excel guesses Windows-1252 and æøå
turn to mojibake), CRLF line ends.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.clock import OSLO
from app.mail.templates import no_date


@dataclass(frozen=True, slots=True)
class Row:
    sku: str
    name: str
    unit: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ListDocument:
    title: str
    customer_name: str
    customer_number: str
    rows: list[Row]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.ordering", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=StrictUndefined,
    )
    env.filters["no_date"] = no_date
    return env


def render_print(document: ListDocument, printed_at: datetime) -> str:
    """The print page; ``printed_at`` (aware) is shown in Europe/Oslo."""
    local = printed_at.astimezone(OSLO)
    return _environment().get_template("shopping_list_print.html").render(document=document, printed_at=local)


# A cell Excel would read as a formula (=, +, -, @, or a control character first) is
# prefixed with an apostrophe: product names come from outside (ERP), and a CSV
# opened by double-click must never run anything.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(document: ListDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["sku", "name", "quantity", "unit"])
    for row in document.rows:
        writer.writerow([_cell(row.sku), _cell(row.name), row.quantity, _cell(row.unit)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_ASCII = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


def file_name(title: str, extension: str) -> str:
    """A safe ASCII file name from the title: "Uke 48: pleie/stell" -> "handleliste-uke-48-pleie-stell.csv"."""
    ascii_title = unicodedata.normalize("NFKD", title.translate(_ASCII)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"handleliste-{slug}.{extension}" if slug else f"handleliste.{extension}"


def content_disposition(title: str, extension: str) -> str:
    """``attachment`` with an ASCII name for every client and the title itself (RFC 6266 filename*)."""
    utf8 = quote(f"{' '.join(title.split())}.{extension}", safe="")
    return f"attachment; filename=\"{file_name(title, extension)}\"; filename*=UTF-8''{utf8}"
