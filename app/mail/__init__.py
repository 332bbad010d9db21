"""Email: queued in the outbox inside the caller's transaction, delivered later."""

from app.mail.outbox import enqueue

__all__ = ["enqueue"]
