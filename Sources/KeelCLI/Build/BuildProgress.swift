import KeelBuild
import KeelFormats
import KeelLinux
import KeelStore

/// Progress lines on stderr while builds run: `building 'DRV'...`, and with -L each builder
/// line prefixed by its derivation's name.
enum BuildProgress {
    static func events(store: LocalStore, printLogs: Bool) -> BuildEvents {
        BuildEvents(wantsLogLines: printLogs) { event in
            switch event {
            case .started(let path, let check):
                StandardErrorLine.write("\(check ? "checking" : "building") '\(store.fullPath(path))'...")
            case .finished:
                break
            case .log(let path, let line):
                StandardErrorLine.write("\(path.name.dropLast(4))> \(line)")
            }
        }
    }
}
