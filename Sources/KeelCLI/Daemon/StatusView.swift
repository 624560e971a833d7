import Foundation
import KeelAPI

/// `keel status`'s human view: the generation, its probation, the cgroups line, then a table
/// with one row per agent.
enum StatusView {
    /// The view of `status` at `nowMs` (Unix milliseconds), ending in a newline.
    static func render(_ status: DaemonStatus, nowMs: Int64) -> String {
        var lines: [String] = []
        if let generation = status.generation {
            lines.append("generation: \(generation)" + (status.systemPath.map { "  \($0)" } ?? ""))
        } else {
            lines.append("generation: none yet (switch to one with `keel switch`)")
        }
        lines.append("probation:  " + probation(status.probation))
        if let lastGood = status.lastGoodGeneration { lines.append("last good:  generation \(lastGood)") }
        lines.append("cgroups:    \(status.cgroups)")
        lines.append(
            "daemon:     pid \(status.pid), up \(DurationText.render(milliseconds: nowMs - status.startedAtMs))")
        lines.append("")
        if status.agents.isEmpty {
            lines.append("no agents")
        } else {
            let header = ["AGENT", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "HEALTH"]
            lines += table([header] + status.agents.map { row($0, nowMs: nowMs) })
            for agent in status.agents {
                if let problem = agent.problem { lines.append("\(agent.name): \(problem)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func probation(_ view: ProbationView?) -> String {
        guard let view else { return "none" }
        switch view.state {
        case "probation":
            let left = view.remainingMs.map { ", \(DurationText.render(milliseconds: $0)) left" } ?? ""
            return "generation \(view.generation) on probation\(left)"
        case "failed":
            return "generation \(view.generation) failed" + (view.reason.map { ": \($0)" } ?? "") + " (rolled back)"
        default:
            return "generation \(view.generation) \(view.state)"
        }
    }

    private static func row(_ agent: AgentStatusView, nowMs: Int64) -> [String] {
        let running = agent.pid != nil
        let uptime = running ? agent.startedAtMs.map { DurationText.render(milliseconds: nowMs - $0) } : nil
        return [
            agent.name, agent.state, agent.pid.map(String.init) ?? "-", uptime ?? "-", String(agent.restarts),
            agent.lastExit.map { exit($0, nowMs: nowMs) } ?? "-", agent.health ?? "-",
        ]
    }

    private static func exit(_ view: ExitView, nowMs: Int64) -> String {
        let how: String
        if let signal = view.signal {
            how = "signal \(signal)"
        } else {
            how = "exit \(view.code.map(String.init) ?? "?")"
        }
        return how + " (\(DurationText.render(milliseconds: nowMs - view.atMs)) ago)"
    }

    /// Rows padded to their columns' widths, two spaces apart.
    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
