/// A host `keel copy` reaches through OpenSSH: `ssh://[USER@]HOST[:PORT]`.
public struct SSHDestination: Sendable, Equatable, CustomStringConvertible {
    /// The user to log in as, when the URL names one (else ssh's configuration decides).
    public let user: String?
    /// The host name or address (an IPv6 address without its brackets).
    public let host: String
    /// The port, when the URL names one.
    public let port: Int?

    /// Parses `url`.
    /// - Throws: `CacheError.Code.badInput` naming the URL and what is wrong with it.
    public init(_ url: String) throws(CacheError) {
        func bad(_ problem: String) -> CacheError { CacheError(.badInput, "'\(url)' is not an ssh:// URL: \(problem)") }
        guard url.hasPrefix("ssh://") else { throw bad("it must start with ssh://") }
        var rest = Substring(url.dropFirst("ssh://".count))
        if rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw bad("give only [USER@]HOST[:PORT]")
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        var hostPart = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("an unclosed [ in the host") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad("unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        let allowed = { (text: Substring) in
            !text.isEmpty && !text.hasPrefix("-")
                && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "'" }
        }
        guard allowed(hostPart) else { throw bad("the host is empty or not a plain name") }
        if let user, !allowed(Substring(user)) { throw bad("the user is empty or not a plain name") }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { throw bad("the port must be 1 to 65535") }
            self.port = port
        } else {
            port = nil
        }
        self.user = user
        host = String(hostPart)
    }

    /// `[USER@]HOST` as ssh takes it.
    public var sshTarget: String { user.map { "\($0)@\(host)" } ?? host }

    /// The URL form.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "ssh://" + (user.map { "\($0)@" } ?? "") + shownHost + (port.map { ":\($0)" } ?? "")
    }
}
