# syntax=docker/dockerfile:1
#
# edgeshelf image: built against libvips-dev on Debian bookworm, run on
# bookworm-slim with the libvips runtime only. Both stages are bookworm, so
# the binary runs on the libvips it was linked against (8.14).
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/edgeshelf/edgeshelf:v0.1.0 .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp \
#     -v "$PWD/demo:/srv/store" -e EDGESHELF_STORE=/srv/store -e EDGESHELF_L2=false \
#     ghcr.io/edgeshelf/edgeshelf:v0.1.0
#
# Kubernetes: k8s/ and docs/deploy.md.

FROM golang:1.26.11-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvips-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/edgeshelf ./cmd/edgeshelf

FROM debian:bookworm-slim
# libvips42 pulls in exactly the codecs libvips-dev was built with (libheif
# with aom/dav1d for AVIF, libwebp, libjpeg-turbo, lcms2, ...).
# ca-certificates: S3 is HTTPS. tzdata: catalog hubs and locales name time
# zones, and catalog validation loads them.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libvips42 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/edgeshelf /usr/local/bin/edgeshelf
# Numeric, so runAsNonRoot can verify it; the same uid/gid as the k8s
# manifests' securityContext. Nothing in the image is written at run time:
# libvips' temp files and the ICC profiles go to $TMPDIR (mount a tmpfs or
# emptyDir there when the root filesystem is read-only).
USER 65532:65532
ENV TMPDIR=/tmp \
    EDGESHELF_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/edgeshelf","serve"]
