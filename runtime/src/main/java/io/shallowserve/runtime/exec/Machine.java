package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where latencies were measured: numbers from another machine are not comparable, so results carry this.
 *
 * @param cores       processors the JVM sees
 * @param cpu         model name from /proc/cpuinfo, or "unknown CPU"
 * @param os          operating system and architecture
 * @param jdk         Java runtime version and vendor
 * @param onnxRuntime ONNX Runtime version
 */
public record Machine(int cores, String cpu, String os, String jdk, String onnxRuntime) {

    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                OrtEnvironment.getEnvironment().getVersion());
    }

    /** Whether latencies measured on {@code other} can stand next to ones measured here. */
    public boolean sameHardware(Machine other) {
        return cores == other.cores && cpu.equals(other.cpu);
    }

    @Override
    public String toString() {
        return cores + " cores, " + cpu + ", " + os + ", JDK " + jdk + ", ONNX Runtime " + onnxRuntime;
    }

    /**
     * The 1-minute load average (NaN where unknown): on a shared machine, how many others wanted the cores while a
     * measurement ran.
     */
    public static double loadAverage() {
        Path loadavg = Path.of("/proc/loadavg");
        try {
            return Files.isReadable(loadavg) ? Double.parseDouble(Files.readString(loadavg).split(" ")[0]) : Double.NaN;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "unknown CPU";
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
