import KeelFormats
import KeelLinux
import KeelSystem

extension Supervisor {
    /// Starts `name` if it is stopped (a no-op when it runs or is starting).
    ///
    /// - Throws: `SupervisorError` when there is no such agent.
    public func start(_ name: String) throws(SupervisorError) {
        guard let record = records[name] else { throw SupervisorError("there is no agent '\(name)'") }
        record.wanted = true
        record.schedule = RestartSchedule(record.agent.restart)
        switch record.phase {
        case .stopped, .failed: launchWhenReady(record)
        case .stopping: record.startAfterStop = true
        case .backoff:
            record.cancelTimer("backoff")
            launchWhenReady(record)
        case .waiting, .starting, .running: break
        }
    }

    /// Stops `name` and its whole process tree; it stays stopped until started again.
    ///
    /// - Throws: `SupervisorError` when there is no such agent.
    public func stop(_ name: String) async throws(SupervisorError) {
        guard let record = records[name] else { throw SupervisorError("there is no agent '\(name)'") }
        record.wanted = false
        record.startAfterStop = false
        await halt(record, reason: "stopped on request")
    }

    /// Stops `name` if it runs, then starts it again.
    ///
    /// - Throws: `SupervisorError` when there is no such agent.
    public func restart(_ name: String) async throws(SupervisorError) {
        try await stop(name)
        try start(name)
    }

    /// Starts `record` now if every agent it depends on is ready, else marks it waiting (it
    /// starts when the last of them gets ready).
    func launchWhenReady(_ record: AgentRecord<C.Instant>, restarting: Bool = false) {
        let pending = record.agent.dependsOn.filter { records[$0].map { !$0.ready } ?? false }
        if pending.isEmpty {
            launch(record, restarting: restarting)
        } else {
            record.phase = .waiting
            emit("agent.waiting", record.name, ["for": .array(pending.sorted().map(NixJSON.string))])
        }
    }

    /// Starts the agents waiting on `name`, now that it is ready.
    func releaseDependents(of name: String) {
        for record in records.values where record.phase == .waiting && record.wanted {
            guard record.agent.dependsOn.contains(name) else { continue }
            launchWhenReady(record)
        }
    }

    /// Starts `record`'s process. `afterSpawn` runs once the process is spawned (or its start
    /// failed), before the start's own event: what led to the start is reported first, but does
    /// not delay it.
    ///
    /// - Parameter restarting: whether this start follows the exit of the same definition's
    ///   process: its last plan and confinement are used again (its directories, cgroup and
    ///   program are in place), and made anew only if the start fails with them.
    func launch(_ record: AgentRecord<C.Instant>, restarting: Bool = false, afterSpawn: () -> Void = {}) {
        let name = record.name
        let agent = record.agent
        record.instance += 1
        let instance = record.instance
        record.ready = false
        record.healthy = nil
        record.endReason = nil
        record.watchdogDeadline = nil
        if !restarting { record.lastLaunch = nil }
        let launchPlan: AgentLaunchPlan
        let confinement: AgentConfinement
        do throws(SupervisorError) {
            if let last = record.lastLaunch {
                (launchPlan, confinement) = last
            } else {
                launchPlan = try AgentLaunchPlan(name: name, agent: agent, paths: paths, freshState: record.freshState)
                record.freshState = false
                confinement = try self.confinement(for: record, plan: launchPlan)
            }
            if record.log == nil {
                record.log = try AgentLog(directory: paths.logDirectory(name), maxSize: logMaxSize, keep: logFiles)
            }
            if launchPlan.needsNotifySocket && record.notifySocket == nil {
                // A strict agent, or one with a `user`, runs as another id: its runtime directory
                // (mode 1770 or 0750, its group's) keeps others out, the socket lets it in.
                let permissions: UInt32 = agent.isolation == "strict" || agent.user != nil ? 0o666 : 0o600
                record.notifySocket = try NotifySocket(path: paths.notifySocket(name), permissions: permissions) {
                    [weak self] notification in
                    guard let self else { return }
                    Task { await self.notified(name, notification) }
                }
            }
        } catch {
            afterSpawn()
            fail(record, error.description)
            return
        }
        guard let log = record.log else {
            afterSpawn()
            return
        }
        var environment = launchPlan.environment
        if let socket = record.notifySocket { environment["NOTIFY_SOCKET"] = socket.environmentValue }
        let process: AgentProcess
        do throws(SupervisorError) {
            process = try AgentProcess.start(
                name: name, arguments: launchPlan.arguments, environment: environment,
                workingDirectory: launchPlan.workingDirectory, log: log, launch: confinement.launch,
                preparedDirectory: record.lastLaunch != nil
            ) { [weak self] termination in
                guard let self else { return }
                Task { await self.exited(name, instance: instance, termination) }
            }
        } catch {
            if record.lastLaunch != nil {
                // Something changed under it (its directory was removed...): prepare it anew.
                launch(record, afterSpawn: afterSpawn)
                return
            }
            afterSpawn()
            fail(record, error.description)
            return
        }
        record.lastLaunch = (launchPlan, confinement)
        afterSpawn()
        record.process = process
        record.phase = .starting
        record.problem = nil
        record.startedAt = clock.now
        record.startedAtMs = Self.wallMilliseconds
        let pidFile = record.pidFile ?? AgentPidFile(path: paths.pidFile(name))
        record.pidFile = pidFile
        pidFile.record(pid: process.pid)
        var startDetails: [String: NixJSON] = [
            "pid": .integer(Int64(process.pid)), "restarts": .integer(Int64(record.restarts)),
            "isolation": .string(agent.isolation),
        ]
        if !confinement.unenforced.isEmpty {
            startDetails["unenforced"] = .array(confinement.unenforced.map(NixJSON.string))
            record.problem = "limits not enforced here: " + confinement.unenforced.joined(separator: "; ")
        }
        emit("agent.start", name, startDetails)
        watchMemory(record)
        if confinement.checksResidentMemory { scheduleMemoryCheck(record, instance: instance) }
        if let interval = agent.watchdogMs.map(Duration.milliseconds), interval > .zero {
            record.watchdogInterval = interval
            armWatchdog(record)
        }
        startHealthMonitor(record, instance: instance)
        if agent.ready == "started" {
            becameReady(record)
        } else {
            let timeout = Duration.milliseconds(agent.readyTimeoutMs)
            schedule(record, "ready", after: timeout) { supervisor in
                await supervisor.readyTimedOut(name, instance: instance, after: timeout)
            }
        }
    }

    /// Marks `record` failed to start: it is not restarted until started again or changed.
    func fail(_ record: AgentRecord<C.Instant>, _ reason: String) {
        record.phase = .failed
        record.problem = reason
        emit("agent.start-failed", record.name, ["reason": .string(reason)])
    }

    /// The agent's process ended. An immediate restart is launched first, before the pid file,
    /// the look for what is left of the old tree and the events that have to wait: a restart
    /// with no backoff is on the clock.
    func exited(_ name: String, instance: Int, _ termination: Termination) async {
        guard let record = records[name], record.instance == instance, let process = record.process else { return }
        let uptime = record.startedAt.map { $0.duration(to: clock.now) } ?? .zero
        let atMs = Self.wallMilliseconds
        record.lastExit = (termination, atMs)
        record.ready = false
        record.healthy = nil
        record.cancelTimers()
        record.stopHealth?()
        record.stopHealth = nil
        let endReason = record.endReason
        let wasStopping = record.phase == .stopping
        var details: [String: NixJSON] = [
            "pid": .integer(Int64(process.pid)), "uptime_ms": .integer(Int64(uptime.milliseconds)),
        ]
        switch termination {
        case .exited(let status): details["status"] = .integer(Int64(status))
        case .signaled(let signal): details["signal"] = .integer(Int64(signal))
        }
        if let endReason {
            details["reason"] = .string(endReason)
            details["failed"] = .bool(!wasStopping)
        }
        // An agent the supervisor ended for failing (a check, its watchdog, its ready timeout)
        // failed, however it exited on SIGTERM.
        let exit: RestartSchedule.Exit =
            switch termination {
            case .exited(let status): .exited(endReason != nil && status == 0 ? 1 : status)
            case .signaled(let signal): .signaled(signal)
            }
        let restartDelay = record.wanted && !wasStopping ? record.schedule.exited(exit, after: uptime) : nil
        if let restartDelay, restartDelay <= .zero {
            record.restarts += 1
            launch(record, restarting: true) {
                self.emit("agent.exit", name, details)
                self.emit("agent.restart", name, ["delay_ms": .integer(0)])
            }
        } else {
            removePidFile(of: record)
            emit("agent.exit", name, details)
        }
        // Whatever of its tree is left (grandchildren that ignore SIGTERM...) is ended in the
        // background, so a restart does not wait for them.
        let treeRemains = !wasStopping && endReason == nil && treeMayRemain(after: process)
        if treeRemains {
            let stopTimeout = Duration.milliseconds(record.agent.stopTimeoutMs)
            let clock = clock
            Task { [weak self] in
                try? await process.stop(timeout: stopTimeout, clock: clock)
                await self?.sweepCgroup(named: name, instance: instance)
            }
        }
        guard record.wanted, !wasStopping else { return }
        guard let delay = restartDelay else {
            record.phase = .stopped
            record.process = nil
            if !treeRemains { sweepCgroup(record, remove: true) }
            emit("agent.stopped", name, ["reason": .string("restart policy '\(record.agent.restart.policy)'")])
            return
        }
        if delay <= .zero { return }
        record.restarts += 1
        record.phase = .backoff
        emit("agent.restart", name, ["delay_ms": .integer(Int64(delay.milliseconds))])
        schedule(record, "backoff", after: delay) { supervisor in
            supervisor.backoffEnded(name, instance: instance)
        }
    }

    /// Sweeps `name`'s cgroup after a process of it ended, unless a newer one runs there; the
    /// group is removed when the agent is not to run again by itself.
    func sweepCgroup(named name: String, instance: Int) {
        guard let record = records[name], record.instance == instance else { return }
        sweepCgroup(record, remove: record.phase == .stopped || record.phase == .failed)
    }

    /// Removes `record`'s pid file: its agent no longer runs (the file of a previous life of
    /// the daemon too, which the record never opened).
    func removePidFile(of record: AgentRecord<C.Instant>) {
        (record.pidFile ?? AgentPidFile(path: paths.pidFile(record.name))).remove()
        record.pidFile = nil
    }

    /// Whether anything of an ended agent's tree may be left: its process group still has
    /// members, or this process has children that are not agents it runs (orphans that left
    /// the group and were reparented to it as a subreaper), or its children cannot be listed.
    /// Two cheap looks instead of a scan of /proc at every exit, which competed with restarts.
    func treeMayRemain(after process: AgentProcess) -> Bool {
        if ProcessTree.groupHasMembers(process.pid) { return true }
        guard let children = ProcessTree.childrenOfMainThread() else { return true }
        let agents = Set(records.values.compactMap { $0.process?.termination == nil ? $0.process?.pid : nil })
        return children.contains { !agents.contains($0) }
    }

    /// A restart's backoff has passed.
    func backoffEnded(_ name: String, instance: Int) {
        guard let record = records[name], record.instance == instance, record.phase == .backoff, record.wanted else {
            return
        }
        record.timers["backoff"] = nil
        launchWhenReady(record, restarting: true)
    }

    /// Ends `record`'s process (TERM, then KILL after its stop timeout, for its whole tree) and
    /// leaves it stopped. Waits for a stop already in progress.
    func halt(_ record: AgentRecord<C.Instant>, reason: String) async {
        record.cancelTimers()
        if record.phase == .stopping {
            await withCheckedContinuation { record.stopWaiters.append($0) }
            return
        }
        guard let process = record.process, record.phase == .starting || record.phase == .running else {
            if !record.startAfterStop { sweepCgroup(record, remove: true) }
            if record.phase != .stopped {
                record.phase = .stopped
                emit("agent.stop", record.name, ["reason": .string(reason)])
            }
            return
        }
        record.phase = .stopping
        record.endReason = reason
        record.stopHealth?()
        record.stopHealth = nil
        let timeout = Duration.milliseconds(record.agent.stopTimeoutMs)
        let failure: SupervisorError?
        do throws(SupervisorError) {
            try await process.stop(timeout: timeout, clock: clock)
            failure = nil
        } catch {
            failure = error
        }
        // The exit was reported meanwhile (its callback found the agent stopping).
        sweepCgroup(record, remove: !record.startAfterStop)
        record.phase = .stopped
        record.process = nil
        record.ready = false
        removePidFile(of: record)
        var details: [String: NixJSON] = ["reason": .string(reason)]
        if let failure {
            record.problem = failure.description
            details["problem"] = .string(failure.description)
        }
        emit("agent.stop", record.name, details)
        let waiters = record.stopWaiters
        record.stopWaiters = []
        for waiter in waiters { waiter.resume() }
        if record.startAfterStop {
            record.startAfterStop = false
            record.wanted = true
            launchWhenReady(record)
        }
    }

    /// Ends the current process because it failed (a check, its watchdog, its ready timeout);
    /// its restart policy then decides as for any failure.
    func endFailed(_ record: AgentRecord<C.Instant>, instance: Int, reason: String) async {
        guard record.instance == instance, let process = record.process, process.termination == nil else { return }
        record.endReason = reason
        record.problem = reason
        record.stopHealth?()
        record.stopHealth = nil
        try? await process.stop(timeout: .milliseconds(record.agent.stopTimeoutMs), clock: clock)
    }

    /// Runs `action` on the supervisor after `delay`, unless the timer is cancelled (by a newer
    /// timer of the same kind, or when the process ends).
    func schedule(
        _ record: AgentRecord<C.Instant>, _ kind: String, after delay: Duration,
        _ action: @escaping @Sendable (isolated Supervisor) async -> Void
    ) {
        record.cancelTimer(kind)
        let clock = clock
        record.timers[kind] = Task { [weak self] in
            do { try await clock.sleep(for: delay) } catch { return }
            guard let self else { return }
            await action(self)
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
