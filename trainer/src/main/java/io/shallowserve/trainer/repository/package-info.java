/**
 * The model repository as the trainer writes it: {@code models/<name>/<version>/} with the ONNX graphs and a
 * {@code model.json} manifest (docs/model-repository.md is the contract the server reads).
 */
package io.shallowserve.trainer.repository;
