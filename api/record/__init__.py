"""The change record: the signal handlers that name what changed, the refresh that keeps
each item's stored representations and change number, the webhook events it writes, and
backups and restores of it."""
