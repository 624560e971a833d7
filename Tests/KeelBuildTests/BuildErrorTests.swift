import Foundation
import KeelBuild
import KeelFormats
import KeelStore
import KeelTesting
import Testing

@Suite("Build errors keep their cause", .ownThreads)
struct BuildErrorTests {
    @Test("a stopped build carries its stop reason as a case; only a signal is an interruption")
    func stopReasons() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try LocalStore(layout: StoreLayout(root: temporary.appending("root")))
        for reason in [BuildStopReason.interrupted, .terminated, .anotherBuildFailed("builder for 'x' failed")] {
            let scheduler = BuildScheduler(store: store, settings: BuildSettings())
            scheduler.cancellation.cancel(reason)
            scheduler.cancellation.cancel(.terminated)  // The first reason given is kept.
            let error = #expect(throws: BuildError.self) { try scheduler.build([]) }
            #expect(error?.kind == .cancelled)
            #expect(error?.stopReason == reason)
            #expect(error?.stopReason?.isSignal == (reason != .anotherBuildFailed("builder for 'x' failed")))
            #expect(error?.message == reason.description)
        }
    }

    @Test("a malformed .drv file's error keeps the parser's typed error as its cause")
    func typedCause() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try LocalStore(layout: StoreLayout(root: temporary.appending("root")))
        let file = temporary.appending("broken.drv")
        try TestFiles.write(file, Array("Derive([],".utf8))
        let error = #expect(throws: BuildError.self) { try DerivationImporter(store: store).importFile(file) }
        #expect(error?.kind == .badInput)
        #expect(error?.cause is DerivationError, "\(String(describing: error?.cause))")
    }
}
