import KeelBuild
import KeelFormats
import KeelTesting
import Testing

@Suite("Reference scanning", .ownThreads)
struct ReferenceScannerTests {
    let first = try! StorePath(baseName: "0123456789abcdfghijklmnpqrsvwxyz-first")
    let second = try! StorePath(baseName: "zyxwvsrqpnmlkjihgfdcba9876543210-second")
    let absent = try! StorePath(baseName: "00000000000000000000000000000000-absent")

    func scan(_ text: String, chunk: Int) -> Set<StorePath> {
        var scanner = ReferenceScanner(candidates: [first, second, absent])
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBytes { scanner.scan($0) }
            start = end
        }
        return scanner.found
    }

    @Test("finds hash parts anywhere, whatever the chunk size, and only whole ones")
    func chunks() {
        let text =
            "prefix /store/\(first.hashPart)-first/bin and \(second.hashPart) but not 0000000000000000000000000000000"
        for chunk in [1, 2, 7, 31, 32, 33, 1000] {
            #expect(scan(text, chunk: chunk) == [first, second], "chunk size \(chunk)")
        }
        #expect(scan(String(first.hashPart.dropLast()), chunk: 5).isEmpty)
        #expect(scan("", chunk: 1).isEmpty)
    }

    @Test("a hash part inside a longer run of base-32 digits is still found, as Nix finds it")
    func embedded() {
        #expect(scan("aaaa\(second.hashPart)aaaa", chunk: 3) == [second])
    }
}
