package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.trainer.latency.DepthScaling;
import io.shallowserve.trainer.latency.DepthScalingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainer depth-scaling}: the shapes' plans timed against L at a fixed parameter budget. */
@Command(name = "depth-scaling", mixinStandardHelpOptions = true,
        description = "Time deep (at its best thread count) against the shallow shape's single, wide and branches"
                + " plans at L = 2, 4, 8, 16, 32 units and a fixed parameter budget, batch 1 and 8, untrained"
                + " graphs; write depth-scaling.md and depth-scaling.svg.")
final class DepthScalingCommand implements Callable<Integer> {

    @Option(names = "--units", split = ",", defaultValue = "2,4,8,16,32",
            description = "numbers of units L (default: ${DEFAULT-VALUE})")
    List<Integer> units;

    @Option(names = "--budget", defaultValue = "53322",
            description = "parameters per network, the widest units that fit (default: ${DEFAULT-VALUE}, the size of"
                    + " the first default pair, 4 units of width 32)")
    long budget;

    @Option(names = "--warmup", defaultValue = "200", description = "untimed runs per plan (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--runs", defaultValue = "1000", description = "timed runs per plan (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--output", defaultValue = "research/depth-scaling",
            description = "folder for depth-scaling.md and depth-scaling.svg (default: ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("depth-scaling");
        try {
            List<DepthScaling.Row> rows = DepthScaling.measure(units, budget, warmup, runs, work, System.out::println);
            String command = "bin/trainer depth-scaling --units " + units.stream().map(String::valueOf)
                    .collect(Collectors.joining(",")) + " --budget " + budget + " --warmup " + warmup + " --runs "
                    + runs;
            String machine = "machine: " + Machine.current() + ", load average at the end " + Machine.loadAverage();
            DepthScalingReport.write(output, rows, command, machine)
                    .forEach(file -> System.out.println("wrote " + file));
            return 0;
        } finally {
            ModelRepository.delete(work);
        }
    }
}
