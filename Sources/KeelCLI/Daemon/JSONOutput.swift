import Foundation

/// JSON as the `--json` flags print it: sorted keys, pretty, or one compact line.
enum JSONOutput {
    /// `value` as JSON text (without a final newline).
    static func render(_ value: some Encodable, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw CLIError("cannot render JSON: \(error)")
        }
    }
}
