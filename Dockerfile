# fno-scanner container image.
#   docker build -t fno-scanner:latest .
#   docker run -d -p 5000:5000 -e DHAN_CLIENT_ID=... -e DHAN_ACCESS_TOKEN=... \
#     -e DASHBOARD_TOKEN=... -v "$(pwd)/data:/data" fno-scanner:latest
# Two stages on Debian 12: the build stage installs the toolchain with the
# repository's own bootstrap script; the runtime stage gets only the shared
# libraries the binary links (found with ldd), ca-certificates and tzdata.
# No secret is baked in: credentials arrive as environment variables at run
# time. See docs/DEPLOY.md.

FROM debian:bookworm-slim AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY scripts/bootstrap.sh scripts/bootstrap.sh
RUN scripts/bootstrap.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build/image -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFNO_BUILD_BENCH=OFF \
 && cmake --build build/image --target fno-scanner -j "$(nproc)" \
 && strip --strip-debug -o /fno-scanner build/image/fno-scanner \
 && deploy/runtime-packages.sh /fno-scanner > /runtime-packages \
 && /fno-scanner version

FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --from=build /runtime-packages /tmp/runtime-packages
# sqlite3: the entrypoint's periodic WAL checkpoint for single-file alerts.db mounts.
# hadolint ignore=DL3008,SC2046
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata sqlite3 $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 10001 scanner \
 && useradd --system --uid 10001 --gid scanner --home-dir /data --no-create-home --shell /usr/sbin/nologin scanner \
 && mkdir -p /app /data \
 && chown scanner:scanner /app /data
COPY --from=build /fno-scanner /usr/local/bin/fno-scanner
COPY --chown=root:root config.example.json /app/config.example.json
COPY --chown=root:root deploy/docker-entrypoint.sh deploy/healthcheck.sh /usr/local/bin/

# IST is the market's clock; the scanner does its own IST arithmetic, this
# only makes `date` and log timestamps readable for Indian users.
ENV TZ=Asia/Kolkata
# /app: config.json (mount read-only) and, for the seed's single-file mount,
# alerts.db. /data: the recommended place for alerts.db, caches and logs.
WORKDIR /app
VOLUME ["/data"]
USER scanner:scanner
EXPOSE 5000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/usr/local/bin/healthcheck.sh"]
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD []
