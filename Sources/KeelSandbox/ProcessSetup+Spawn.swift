import CKeelLinux

extension ProcessSetup {
    /// Fills the spawn fields this setup decides, with memory kept alive by `strings`.
    func fill(_ raw: inout ckeel_spawn_spec, keeping strings: inout CStringTable) {
        if !cgroupProcsFiles.isEmpty {
            raw.cgroup_procs = UnsafePointer(
                UnsafeRawPointer(strings.vector(cgroupProcsFiles)).assumingMemoryBound(to: UnsafePointer<CChar>?.self))
            raw.cgroup_proc_count = cgroupProcsFiles.count
        }
        if !resourceLimits.isEmpty {
            raw.rlimits = strings.array(
                resourceLimits.map { ckeel_rlimit(resource: $0.resource.raw, soft: $0.soft, hard: $0.hard) })
            raw.rlimit_count = resourceLimits.count
        }
        if noNewPrivileges { raw.no_new_privileges = 1 }
        if let identity {
            raw.switch_identity = 1
            raw.identity_uid = identity.uid
            raw.identity_gid = identity.gid
            if !identity.groups.isEmpty {
                raw.identity_groups = strings.array(identity.groups)
                raw.identity_group_count = identity.groups.count
            }
        }
    }
}
