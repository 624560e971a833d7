import KeelTesting
import Testing

@testable import KeelRuntime

@Suite("Runtime errors", .ownThreads)
struct RuntimeErrorTests {
    @Test("an error reads as its message")
    func readsAsMessage() {
        let error = RuntimeError("package 'nope' is not in the host's apt lists")
        #expect("\(error)" == "package 'nope' is not in the host's apt lists")
        #expect(error != RuntimeError("other"))
    }
}
