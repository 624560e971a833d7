import KeelSupervisor
import KeelTesting
import Testing

@Suite("NotifyMessage", .ownThreads)
struct NotifyMessageTests {
    private func parse(_ text: String) -> NotifyMessage? { NotifyMessage(datagram: Array(text.utf8)) }

    @Test("reads what systemd-notify --ready --status sends")
    func readyWithStatus() throws {
        let message = try #require(parse("READY=1\nSTATUS=Serving on :8080\n"))
        #expect(message.isReady)
        #expect(message.status == "Serving on :8080")
        #expect(!message.isStopping && !message.isReloading && !message.isBarrier)
        #expect(message.otherAssignments.isEmpty)
    }

    @Test("reads every key of the protocol")
    func everyKey() throws {
        let text = [
            "RELOADING=1", "STOPPING=1", "ERRNO=2", "MAINPID=4242", "WATCHDOG=1", "WATCHDOG_USEC=30000000",
            "EXTEND_TIMEOUT_USEC=5000000", "BARRIER=1", "FDSTORE=1", "FDNAME=listener", "MONOTONIC_USEC=17",
        ].joined(separator: "\n")
        let message = try #require(parse(text))
        #expect(message.isReloading && message.isStopping && message.isBarrier && message.storesDescriptors)
        #expect(!message.isReady)
        #expect(message.errorNumber == 2)
        #expect(message.mainPID == 4242)
        #expect(message.watchdog == .ping)
        #expect(message.watchdogIntervalMicroseconds == 30_000_000)
        #expect(message.extendTimeoutMicroseconds == 5_000_000)
        #expect(
            message.otherAssignments == [
                .init(key: "FDNAME", value: "listener"), .init(key: "MONOTONIC_USEC", value: "17"),
            ])
        #expect(try #require(parse("WATCHDOG=trigger")).watchdog == .trigger)
    }

    @Test("ignores lines without an assignment and values a key does not take")
    func malformedLines() throws {
        let text =
            "garbage\n=1\n\nREADY=yes\nREADY\nERRNO=x\nERRNO=-1\nMAINPID=0\nMAINPID=99999999999\n"
            + "WATCHDOG=2\nWATCHDOG_USEC=0\nEXTEND_TIMEOUT_USEC=+5\nSTOPPING=1 "
        let message = try #require(parse(text))
        #expect(message == NotifyMessage())
    }

    @Test("the first valid assignment of a key wins; an invalid one does not count")
    func firstValidWins() throws {
        let message = try #require(parse("STATUS=one\nSTATUS=two\nERRNO=bad\nERRNO=5\nERRNO=6\nREADY=0\nREADY=1"))
        #expect(message.status == "one")
        #expect(message.errorNumber == 5)
        #expect(message.isReady)
    }

    @Test("a status keeps '=' and may be empty; one that is not UTF-8 is ignored")
    func statusText() throws {
        #expect(try #require(parse("STATUS=a=b c")).status == "a=b c")
        #expect(try #require(parse("STATUS=")).status == "")
        var bytes = Array("STATUS=".utf8)
        bytes += [0xff, 0xfe]
        bytes += Array("\nSTATUS=fine".utf8)
        #expect(try #require(NotifyMessage(datagram: bytes)).status == "fine")
    }

    @Test("a datagram holding a NUL or longer than the limit is ignored whole")
    func ignoredWhole() {
        #expect(NotifyMessage(datagram: Array("READY=1\0".utf8)) == nil)
        let padding = String(repeating: "x", count: NotifyMessage.maximumSize - "READY=1\nSTATUS=".utf8.count)
        #expect(parse("READY=1\nSTATUS=" + padding)?.isReady == true)
        #expect(parse("READY=1\nSTATUS=" + padding + "x") == nil)
    }

    @Test("unknown keys are kept in order, repeats included")
    func unknownKeys() throws {
        let message = try #require(parse("X=1\nY=2\nX=3"))
        #expect(message.otherAssignments.map(\.key) == ["X", "Y", "X"])
        #expect(message.otherAssignments.map(\.value) == ["1", "2", "3"])
    }
}
