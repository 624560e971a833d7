import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Nix's `builtin:fetchurl`: downloads `url` into the output (a fixed-output derivation, so the
/// collector checks the hash afterwards). Supports `file://`, `http://` and `https://`, and the
/// `executable` attribute.
enum BuiltinFetchURL {
    /// A download that failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func fetch(environment: [String: String], into location: String) throws {
        guard let text = environment["url"], let url = URL(string: text) else {
            throw Failure(description: "builtin:fetchurl needs a 'url' attribute")
        }
        if environment["unpack"] == "1" {
            throw Failure(description: "builtin:fetchurl: 'unpack' is not supported")
        }
        let data: Data
        switch url.scheme {
        case "file":
            do { data = try Data(contentsOf: url) } catch {
                throw Failure(description: "cannot read '\(url.path)': \(error.localizedDescription)")
            }
        case "http", "https":
            data = try download(url)
        default:
            throw Failure(description: "builtin:fetchurl: unsupported URL '\(text)' (file, http and https are)")
        }
        guard FileManager.default.createFile(atPath: location, contents: data) else {
            throw Failure(description: "cannot write '\(location)'")
        }
        let mode = environment["executable"] == "1" ? 0o755 : 0o644
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: location)
    }

    private static func download(_ url: URL) throws -> Data {
        final class Result: @unchecked Sendable {
            var data: Data?
            var failure: String?
        }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        let session = URLSession(configuration: configuration)
        let task = session.dataTask(with: url) { data, response, error in
            if let error {
                result.failure = error.localizedDescription
            } else if let response = response as? HTTPURLResponse, !(200..<300).contains(response.statusCode) {
                result.failure = "HTTP status \(response.statusCode)"
            } else {
                result.data = data ?? Data()
            }
            done.signal()
        }
        task.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        guard let data = result.data else {
            throw Failure(description: "cannot download '\(url.absoluteString)': \(result.failure ?? "no data")")
        }
        return data
    }
}
