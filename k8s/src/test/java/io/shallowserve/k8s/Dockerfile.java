package io.shallowserve.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Dockerfile read into its stages and their instructions, for the part of the Dockerfile syntax that this
 * repository's Dockerfiles use. Comments and parser directives are dropped and continued lines ({@code \} at the end)
 * joined. An instruction outside {@link #KNOWN_INSTRUCTIONS} fails, like {@link Kustomize} fails on a feature it does
 * not implement, so that {@link ContainerImage} never silently ignores what a Dockerfile asks for.
 *
 * @param file   where it was read from, for messages
 * @param stages its stages in order; the last is what {@code docker build} makes without {@code --target}
 */
record Dockerfile(Path file, List<Stage> stages) {

    /** The instructions {@link ContainerImage} gives a meaning to. */
    static final Set<String> KNOWN_INSTRUCTIONS = Set.of("FROM", "WORKDIR", "COPY", "RUN", "ENV", "EXPOSE", "USER",
            "ENTRYPOINT");

    /**
     * One stage: {@code FROM base [AS name]} and what follows it.
     *
     * @param base         an image reference, or the name of an earlier stage
     * @param name         the name after AS, or null
     * @param instructions the instructions after FROM
     */
    record Stage(String base, String name, List<Instruction> instructions) {
    }

    /**
     * One instruction.
     *
     * @param keyword   upper case (COPY)
     * @param arguments the rest of the (joined) line
     * @param line      the line it starts on, for messages
     */
    record Instruction(String keyword, String arguments, int line) {
    }

    static Dockerfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(lines, file);
    }

    static Dockerfile parse(List<String> lines, Path file) {
        List<Stage> stages = new ArrayList<>();
        StringBuilder joined = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            // Comments (parser directives such as "# syntax=" among them) may sit inside a continued instruction too.
            if (line.startsWith("#") || (line.isEmpty() && joined.isEmpty())) {
                continue;
            }
            if (joined.isEmpty()) {
                start = i + 1;
            }
            if (line.endsWith("\\")) {
                joined.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            joined.append(line);
            add(joined.toString().strip(), start, stages, file);
            joined.setLength(0);
        }
        if (!joined.isEmpty()) {
            throw new IllegalArgumentException(file + ":" + start + ": the last instruction ends with a continuation");
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException(file + " has no FROM");
        }
        return new Dockerfile(file, List.copyOf(stages));
    }

    private static void add(String text, int line, List<Stage> stages, Path file) {
        String[] parts = text.split("\\s+", 2);
        String keyword = parts[0].toUpperCase(Locale.ROOT);
        String arguments = parts.length > 1 ? parts[1] : "";
        if (!KNOWN_INSTRUCTIONS.contains(keyword)) {
            throw new IllegalArgumentException(file + ":" + line + ": " + keyword + " is an instruction these checks do"
                    + " not implement (they know " + KNOWN_INSTRUCTIONS + "); teach Dockerfile and ContainerImage first");
        }
        if (keyword.equals("FROM")) {
            String[] words = arguments.split("\\s+");
            if (words.length == 3 && words[1].equalsIgnoreCase("AS")) {
                stages.add(new Stage(words[0], words[2], new ArrayList<>()));
            } else if (words.length == 1 && !words[0].startsWith("--")) {
                stages.add(new Stage(words[0], null, new ArrayList<>()));
            } else {
                throw new IllegalArgumentException(file + ":" + line + ": FROM " + arguments + ": these checks know"
                        + " FROM image [AS name] only");
            }
            return;
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException(file + ":" + line + ": " + keyword + " before the first FROM");
        }
        stages.getLast().instructions().add(new Instruction(keyword, arguments, line));
    }

    /** The stage named {@code name}. */
    Stage stage(String name) {
        return stages.stream().filter(stage -> name.equals(stage.name())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(file + " has no stage " + name));
    }

    /** The stage {@code docker build} makes without {@code --target}. */
    Stage last() {
        return stages.getLast();
    }

    /** The stages before {@code stage}, which it may name in FROM or COPY --from. */
    List<Stage> before(Stage stage) {
        return stages.subList(0, stages.indexOf(stage));
    }
}
