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
}
