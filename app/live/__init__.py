"""Live carts: change notices published in the transaction of the change, and the per-process hub.

``events`` holds what a change publishes (ids only) and how it leaves the
transaction (PostgreSQL ``NOTIFY`` on commit, or the in-process bus on SQLite);
``hub`` delivers notices to the open subscriptions of this process.
"""
