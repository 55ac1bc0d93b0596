package io.shallowserve.server.repository;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which versions of a model serve, as Triton's version_policy: {@code all}, {@code latest:N} or
 * {@code specific:1,3}. Unlike Triton, {@code latest:N} counts the newest versions that load: a broken newest version
 * is reported UNAVAILABLE and the one before it keeps serving.
 *
 * @param kind     all, latest or specific
 * @param latest   for {@link Kind#LATEST}, how many versions serve
 * @param specific for {@link Kind#SPECIFIC}, the version numbers that serve
 */
public record VersionPolicy(Kind kind, int latest, SortedSet<Integer> specific) {

    public enum Kind {
        ALL,
        LATEST,
        SPECIFIC
    }

    public static final VersionPolicy ALL = new VersionPolicy(Kind.ALL, 0, new TreeSet<>());

    public VersionPolicy {
        specific = new TreeSet<>(specific);
        if (kind == Kind.LATEST && latest < 1) {
            throw new IllegalArgumentException("version-policy latest:" + latest + " must keep at least 1 version");
        }
        if (kind == Kind.SPECIFIC && (specific.isEmpty() || specific.first() < 1)) {
            throw new IllegalArgumentException("version-policy specific needs positive version numbers, got "
                    + specific);
        }
    }

    /**
     * Parses "all", "latest:N" or "specific:V,V,..".
     *
     * @throws IllegalArgumentException with the accepted forms
     */
    public static VersionPolicy parse(String text) {
        String policy = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (policy.equals("all")) {
                return ALL;
            }
            if (policy.startsWith("latest:")) {
                return new VersionPolicy(Kind.LATEST, Integer.parseInt(policy.substring(7).trim()), new TreeSet<>());
            }
            if (policy.startsWith("specific:")) {
                TreeSet<Integer> versions = new TreeSet<>();
                for (String version : policy.substring(9).split(",")) {
                    versions.add(Integer.parseInt(version.trim()));
                }
                return new VersionPolicy(Kind.SPECIFIC, 0, versions);
            }
        } catch (NumberFormatException e) {
            // Falls through to the message that shows the accepted forms.
        }
        throw new IllegalArgumentException("version-policy is '" + text + "'; use all, latest:N or specific:1,3");
    }

    /**
     * The versions to try, newest first, out of those the repository has; the engine loads them in this order and
     * stops once {@link #wanted} of them are READY.
     */
    public List<Integer> candidates(List<Integer> available) {
        List<Integer> newestFirst = new ArrayList<>(available);
        newestFirst.sort(Comparator.reverseOrder());
        if (kind == Kind.SPECIFIC) {
            newestFirst.retainAll(specific);
        }
        return newestFirst;
    }

    /** How many READY versions are enough. */
    public int wanted() {
        return kind == Kind.LATEST ? latest : Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "all";
            case LATEST -> "latest:" + latest;
            case SPECIFIC -> "specific:" + String.join(",", specific.stream().map(String::valueOf).toList());
        };
    }
}
