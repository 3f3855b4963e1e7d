# Production image: gunicorn web processes and the run_worker process share it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=cms.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libjpeg62-turbo zlib1g libwebp7 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The whole build context: every package, the templates and the files read at run time, so a new
# app cannot be left out. What stays out (secrets, local databases and media, virtualenvs, tests)
# is listed in .dockerignore; tests/test_image.py checks both from the files themselves.
COPY . .
RUN pip install '.[s3]'

# Static files are collected at build time and served by whitenoise (admin styles included).
# The values below exist only so the production settings load during the build.
RUN SECRET_KEY=build-time-only-placeholder-secret-key-0123456789 \
    ALLOWED_HOSTS=build REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 cms && mkdir -p /app/media && chown cms /app/media
USER cms
EXPOSE 8000
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
