# The GraphQL backend for Cloud Run (or any container platform).
#   docker build -t sales-verdicts .
#   docker run -p 8080:8080 -e DATABASE_URL=postgresql://... sales-verdicts
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY sheets_adapter ./sheets_adapter
COPY sheets_emulator ./sheets_emulator
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8080 WORKERS=2 \
    SALES_VERDICTS_INTROSPECTION=false
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 app
USER app
WORKDIR /home/app
EXPOSE 8080
# Cloud Run sends SIGTERM and sets PORT; migrations run once before the workers start.
CMD exec sales-verdicts serve --host 0.0.0.0 --port "${PORT}" --workers "${WORKERS}"
