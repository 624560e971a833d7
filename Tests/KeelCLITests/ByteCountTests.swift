import Testing

@testable import KeelCLI

@Suite("Byte counts for people", .ownThreads)
struct ByteCountTests {
    @Test(
        "bytes below a KiB, then binary units with one decimal, rounded half up",
        arguments: [
            (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (1075, "1.0 KiB"),
            (1076, "1.1 KiB"), (1_048_575, "1024.0 KiB"), (1_048_576, "1.0 MiB"), (10_538_188, "10.0 MiB"),
            (10_538_189, "10.1 MiB"), (3 << 30, "3.0 GiB"), (5 << 50, "5120.0 TiB"),
        ] as [(UInt64, String)])
    func formats(bytes: UInt64, text: String) {
        #expect(ByteCount(bytes).description == text)
    }
}
