import Foundation
import Glibc

/// What this machine allows, probed once, to enable or skip (with the reason) the tests that need it.
enum TestConditions {
    /// Whether a scratch directory's file system (under /var/tmp) accepts O_DIRECT.
    static let directIOWorks: Bool = {
        guard let scratch = try? Scratch() else { return false }
        defer { scratch.remove() }
        return FileFacts.takesDirectIO(scratch.directory)
    }()

    /// Why the test as `nobody` cannot run here, or nil when it can.
    static let dropPrivilegesProblem: String? = {
        guard geteuid() == 0 else { return "not root, so cannot switch to nobody with runuser" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return "runuser is not installed" }
        guard let probe = try? ToolRunner.run("/usr/sbin/runuser", ["-u", "nobody", "--", ToolRunner.path(of: "ringcp"), "--help"]),
              probe.status == 0
        else { return "nobody cannot run the built ringcp (a parent directory is not searchable)" }
        return nil
    }()

    /// Why a small tmpfs cannot be mounted here, or nil when it can.
    static let mountProblem: String? = {
        guard geteuid() == 0 else { return "not root, so cannot mount a small tmpfs" }
        guard let scratch = try? Scratch() else { return "no scratch directory" }
        defer { scratch.remove() }
        let point = scratch.path("probe")
        try? FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: false)
        guard let mounted = try? ToolRunner.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point]),
              mounted.status == 0
        else { return "mount -t tmpfs is not permitted here" }
        _ = try? ToolRunner.run("/usr/bin/umount", [point])
        return nil
    }()

    /// Why the full-device test cannot run with `--direct` here, or nil when it can: it needs the
    /// small tmpfs of `mountProblem`, and tmpfs accepts O_DIRECT only since Linux 6.6.
    static let tmpfsDirectIOProblem: String? = {
        if let mountProblem { return mountProblem }
        guard let scratch = try? Scratch() else { return "no scratch directory" }
        defer { scratch.remove() }
        let point = scratch.path("probe")
        try? FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: false)
        guard let mounted = try? ToolRunner.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point]),
              mounted.status == 0
        else { return "mount -t tmpfs failed" }
        defer { _ = try? ToolRunner.run("/usr/bin/umount", [point]) }
        return FileFacts.takesDirectIO(point) ? nil : "tmpfs refuses O_DIRECT on this kernel (it accepts it since Linux 6.6)"
    }()

    /// Why a character device node cannot be made in a scratch directory, or nil when it can.
    static let mknodProblem: String? = {
        guard geteuid() == 0 else { return "not root, so cannot make a device node with mknod" }
        guard let scratch = try? Scratch() else { return "no scratch directory" }
        defer { scratch.remove() }
        guard mknod(scratch.path("null"), S_IFCHR | 0o666, nullDevice) == 0 else {
            return "mknod of a character device is not permitted here (errno \(errno))"
        }
        return nil
    }()

    /// The device number of /dev/null (major 1, minor 3), for `mknod`.
    static let nullDevice = dev_t((1 << 8) | 3)

    /// A directory on another file system than the scratch directories (/dev/shm, a tmpfs, when
    /// /var/tmp is not one), or nil when there is none: a rename from one to the other fails with
    /// EXDEV, which shows where a temporary file was made.
    static let otherFileSystem: String? = {
        var shm = stat()
        var tmp = stat()
        guard stat("/dev/shm", &shm) == 0, stat("/var/tmp", &tmp) == 0, shm.st_dev != tmp.st_dev,
              access("/dev/shm", W_OK) == 0
        else { return nil }
        return "/dev/shm"
    }()

    /// The major version of coreutils' sha256sum (from `sha256sum --version`), or nil when unknown.
    static let coreutilsMajorVersion: Int? = {
        guard let output = try? ToolRunner.run(SumComparison.sha256sum, ["--version"]), output.status == 0,
              let firstLine = output.stdoutText.split(separator: "\n").first,
              let version = firstLine.split(separator: " ").last,
              let major = version.split(separator: ".").first
        else { return nil }
        return Int(major)
    }()
}
