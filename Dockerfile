# One image for every Mend process: web (gunicorn), worker (rq) and projections.
# No secrets here: SECRET_KEY, MEND_CIPHER_KEY and the URLs come from the environment at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# psycopg (pure Python) loads the PostgreSQL client library at run time; the PDF reports set
# their text in DejaVu Sans (without it they fall back to Latin-1 only).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --user-group mend

# Install the package from a scratch copy, so /app holds only the entry point.
WORKDIR /tmp/src
COPY pyproject.toml README.md ./
COPY mend ./mend
RUN pip install . && rm -rf /tmp/src

WORKDIR /app
COPY wsgi.py ./

USER mend
EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--threads", "4", "--bind", "0.0.0.0:8000", "wsgi:app"]
