package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One stage of a Dockerfile made into a file system on this machine, as {@code docker build} would make it, without
 * a Docker engine: each COPY line's sources are copied to where it says (from the build context, minus what
 * .dockerignore leaves out, or from an earlier stage), and WORKDIR, ENV, USER and ENTRYPOINT are taken as they are
 * written. What cannot happen here stands in:
 * <ul>
 * <li>a base image: its {@link BaseImages#standIn stand-in}, bound read-only where the image has it;</li>
 * <li>a RUN, which can only be the Maven wrapper's build of the copied sources: what this Maven reactor built, which
 *     `verify` has packaged before these checks run. The build's profile may differ (Dockerfile.gpu builds with
 *     {@code -P gpu}, whose ONNX Runtime cannot be downloaded here): {@link #standIns()} says so.</li>
 * </ul>
 * Anything else these checks do not know fails.
 */
final class ContainerImage {

    /** The repository holds its Maven wrapper here; a RUN must be that build. */
    private static final Pattern MAVEN_BUILD = Pattern.compile("(--\\S+\\s+)*\\./mvnw\\s.*\\bpackage\\b.*");
    private static final Pattern PROFILE = Pattern.compile("(?:^|\\s)-P\\s*(\\S+)");
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))");

    /**
     * Files at {@code imagePath} come from {@code source} on this machine: a folder's content or one file.
     *
     * @param bound    true for a base image's stand-in, which is bound read-only, not copied
     * @param excluded for sources from the build context: what .dockerignore leaves out
     */
    private record Layer(String imagePath, Path source, boolean bound, Predicate<Path> excluded) {
    }

    private final List<Layer> layers;
    private final Map<String, String> symlinks;
    private final Map<String, String> env;
    private final String workdir;
    private final String user;
    private final List<String> entrypoint;
    private final List<String> standIns;
    private Path root;

    private ContainerImage(List<Layer> layers, Map<String, String> symlinks, Map<String, String> env, String workdir,
                           String user, List<String> entrypoint, List<String> standIns) {
        this.layers = layers;
        this.symlinks = symlinks;
        this.env = env;
        this.workdir = workdir;
        this.user = user;
        this.entrypoint = entrypoint;
        this.standIns = standIns;
    }

    /**
     * Builds {@code stage} of {@code dockerfile} (null: the last, what {@code docker build} makes without
     * {@code --target}) and copies what its COPY lines bring into {@code into}.
     *
     * @param context the build context: the repository root, where {@code docker build .} runs
     */
    static ContainerImage assemble(Dockerfile dockerfile, String stage, Path context, Path into) {
        Dockerfile.Stage target = stage == null ? dockerfile.last() : dockerfile.stage(stage);
        Map<String, ContainerImage> built = new HashMap<>();
        ContainerImage image = null;
        for (Dockerfile.Stage each : dockerfile.stages()) {
            image = build(dockerfile, each, built, context);
            if (each.name() != null) {
                built.put(each.name(), image);
            }
            if (each == target) {
                break;
            }
        }
        image.materialize(into);
        return image;
    }

    /** The environment the image gives its process, in the order it was set. */
    Map<String, String> env() {
        return env;
    }

    String workdir() {
        return workdir;
    }

    /** USER: the numeric user id; 0 where the image sets none. */
    int uid() {
        return Integer.parseInt(user.split(":")[0]);
    }

    /** USER: the numeric group id; 0 where USER names none, as Docker does for a user without a passwd entry. */
    int gid() {
        String[] ids = user.split(":");
        return ids.length > 1 ? Integer.parseInt(ids[1]) : 0;
    }

    /** ENTRYPOINT in exec form. */
    List<String> entrypoint() {
        if (entrypoint == null) {
            throw new IllegalStateException("the image has no ENTRYPOINT");
        }
        return entrypoint;
    }

    /** What stood in for what could not be done here, one sentence each. */
    List<String> standIns() {
        return standIns;
    }

    /** Where a path of the image is on this machine: in the assembled folder or in a base image's stand-in. */
    Path file(String imagePath) {
        Path path = Path.of(imagePath);
        for (Layer layer : layers.reversed()) {
            Path prefix = Path.of(layer.imagePath());
            if (layer.bound() && path.startsWith(prefix)) {
                Path found = layer.source().resolve(prefix.relativize(path).toString());
                if (Files.exists(found, LinkOption.NOFOLLOW_LINKS)) {
                    return found;
                }
            }
        }
        return root.resolve(Path.of("/").relativize(path).toString());
    }

    /** The program ENTRYPOINT names, found as the image's PATH finds it; null if it is on none of its folders. */
    String executable() {
        String program = entrypoint().getFirst();
        if (program.contains("/")) {
            return Files.isExecutable(file(program)) ? program : null;
        }
        for (String folder : env.getOrDefault("PATH", "").split(":")) {
            String candidate = folder + "/" + program;
            if (!folder.isEmpty() && Files.isExecutable(file(resolveLinks(candidate)))) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * What makes up this image's file system, in the order to mount it: image path to a file or folder of this
     * machine, the assembled folder's top-level entries first, then the base images' stand-ins (a folder before what
     * lies inside it).
     */
    Map<String, Path> mounts() {
        Map<String, Path> mounts = new LinkedHashMap<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.sorted().forEach(entry -> mounts.put("/" + entry.getFileName(), entry));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        layers.stream().filter(Layer::bound).sorted((a, b) -> a.imagePath().length() - b.imagePath().length())
                .forEach(layer -> mounts.put(layer.imagePath(), layer.source()));
        return mounts;
    }

    /** The base images' symlinks: image path to link target (/bin to usr/bin). */
    Map<String, String> symlinks() {
        return symlinks;
    }

    private static ContainerImage build(Dockerfile dockerfile, Dockerfile.Stage stage, Map<String, ContainerImage> built,
                                        Path context) {
        ContainerImage base = built.get(stage.base());
        List<Layer> layers = new ArrayList<>();
        Map<String, String> symlinks = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> standIns = new ArrayList<>();
        String workdir = "/";
        String user = "0";
        List<String> entrypoint = null;
        if (base != null) {
            layers.addAll(base.layers);
            symlinks.putAll(base.symlinks);
            env.putAll(base.env);
            standIns.addAll(base.standIns);
            workdir = base.workdir;
            user = base.user;
            entrypoint = base.entrypoint;
        } else {
            BaseImages.StandIn standIn = BaseImages.standIn(stage.base());
            standIn.mounts().forEach((imagePath, source) -> layers.add(new Layer(imagePath, source, true, null)));
            symlinks.putAll(standIn.symlinks());
            env.putAll(standIn.env());
        }
        Predicate<Path> ignored = dockerignore(context);
        for (Dockerfile.Instruction instruction : stage.instructions()) {
            String where = dockerfile.file().getFileName() + ":" + instruction.line();
            switch (instruction.keyword()) {
                case "WORKDIR" -> workdir = absolute(words(instruction.arguments(), env, where).getFirst(), workdir);
                case "ENV" -> env.putAll(assignments(instruction.arguments(), env, where));
                case "USER" -> {
                    user = words(instruction.arguments(), env, where).getFirst();
                    if (!user.matches("[0-9]+(:[0-9]+)?")) {
                        throw new IllegalArgumentException(where + ": USER " + user + ": these checks know numeric"
                                + " ids only (Kubernetes checks runAsNonRoot only against a number, too)");
                    }
                }
                case "ENTRYPOINT" -> entrypoint = execForm(instruction.arguments(), where);
                case "EXPOSE" -> {
                    // Documentation for whoever runs the image; DockerfileTest checks it against the server's ports.
                }
                case "RUN" -> {
                    String command = instruction.arguments();
                    if (!MAVEN_BUILD.matcher(command).matches()) {
                        throw new IllegalArgumentException(where + ": RUN " + command + ": these checks can stand in"
                                + " only for the Maven wrapper's package build");
                    }
                    String folder = workdir;
                    if (layers.stream().noneMatch(layer -> layer.imagePath().equals(folder)
                            && layer.source().equals(context))) {
                        throw new IllegalArgumentException(where + ": the Maven build runs in " + folder
                                + ", where no COPY put the build context");
                    }
                    // Its outputs lie in the copied sources as this reactor's own build left them in the repository.
                    layers.add(new Layer(workdir, context, false, null));
                    Matcher profile = PROFILE.matcher(command);
                    standIns.add(profile.find()
                            ? "this reactor's build stands in for the Maven build with profile " + profile.group(1)
                            + " (" + where + ")"
                            : "this reactor's build stands in for the Maven build (" + where + ")");
                }
                case "COPY" -> layers.addAll(copy(instruction.arguments(), env, workdir, built, context, ignored,
                        standIns, where));
                default -> throw new IllegalArgumentException(where + ": " + instruction.keyword() + " is not known");
            }
        }
        return new ContainerImage(layers, symlinks, env, workdir, user, entrypoint, standIns);
    }

    private static List<Layer> copy(String arguments, Map<String, String> env, String workdir,
                                     Map<String, ContainerImage> built, Path context, Predicate<Path> ignored,
                                     List<String> standIns, String where) {
        List<String> words = words(arguments, env, where);
        ContainerImage from = null;
        int first = 0;
        for (; first < words.size() && words.get(first).startsWith("--"); first++) {
            String flag = words.get(first);
            if (!flag.startsWith("--from=")) {
                throw new IllegalArgumentException(where + ": COPY " + flag + " is a flag these checks do not"
                        + " implement");
            }
            from = built.get(flag.substring("--from=".length()));
            if (from == null) {
                throw new IllegalArgumentException(where + ": COPY " + flag + " names no earlier stage; these checks"
                        + " cannot copy from an image");
            }
            // What stood in for that stage stands in for the files copied from it.
            from.standIns.stream().filter(note -> !standIns.contains(note)).forEach(standIns::add);
        }
        List<String> sources = words.subList(first, words.size() - 1);
        String destination = words.getLast();
        if (sources.isEmpty()) {
            throw new IllegalArgumentException(where + ": COPY needs a source and a destination");
        }
        List<Layer> layers = new ArrayList<>();
        for (String source : sources) {
            if (source.contains("*") || source.contains("?") || source.contains("[")) {
                throw new IllegalArgumentException(where + ": COPY " + source + ": wildcards are not implemented");
            }
            Layer found;
            if (from == null) {
                Path path = context.resolve(source).normalize();
                if (!path.startsWith(context) || !Files.exists(path) || ignored.test(path)) {
                    throw new IllegalArgumentException(where + ": COPY " + source + ": not in the build context");
                }
                found = new Layer(null, path, false, ignored);
            } else {
                found = from.find(absolute(source, "/"), where);
            }
            boolean folder = Files.isDirectory(found.source());
            String target = absolute(destination, workdir);
            if (!folder && (destination.endsWith("/") || sources.size() > 1)) {
                target = target + "/" + found.source().getFileName();
            }
            layers.add(new Layer(target, found.source(), found.bound(), found.excluded()));
        }
        return layers;
    }

    /** The layer that holds {@code imagePath} in this stage, narrowed to that path. */
    private Layer find(String imagePath, String where) {
        Path path = Path.of(imagePath);
        for (Layer layer : layers.reversed()) {
            Path prefix = Path.of(layer.imagePath());
            if (path.startsWith(prefix)) {
                Path source = layer.source().resolve(prefix.relativize(path).toString());
                boolean excluded = layer.excluded() != null && layer.excluded().test(source);
                if (Files.exists(source) && !excluded) {
                    return new Layer(imagePath, source, layer.bound(), layer.excluded());
                }
            }
        }
        throw new IllegalArgumentException(where + ": COPY --from: the stage has no " + imagePath
                + (standIns.isEmpty() ? "" : " (" + String.join("; ", standIns) + ": has it run?)"));
    }

    /** Copies every layer that is not a stand-in into {@code into}, in order, later layers over earlier ones. */
    private void materialize(Path into) {
        root = into;
        try {
            Files.createDirectories(into);
            for (Layer layer : layers) {
                if (layer.bound()) {
                    continue;
                }
                Path target = into.resolve(Path.of("/").relativize(Path.of(layer.imagePath())).toString());
                if (Files.isDirectory(layer.source())) {
                    copyFolder(layer, target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(layer.source(), target, StandardCopyOption.COPY_ATTRIBUTES,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyFolder(Layer layer, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(layer.source())) {
            for (Path file : files.toList()) {
                if (layer.excluded() != null && layer.excluded().test(file)) {
                    continue;
                }
                Path copy = target.resolve(layer.source().relativize(file).toString());
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(copy);
                } else {
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING,
                            LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /** {@code path} with a base image's symlinked folder (/bin to usr/bin) replaced by its target. */
    private String resolveLinks(String path) {
        for (Map.Entry<String, String> link : symlinks.entrySet()) {
            if (path.startsWith(link.getKey() + "/")) {
                return "/" + link.getValue() + path.substring(link.getKey().length());
            }
        }
        return path;
    }

    /**
     * What .dockerignore in {@code context} leaves out of it: each pattern as a glob on the path relative to the
     * context, matching a folder leaves out all it holds. {@code **}{@code /x} matches x at the top too, as in
     * Docker. Exceptions ({@code !pattern}) are not implemented and fail.
     */
    static Predicate<Path> dockerignore(Path context) {
        Path file = context.resolve(".dockerignore");
        List<PathMatcher> matchers = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines) {
                String pattern = line.strip();
                if (pattern.isEmpty() || pattern.startsWith("#")) {
                    continue;
                }
                if (pattern.startsWith("!")) {
                    throw new IllegalArgumentException(file + ": " + pattern + ": exceptions are not implemented");
                }
                pattern = pattern.replaceAll("^/+", "").replaceAll("/+$", "");
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
                if (pattern.startsWith("**/")) {
                    matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
                }
            }
        }
        return path -> {
            Path relative = context.relativize(path);
            for (int i = 1; i <= relative.getNameCount(); i++) {
                Path prefix = relative.subpath(0, i);
                if (matchers.stream().anyMatch(matcher -> matcher.matches(prefix))) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String absolute(String path, String workdir) {
        return Path.of(workdir).resolve(path).normalize().toString();
    }

    /** ENTRYPOINT ["program", "argument", ...]; the shell form is not implemented (it also hides SIGTERM). */
    private static List<String> execForm(String arguments, String where) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(arguments);
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isJsonArray() || parsed.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException(where + ": ENTRYPOINT " + arguments + ": only the exec form (a JSON"
                    + " array) is implemented");
        }
        JsonArray array = parsed.getAsJsonArray();
        return array.asList().stream().map(JsonElement::getAsString).toList();
    }

    /** ENV name=value ... (values before this line substituted) or the older ENV name value. */
    private static Map<String, String> assignments(String arguments, Map<String, String> env, String where) {
        List<String> words = words(arguments, env, where);
        Map<String, String> assigned = new LinkedHashMap<>();
        if (!words.getFirst().contains("=")) {
            String[] nameValue = arguments.strip().split("\\s+", 2);
            assigned.put(nameValue[0], nameValue.length > 1 ? words(nameValue[1], env, where).getFirst() : "");
            return assigned;
        }
        for (String word : words) {
            int equals = word.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException(where + ": ENV " + word + " is not name=value");
            }
            assigned.put(word.substring(0, equals), word.substring(equals + 1));
        }
        return assigned;
    }

    /**
     * Splits arguments into words as Docker does for COPY, ENV, USER and WORKDIR: at white space outside quotes,
     * quotes removed, $NAME and ${NAME} replaced by the environment's values outside single quotes (an unset
     * variable by nothing). Other forms of substitution are not implemented.
     */
    static List<String> words(String arguments, Map<String, String> env, String where) {
        if (arguments.contains("${") && arguments.matches(".*\\$\\{[^}]*[:#%/].*")) {
            throw new IllegalArgumentException(where + ": " + arguments + ": only $NAME and ${NAME} are implemented");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < arguments.length(); i++) {
            char c = arguments.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == '\\' && quote != '\'' && i + 1 < arguments.length()) {
                word.append(arguments.charAt(++i));
            } else if (c == '$' && quote != '\'') {
                Matcher variable = VARIABLE.matcher(arguments).region(i, arguments.length());
                if (variable.lookingAt()) {
                    String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
                    word.append(env.getOrDefault(name, ""));
                    i = variable.end() - 1;
                } else {
                    word.append(c);
                }
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException(where + ": " + arguments + ": a quote is not closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException(where + ": an instruction without arguments");
        }
        return words;
    }
}
