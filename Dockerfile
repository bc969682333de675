# The API image: `portfolio serve` on DynamoDB, as the Fargate tasks run it.
# Multi-stage: uv resolves from the lock in the builder; the runtime stage gets only the
# virtualenv, runs as a non-root user and reports liveness from /livez (readiness, /health,
# is for the load balancer: a store outage must not make the runtime restart the container).
FROM python:3.11.13-slim-bookworm AS builder
ARG UV_VERSION=0.13.8
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable --compile-bytecode

FROM python:3.11.13-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 portfolio \
 && useradd --system --uid 10001 --gid portfolio --home-dir /app --shell /usr/sbin/nologin portfolio
WORKDIR /app
COPY --from=builder --chown=portfolio:portfolio /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:${PATH}" PYTHONUNBUFFERED=1 PORTFOLIO_STORE__BACKEND=dynamodb
USER portfolio
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=3)"]
CMD ["portfolio", "serve", "--host", "0.0.0.0", "--port", "8000", "--store", "dynamodb"]
