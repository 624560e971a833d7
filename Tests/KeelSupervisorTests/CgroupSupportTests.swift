import KeelLinux
import KeelTesting
import Testing

@Suite(.ownThreads) struct CgroupSupportTests {
    /// This machine's kind: v1 controllers, the daemon's memory group nested, and a cgroup2
    /// mount with nothing Keel uses.
    private static let hybridMounts = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    private static let hybridCgroups = """
        9:name=systemd:/
        8:pids:/
        6:freezer:/
        4:memory:/outer/inner
        1:cpu:/
        0::/
        """

    @Test func findsCgroupV1BesideAnEmptyV2Mount() {
        let support = CgroupSupport.detect(
            mountInfo: Self.hybridMounts, ownCgroups: Self.hybridCgroups,
            availableV2Controllers: { _ in [] }, isWritable: { _ in true })
        #expect(
            support.hierarchy
                == .v1(bases: [
                    .memory: "/sys/fs/cgroup/memory/outer/inner", .pids: "/sys/fs/cgroup/pids",
                    .cpu: "/sys/fs/cgroup/cpu", .freezer: "/sys/fs/cgroup/freezer",
                ]))
        #expect(support.description == "cgroup v1 (memory, pids, cpu)")
    }

    @Test func findsTheDelegatedV2SubtreeOfASystemdService() {
        let mounts =
            "25 20 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate"
        var asked: [String] = []
        let support = CgroupSupport.detect(
            mountInfo: mounts, ownCgroups: "0::/system.slice/keel.service\n",
            availableV2Controllers: { base in
                asked.append(base)
                return [.memory, .pids, .cpu]
            }, isWritable: { _ in true })
        #expect(asked == ["/sys/fs/cgroup/system.slice/keel.service"])
        #expect(
            support.hierarchy
                == .v2(base: "/sys/fs/cgroup/system.slice/keel.service", controllers: [.memory, .pids, .cpu]))
        #expect(support.description == "cgroup v2 (memory, pids, cpu)")
    }

    @Test func saysWhyThereAreNone() {
        let none = CgroupSupport.detect(
            mountInfo: "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n", ownCgroups: "",
            availableV2Controllers: { _ in [] }, isWritable: { _ in true })
        #expect(none.description == "none: no cgroup file system is mounted")
        let readOnly = CgroupSupport.detect(
            mountInfo: "35 31 0:32 / /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n",
            ownCgroups: "4:memory:/\n", availableV2Controllers: { _ in [] }, isWritable: { _ in true })
        #expect(readOnly.description.hasPrefix("none: no writable cgroup hierarchy"))
    }

    @Test func thisMachineHasCgroups() {
        let support = CgroupSupport.detect()
        if case .unavailable(let reason) = support.hierarchy {
            Issue.record("the daemon's limits need cgroups, and this machine has none: \(reason)")
        }
    }
}
