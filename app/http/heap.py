"""The garbage collector and a long-lived server process.

The cyclic collector's oldest generation walks every object that survived
startup (the schema, SQLAlchemy's mappers, the modules): measured on the
search benchmark, each such pass held a request up for 50-70 ms, a few times
a minute under load. Objects that live as long as the process need no
collecting, so once the app is built they are moved out of the collector's
sight (``gc.freeze``); what requests make is still collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collects what startup left behind, then freezes the rest. Call once the app is built."""
    gc.collect()
    gc.freeze()
