package io.shallowserve.loadtest.report;

import java.util.List;

/**
 * Where, when and how the comparison ran: what a reader needs to judge the numbers.
 *
 * @param date               ISO-8601 start time
 * @param command            the command line that ran it
 * @param mode               "quick" or "full"
 * @param cores              available processors
 * @param cpu                CPU model
 * @param os                 operating system and architecture
 * @param jdk                JDK version and vendor
 * @param onnxRuntime        ONNX Runtime version of the in-process floor (the server's is the same jar)
 * @param loadAverageStart   1-minute load average when it started: others' work on the same cores
 * @param loadAverageEnd     and when it ended
 * @param stepSeconds        how long each load step ran
 * @param warmUpSeconds      unrecorded load on each model and no-op, per protocol, before the steps
 * @param images             where the request images came from
 * @param seconds            how long the whole comparison took
 * @param notes              anything a reader should know about this run (failed assertions, refused requests)
 */
public record RunInfo(
        String date,
        String command,
        String mode,
        int cores,
        String cpu,
        String os,
        String jdk,
        String onnxRuntime,
        String loadAverageStart,
        String loadAverageEnd,
        double stepSeconds,
        double warmUpSeconds,
        String images,
        double seconds,
        List<String> notes) {

    public RunInfo {
        notes = List.copyOf(notes);
    }
}
