# A Dockerfile that breaks several lint rules on purpose, so the lint test
# proves the linter reports what it should.
from debian:bookworm-slim AS Build
ARG API_TOKEN
ENV DB_PASSWORD=x
WORKDIR /srv/$UNDEFINED_DIR
CMD echo hi
