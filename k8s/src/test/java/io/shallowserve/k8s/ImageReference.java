package io.shallowserve.k8s;

/**
 * A container image reference split as kustomize and registries split it: name (with any registry host and port),
 * tag, digest. "registry:5000/shallowserve:0.1.0" has the name "registry:5000/shallowserve" and the tag "0.1.0".
 *
 * @param name   everything before the tag and digest
 * @param tag    the tag, or null
 * @param digest the digest ("sha256:..."), or null
 */
record ImageReference(String name, String tag, String digest) {

    static ImageReference parse(String image) {
        String digest = null;
        int at = image.indexOf('@');
        if (at >= 0) {
            digest = image.substring(at + 1);
            image = image.substring(0, at);
        }
        int colon = image.lastIndexOf(':');
        // A colon before the last slash belongs to a registry's port, not to a tag.
        if (colon > image.lastIndexOf('/')) {
            return new ImageReference(image.substring(0, colon), image.substring(colon + 1), digest);
        }
        return new ImageReference(image, null, digest);
    }

    /** True when the reference names one build: a digest, or a tag other than "latest". */
    boolean pinned() {
        return digest != null || (tag != null && !tag.equals("latest"));
    }

    @Override
    public String toString() {
        return name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
