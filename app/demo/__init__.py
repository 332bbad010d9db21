"""Demo data, so a new user can try the shop at once. Running it twice changes nothing.

* ``seed``: everything at once (``load_demo``), for the CLI.
* ``accounts``: the demo customers, users, delivery addresses and schedules; the login banner.
* ``assortment``: the category tree and product lines, as data.
* ``products``: the deterministic product generator (no database).
* ``catalogue``: the bulk loader of the catalogue and its search index, through ``app.bulk``.
"""
