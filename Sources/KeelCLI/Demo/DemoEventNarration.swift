import Foundation
import KeelAPI

/// One daemon event as the demo tells it: a short sentence, without the ledger's field names.
enum DemoEventNarration {
    /// The sentence for `event`.
    static func sentence(_ event: DaemonEvent) -> String {
        let subject = event.subject
        let details = event.details
        switch event.kind {
        case "system.switch":
            return "switched to generation \(details["generation"] ?? generation(subject))"
        case "system.activate":
            let parts = [
                ("started", "started"), ("restarted", "restarted"), ("stopped", "stopped"), ("unchanged", "kept"),
            ]
            .compactMap { key, verb in names(details[key]).map { "\(verb) \($0)" } }
            return "generation \(generation(subject)) activated: "
                + (parts.isEmpty ? "no agents" : parts.joined(separator: ", "))
        case "system.rollback":
            return "rolling back to generation \(details["generation"] ?? generation(subject))"
        case "safeswitch.probation":
            let watched = names(details["watched"]).map { ", watching \($0)" } ?? ""
            return
                "generation \(generation(subject)) on probation for \(milliseconds(details["probation_ms"]))\(watched)"
        case "safeswitch.passed":
            return "generation \(generation(subject)) passed its probation: it is the last good generation now"
        case "safeswitch.failed":
            return "SafeSwitch: generation \(generation(subject)) failed: \(details["reason"] ?? "no reason given")"
        case "safeswitch.rolled-back":
            return "SafeSwitch rolled back from generation \(details["from"] ?? "?") to generation "
                + "\(details["to"] ?? "?") (the rollback took \(milliseconds(details["took_ms"])))"
        case "safeswitch.rollback-failed":
            return "SafeSwitch could not roll back: \(details["error"] ?? "no reason given")"
        case "safeswitch.superseded":
            return "generation \(generation(subject))'s probation ended by a newer switch"
        case "agent.start":
            let restarts = Int(details["restarts"] ?? "") ?? 0
            return "\(subject) started (pid \(details["pid"] ?? "?")"
                + (restarts > 0 ? ", restart \(restarts))" : ")")
        case "agent.waiting":
            return "\(subject) waits for \(names(details["for"]) ?? "its dependencies") to be ready"
        case "agent.ready":
            return "\(subject) is ready (after \(milliseconds(details["after_ms"])))"
        case "agent.status":
            return "\(subject) says: \(details["status"] ?? "")"
        case "agent.health":
            if details["passed"] == "true" { return "\(subject) passed its health check" }
            return "\(subject) failed its health check: \(details["reason"] ?? "no reason given")"
        case "agent.unhealthy":
            return "\(subject) is unhealthy: \(details["reason"] ?? "no reason given")"
        case "agent.exit":
            return "\(subject) " + exit(details)
        case "agent.restart":
            return "\(subject) restarts in \(milliseconds(details["delay_ms"]))"
        case "agent.stop":
            return "\(subject) stopped" + (details["reason"].map { " (\(reason($0)))" } ?? "")
        case "agent.stopped":
            return "\(subject) stays stopped" + (details["reason"].map { " (\($0))" } ?? "")
        case "agent.ready-timeout":
            return "\(subject) was not ready within \(milliseconds(details["timeout_ms"]))"
        case "daemon.start":
            return "the daemon started (pid \(details["pid"] ?? "?"))"
        case "daemon.stop":
            return "the daemon stopped"
        case "agent.watchdog":
            return "\(subject) missed its watchdog: \(details["reason"] ?? "")"
        default:
            let rest = details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return ([event.kind, subject] + rest).joined(separator: " ")
        }
    }

    /// `exited with status N after T` or `was killed by signal N`, with why when the daemon said.
    private static func exit(_ details: [String: String]) -> String {
        let how: String
        if let status = details["status"] {
            how = "exited with status \(status)"
        } else {
            how = "was ended by signal \(details["signal"] ?? "?")"
        }
        let after = details["uptime_ms"].map { " after \(milliseconds($0))" } ?? ""
        let why = details["reason"].map { " (\(reason($0)))" } ?? ""
        return how + after + why
    }

    /// A stop reason in words.
    private static func reason(_ reason: String) -> String {
        reason == "changed" ? "its definition changed" : reason
    }

    /// `N` from `generation-N`.
    private static func generation(_ subject: String) -> String {
        subject.hasPrefix("generation-") ? String(subject.dropFirst("generation-".count)) : subject
    }

    /// A JSON array of names joined with commas; nil when absent or empty.
    private static func names(_ value: String?) -> String? {
        guard let value, let list = try? JSONDecoder().decode([String].self, from: Data(value.utf8)), !list.isEmpty
        else { return nil }
        return list.joined(separator: ", ")
    }

    /// `250 ms` or `3 s` from a number of milliseconds.
    static func milliseconds(_ value: String?) -> String {
        guard let value, let number = Int64(value) else { return "? ms" }
        return number >= 1000 && number % 1000 == 0 ? "\(number / 1000) s" : "\(number) ms"
    }
}
