package io.shallowserve.loadtest.report;

import io.shallowserve.runtime.exec.Machine;
import java.util.List;

/**
 * Where, when and how the comparison ran: what a reader needs to judge the numbers.
 *
 * @param date               ISO-8601 start time
 * @param command            the command line that ran it
 * @param mode               "quick" or "full"
 * @param machine            where it ran (ONNX Runtime: the in-process floor's, the server's is the same jar)
 * @param loadAverageStart   1-minute load average when it started: others' work on the same cores (NaN: unknown)
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
        Machine machine,
        double loadAverageStart,
        double loadAverageEnd,
        double stepSeconds,
        double warmUpSeconds,
        String images,
        double seconds,
        List<String> notes) {

    public RunInfo {
        notes = List.copyOf(notes);
    }
}
