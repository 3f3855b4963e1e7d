"""Django's PostgreSQL backend with bounded waits (cms/database.py): ENGINE "cms.postgresql"."""
