package io.shallowserve.server.protocol;

import io.shallowserve.server.inference.InferenceException;

/**
 * Triton's shared-memory, trace and logging extensions, which Triton's clients may call at start and this server
 * does not offer (none is listed among its extensions), and named model repositories: what each call answers, the same
 * on both protocols. Each answers at once; none waits for anything.
 */
public final class UnofferedExtensions {

    /** The two kinds of Triton's shared memory extension. */
    public enum SharedMemory {
        SYSTEM("system"),
        CUDA("CUDA");

        private final String label;

        SharedMemory(String label) {
            this.label = label;
        }
    }

    /** The tensor parameter that puts an input's data, or an output's, in a registered shared memory region. */
    public static final String SHARED_MEMORY_REGION = "shared_memory_region";

    private UnofferedExtensions() {
    }

    /**
     * The status of the registered regions. No region is ever registered here, so every region's status is an
     * empty list, which is what Triton answers with nothing registered; a named region is NOT_FOUND, as in Triton.
     */
    public static void sharedMemoryStatus(SharedMemory kind, String region) throws InferenceException {
        if (!region.isEmpty()) {
            throw InferenceException.notFound("no " + kind.label + " shared memory region '" + region
                    + "' is registered: this server takes tensors in the request, not in shared memory");
        }
    }

    /**
     * Registering a region is refused (UNIMPLEMENTED, HTTP 501, as Triton answers where shared memory is not
     * supported): a client that goes on would send requests naming a region the server cannot read.
     */
    public static void sharedMemoryRegister(SharedMemory kind) throws InferenceException {
        throw new InferenceException(InferenceException.Status.UNIMPLEMENTED, kind.label + " shared memory is not"
                + " supported by this server; send the tensors in the request (raw_input_contents on gRPC)");
    }

    /**
     * Unregistering succeeds and changes nothing: no region is registered, so the state the client asks for already
     * holds. Triton, too, succeeds for a region that is not registered; clients unregister when they clean up.
     */
    public static void sharedMemoryUnregister(SharedMemory kind, String region) {
        // Nothing to unregister.
    }

    /**
     * A tensor in a shared memory region (its parameter "shared_memory_region") is refused: no region is ever
     * registered here, as Triton refuses a region it does not have. Ignored, an input would have no data and an
     * output would come back in the response while the client reads its region.
     *
     * @param tensor "input 'x'" or "output 'y'"
     */
    public static void sharedMemoryTensor(String tensor, String region) throws InferenceException {
        throw InferenceException.invalid(tensor + " is in shared memory region '" + region + "', which is not"
                + " registered: this server takes tensors in the request and answers them in the response");
    }

    /**
     * A repository call naming a repository (gRPC's repository_name) is refused (UNIMPLEMENTED, as Triton answers:
     * "'repository_name' specification is not supported"): this server has one model repository, and a call meant
     * for another must not act on it.
     */
    public static void namedRepository(String repository) throws InferenceException {
        if (!repository.isEmpty()) {
            throw new InferenceException(InferenceException.Status.UNIMPLEMENTED, "repository_name '" + repository
                    + "': this server has one model repository and takes no repository name; leave it empty");
        }
    }

    /**
     * Trace settings are refused (UNIMPLEMENTED): this server has no request tracing, and settings it would report
     * or accept would not be true.
     */
    public static void traceSetting() throws InferenceException {
        throw new InferenceException(InferenceException.Status.UNIMPLEMENTED, "request tracing (Triton's trace"
                + " extension) is not supported by this server; its metrics are at /metrics");
    }

    /**
     * Log settings are refused (UNIMPLEMENTED): the server logs through java.util.logging, configured at start
     * (logging.properties), and has none of Triton's log settings to report or change.
     */
    public static void logSettings() throws InferenceException {
        throw new InferenceException(InferenceException.Status.UNIMPLEMENTED, "log settings (Triton's logging"
                + " extension) are not supported by this server; its logging is configured at start");
    }
}
