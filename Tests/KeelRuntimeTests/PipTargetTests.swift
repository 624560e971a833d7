import KeelTesting
import Testing

@testable import KeelRuntime

@Suite("Pip target", .ownThreads)
struct PipTargetTests {
    @Test("x86_64 with glibc 2.36: manylinux tags from 2.36 down to 2.5, legacy aliases after their glibc")
    func x86Tags() throws {
        let target = try PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86_64")
        let tags = target.platformTags
        #expect(tags.first == "manylinux_2_36_x86_64")
        #expect(tags.last == "manylinux1_x86_64")
        #expect(tags.count == 32 + 3)
        let index = { (tag: String) in tags.firstIndex(of: tag) ?? -1 }
        #expect(index("manylinux2014_x86_64") == index("manylinux_2_17_x86_64") + 1)
        #expect(index("manylinux2010_x86_64") == index("manylinux_2_12_x86_64") + 1)
        #expect(index("manylinux1_x86_64") == index("manylinux_2_5_x86_64") + 1)
        #expect(!tags.contains("linux_x86_64") && !tags.contains("any"))
        #expect(target.abiTag == "cp311")
        #expect("\(target)" == "CPython 3.11 on manylinux_2_36 x86_64")
    }

    @Test("aarch64 goes down to manylinux2014 only")
    func aarch64Tags() throws {
        let target = try PipTarget(pythonVersion: "3.12", glibc: (2, 28), machine: "aarch64")
        #expect(target.platformTags.first == "manylinux_2_28_aarch64")
        #expect(target.platformTags.suffix(2) == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"])
        #expect(target.abiTag == "cp312")
    }

    @Test("pip options: the target's own tags, or the ones given")
    func options() throws {
        let target = try PipTarget(pythonVersion: "3.11", glibc: (2, 17), machine: "x86_64")
        let options = target.pipOptions()
        #expect(Array(options.prefix(6)) == ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"])
        #expect(options.filter { $0 == "--platform" }.count == target.platformTags.count)
        #expect(
            target.pipOptions(abis: ["none"], platforms: ["any"])
                == ["--python-version", "3.11", "--implementation", "cp", "--abi", "none", "--platform", "any"])
    }

    @Test("a malformed version, an old glibc or a strange machine is refused by name")
    func refused() {
        #expect(throws: RuntimeError("Python version '3' must be MAJOR.MINOR, such as 3.11")) {
            try PipTarget(pythonVersion: "3", glibc: (2, 36), machine: "x86_64")
        }
        #expect(throws: RuntimeError("Python version '3.x' must be MAJOR.MINOR, such as 3.11")) {
            try PipTarget(pythonVersion: "3.x", glibc: (2, 36), machine: "x86_64")
        }
        #expect(throws: RuntimeError("glibc 2.12 is not one manylinux wheels support on aarch64 (2.17 or a later 2.x)"))
        {
            try PipTarget(pythonVersion: "3.11", glibc: (2, 12), machine: "aarch64")
        }
        #expect(
            throws: RuntimeError("machine 'x86-64' must be a platform tag word such as x86_64 or aarch64")
        ) {
            try PipTarget(pythonVersion: "3.11", glibc: (2, 36), machine: "x86-64")
        }
    }
}
