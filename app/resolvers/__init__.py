"""Resolvers, one module per domain: check permission, call the domain, map to types."""
