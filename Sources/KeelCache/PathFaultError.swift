/// A `PathFault` thrown out of a lookup.
struct PathFaultError: Error {
    let fault: PathFault
}
