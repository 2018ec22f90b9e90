# Deliberately broken: the build context has no does-not-exist.txt, so the
# build must fail with the builder's own message (make image-test checks it).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}
COPY does-not-exist.txt /app/
