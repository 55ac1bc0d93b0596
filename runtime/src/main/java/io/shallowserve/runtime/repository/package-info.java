/**
 * The model-repository contract, written once: {@code <repository>/<name>/<version>/model.json}
 * ({@link io.shallowserve.runtime.repository.ModelManifest}, which the trainer writes and everyone reads), the graph
 * files it lists with their sha256 ({@link io.shallowserve.runtime.repository.Sha256}), the optional
 * {@code <repository>/<name>/serving.yaml}, and the rules for folder names and version numbers
 * ({@link io.shallowserve.runtime.repository.ModelRepository}, which verifies one version at a time, so one broken
 * version never stops the others). The format is documented in docs/model-repository.md.
 */
package io.shallowserve.runtime.repository;
