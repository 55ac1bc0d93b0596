package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The engine's two parts, wired: the {@link ModelLoader}, which keeps the repository's models loaded, and the
 * {@link RequestRouter}, which runs the front-ends' requests on them. Started together, closed in order.
 */
public final class InferenceEngine implements AutoCloseable {

    private final ModelLoader loader;
    private final RequestRouter router;

    private InferenceEngine(ModelLoader loader, RequestRouter router) {
        this.loader = loader;
        this.router = router;
    }

    /**
     * Loads every model of the repository, starts polling it if configured, and routes requests to the models.
     *
     * @throws IllegalArgumentException if the repository is not a directory, the device is not cpu or
     *                                  cuda:&lt;id&gt;, or a preferred batch size is over the largest batch
     */
    public static InferenceEngine start(EngineConfig config, MeterRegistry registry) {
        ModelLoader loader = ModelLoader.start(config, registry);
        return new InferenceEngine(loader, new RequestRouter(loader, config.closeTimeout(), registry));
    }

    /** Loads, unloads and lists the models: the repository extension. */
    public ModelLoader loader() {
        return loader;
    }

    /** Runs requests, and answers health, metadata and statistics. */
    public RequestRouter router() {
        return router;
    }

    /**
     * Graceful shutdown, step 2 (step 1 is {@link RequestRouter#drain()}): no more loads or polls, new requests are
     * refused, the running ones get up to the configured close timeout, then every session and the thread pools
     * close. Only the first call does so.
     */
    @Override
    public void close() {
        if (!router.live()) {
            return;
        }
        loader.stop();
        router.close();
        loader.close();
    }
}
