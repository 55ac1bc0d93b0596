# syntax=docker/dockerfile:1
# The shallowserve server image (CPU), and the model repository as an image of its own. From the repository root:
#   docker build -t shallowserve:0.1.0 .                          the server (the last stage)
#   docker build --target models -t shallowserve-models:1 .      models/ for the Deployment's init container
# The GPU build is Dockerfile.gpu. k8s/README.md says how the images are used on a cluster.

FROM eclipse-temurin:25-jdk-noble AS build
WORKDIR /src
COPY . .
# The cache mount keeps downloaded dependencies between builds.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -pl server -am package -DskipTests

# The model repository only (docs/model-repository.md): models are not baked into the server image, so a new model
# version is a new, small image and the server image stays the same. busybox brings the `cp` the init container runs.
FROM busybox:1.37 AS models
COPY models/ /models/
USER 10001:10001

FROM eclipse-temurin:25-jre-noble AS server
WORKDIR /app
# The server jar's manifest names its dependencies in libs/ beside it (Class-Path); without them it stops with
# NoClassDefFoundError. They come first: they change less often than the server's own classes, so their layer is
# reused. k8s/src/test/.../ImageLayoutIT assembles this layout and runs it.
COPY --from=build /src/server/target/libs/ /app/libs/
COPY --from=build /src/server/target/shallowserve-server.jar /app/shallowserve-server.jar
# Mount or copy a model repository here; SHALLOWSERVE_MODELS (or --models) points elsewhere.
ENV SHALLOWSERVE_MODELS=/models
# HTTP (REST under /v2 and /metrics) on 8000, gRPC on 8001: Triton's ports.
EXPOSE 8000 8001
# A numeric user: Kubernetes can check runAsNonRoot only against a number.
USER 10001:10001
# ONNX Runtime loads native code through JNI.
# --sun-misc-unsafe-memory-access: Guava (under grpc-java) uses sun.misc.Unsafe, which JDK 24+ warns about.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-jar", "/app/shallowserve-server.jar"]
