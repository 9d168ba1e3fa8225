package dev.claw4j.core.folder;

/**
 * The host refused to act on a name in a group folder: it was a link, a FIFO, a device, a file where a folder
 * should be, too large, or missing. {@code path} is relative to the group folder, as the agent sees it.
 */
public final class FolderRefusal extends RuntimeException {
    private final String path;
    private final String why;

    FolderRefusal(String path, String why) {
        super(path + ": " + why);
        this.path = path;
        this.why = why;
    }

    public String path() {
        return path;
    }

    public String why() {
        return why;
    }
}
