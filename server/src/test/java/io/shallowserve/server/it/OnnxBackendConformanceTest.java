package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.it.OnnxTestSelection.Reason;
import io.shallowserve.server.it.OnnxTestSelection.Selection;
import io.shallowserve.server.it.OnnxTestSelection.Skipped;
import io.shallowserve.server.it.TensorRequests.Protocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ONNX's backend conformance tests, served: every case of Debian's libonnx-testdata (the node tests of single
 * operators, the graphs PyTorch exported of its modules and operators, and ONNX's small models) that
 * {@link OnnxTestSelection} selects is one model of a repository (its model.onnx alone, the signature read from the
 * graph), and the server, fed each case's inputs over HTTP JSON, binary HTTP and gRPC raw contents, must answer the
 * expected outputs within ONNX's backend test tolerance ({@link BackendTestTolerance}). JSON cannot carry bytes that are
 * not UTF-8: a case with them in its inputs or expected outputs is not sent as JSON, and is counted. The summary of what was found, served and skipped, and why, is printed to the test log.
 */
class OnnxBackendConformanceTest {

    /** Where Debian's libonnx-testdata puts ONNX's backend test data (version 1.12.0-2: ONNX 1.12.0's). */
    private static final Path TEST_DATA = Path.of("/usr/share/libonnx-testdata/data");

    /**
     * The suites with inputs and expected outputs: node (932 cases), pytorch-converted (82), pytorch-operator (35),
     * simple (23). The fifth, real, holds only the addresses of models to download.
     */
    private static final List<String> SUITES = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /**
     * The fewest served cases of several inputs, and of several outputs, that the suite accepts: a sample in which
     * tensors are matched by name and order, not one case by chance (the package has hundreds of the one, about a
     * hundred of the other).
     */
    private static final int MANY = 10;

    private static final long SELECTION_START = System.nanoTime();
    private static final Selection SELECTION = OnnxTestSelection.select(suites());
    private static final Duration SELECTION_TIME = Duration.ofNanos(System.nanoTime() - SELECTION_START);
    private static final Path REPOSITORY = repository(SELECTION.served());

    /**
     * One instance per model with the single plan: the cases are tiny graphs, and each further instance or candidate
     * plan would only open more sessions.
     */
    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single",
            "--set", "shallowserve.serving.instances=1");

    private static final TensorRequests REQUESTS = new TensorRequests(SERVER);

    @TestFactory
    Stream<DynamicContainer> servedCase_answersTheExpectedOutputs_overEveryProtocol() {
        return SELECTION.served().stream().map(testCase -> DynamicContainer.dynamicContainer(testCase.name(),
                protocols(testCase).stream().map(protocol -> DynamicTest.dynamicTest(protocol.name(),
                        () -> check(testCase, protocol)))));
    }

    @Test
    void selection_servesEveryDatatypeFoundAndCasesOfManyInputsAndOutputs() {
        System.out.println(summary());

        Set<Datatype> served = EnumSet.noneOf(Datatype.class);
        SELECTION.served().forEach(testCase -> Stream.concat(testCase.inputs().stream(), testCase.expected().stream())
                .map(Tensor::datatype).forEach(served::add));
        assertThat(served).containsExactlyInAnyOrderElementsOf(SELECTION.datatypesFound());
        assertThat(SELECTION.served().stream().filter(testCase -> testCase.inputs().size() > 1).count())
                .isGreaterThanOrEqualTo(MANY);
        assertThat(SELECTION.served().stream().filter(testCase -> testCase.expected().size() > 1).count())
                .isGreaterThanOrEqualTo(MANY);
    }

    /** The protocols {@code testCase} goes by: JSON only where it can carry every value. */
    private static List<Protocol> protocols(OnnxTestCase testCase) {
        return Stream.of(Protocol.values()).filter(protocol -> protocol != Protocol.HTTP_JSON || jsonCarries(testCase))
                .toList();
    }

    private static boolean jsonCarries(OnnxTestCase testCase) {
        return Stream.concat(testCase.inputs().stream(), testCase.expected().stream())
                .allMatch(TensorRequests::jsonCarries);
    }

    private static void check(OnnxTestCase testCase, Protocol protocol) {
        String what = testCase.name() + " over " + protocol;
        List<Tensor> outputs;
        try {
            outputs = REQUESTS.infer(protocol, testCase.name(), testCase.inputs());
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        Optional<String> difference = OnnxTestSelection.difference(testCase.expected(), outputs);
        assertThat(difference).as(what).isEmpty();
    }

    /** What was found, served and skipped, by reason (with each case ONNX Runtime is the cause of), and covered. */
    private static String summary() {
        StringBuilder text = new StringBuilder("ONNX backend tests in " + TEST_DATA + " " + SUITES + ": "
                + SELECTION.found() + " found, " + SELECTION.served().size() + " served, "
                + SELECTION.skipped().size() + " skipped (selected in " + SELECTION_TIME.toMillis() + " ms)\n");
        Map<Reason, List<Skipped>> byReason = SELECTION.skipped().stream()
                .collect(Collectors.groupingBy(Skipped::reason, TreeMap::new, Collectors.toList()));
        byReason.forEach((reason, skipped) -> {
            text.append("  skipped, ").append(reason.description).append(": ").append(skipped.size()).append('\n');
            if (reason == Reason.ORT_CANNOT_OPEN || reason == Reason.ORT_DOES_NOT_REPRODUCE) {
                skipped.forEach(one -> text.append("    ").append(one.name()).append(": ").append(one.detail())
                        .append('\n'));
            } else {
                Map<String, Long> byDetail = skipped.stream().collect(Collectors.groupingBy(Skipped::detail,
                        TreeMap::new, Collectors.counting()));
                text.append("    ").append(byDetail).append('\n');
            }
        });
        Map<Datatype, Long> casesByDatatype = new TreeMap<>();
        for (OnnxTestCase testCase : SELECTION.served()) {
            Stream.concat(testCase.inputs().stream(), testCase.expected().stream()).map(Tensor::datatype).distinct()
                    .forEach(datatype -> casesByDatatype.merge(datatype, 1L, Long::sum));
        }
        List<String> notJson = SELECTION.served().stream().filter(testCase -> !jsonCarries(testCase))
                .map(OnnxTestCase::name).toList();
        text.append("  served cases by datatype (inputs or outputs): ").append(casesByDatatype).append('\n');
        text.append("  served with more than one input: ")
                .append(SELECTION.served().stream().filter(testCase -> testCase.inputs().size() > 1).count())
                .append(", more than one output: ")
                .append(SELECTION.served().stream().filter(testCase -> testCase.expected().size() > 1).count())
                .append('\n');
        text.append("  not sent as JSON (non-UTF-8 bytes): ").append(notJson.size()).append(' ')
                .append(notJson).append('\n');
        return text.toString();
    }

    private static List<Path> suites() {
        List<Path> suites = SUITES.stream().map(TEST_DATA::resolve).toList();
        for (Path suite : suites) {
            if (!Files.isDirectory(suite)) {
                throw new IllegalStateException("no ONNX backend tests at " + suite
                        + " (apt-get install libonnx-testdata)");
            }
        }
        return suites;
    }

    /** A repository with each case as {@code <case>/1/model.onnx}. */
    private static Path repository(List<OnnxTestCase> cases) {
        try {
            Path root = TestRepository.emptyFolder(OnnxBackendConformanceTest.class.getSimpleName());
            for (OnnxTestCase testCase : cases) {
                Path version = Files.createDirectories(root.resolve(testCase.name()).resolve("1"));
                Files.copy(testCase.model(), version.resolve("model.onnx"));
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
