import KeelConfig
import KeelTesting
import Testing

/// Durations ("250ms", "1h30m") and sizes ("512M") as keel.toml writes them: what they are worth,
/// what is refused and why, and where in the file the refusal points.
@Suite("Durations and sizes", .ownThreads)
struct DurationAndSizeTests {
    static let durationUsage =
        "write a number and a unit: ms, s, m, h, d or w, as in \"250ms\", \"30s\" or \"1h30m\""
    static let sizeUsage =
        "write a number with an optional unit K, M, G or T (powers of 1024), as in \"512M\" or \"2G\""

    @Test(
        "valid durations and their milliseconds",
        arguments: [
            ("250ms", 250), ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000), ("1h30m", 5_400_000),
            ("1.5s", 1_500), ("2d", 172_800_000), ("1w", 604_800_000), ("0s", 0), ("1m30s500ms", 90_500),
            ("0.5ms", 1), ("3650d", 315_360_000_000), ("007s", 7_000),
        ] as [(String, Int64)])
    func validDurations(text: String, milliseconds: Int64) throws {
        #expect(try ConfigDuration(parsing: text).milliseconds == milliseconds)
    }

    @Test(
        "invalid durations and what is said about them",
        arguments: [
            ("10", "duration \"10\" has no unit; \(durationUsage)"),
            ("5 minutes", "duration \"5 minutes\" has no unit; \(durationUsage)"),
            ("5minutes", "duration \"5minutes\" has unknown unit \"minutes\"; \(durationUsage)"),
            ("-1s", "invalid duration \"-1s\"; \(durationUsage)"),
            ("99999999999h", "duration \"99999999999h\" is too long (at most 10 years)"),
            ("3661d", "duration \"3661d\" is too long (at most 10 years)"),
            ("", "empty duration; \(durationUsage)"),
            ("s", "invalid duration \"s\"; \(durationUsage)"),
            ("1.2.3s", "invalid duration \"1.2.3s\"; \(durationUsage)"),
            ("1h30", "duration \"1h30\" has no unit; \(durationUsage)"),
            ("1e3s", "duration \"1e3s\" has unknown unit \"e\"; \(durationUsage)"),
            (" 1s", "invalid duration \" 1s\"; \(durationUsage)"),
            ("１s", "invalid duration \"１s\"; \(durationUsage)"),
            ("1S", "duration \"1S\" has unknown unit \"S\"; \(durationUsage)"),
            ("nan", "invalid duration \"nan\"; \(durationUsage)"),
            (
                String(repeating: "9", count: 400) + "s",
                "duration \"\(String(repeating: "9", count: 400))s\" is too long (at most 10 years)"
            ),
        ])
    func invalidDurations(text: String, message: String) {
        #expect(throws: ConfigValueError.self) { try ConfigDuration(parsing: text) }
        do {
            _ = try ConfigDuration(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("a duration's description is its shortest spelling and reads back the same")
    func durationDescriptions() throws {
        let cases: [(Int64, String)] = [
            (0, "0ms"), (1, "1ms"), (1_500, "1500ms"), (90_000, "90s"), (5_400_000, "90m"), (7_200_000, "2h"),
            (86_400_000, "1d"), (1_209_600_000, "2w"),
        ]
        for (milliseconds, text) in cases {
            let duration = ConfigDuration(milliseconds: milliseconds)
            #expect(duration.description == text)
            #expect(try ConfigDuration(parsing: text) == duration)
        }
        #expect(ConfigDuration(milliseconds: 1_500).duration == .milliseconds(1_500))
        #expect(try ConfigDuration(parsing: "1s") < ConfigDuration(parsing: "1001ms"))
    }

    @Test(
        "valid sizes and their bytes (binary units)",
        arguments: [
            ("4096", 4096), ("512K", 524_288), ("512M", 536_870_912), ("2G", 2_147_483_648),
            ("1T", 1_099_511_627_776), ("1.5G", 1_610_612_736), ("1KiB", 1024), ("1kb", 1024), ("1mib", 1 << 20),
            ("0.5K", 512), ("10B", 10), ("0", 0), ("1048576T", 1 << 60),
        ] as [(String, UInt64)])
    func validSizes(text: String, bytes: UInt64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test(
        "invalid sizes and what is said about them",
        arguments: [
            ("lots", "invalid size \"lots\"; \(sizeUsage)"),
            ("-1M", "invalid size \"-1M\"; \(sizeUsage)"),
            ("", "invalid size \"\"; \(sizeUsage)"),
            ("1P", "size \"1P\" has unknown unit \"P\"; \(sizeUsage)"),
            ("1 M", "size \"1 M\" has unknown unit \" M\"; \(sizeUsage)"),
            ("1.3K", "size \"1.3K\" is not a whole number of bytes"),
            ("1048577T", "size \"1048577T\" is too large"),
            ("99999999999999999999999", "size \"99999999999999999999999\" is too large"),
            ("1..5G", "invalid size \"1..5G\"; \(sizeUsage)"),
        ])
    func invalidSizes(text: String, message: String) {
        #expect(throws: ConfigValueError.self) { try ByteSize(parsing: text) }
        do {
            _ = try ByteSize(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("a size's description is its shortest spelling and reads back the same")
    func sizeDescriptions() throws {
        let cases: [(UInt64, String)] = [
            (0, "0"), (1000, "1000"), (1024, "1K"), (1_572_864, "1536K"), (512 << 20, "512M"), (3 << 30, "3G"),
            (1 << 40, "1T"), (1 << 60, "1048576T"),
        ]
        for (bytes, text) in cases {
            let size = ByteSize(bytes: bytes)
            #expect(size.description == text)
            #expect(try ByteSize(parsing: text) == size)
        }
    }

    @Test("in keel.toml, every bad duration and size is reported at its value, all at once")
    func positionedInTheFile() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let document = """
            [host]
            name = "box"
            log_max_size = "1.3K"

            [safeswitch]
            probation = "10"
            crash_loop = { exits = 3, within = "-1s" }
            ready_timeout = "0s"

            [agents.web]
            command = ["web"]
            stop_timeout = "5 minutes"
            ready_timeout = "99999999999h"
            watchdog = 30
            restart = { initial_backoff = "1h30m", max_backoff = "1.5s" }
            limits = { memory = "512K" }

            [agents.db]
            command = ["db"]
            limits = { memory = "1P" }
            health = { exec = ["check"], interval = "1.5s", timeout = "250ms" }
            """
        let usage = Self.durationUsage
        #expect(
            fixture.problems(document) == [
                "keel.toml:3:16: 'host.log_max_size': size \"1.3K\" is not a whole number of bytes",
                "keel.toml:6:13: 'safeswitch.probation': duration \"10\" has no unit; \(usage)",
                "keel.toml:7:36: 'safeswitch.crash_loop.within': invalid duration \"-1s\"; \(usage)",
                "keel.toml:8:17: 'safeswitch.ready_timeout' must be longer than zero",
                "keel.toml:12:16: 'agents.web.stop_timeout': duration \"5 minutes\" has no unit; \(usage)",
                "keel.toml:13:17: 'agents.web.ready_timeout': duration \"99999999999h\" is too long (at most 10 years)",
                "keel.toml:14:12: 'agents.web.watchdog' must be a string, not an integer",
                "keel.toml:15:54: max_backoff (1500ms) is shorter than initial_backoff (90m)",
                "keel.toml:16:21: 'agents.web.limits.memory' must be at least 1M",
                "keel.toml:20:21: 'agents.db.limits.memory': size \"1P\" has unknown unit \"P\"; \(Self.sizeUsage)",
            ])
        let valid = try fixture.parse(
            "[host]\nname = \"box\"\nlog_max_size = \"4K\"\n[agents.a]\ncommand = [\"a\"]\nwatchdog = \"1.5s\"\n")
        #expect(valid.host.logMaxSize == ByteSize(bytes: 4096))
        #expect(valid.agents.first?.watchdog == ConfigDuration(milliseconds: 1_500))
        #expect(
            fixture.problems("[host]\nname = \"box\"\nlog_max_size = \"4095\"\n") == [
                "keel.toml:3:16: 'host.log_max_size' must be at least 4K"
            ])
    }
}
