"""search synonyms: groups of terms (one-way or two-way) applied at query time, with a starter list

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The starter list: what nurses and care workers call things, abbreviations, and brand
# names used as generic words. (terms, two_way); one-way: the first term also finds the
# others. Operators change it through upsertSearchSynonym / deleteSearchSynonym.
STARTER: list[tuple[list[str], bool]] = [
    (["håndsprit", "hånddesinfeksjon", "hånddesinfeksjonsmiddel"], True),
    (["sprit", "etanol", "alkohol"], True),
    (["kanyle", "nål", "sprøytespiss", "sprøytenål"], True),
    (["pennkanyle", "insulinkanyle", "pennål"], True),
    (["venekanyle", "PVK", "perifert venekateter", "Venflon"], True),
    (["vingekanyle", "butterfly", "sommerfugl"], True),
    (["natriumklorid", "NaCl", "saltvann", "fysiologisk saltvann"], True),
    (["sårskyll", "skyllevæske", "sårskyllevæske"], False),
    (["maske", "munnbind", "åndedrettsvern"], False),
    (["stiklaken", "sengeunderlag", "engangsunderlag"], True),
    (["glukosemåler", "blodsukkerapparat", "blodsukkermåler"], True),
    (["sukkerstrimler", "blodsukkerstrimler", "teststrimler"], False),
    (["febertermometer", "termometer"], False),
    (["pulsoksymeter", "metningsmåler", "oksygenmåler", "pulsoks"], True),
    (["kanyleboks", "stikkbeholder", "sharpsboks", "kanylebeholder"], True),
    (["sinksalve", "sinkpasta", "zinkpasta"], True),
    (["rørbandasje", "strømpebandasje", "Tubigrip", "Tubifast"], True),
    (["lateks", "latex"], True),
    (["latekshansker", "latexhansker"], True),
    (["smittefrakk", "beskyttelsesfrakk", "isolasjonsfrakk"], True),
    (["hårnett", "operasjonslue", "engangshette"], True),
    (["blodtrykksmåler", "blodtrykksapparat"], True),
    (["blodtrykksmansjett", "mansjett"], False),
    (["våtservietter", "våtkluter", "fuktige vaskekluter"], True),
    (["KAD", "blærekateter", "Foleykateter", "permanent kateter"], True),
    (["linsefilter", "termometerhette", "probedeksel"], True),
    (["benpose", "leggpose"], True),
    (["Hansaplast", "plaster"], False),
    (["Compeed", "gnagsårplaster"], False),
    (["Nutridrink", "næringsdrikk"], False),
    (["Q-tips", "bomullspinne", "vattpinne"], False),
    (["bind", "bandasje"], False),
    (["tape", "hefteplaster"], False),
]


def _fold(term: str) -> str:
    # As app.catalog.synonyms.normalise for these terms: lower case, letters and digits, one space.
    return " ".join(re.findall(r"[^\W\d_]+|\d+", term.lower()))


def upgrade() -> None:
    synonyms = op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("two_way", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
    )
    terms = op.create_table(
        "search_synonym_terms",
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("synonym_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["synonym_id"],
            ["search_synonyms.id"],
            name=op.f("fk_search_synonym_terms_synonym_id_search_synonyms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_synonym_terms")),
    )
    with op.batch_alter_table("search_synonym_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_synonym_terms_synonym_id"), ["synonym_id"], unique=False)
    state = op.create_table(
        "search_synonym_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonym_state")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        synonyms,
        [
            {"id": n, "terms": group, "two_way": two_way, "created_at": now, "updated_at": now}
            for n, (group, two_way) in enumerate(STARTER, start=1)
        ],
    )
    op.bulk_insert(
        terms,
        [
            {"term": _fold(term), "synonym_id": n, "position": position}
            for n, (group, _) in enumerate(STARTER, start=1)
            for position, term in enumerate(group)
        ],
    )
    op.bulk_insert(state, [{"id": 1, "token": str(uuid.uuid4())}])
    if op.get_bind().dialect.name == "postgresql":
        # The ids were given: the sequence goes on after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('search_synonyms', 'id'), (SELECT max(id) FROM search_synonyms))"
        )


def downgrade() -> None:
    op.drop_table("search_synonym_state")
    with op.batch_alter_table("search_synonym_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_synonym_terms_synonym_id"))
    op.drop_table("search_synonym_terms")
    op.drop_table("search_synonyms")
