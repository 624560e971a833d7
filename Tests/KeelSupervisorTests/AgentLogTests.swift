import Foundation
import KeelLinux
import KeelSupervisor
import KeelTesting
import Testing

@Suite(.ownThreads) struct AgentLogTests {
    /// The file `name` of `directory` as text, or `nil` when missing.
    private func contents(_ directory: TemporaryDirectory, _ name: String) -> String? {
        (try? FileSystem.readWholeFile(directory.appending(name))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func names(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writesUpToMaxSizeThenRotatesAtALineBoundary() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.path, maxSize: 10, keep: 5)
        try log.append(Array("aaaa\nbbbb\n".utf8))
        #expect(contents(directory, "current") == "aaaa\nbbbb\n")
        #expect(try names(directory) == ["current"])
        try log.append(Array("c\n".utf8))
        #expect(contents(directory, "current.1") == "aaaa\nbbbb\n")
        #expect(contents(directory, "current") == "c\n")
    }

    @Test func aPartialLineWaitsAndIsNotSplitAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.path, maxSize: 10, keep: 5)
        try log.append(Array("12345678\nab".utf8))
        #expect(contents(directory, "current") == "12345678\n")
        try log.append(Array("c\nd".utf8))
        #expect(contents(directory, "current.1") == "12345678\n")
        #expect(contents(directory, "current") == "abc\n")
        try log.flush()
        #expect(contents(directory, "current") == "abc\nd")
    }

    @Test func aLineLongerThanMaxSizeIsCutIntoPieces() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.path, maxSize: 4, keep: 5)
        try log.append(Array("abcdefghij\n".utf8))
        #expect(contents(directory, "current.1") == "abcd")
        #expect(contents(directory, "current.2") == "efgh")
        #expect(contents(directory, "current") == "ij\n")
    }

    @Test func keepsAtMostKeepRotatedFilesAndLeavesOtherFilesAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let foreign = ["current.old", "current.01", "current.7x", "current.", "notes", "@4000.s"]
        for name in foreign { try FileSystem.replaceFile(atPath: directory.appending(name), with: Array(name.utf8)) }
        let log = try AgentLog(directory: directory.path, maxSize: 4, keep: 2)
        for index in 1...6 { try log.append(Array("\(index)00\n".utf8)) }
        #expect(try names(directory) == (["current", "current.4", "current.5"] + foreign).sorted())
        #expect(contents(directory, "current.4") == "400\n")
        #expect(contents(directory, "current.5") == "500\n")
        #expect(contents(directory, "current") == "600\n")
        for name in foreign { #expect(contents(directory, name) == name) }
    }

    @Test func keepZeroDeletesEveryRotatedFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = try AgentLog(directory: directory.path, maxSize: 4, keep: 0)
        for index in 1...3 { try log.append(Array("\(index)00\n".utf8)) }
        #expect(try names(directory) == ["current"])
        #expect(contents(directory, "current") == "300\n")
    }

    @Test func aReopenedLogAppendsAndContinuesTheNumbering() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let log = try AgentLog(directory: directory.path, maxSize: 8, keep: 5)
            try log.append(Array("one\ntwo\nsix\n".utf8))
        }
        #expect(contents(directory, "current.1") == "one\ntwo\n")
        let log = try AgentLog(directory: directory.path, maxSize: 8, keep: 5)
        try log.append(Array("ten\n".utf8))
        #expect(contents(directory, "current") == "six\nten\n")
        try log.append(Array("end\n".utf8))
        #expect(contents(directory, "current.2") == "six\nten\n")
        #expect(contents(directory, "current") == "end\n")
    }

    @Test func rotatedNamesAreRecognisedExactly() {
        #expect(AgentLog.rotatedSequence("current.12") == 12)
        #expect(AgentLog.rotatedName(12) == "current.12")
        for name in ["current", "current.", "current.012", "current.1a", "current.-1", "xcurrent.1", "current.+1"] {
            #expect(AgentLog.rotatedSequence(name) == nil, "\(name)")
        }
    }

    @Test func anUnwritableDirectoryIsNamedInTheError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.replaceFile(atPath: directory.appending("file"), with: [])
        #expect {
            _ = try AgentLog(directory: directory.appending("file/log"), maxSize: 10, keep: 1)
        } throws: { error in
            "\(error)".contains(directory.appending("file/log"))
        }
    }
}
