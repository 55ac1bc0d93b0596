package io.shallowserve.server.inference;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one rule for every error message the server sends to a client, over either protocol: one line, at most
 * {@value #MAX_CHARS} characters, and no absolute file-system path. A message is often built around what the client
 * sent (a model name, a path, a header), which can be as long as the request allows; it is cut in the middle with an
 * ellipsis, so that both what went wrong (the start) and what to do instead (the end) remain. A path on the server's
 * disk (the model repository, a temporary file, in the text of an exception) tells the client nothing it needs and
 * an attacker something: only its last segment remains.
 */
public final class ErrorMessages {

    /** The longest message a client gets, in characters. */
    public static final int MAX_CHARS = 300;

    private static final String ELLIPSIS = "…";
    /** What remains in front of a cut message's end: room for the advice most messages end with. */
    private static final int TAIL_CHARS = 120;

    /**
     * An absolute Unix path of two or more segments; group 1 is its first segment. It starts where no word, dot,
     * tilde or dash stands before it, so that "a/b" and "~/x" are not taken for one.
     */
    private static final Pattern UNIX_PATH =
            Pattern.compile("(?<![\\w.~-])/([^/\\s'\"`,;:()\\[\\]{}<>]+)(?:/[^/\\s'\"`,;:()\\[\\]{}<>]*)+");
    /** An absolute Windows path: a drive letter, then backslash-separated segments. */
    private static final Pattern CONTROL_CHARACTERS = Pattern.compile("\\p{Cntrl}+");
    private static final Pattern WINDOWS_PATH = Pattern.compile("(?<![\\w])[A-Za-z]:\\\\[^\\s'\"`,;:()\\[\\]{}<>]*");
    /**
     * The top-level directories that make a Unix path one on this machine's disk and not, say, a request path
     * (/v2/models/...): those of this machine's file-system root, and the usual ones of Linux and macOS.
     */
    private static final Set<String> ROOT_DIRECTORIES = rootDirectories();

    private ErrorMessages() {
    }

    /** {@code message} as a client may see it: see the class comment. A null message is empty. */
    public static String forClient(String message) {
        if (message == null) {
            return "";
        }
        String oneLine = CONTROL_CHARACTERS.matcher(message).replaceAll(" ").strip();
        String withoutPaths = WINDOWS_PATH.matcher(UNIX_PATH.matcher(oneLine).replaceAll(ErrorMessages::unixPath))
                .replaceAll(path -> Matcher.quoteReplacement(ELLIPSIS + "\\" + lastSegment(path.group(), '\\')));
        return bounded(withoutPaths);
    }

    private static String unixPath(MatchResult path) {
        String found = path.group();
        return Matcher.quoteReplacement(ROOT_DIRECTORIES.contains(path.group(1))
                ? ELLIPSIS + "/" + lastSegment(found, '/')
                : found);
    }

    private static String lastSegment(String path, char separator) {
        return path.substring(path.lastIndexOf(separator) + 1);
    }

    /** The first and last characters of {@code message} with an ellipsis between, if it is too long. */
    private static String bounded(String message) {
        if (message.length() <= MAX_CHARS) {
            return message;
        }
        int headEnd = MAX_CHARS - TAIL_CHARS - ELLIPSIS.length();
        int tailStart = message.length() - TAIL_CHARS;
        // Never split a surrogate pair.
        if (Character.isLowSurrogate(message.charAt(headEnd))) {
            headEnd--;
        }
        if (Character.isLowSurrogate(message.charAt(tailStart))) {
            tailStart++;
        }
        return message.substring(0, headEnd) + ELLIPSIS + message.substring(tailStart);
    }

    private static Set<String> rootDirectories() {
        Set<String> names = new HashSet<>(List.of("bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt",
                "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "Applications", "Library",
                "System", "Users", "Volumes", "private"));
        for (File root : File.listRoots()) {
            if (root.getPath().equals("/")) {
                try (Stream<Path> entries = Files.list(root.toPath())) {
                    entries.forEach(entry -> names.add(entry.getFileName().toString()));
                } catch (IOException | SecurityException e) {
                    // The usual names above still apply.
                }
            }
        }
        return Set.copyOf(names);
    }
}
