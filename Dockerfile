# The GraphQL backend for Cloud Run (or any container platform).
#   docker build -t sales-verdicts .
#   docker run -p 8080:8080 -e DATABASE_URL=postgresql://... sales-verdicts
#
# The base image is pinned by digest (the multi-architecture index of
# python:3.11.14-slim-bookworm); every package is installed at the version and hash of
# requirements.lock. To move to a newer base, replace tag and digest together.
ARG BASE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${BASE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.lock /src/
RUN /venv/bin/pip install --no-cache-dir --require-hashes -r /src/requirements.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY sheets_adapter ./sheets_adapter
COPY sheets_emulator ./sheets_emulator
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8080 WORKERS=2 \
    SALES_VERDICTS_INTROSPECTION=false PATH=/venv/bin:$PATH
COPY --from=build /venv /venv
RUN useradd --create-home --uid 10001 app
USER app
WORKDIR /home/app
EXPOSE 8080
# Cloud Run sends SIGTERM and sets PORT; migrations run once before the workers start.
CMD exec sales-verdicts serve --host 0.0.0.0 --port "${PORT}" --workers "${WORKERS}"
