# Valid and quick, so only the backend's broken COPY can fail the build.
ARG NODE_IMAGE=node:20-alpine
FROM ${NODE_IMAGE}
COPY package.json /app/
