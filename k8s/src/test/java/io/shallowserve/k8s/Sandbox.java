package io.shallowserve.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@link ContainerImage}'s ENTRYPOINT the way a container runtime with a Kubernetes pod's security settings
 * would: in its own mount and PID namespaces (Debian's bubblewrap, {@code bwrap}), on the image's file system with a
 * read-only root, an empty writable /tmp (the Deployment's emptyDir), the volumes given, only the image's environment
 * plus what the caller adds (as {@code docker run -e} would), in its WORKDIR, as its USER with no capabilities. The
 * network is this machine's: the caller picks the server's ports through the environment.
 *
 * <p>As root (CI), bubblewrap needs no user namespace and the process really runs as the image's user id: files keep
 * their owners, so permissions are checked as in the container. Otherwise bubblewrap maps the image's user id onto
 * the caller's in a user namespace.
 */
final class Sandbox implements AutoCloseable {

    /** Where Debian's bubblewrap package puts it. */
    static final String BWRAP = "/usr/bin/bwrap";

    private final Process process;
    private final Path output;

    private Sandbox(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** True where bubblewrap is installed (apt-get install bubblewrap). */
    static boolean available() {
        return Files.isExecutable(Path.of(BWRAP));
    }

    /**
     * Starts the image's ENTRYPOINT.
     *
     * @param volumes image path to a folder of this machine, mounted read-only
     * @param env     variables set over the image's own
     * @param output  where the process's stdout and stderr go
     */
    static Sandbox start(ContainerImage image, Map<String, Path> volumes, Map<String, String> env, Path output)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(BWRAP, "--die-with-parent", "--new-session",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts"));
        Map<String, Path> mounts = new LinkedHashMap<>(image.mounts());
        mounts.putAll(volumes);
        // bubblewrap would make the folders above a mount point accessible to root only (0700); an image's are 0755.
        Set<String> parents = new TreeSet<>();
        for (String path : mounts.keySet()) {
            for (Path parent = Path.of(path).getParent(); parent != null && parent.getNameCount() > 0;
                 parent = parent.getParent()) {
                parents.add(parent.toString());
            }
        }
        parents.forEach(parent -> command.addAll(List.of("--perms", "0755", "--dir", parent)));
        mounts.forEach((path, source) -> command.addAll(List.of("--ro-bind", source.toString(), path)));
        image.symlinks().forEach((link, target) -> command.addAll(List.of("--symlink", target, link)));
        command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
                "--remount-ro", "/", "--chdir", image.workdir(), "--clearenv"));
        image.env().forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        env.forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // setpriv (util-linux, in the image's OS as in this one) drops to the user with no capabilities and
            // then runs the ENTRYPOINT, looked up on the image's PATH as a container runtime does.
            command.addAll(List.of("setpriv", "--reuid=" + image.uid(), "--regid=" + image.gid(), "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        } else {
            command.addAll(command.indexOf("--proc"), List.of("--unshare-user", "--uid",
                    Integer.toString(image.uid()), "--gid", Integer.toString(image.gid())));
        }
        command.addAll(image.entrypoint());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        return new Sandbox(process, output);
    }

    /**
     * Waits until the output has a line that {@code pattern} finds, and returns its match.
     *
     * @throws AssertionError naming the output's end if the process exits first or {@code timeout} passes
     */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            for (String line : output().lines().toList()) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            }
            if (exited) {
                throw new AssertionError("the image's process exited (status " + process.exitValue()
                        + ") before printing /" + pattern + "/; its output:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line /" + pattern + "/ within " + timeout + "; the output:\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    /** Everything the process printed so far. */
    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** The last lines of the output, for failure messages. */
    String tail() throws IOException {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /**
     * The image's main process as this machine sees it: the one process of the sandbox that runs the ENTRYPOINT's
     * program (bubblewrap keeps a process of its own above it as the namespace's init).
     */
    ProcessHandle entrypointProcess(String program) {
        return process.descendants()
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/" + program)).orElse(false))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no process runs " + program + " in the sandbox"));
    }

    /**
     * SIGTERM to the ENTRYPOINT's process, as the kubelet sends it (bubblewrap's own processes above it exit with
     * it); SIGKILL to all after 30 s.
     */
    @Override
    public void close() throws InterruptedException {
        process.descendants().filter(handle -> handle.children().findAny().isEmpty()).forEach(ProcessHandle::destroy);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    /** A line of /proc/{pid}/status, e.g. "Uid:" (real, effective, saved, file system ids). */
    static String status(ProcessHandle handle, String field) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(handle.pid()), "status")).stream()
                    .filter(line -> line.startsWith(field))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("/proc/" + handle.pid() + "/status has no " + field));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
