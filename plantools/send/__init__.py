"""Sending the drafts exactly once: SMTP, the ledger of who has what, the lock."""
