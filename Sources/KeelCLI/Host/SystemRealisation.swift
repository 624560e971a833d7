import Foundation
import KeelBuild
import KeelLinux
import KeelStore
import KeelSystem

/// Builds what a system plan needs (`keel switch`, `keel image build -f`), with progress on a
/// terminal, the builders' output on stderr when asked, and Ctrl-C stopping the builds.
struct SystemRealisation {
    /// How many builds run at once.
    var jobs = 1
    /// Whether the builders' output goes to stderr.
    var printBuildLogs = false
    /// The binary caches asked before anything is built (nil: none).
    var substitution: CacheSubstitution?

    /// Realises `plan` in `local`.
    func realise(_ plan: SystemPlan, in local: LocalStore) throws -> SystemRealiser.Outcome {
        var settings = BuildSettings()
        settings.jobs = jobs
        settings.substitution = substitution
        defer { substitution?.substituter.close() }
        let terminal = isatty(STDERR_FILENO) == 1
        let events =
            terminal || printBuildLogs ? BuildProgress.events(store: local, printLogs: printBuildLogs) : .ignored
        let scheduler = BuildScheduler(store: local, settings: settings, events: events)
        SignalMask.onStopSignal { [cancellation = scheduler.cancellation] signal in
            cancellation.cancel(signal == SIGINT ? .interrupted : .terminated)
        }
        let realiser = SystemRealiser(store: local, scheduler: scheduler, substitution: substitution) { line in
            if terminal { StandardErrorLine.write("keel: " + line) }
        }
        do { return try realiser.realise(plan) } catch let error as BuildError {
            throw CLIError(error.message, status: error.stopReason?.isSignal == true ? .interrupted : .failure)
        } catch let error as StoreError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
