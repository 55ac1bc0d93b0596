package io.shallowserve.k8s;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this machine puts in place of each base image the Dockerfiles start FROM, since no image can be pulled here:
 * the files the server needs of it (bound read-only from this machine) and the environment its Dockerfile sets. A
 * base image without a stand-in here fails, so that a new or changed FROM line is looked at before it is trusted.
 *
 * <p>The Ubuntu 24.04 images contribute their operating system (glibc, libstdc++ for ONNX Runtime, /etc): this
 * machine's /usr and /etc stand in, merged-/usr like Ubuntu's. The Temurin images contribute the JDK: the JDK running
 * these tests stands in at /opt/java/openjdk. The CUDA image's libraries are not here: the GPU path cannot run.
 */
final class BaseImages {

    /**
     * A base image's stand-in.
     *
     * @param mounts   image path to the folder of this machine that stands in for it
     * @param symlinks image path to its link target (Ubuntu's /bin to usr/bin)
     * @param env      the environment the base image's Dockerfile sets, in order
     */
    record StandIn(Map<String, Path> mounts, Map<String, String> symlinks, Map<String, String> env) {
    }

    /** What `docker` gives a process whose image sets no PATH; Ubuntu's image sets none. */
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private BaseImages() {
    }

    /**
     * The stand-in for {@code reference}, exactly as the FROM line writes it.
     *
     * @throws IllegalArgumentException for a base image without one
     */
    static StandIn standIn(String reference) {
        return switch (reference) {
            // github.com/adoptium/containers, 25/{jre,jdk}/ubuntu/noble/Dockerfile: FROM ubuntu:24.04, the JDK in
            // /opt/java/openjdk.
            case "eclipse-temurin:25-jre-noble", "eclipse-temurin:25-jdk-noble" -> {
                Map<String, Path> mounts = ubuntu();
                mounts.put("/opt/java/openjdk", Path.of(System.getProperty("java.home")));
                Map<String, String> env = new LinkedHashMap<>();
                env.put("PATH", "/opt/java/openjdk/bin:" + DEFAULT_PATH);
                env.put("JAVA_HOME", "/opt/java/openjdk");
                env.put("LANG", "en_US.UTF-8");
                env.put("LANGUAGE", "en_US:en");
                env.put("LC_ALL", "en_US.UTF-8");
                yield new StandIn(mounts, UBUNTU_SYMLINKS, env);
            }
            // NVIDIA's CUDA runtime image (gitlab.com/nvidia/container-images/cuda): Ubuntu 24.04 with the CUDA and
            // cuDNN libraries, which are not here.
            case "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04" -> {
                Map<String, String> env = new LinkedHashMap<>();
                env.put("PATH", "/usr/local/nvidia/bin:/usr/local/cuda/bin:" + DEFAULT_PATH);
                env.put("LD_LIBRARY_PATH", "/usr/local/nvidia/lib:/usr/local/nvidia/lib64");
                env.put("NVIDIA_VISIBLE_DEVICES", "all");
                env.put("NVIDIA_DRIVER_CAPABILITIES", "compute,utility");
                yield new StandIn(ubuntu(), UBUNTU_SYMLINKS, env);
            }
            // The models image only carries files; nothing of busybox runs in these checks.
            case "busybox:1.37" -> new StandIn(Map.of(), Map.of(), Map.of("PATH", DEFAULT_PATH));
            default -> throw new IllegalArgumentException("no stand-in for the base image " + reference
                    + "; add one to BaseImages after checking what that image holds and sets");
        };
    }

    private static final Map<String, String> UBUNTU_SYMLINKS = Map.of(
            "/bin", "usr/bin", "/sbin", "usr/sbin", "/lib", "usr/lib", "/lib64", "usr/lib64");

    private static Map<String, Path> ubuntu() {
        Map<String, Path> mounts = new LinkedHashMap<>();
        mounts.put("/usr", Path.of("/usr"));
        mounts.put("/etc", Path.of("/etc"));
        return mounts;
    }
}
