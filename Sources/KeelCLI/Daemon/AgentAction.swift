import Foundation
import KeelAPI

/// What `keel start|stop|restart AGENT` share: the request, and how its answer is printed.
enum AgentAction: String, Sendable {
    case start, stop, restart

    /// Asks the daemon under `paths` to act on `agent`, then prints the agent's status.
    func run(agent: String, paths: DaemonPaths, json: Bool) throws {
        let name = try DaemonCall.checkedAgent(agent)
        let action = self
        let view = try DaemonCall.run(paths) { client in
            switch action {
            case .start: try await client.start(agent: name)
            case .stop: try await client.stop(agent: name)
            case .restart: try await client.restart(agent: name)
            }
        }
        if json {
            print(try JSONOutput.render(view))
        } else {
            let pid = view.pid.map { ", pid \($0)" } ?? ""
            print("\(view.name): \(view.state)\(pid)")
        }
    }
}
