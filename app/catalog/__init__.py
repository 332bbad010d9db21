"""Catalogue rules in plain Python: categories, search, ERP sync, prices, demo data."""
