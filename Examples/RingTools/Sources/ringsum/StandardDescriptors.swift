import Glibc

/// Which of descriptors 0, 1 and 2 were closed when ringsum started.
///
/// A closed one is filled with /dev/null opened the wrong way round (stdin write-only, stdout and
/// stderr read-only) before anything else is opened. Otherwise the ring, its eventfd or an input
/// file would get the number: `-` would then read the ring's eventfd and wait forever, and the
/// checksum lines would be written into whatever file landed on 1. This way reading stdin and
/// writing stdout fail with EBADF, as they do for sha256sum.
struct StandardDescriptors {
    /// Descriptor 0 was closed.
    var standardInput = false
    /// Descriptor 1 was closed.
    var standardOutput = false
    /// Descriptor 2 was closed.
    var standardError = false

    /// Fills closed standard descriptors (in order 0, 1, 2: open(2) returns the lowest free number).
    ///
    /// - Returns: which were closed.
    static func reserve() -> StandardDescriptors {
        var closed = StandardDescriptors()
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            let placeholder = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if placeholder >= 0 && placeholder != fd { close(placeholder) }
            switch fd {
            case 0: closed.standardInput = true
            case 1: closed.standardOutput = true
            default: closed.standardError = true
            }
        }
        return closed
    }
}
