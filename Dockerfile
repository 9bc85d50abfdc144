# tsdrill in a container, for reproducing CI runs against the host's kernel:
#
#   docker build -t tsdrill .
#   docker run --privileged --rm -v "$PWD:$PWD" -w "$PWD" tsdrill run scripts/
#
# The base image is a build argument. The default is the public Node.js image; on a machine that
# reaches no image registry, build a base from Debian packages first (docker/make-base.sh) and
# pass it: docker build --network host --build-arg BASE_IMAGE=tsdrill-base:bookworm -t tsdrill .
# Any Debian-based image with Node.js >= 20 and npm in PATH will do. See docs/docker.md.
#
# `npm ci` needs the npm registry during the build: with a daemon that has no bridge network
# (dockerd --bridge=none), build with --network host.
ARG BASE_IMAGE=node:20-bookworm-slim
# A label on every image this build makes, intermediate ones included, so that a test build can
# remove exactly what it created (docker/test-docker.sh); empty by default.
ARG TSDRILL_BUILD_ID=

# ---- build: install every dependency, generate the parser, compile, then drop dev dependencies.
FROM ${BASE_IMAGE} AS build
ARG TSDRILL_BUILD_ID
LABEL tsdrill.build-id=${TSDRILL_BUILD_ID}
WORKDIR /opt/tsdrill
RUN node -e 'const [maj] = process.versions.node.split("."); if (+maj < 20) { console.error(`tsdrill needs Node.js >= 20, the base image has ${process.version}`); process.exit(1); }'
# Dependencies first, without scripts (the project's `prepare` needs the sources): this layer is
# reused as long as the lock file does not change.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# Now the dependencies' install scripts (koffi checks its prebuilt binary), then the build.
RUN npm rebuild --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e 'import("koffi").then(() => {}, (e) => { console.error(e); process.exit(1); })'

# ---- runtime: the base, what tsdrill runs (ip, unshare, sysctl, ethtool), the built tree.
FROM ${BASE_IMAGE}
ARG TSDRILL_BUILD_ID
LABEL tsdrill.build-id=${TSDRILL_BUILD_ID}
# Installed only when the base lacks them (docker/make-base.sh's base already has them, so that
# build needs no Debian mirror).
RUN missing=; \
    command -v ip >/dev/null || missing="$missing iproute2"; \
    command -v sysctl >/dev/null || missing="$missing procps"; \
    command -v ethtool >/dev/null || missing="$missing ethtool"; \
    command -v unshare >/dev/null || missing="$missing util-linux"; \
    if [ -n "$missing" ]; then \
      apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /opt/tsdrill /opt/tsdrill
COPY docker/entrypoint.sh /usr/local/bin/tsdrill-entrypoint
RUN chmod 0755 /usr/local/bin/tsdrill-entrypoint /opt/tsdrill/bin/tsdrill.js \
 && ln -sf /opt/tsdrill/bin/tsdrill.js /usr/local/bin/tsdrill
ENTRYPOINT ["/usr/local/bin/tsdrill-entrypoint"]
CMD ["--help"]
