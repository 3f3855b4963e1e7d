"""gunicorn's settings, read from the working directory by every `gunicorn` this project starts
(the Dockerfile, docker-compose.yml, the tests, the benchmark). Command-line flags still win."""

# The longest request line gunicorn allows. Every request the OpenAPI document calls valid fits
# (a 500-character `path` of 4-byte characters, percent-encoded, is 6,000 bytes); longer ones get
# gunicorn's own 414, documented in the schema.
limit_request_line = 8190
