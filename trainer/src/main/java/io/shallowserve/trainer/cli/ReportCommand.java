package io.shallowserve.trainer.cli;

import io.shallowserve.trainer.report.ResearchReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainer report}: report.md, report.html and plots from a results folder's rows and distillation result. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.md, report.html (plots inline) and the plots' .svg files into a results folder,"
                + " from its rows.csv and, when there, distill.json.")
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--results", defaultValue = "research/default-grid",
            description = "results folder of trainer sweep (and trainer distill) (default: ${DEFAULT-VALUE})")
    Path results;

    @Override
    public Integer call() throws Exception {
        ResearchReport.write(results).forEach(file -> System.out.println("wrote " + file));
        return 0;
    }
}
