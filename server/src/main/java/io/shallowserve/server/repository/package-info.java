/**
 * How the server serves a model of the repository: {@link io.shallowserve.server.repository.ModelSettings}, read
 * from the optional {@code <repository>/<name>/serving.yaml} over the configured defaults,
 * {@link io.shallowserve.server.repository.VersionPolicy}, which versions serve, and
 * {@link io.shallowserve.server.repository.TritonModelConfig}, the one reading of Triton's model configuration: the
 * optional {@code <repository>/<name>/config.pbtxt} (between the defaults and serving.yaml) and the configuration a
 * load request brings, and {@link io.shallowserve.server.repository.ServedTensor}, a tensor in the shape clients see
 * and the shape its graph takes (Triton's dims and reshape). The repository's layout
 * and the verification of a version are the runtime module's
 * ({@link io.shallowserve.runtime.repository.ModelRepository}).
 */
package io.shallowserve.server.repository;
