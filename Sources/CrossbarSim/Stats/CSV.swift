// MARK: - The one CSV writer and reader (RFC 4180 quoting, LF line ends)

/// CSV fields and lines, both ways. Every CSV file simrun writes goes through `CSVTable` (or
/// `field` for a file built line by line, such as a sweep's journal), so a layer name, label or
/// path holding a comma, quote, CR or LF never breaks a row.
public enum CSV {
  /// A field, quoted when it holds a comma, a quote, CR or LF (RFC 4180); quotes inside doubled.
  public static func field(_ s: String) -> String {
    var needsQuotes = false
    for b in s.utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true; break }
    guard needsQuotes else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One line of fields (no line end).
  public static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

  /// The fields of one line, as `field` writes them.
  public static func fields(_ line: String) -> [String] {
    var fields: [String] = [], field = "", quoted = false, chars = Array(line.unicodeScalars), i = 0
    while i < chars.count {
      let c = chars[i]
      if quoted {
        if c == "\"" {
          if i + 1 < chars.count, chars[i + 1] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            quoted = false
          }
        } else { field.unicodeScalars.append(c) }
      } else if c == "\"" { quoted = true }
      else if c == "," { fields.append(field); field = "" }
      else { field.unicodeScalars.append(c) }
      i += 1
    }
    fields.append(field)
    return fields
  }
}

extension CSV {
  /// The records of a CSV text as `line` writes them, split at line ends outside quotes (so a field
  /// holding a newline stays one field), and the text after the last line end: empty for a whole
  /// file, a torn last record otherwise. A CRLF line end counts as one.
  public static func records(_ text: String) -> (records: [[String]], rest: String) {
    var records: [[String]] = [], start = text.utf8.startIndex, quoted = false
    let u = text.utf8
    var i = u.startIndex
    while i < u.endIndex {
      let c = u[i]
      if c == 0x22 { quoted.toggle() }
      else if c == 0x0A && !quoted {
        var end = i
        if end > start, u[u.index(before: end)] == 0x0D { end = u.index(before: end) }
        records.append(fields(String(text[start..<end])))
        start = u.index(after: i)
      }
      i = u.index(after: i)
    }
    return (records, String(text[start...]))
  }
}

/// A CSV file: a header and rows of the same width, written with `CSV.field` quoting, one
/// line per row, each ending in LF.
public struct CSVTable: Sendable {
  /// Column names.
  public let header: [String]
  /// Rows, each as wide as the header.
  public private(set) var rows: [[String]] = []

  /// An empty table with `header`.
  public init(header: [String]) { self.header = header }

  /// Appends a row; it must have one field per column.
  public mutating func append(_ fields: [String]) {
    precondition(fields.count == header.count, "CSV row of \(fields.count) fields under \(header.count) columns")
    rows.append(fields)
  }

  /// The file's text.
  public var text: String {
    var out = CSV.line(header) + "\n"
    for r in rows { out += CSV.line(r) + "\n" }
    return out
  }
}
