/**
 * What the load generators send: images read from an IDX test set or an image file, cut into batches shaped as the
 * model's input asks, and encoded once, before a run, for the wire (little-endian FP32 bytes for gRPC, the JSON body
 * of the REST infer path), so that every generator sends the same requests and encoding never counts as latency.
 */
package io.shallowserve.loadtest.input;
