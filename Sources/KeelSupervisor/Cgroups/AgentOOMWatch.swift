import KeelLinux
import Synchronization

/// Reports each time the kernel's OOM killer strikes in an agent's cgroup, as it happens: a
/// thread of its own blocks in the kernel (v1: an eventfd registered with
/// `memory.oom_control`; v2: inotify on `memory.events`) and calls the handler; nothing polls.
///
/// The watch ends with `stop()` or when the group is removed.
public final class AgentOOMWatch: Sendable {
    private let watch: CgroupEventWatch

    private init(watch: CgroupEventWatch) {
        self.watch = watch
    }

    /// Starts watching `cgroup`.
    ///
    /// - Parameter onOOM: called on the watch's thread after each OOM kill, with the group's
    ///   `oom_kill` count so far (on v1, where the kernel notifies just before it kills, at
    ///   least one more than the count before).
    /// - Throws: `SupervisorError` when the group has no memory controller or the watch cannot
    ///   be registered.
    public static func start(
        _ cgroup: AgentCgroup, onOOM: @escaping @Sendable (UInt64) -> Void
    ) throws(SupervisorError) -> AgentOOMWatch {
        guard let memory = cgroup.directories[.memory] else {
            throw SupervisorError("agent \(cgroup.agent): its cgroup has no memory controller to watch")
        }
        let watch: CgroupEventWatch
        do throws(SystemError) {
            watch =
                cgroup.isV2
                ? try CgroupEventWatch.fileChanges(memory + "/memory.events")
                : try CgroupEventWatch.memoryOOM(v1Group: memory)
        } catch {
            throw SupervisorError("agent \(cgroup.agent): cannot watch its cgroup for OOM kills: \(error)")
        }
        let initial = (try? cgroup.oomKillCount()) ?? 0
        DetachedThread.start {
            var reported = initial
            while (try? watch.wait()) == true {
                guard CgroupFiles.exists(memory) else { return }
                let count = (try? cgroup.oomKillCount()) ?? reported
                if cgroup.isV2 {
                    guard count > reported else { continue }
                    reported = count
                } else {
                    reported = max(count, reported + 1)
                }
                onOOM(reported)
            }
        }
        return AgentOOMWatch(watch: watch)
    }

    /// Ends the watch (its thread returns at its next wake; a handler call already under way
    /// finishes).
    public func stop() {
        watch.stop()
    }
}
