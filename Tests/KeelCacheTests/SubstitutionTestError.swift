/// A failure in a substitution test's setup.
struct SubstitutionTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
