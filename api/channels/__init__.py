"""The channels beyond the JSON API: email, feeds, delivery sync, preview tokens, drafts as
each channel shows them, and campaigns."""
