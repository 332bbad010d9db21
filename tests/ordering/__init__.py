"""Tests of the ordering rules."""
