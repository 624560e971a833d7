import KeelTesting
import Testing

@testable import KeelRuntime

@Suite("Wheel file names", .ownThreads)
struct WheelFileNameTests {
    @Test("a name with compressed tag sets parses")
    func compressedTags() throws {
        let name = try WheelFileName("six-1.16.0-py2.py3-none-any.whl")
        #expect(name.distribution == "six" && name.version == "1.16.0" && name.buildTag == nil)
        #expect(name.pythonTags == ["py2", "py3"] && name.abiTags == ["none"] && name.platformTags == ["any"])
        #expect(name.description == "six-1.16.0-py2.py3-none-any.whl")
    }

    @Test("a platform wheel with several platform tags parses and its name is normalized")
    func platformWheel() throws {
        let name = try WheelFileName("MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(name.normalizedName == "markupsafe")
        #expect(name.pythonTags == ["cp311"] && name.abiTags == ["cp311"])
        #expect(name.platformTags == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
    }

    @Test("a build tag is recognised")
    func buildTag() throws {
        let name = try WheelFileName("zope.interface-6.0+local.1-1build2-cp311-abi3-linux_x86_64.whl")
        #expect(name.distribution == "zope.interface" && name.version == "6.0+local.1")
        #expect(name.buildTag == "1build2" && name.normalizedName == "zope-interface")
    }

    @Test("names normalize as PEP 503 says")
    func normalization() {
        #expect(WheelFileName.normalize("Foo.Bar__baz") == "foo-bar-baz")
        #expect(WheelFileName.normalize("A-_.-b") == "a-b")
        #expect(WheelFileName.normalize("typing_extensions") == "typing-extensions")
    }

    @Test(
        "source distributions are refused as such",
        arguments: ["numpy-2.1.3.tar.gz", "pkg-1.0.zip", "pkg-1.0.tar.bz2", "pkg-1.0.tgz"])
    func sourceDistribution(_ fileName: String) {
        let error = #expect(throws: RuntimeError.self) { try WheelFileName(fileName) }
        #expect(error?.message.contains("'\(fileName)' is a source distribution") == true)
        #expect(error?.message.contains("Keel installs wheels (.whl) only") == true)
    }

    @Test(
        "malformed names are clear errors",
        arguments: [
            ("pkg-1.0-py3-none-any.egg", "must end in .whl"),
            ("pkg-1.0-py3-none.whl", "has 4 '-'-separated parts"),
            ("pkg-1.0-x1-py3-none-any.whl", "build tag 'x1' must start with a digit"),
            ("-1.0-py3-none-any.whl", "project name ''"),
            ("pkg_-1.0-py3-none-any.whl", "project name 'pkg_'"),
            ("pkg--py3-none-any.whl", "version ''"),
            ("pkg-1.0-py3..py2-none-any.whl", "Python tag 'py3..py2'"),
            ("pkg-1.0-py3-none-any$.whl", "platform tag 'any$'"),
            ("dir/pkg-1.0-py3-none-any.whl", "give the file name, not a path"),
        ])
    func malformed(_ fileName: String, _ expected: String) {
        let error = #expect(throws: RuntimeError.self) { try WheelFileName(fileName) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(fileName) == true)
    }
}
