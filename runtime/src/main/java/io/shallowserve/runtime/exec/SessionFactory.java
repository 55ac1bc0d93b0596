package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens ONNX Runtime sessions on the configured device. {@code cpu}, or {@code cuda:<id>}: then every session gets
 * the CUDA execution provider, and if this ONNX Runtime build or machine cannot give it (the CPU jar cannot), the
 * reason is logged once and every session runs on the CPU.
 */
public final class SessionFactory {

    private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final int cudaDevice;
    private final AtomicBoolean cudaUsable;

    /**
     * @param device "cpu" or "cuda:&lt;id&gt;"
     * @throws IllegalArgumentException for any other device
     */
    public SessionFactory(String device) {
        this.cudaDevice = parseCudaDevice(device);
        this.cudaUsable = new AtomicBoolean(cudaDevice >= 0);
    }

    public OrtEnvironment environment() {
        return environment;
    }

    /**
     * The CUDA device the sessions run on, -1 for the CPU: configured so, or since the CUDA execution provider
     * failed (the first session opened finds out).
     */
    public int cudaDevice() {
        return cudaUsable.get() ? cudaDevice : -1;
    }

    /** The ONNX Runtime version, for logs and benchmarks. */
    public String runtimeVersion() {
        return environment.getVersion();
    }

    /**
     * Opens one graph. {@code intraOpThreads} bounds the threads ONNX Runtime uses inside one operator; 1 runs
     * every operator on the calling thread.
     */
    public OrtSession open(Path graph, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            return environment.createSession(graph.toString(), options);
        }
    }

    /** As {@link #open(Path, int)}, for a graph held in memory: one rewritten at load time. */
    public OrtSession open(byte[] graph, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = options(intraOpThreads)) {
            return environment.createSession(graph, options);
        }
    }

    private OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            addCudaIfUsable(options);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /**
     * True once the configured GPU turned out unusable and sessions open on the CPU instead; known after the first
     * session was opened.
     */
    public boolean fellBackToCpu() {
        return cudaDevice >= 0 && !cudaUsable.get();
    }

    private void addCudaIfUsable(OrtSession.SessionOptions options) {
        if (!cudaUsable.get()) {
            return;
        }
        try {
            options.addCUDA(cudaDevice);
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            if (cudaUsable.getAndSet(false)) {
                LOG.log(System.Logger.Level.WARNING, "device cuda:" + cudaDevice + " is not usable (" + e
                        + "); serving on the CPU. Build with the onnxruntime_gpu profile and install CUDA 12 + cuDNN 9"
                        + " to use the GPU");
            }
        }
    }

    private static int parseCudaDevice(String device) {
        if (device == null || device.equals("cpu")) {
            return -1;
        }
        if (device.startsWith("cuda:")) {
            String id = device.substring("cuda:".length());
            if (!id.isEmpty() && id.chars().allMatch(Character::isDigit) && id.length() < 5) {
                return Integer.parseInt(id);
            }
        }
        throw new IllegalArgumentException("device \"" + device + "\" is not \"cpu\" or \"cuda:<id>\" (e.g. cuda:0)");
    }
}
