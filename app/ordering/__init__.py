"""Ordering rules in plain Python: the delivery calendar."""
