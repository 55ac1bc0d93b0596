package io.shallowserve.server.inference;

/**
 * An output the client asked for; {@code classificationTopK} > 0 asks for the classification extension (the top
 * k classes per image as "score:index:label") instead of the raw tensor.
 */
public record RequestedOutput(String name, int classificationTopK) {}
