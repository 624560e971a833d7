import KeelImage
import KeelTesting
import Testing

@Suite("Image references (Docker's grammar, tags only)", .ownThreads)
struct ImageReferenceTests {
    @Test(
        "valid references parse into name and tag",
        arguments: [
            ("app", "app", "latest"),
            ("app:1.0", "app", "1.0"),
            ("team/app:v1-rc.2", "team/app", "v1-rc.2"),
            ("example.com/team/app:_x", "example.com/team/app", "_x"),
            ("localhost/app", "localhost/app", "latest"),
            ("localhost:5000/app", "localhost:5000/app", "latest"),
            ("Registry-1.Example.com:443/a.b_c__d-e---f/g:TAG", "Registry-1.Example.com:443/a.b_c__d-e---f/g", "TAG"),
            ("a0/9z:" + String(repeating: "t", count: 128), "a0/9z", String(repeating: "t", count: 128)),
        ])
    func valid(text: String, name: String, tag: String) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.name == name)
        #expect(reference.tag == tag)
        #expect(reference.description == "\(name):\(tag)")
    }

    @Test(
        "invalid references are refused with a message naming the fault",
        arguments: [
            ("", "empty"),
            ("App", "lowercase"),
            ("team/App:1", "lowercase"),
            ("app:", "tag"),
            (":1", "name is empty"),
            ("app:-1", "tag"),
            ("app:.1", "tag"),
            ("app:a b", "tag"),
            ("app:" + String(repeating: "t", count: 129), "tag"),
            ("app@sha256:" + String(repeating: "0", count: 64), "digest"),
            ("app:1@sha256:" + String(repeating: "0", count: 64), "digest"),
            ("a//b", "empty path component"),
            ("a/", "empty path component"),
            ("/a", "empty path component"),
            ("a_", "path component"),
            ("-a", "path component"),
            ("a..b", "path component"),
            ("a___b", "path component"),
            ("a+b", "path component"),
            ("ex_ample.com/app", "registry host"),
            ("example.com:port/app", "registry host"),
            ("-example.com/app", "registry host"),
            ("a:b:c/app", "registry host"),
            (String(repeating: "a", count: 256), "longer than 255"),
        ])
    func invalid(text: String, reason: String) {
        let error = #expect(throws: ImageError.self) { try ImageReference(parsing: text) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.contains("\"\(text)\"") == true)
    }

    @Test("a name and a tag given apart are checked the same way")
    func parts() throws {
        let reference = try ImageReference(name: "example.com:5000/app", tag: "1.0")
        #expect(reference.description == "example.com:5000/app:1.0")
        #expect(throws: ImageError.self) { try ImageReference(name: "app", tag: "a:b") }
        #expect(throws: ImageError.self) { try ImageReference(name: "App") }
        #expect(try ImageReference(name: String(repeating: "a", count: 255)).tag == "latest")
    }
}
