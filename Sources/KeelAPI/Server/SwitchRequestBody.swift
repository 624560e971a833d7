/// `POST /v1/switch`'s body as sent: `force` may be left out. Checked, then made a `SwitchRequest`.
struct SwitchRequestBody: Decodable {
    var systemPath: String?
    var generation: Int?
    var force: Bool?
    var configHash: String?
    var gitCommit: String?

    /// The request, once every field is checked.
    func validated() throws(APIError) -> SwitchRequest {
        switch (systemPath, generation) {
        case (nil, nil): throw .badRequest("give one of 'systemPath' and 'generation'")
        case (.some, .some): throw .badRequest("give only one of 'systemPath' and 'generation'")
        case (let path?, nil):
            guard path.hasPrefix("/"), path.utf8.count <= 4096, !path.contains("\0"), !path.contains("\n") else {
                throw .badRequest("'systemPath' must be an absolute path, not '\(path)'")
            }
        case (nil, let number?):
            guard number >= 1 else { throw .badRequest("'generation' must be 1 or more, not \(number)") }
        }
        try Self.checkLabel(configHash, "configHash")
        try Self.checkLabel(gitCommit, "gitCommit")
        return SwitchRequest(
            systemPath: systemPath, generation: generation, force: force ?? false, configHash: configHash,
            gitCommit: gitCommit)
    }

    /// A short printable text (at most 256 bytes, no control characters).
    private static func checkLabel(_ value: String?, _ name: String) throws(APIError) {
        guard let value else { return }
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
        guard !value.isEmpty, value.utf8.count <= 256, printable else {
            throw .badRequest("'\(name)' must be 1 to 256 printable characters")
        }
    }
}
