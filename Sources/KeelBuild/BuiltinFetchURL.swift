import AsyncHTTPClient
import Foundation

/// Nix's `builtin:fetchurl`: downloads `url` into the output (a fixed-output derivation, so the
/// collector checks the hash afterwards). Supports `file://`, `http://` and `https://`, and the
/// `executable` attribute.
enum BuiltinFetchURL {
    /// A download that failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Downloads the `url` attribute to `location`, as Nix's builtin reads its derivation's
    /// own variables (`attributes`), not the builder environment.
    static func fetch(attributes: [String: String], into location: String) throws {
        guard let text = attributes["url"] else {
            throw Failure(description: "builtin:fetchurl: attribute 'url' missing")
        }
        guard let url = URL(string: text) else { throw Failure(description: "builtin:fetchurl: invalid URL '\(text)'") }
        if attributes["unpack"] == "1" {
            throw Failure(description: "builtin:fetchurl: 'unpack' is not supported")
        }
        switch url.scheme {
        case "file":
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw Failure(description: "cannot read '\(url.path)': \(error.localizedDescription)")
            }
            guard FileManager.default.createFile(atPath: location, contents: data) else {
                throw Failure(description: "cannot write '\(location)'")
            }
        case "http", "https":
            try download(text, to: location)
        default:
            throw Failure(description: "builtin:fetchurl: unsupported URL '\(text)' (file, http and https are)")
        }
        let mode = attributes["executable"] == "1" ? 0o755 : 0o644
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: location)
    }

    /// Streams the body of `url` into `location` (redirects followed); refuses a status other
    /// than 2xx.
    private static func download(_ url: String, to location: String) throws {
        let progress: FileDownloadDelegate.Progress
        do {
            let request = try HTTPClient.Request(url: url)
            let delegate = try FileDownloadDelegate(path: location)
            progress = try HTTPClient.shared.execute(request: request, delegate: delegate).wait()
        } catch {
            throw Failure(description: "cannot download '\(url)': \(error)")
        }
        let status = progress.head.status
        guard (200..<300).contains(Int(status.code)) else {
            throw Failure(description: "cannot download '\(url)': HTTP status \(status.code) \(status.reasonPhrase)")
        }
    }
}
