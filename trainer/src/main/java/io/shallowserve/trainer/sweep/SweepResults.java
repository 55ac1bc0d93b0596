package io.shallowserve.trainer.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.runtime.exec.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A sweep's results folder: {@value #DESCRIPTION_FILE} (the settings every row shares and the machine the
 * latencies were measured on) and {@value #ROWS_FILE} (one line per trained network, appended as each run ends, or
 * a point's lines at a time when the point's latency is measured).
 */
public final class SweepResults {

    public static final String ROWS_FILE = "rows.csv";
    public static final String DESCRIPTION_FILE = "sweep.json";
    static final String FORMAT = "shallowserve-sweep/1";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** The content of {@value #DESCRIPTION_FILE}. */
    public record Description(String format, SweepSettings settings, Machine machine) {}

    private final Path folder;
    private final Description description;

    private SweepResults(Path folder, Description description) {
        this.folder = folder;
        this.description = description;
    }

    /**
     * Creates the folder for a new sweep, or opens one to continue. Refuses a folder whose rows were made with
     * other settings or whose latencies were measured on other hardware: their rows could not be compared.
     */
    public static SweepResults openForWriting(Path folder, SweepSettings settings) throws IOException {
        Description wanted = new Description(FORMAT, settings, Machine.current());
        Path file = folder.resolve(DESCRIPTION_FILE);
        if (!Files.exists(file)) {
            Files.createDirectories(folder);
            Files.writeString(file, GSON.toJson(wanted) + "\n");
            Files.writeString(folder.resolve(ROWS_FILE), SweepRow.csvHeader() + "\n");
            return new SweepResults(folder, wanted);
        }
        SweepResults existing = read(folder);
        String header = Files.readAllLines(folder.resolve(ROWS_FILE)).stream().findFirst().orElse("");
        if (!header.equals(SweepRow.csvHeader())) {
            throw new IOException(folder.resolve(ROWS_FILE) + " has other columns than this trainer writes (" + header
                    + "): choose another --output");
        }
        if (!existing.description.settings().equals(settings)) {
            throw new IOException(folder + " holds rows made with other settings (" + existing.description.settings()
                    + ", now " + settings + "): choose another --output");
        }
        if (settings.latencyRuns() > 0 && !existing.description.machine().sameHardware(wanted.machine())) {
            throw new IOException(folder + " holds latencies measured on " + existing.description.machine()
                    + ", this is " + wanted.machine() + ": choose another --output");
        }
        return existing;
    }

    /** Opens a results folder to read. */
    public static SweepResults read(Path folder) throws IOException {
        Path file = folder.resolve(DESCRIPTION_FILE);
        if (!Files.exists(file)) {
            throw new IOException("no " + DESCRIPTION_FILE + " in " + folder + ": run trainer sweep --output " + folder
                    + " first");
        }
        Description description = GSON.fromJson(Files.readString(file), Description.class);
        if (description == null || !FORMAT.equals(description.format())) {
            throw new IOException(file + ": not a " + FORMAT + " description");
        }
        return new SweepResults(folder, description);
    }

    public Path folder() {
        return folder;
    }

    public Description description() {
        return description;
    }

    /** Every row, in the order they were appended. */
    public List<SweepRow> rows() throws IOException {
        List<String> lines = Files.readAllLines(folder.resolve(ROWS_FILE));
        if (lines.isEmpty()) {
            throw new IOException(folder.resolve(ROWS_FILE) + " is empty; it should start with a header");
        }
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<SweepRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                rows.add(SweepRow.parse(header, line));
            }
        }
        return rows;
    }

    /** The runs with a row here, named as {@link Sweep#modelName} names them: {@code <point id>-<shape>}. */
    public Set<String> finishedRuns() throws IOException {
        return rows().stream().map(row -> Sweep.modelName(row.point(), row.shape())).collect(Collectors.toSet());
    }

    /** Ids of the points whose rows of every one of {@code shapes} are here. */
    public Set<String> finishedPoints(Collection<SweepShape> shapes) throws IOException {
        Map<String, Set<SweepShape>> byPoint = new HashMap<>();
        for (SweepRow row : rows()) {
            byPoint.computeIfAbsent(row.point().id(), id -> EnumSet.noneOf(SweepShape.class)).add(row.shape());
        }
        return byPoint.entrySet().stream().filter(entry -> entry.getValue().containsAll(shapes))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /**
     * Appends rows in one write: a run's row as soon as it ends, or a point's rows together when they carry the
     * point's latency.
     */
    void append(List<SweepRow> rows) throws IOException {
        String lines = rows.stream().map(row -> row.csvLine() + "\n").collect(Collectors.joining());
        Files.writeString(folder.resolve(ROWS_FILE), lines, StandardOpenOption.APPEND);
    }
}
