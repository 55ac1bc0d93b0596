package io.shallowserve.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What the report says about the machine (Linux /proc where present). */
final class MachineInfo {

    private MachineInfo() {}

    /** The 1-minute load average: on a shared machine, how many others wanted the cores meanwhile. */
    static String loadAverage() {
        Path loadavg = Path.of("/proc/loadavg");
        try {
            return Files.isReadable(loadavg) ? Files.readString(loadavg).split(" ")[0] : "unknown";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String cpuModel() {
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
