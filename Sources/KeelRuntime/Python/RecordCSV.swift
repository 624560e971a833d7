/// The CSV dialect of a wheel's RECORD file, as Python's `csv` module reads and writes it by
/// default: fields separated by `,`, quoted with `"` (a quote inside doubled) when they hold
/// `,`, `"`, CR or LF; rows ended by CR LF when written, by LF or CR LF when read.
enum RecordCSV {
    /// The rows of `text`; blank lines are skipped.
    ///
    /// - Throws: `RuntimeError` (saying `what`) for a quoted field that is never closed or is
    ///   followed by other characters.
    static func rows(of text: String, what: String) throws(RuntimeError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [Unicode.Scalar] = []
        var scalars = Array(text.unicodeScalars)[...]
        var line = 1
        var fieldWasQuoted = false
        func endField() {
            row.append(String(String.UnicodeScalarView(field)))
            field = []
            fieldWasQuoted = false
        }
        func endRow() {
            if !(row.isEmpty && field.isEmpty && !fieldWasQuoted) {
                endField()
                rows.append(row)
            }
            row = []
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                fieldWasQuoted = true
                var closed = false
                while let inner = scalars.popFirst() {
                    if inner == "\"" {
                        if scalars.first == "\"" {
                            scalars.removeFirst()
                            field.append("\"")
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        if inner == "\n" { line += 1 }
                        field.append(inner)
                    }
                }
                guard closed else {
                    throw RuntimeError("\(what): line \(line) has a quoted field that is never closed")
                }
                guard scalars.isEmpty || [",", "\r", "\n"].contains(scalars.first) else {
                    throw RuntimeError("\(what): line \(line) has characters after a quoted field")
                }
            case ",":
                endField()
            case "\r" where scalars.first == "\n" || scalars.isEmpty:
                break
            case "\n":
                endRow()
                line += 1
            default:
                field.append(scalar)
            }
        }
        endRow()
        return rows
    }

    /// `rows` as CSV text, each row ended by CR LF.
    static func text(of rows: [[String]]) -> String {
        var text = ""
        for row in rows {
            text += row.map(quoted).joined(separator: ",")
            text += "\r\n"
        }
        return text
    }

    /// A field, quoted when it must be.
    private static func quoted(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { [",", "\"", "\r", "\n"].contains($0) }) else { return field }
        var result = String.UnicodeScalarView()
        result.append("\"")
        for scalar in field.unicodeScalars {
            if scalar == "\"" { result.append("\"") }
            result.append(scalar)
        }
        result.append("\"")
        return String(result)
    }
}
