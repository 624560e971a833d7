import KeelFormats
import KeelTesting
import Testing

@Suite("Store paths", .ownThreads)
struct StorePathTests {
    let store = StorePathComputer(storeDirectory: .nix)
    let helloNAR = try! NixHash(parsing: "sha256:1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13")
    let helloFlat = StreamingHasher.hash(.sha256, Array("hello\n".utf8))

    @Test("source, text and fixed-output paths match the spec's worked examples")
    func workedExamples() throws {
        #expect(
            try store.sourcePath(narHash: helloNAR, name: "hello.txt").baseName
                == "i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt")
        #expect(
            try store.fixedOutputPath(method: .flat, hash: helloFlat, name: "hello.txt").baseName
                == "gy454w1cxaq731grqwylhzf4pp9r5izh-hello.txt")
        let input = Array("hello\n".utf8)
        #expect(
            try store.fixedOutputPath(method: .flat, hash: StreamingHasher.hash(.md5, input), name: "hello.txt")
                .baseName
                == "dra1cz5vbrhclpv4y1q0psnbkxz581bk-hello.txt")
        #expect(
            try store.fixedOutputPath(method: .flat, hash: StreamingHasher.hash(.sha1, input), name: "hello.txt")
                .baseName == "svdva85yi507g9vncgsaxvnd1r808h4w-hello.txt")
        #expect(
            try store.fixedOutputPath(method: .flat, hash: StreamingHasher.hash(.sha512, input), name: "hello.txt")
                .baseName == "9a8mxachqmcv8x2cfijdps9dyxgyyrzm-hello.txt")
        #expect(
            try store.textPath(contentHash: helloFlat, name: "hello.txt").baseName
                == "qa1w9gdfrba6jl2r57mb3c43863gqywp-hello.txt")
    }

    @Test("a text path with references hashes them sorted")
    func textWithReferences() throws {
        let contents =
            "ref: /nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt and /nix/store/3nvf6dcif50jipzc4f34hvpkp3hf3s9i-t1\n"
        let references = [
            try StorePath(baseName: "i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt"),
            try StorePath(baseName: "3nvf6dcif50jipzc4f34hvpkp3hf3s9i-t1"),
        ]
        let path = try store.textPath(
            contentHash: StreamingHasher.hash(.sha256, Array(contents.utf8)), name: "r.txt", references: references)
        #expect(path.baseName == "x4pps8rppa7hwikf8clbznz1ckwxbba6-r.txt")
    }

    @Test("the store directory is part of the hash")
    func storeDirectoryMatters() throws {
        let other = StorePathComputer(storeDirectory: try StoreDirectory("/tmp/nixfmt-store"))
        #expect(
            try other.sourcePath(narHash: helloNAR, name: "hello.txt").baseName
                == "jybx26qffigdhir2lgkhm16c95569wy0-hello.txt")
    }

    @Test("names of 211 characters are accepted and 212 refused")
    func nameLength() throws {
        try StorePath.validateName(String(repeating: "a", count: 211))
        #expect(throws: StorePathError.nameTooLong(String(repeating: "a", count: 212), length: 212)) {
            try StorePath.validateName(String(repeating: "a", count: 212))
        }
    }

    @Test(
        "illegal and reserved names are refused", arguments: ["a b", "a@b", "é", "", ".", "..", ".-x", "..-x", "a/b"])
    func badNames(name: String) {
        #expect(throws: StorePathError.self) { try StorePath.validateName(name) }
    }

    @Test("names Nix allows are accepted", arguments: ["hello-1.0", "a+b=c?d_e", ".hidden", "..dots", "x.drv"])
    func goodNames(name: String) throws {
        try StorePath.validateName(name)
    }

    @Test("full paths parse only directly inside the store directory")
    func parsing() throws {
        let path = try StoreDirectory.nix.parse("/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt")
        #expect(path.name == "hello.txt")
        #expect(throws: StorePathError.self) {
            try StoreDirectory.nix.parse("/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt/x")
        }
        #expect(throws: StorePathError.self) {
            try StoreDirectory.nix.parse("/other/i9pmrzmpshapij2kin22pff6fc2adavx-x")
        }
        #expect(throws: StorePathError.self) {
            try StoreDirectory.nix.parse("/nix/store/i9pmrzmpshapij2kin22pff6fc2adavxe-x")
        }
        #expect(throws: StorePathError.self) {
            try StoreDirectory.nix.parse("/nix/store/e9pmrzmpshapij2kin22pff6fc2adavx-x")
        }
        let (inner, rest) = try StoreDirectory.nix.parseWithin(
            "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt/bin/x")
        #expect(inner == path && rest == "/bin/x")
    }

    @Test(
        "store directories must be absolute and normalised",
        arguments: ["relative", "/", "/a/", "/a//b", "/a/./b", "/a/../b"])
    func badStoreDirectories(path: String) {
        #expect(throws: StorePathError.invalidStoreDirectory(path)) { try StoreDirectory(path) }
    }

    @Test("content addresses print and parse in all three forms")
    func contentAddresses() throws {
        for text in [
            "text:sha256:00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq",
            "fixed:sha256:00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq",
            "fixed:r:sha1:" + StreamingHasher.hash(.sha1, [1]).nixBase32,
        ] {
            #expect(try ContentAddress(parsing: text).description == text)
        }
        #expect(throws: ContentAddressError.self) { try ContentAddress(parsing: "nar:sha256:00") }
        #expect(throws: ContentAddressError.self) { try ContentAddress(parsing: "text:md5:4425hx5d1mc9y39llj4k4nm55i") }
    }

    @Test("paths order by their base names' bytes, hash part first, then the name")
    func orderIsBaseNameBytes() throws {
        let hashes = [
            "00xyyr3fi8l6hb839bv3f7yb86yjv7xi", "00xyyr3fi8l6hb839bv3f7yb86yjv7xj", "8nnk8h887pfkfd2dbvlhw4mrws352dbf",
        ]
        let names = ["a", "a-1", "a.1", "B", "hello-2.12", "hello-2.12.1", "x+y"]
        var paths: [StorePath] = []
        for hash in hashes { for name in names { paths.append(try StorePath(hashPart: hash, name: name)) } }
        for left in paths {
            for right in paths {
                #expect((left < right) == left.baseName.utf8.lexicographicallyPrecedes(right.baseName.utf8))
            }
        }
    }
}
