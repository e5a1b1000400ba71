# Multi-stage build: compile in the Rust image, run from a small Debian image as a non-root user.
#   docker build -t triage-bot .
#   docker run -d --name triage-bot -v triage-data:/data --env-file triage.env triage-bot
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock schema.sql ./
COPY src src
COPY benches benches
COPY examples examples
COPY tests tests
RUN cargo build --release --locked --bin triage-bot

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin triage \
    && mkdir -p /data && chown triage:triage /data
COPY --from=build /src/target/release/triage-bot /usr/local/bin/triage-bot
USER triage
WORKDIR /data
VOLUME ["/data"]
ENV TRIAGE_DB=/data/triage.db \
    TRIAGE_HTTP_ADDR=0.0.0.0:9000 \
    RUST_LOG=info
EXPOSE 9000
# SIGTERM stops intake, finishes work in flight, closes the sockets and exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["triage-bot", "healthcheck"]
ENTRYPOINT ["triage-bot"]
CMD ["serve"]
