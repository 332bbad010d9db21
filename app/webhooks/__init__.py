"""Signed webhooks for integrations: endpoints, the event outbox and its sender."""
