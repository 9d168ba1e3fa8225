package dev.claw4j.core.folder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few libc calls Java has no safe form of: operations relative to an open directory that never follow a
 * link ({@code openat} with {@code O_NOFOLLOW}), and an open that cannot block on a FIFO ({@code O_NONBLOCK}).
 * Declared to throw {@link LastErrorException} so errno is captured with the call itself.
 */
interface Libc extends Library {
    Libc C = Native.load("c", Libc.class);

    int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

    int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

    int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

    int renameat(int olddirfd, String oldpath, int newdirfd, String newpath) throws LastErrorException;

    int fchown(int fd, int uid, int gid) throws LastErrorException;

    int fchmod(int fd, int mode) throws LastErrorException;

    long read(int fd, byte[] buffer, long count) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** Flags and errno values of Linux; the O_ flags differ between x86-64 and the generic ABI (arm64). */
    final class Flags {
        static final boolean GENERIC = System.getProperty("os.arch", "").matches("aarch64|arm64|riscv64");
        static final int O_RDONLY = 0;
        static final int O_WRONLY = 01;
        static final int O_CREAT = 0100;
        static final int O_EXCL = 0200;
        static final int O_NOCTTY = 0400;
        static final int O_NONBLOCK = 04000;
        static final int O_DIRECTORY = GENERIC ? 040000 : 0200000;
        static final int O_NOFOLLOW = GENERIC ? 0100000 : 0400000;
        static final int O_CLOEXEC = 02000000;
        static final int AT_REMOVEDIR = 0x200;
        static final int ENOENT = 2;
        static final int ENXIO = 6;
        static final int EPERM = 1;
        static final int EEXIST = 17;
        static final int ENOTDIR = 20;
        static final int EISDIR = 21;
        static final int ELOOP = 40;

        private Flags() {}
    }
}
