/**
 * What the trainer, the server and the load tests share, written once: the model-repository contract
 * ({@code repository}), ONNX Runtime sessions, execution plans and their timing ({@code exec}), graph rewrites the
 * plans make at load time ({@code graph}), the data readers ({@code data}), and the Markdown/HTML tables and SVG
 * charts of the research and load-test reports ({@code report}). It depends on ONNX Runtime, Gson and the ONNX
 * format's protobuf classes only, so that a load driver or a trainer standing on it carries no web server.
 */
package io.shallowserve.runtime;
