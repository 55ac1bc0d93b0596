package io.shallowserve.server.it;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which of ONNX's backend test cases the conformance suite serves, by one rule applied to every case in name order:
 * a case is served unless, checked in this order,
 * <ol>
 * <li>an input or output of its graph is not a tensor (a sequence, optional, map or sparse tensor), which the
 * protocol cannot carry;</li>
 * <li>an input or output is a tensor of an element type outside the server's ten (BOOL, UINT8, INT8, INT16, INT32,
 * INT64, FP16, FP32, FP64, BYTES): UINT16 to UINT64, which ONNX Runtime's Java API cannot pass, and bfloat16,
 * complex and the 8-bit floats, which the protocol has no datatype for;</li>
 * <li>ONNX Runtime cannot open the graph (an operator or opset it does not implement, training operators), opened
 * as the server opens it;</li>
 * <li>ONNX Runtime, run in-process on the case's inputs, fails or does not reproduce the expected outputs within
 * {@link BackendTestTolerance}: those differences are ONNX Runtime's, and the server cannot be asked to do
 * better.</li>
 * </ol>
 */
final class OnnxTestSelection {

    /** Why a case is not served. */
    enum Reason {
        NOT_TENSORS("an input or output is a sequence, optional, map or sparse tensor"),
        UNSUPPORTED_DATATYPE("an input or output is of an element type outside the server's ten"),
        ORT_CANNOT_OPEN("ONNX Runtime cannot open the graph"),
        ORT_DOES_NOT_REPRODUCE("ONNX Runtime itself fails on the case or does not reproduce its expected outputs");

        final String description;

        Reason(String description) {
            this.description = description;
        }
    }

    /** A case not served, with what the rule found: "SEQUENCE", "UINT16", ONNX Runtime's message, a difference. */
    record Skipped(String name, Reason reason, String detail) {}

    /**
     * Every case found, split by the rule.
     *
     * @param datatypesFound the server's datatypes among the tensor inputs and outputs of every case found, served or
     *                       not
     */
    record Selection(List<OnnxTestCase> served, List<Skipped> skipped, Set<Datatype> datatypesFound) {

        int found() {
            return served.size() + skipped.size();
        }
    }

    private OnnxTestSelection() {
    }

    /**
     * Every case under the {@code suites} (one folder each, with model.onnx), in name order, served or skipped; a
     * case's folder name is its name, and no two suites may share one.
     */
    static Selection select(List<Path> suites) {
        SessionFactory sessions = new SessionFactory("cpu");
        List<OnnxTestCase> served = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<Datatype> datatypesFound = EnumSet.noneOf(Datatype.class);
        for (Path directory : cases(suites)) {
            String name = directory.getFileName().toString();
            ModelProto model = OnnxTestCase.model(directory);
            for (ValueInfoProto value : values(model)) {
                if (value.getType().hasTensorType()) {
                    TensorProtos.datatype(value.getType().getTensorType().getElemType()).ifPresent(datatypesFound::add);
                }
            }
            Optional<Skipped> unservable = unservableValues(name, model);
            if (unservable.isPresent()) {
                skipped.add(unservable.get());
                continue;
            }
            OrtSession session;
            try {
                session = sessions.open(directory.resolve("model.onnx"), 1);
            } catch (OrtException e) {
                skipped.add(new Skipped(name, Reason.ORT_CANNOT_OPEN, firstLine(e)));
                continue;
            }
            OnnxTestCase testCase = OnnxTestCase.read(directory, model);
            try (session) {
                Optional<String> difference = difference(testCase.expected(),
                        OnnxReference.outputs(session, testCase.inputs()));
                if (difference.isPresent()) {
                    skipped.add(new Skipped(name, Reason.ORT_DOES_NOT_REPRODUCE, difference.get()));
                    continue;
                }
            } catch (OrtException e) {
                skipped.add(new Skipped(name, Reason.ORT_DOES_NOT_REPRODUCE, "fails: " + firstLine(e)));
                continue;
            }
            served.add(testCase);
        }
        return new Selection(served, skipped, datatypesFound);
    }

    /** The first difference between the expected outputs and {@code actual}, naming the output. */
    static Optional<String> difference(List<Tensor> expected, List<Tensor> actual) {
        if (actual.size() != expected.size()) {
            return Optional.of(actual.size() + " outputs, expected " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            Tensor want = expected.get(i);
            if (!actual.get(i).name().equals(want.name())) {
                return Optional.of("output " + i + " is '" + actual.get(i).name() + "', expected '" + want.name()
                        + "'");
            }
            Optional<String> difference = BackendTestTolerance.firstDifference(want, actual.get(i));
            if (difference.isPresent()) {
                return Optional.of("output '" + want.name() + "': " + difference.get());
            }
        }
        return Optional.empty();
    }

    private static List<Path> cases(List<Path> suites) {
        List<Path> cases = new ArrayList<>();
        for (Path suite : suites) {
            try (Stream<Path> entries = Files.list(suite)) {
                entries.filter(entry -> Files.isRegularFile(entry.resolve("model.onnx"))).forEach(cases::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        cases.sort(Comparator.comparing(Path::getFileName));
        for (int i = 1; i < cases.size(); i++) {
            if (cases.get(i).getFileName().equals(cases.get(i - 1).getFileName())) {
                throw new IllegalStateException("two cases named " + cases.get(i).getFileName() + ": "
                        + cases.get(i - 1) + " and " + cases.get(i));
            }
        }
        return cases;
    }

    /** Rules 1 and 2: the first input or output the protocol cannot carry. */
    private static Optional<Skipped> unservableValues(String name, ModelProto model) {
        for (ValueInfoProto value : values(model)) {
            TypeProto type = value.getType();
            if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) {
                return Optional.of(new Skipped(name, Reason.NOT_TENSORS,
                        type.getValueCase().name().replace("_TYPE", "")));
            }
            int element = type.getTensorType().getElemType();
            if (TensorProtos.datatype(element).isEmpty()) {
                return Optional.of(new Skipped(name, Reason.UNSUPPORTED_DATATYPE,
                        TensorProtos.elementTypeName(element)));
            }
        }
        return Optional.empty();
    }

    /** The graph's fed inputs, then its outputs. */
    private static List<ValueInfoProto> values(ModelProto model) {
        List<ValueInfoProto> values = new ArrayList<>(OnnxTestCase.fedInputs(model.getGraph()));
        values.addAll(model.getGraph().getOutputList());
        return values;
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
