/**
 * The model repository as the server reads it: {@code <repository>/<name>/<version>/model.json} and the graph
 * files it lists, and the optional {@code <repository>/<name>/serving.yaml} (format: docs/model-repository.md).
 * {@link io.shallowserve.server.repository.ModelRepository} finds the version folders and verifies each one on its
 * own, so one broken version never stops the others; {@link io.shallowserve.server.repository.ModelSettings} and
 * {@link io.shallowserve.server.repository.VersionPolicy} say how a model is served.
 */
package io.shallowserve.server.repository;
