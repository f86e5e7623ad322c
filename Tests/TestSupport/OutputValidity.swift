import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks that an output file is what its extension promises, to the letter of its standard, so
/// that other tools can read it: strict JSON (RFC 8259, and no key twice in an object), CSV (RFC
/// 4180 with LF or CRLF line ends, every record as wide as the header), and SVG as well-formed
/// XML 1.0 (libxml2 through Foundation's `XMLParser`). Every file must be UTF-8.
public enum OutputValidity {
  /// Problems with the file at `path` (empty: valid); files of other kinds are only read as UTF-8.
  public static func problems(at path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return ["\(path): unreadable"] }
    guard String(data: data, encoding: .utf8) != nil else { return ["\(path): not UTF-8"] }
    let name = (path as NSString).lastPathComponent
    switch (path as NSString).pathExtension {
    case "json": return json(Array(data)).map { ["\(name): \($0)"] } ?? []
    case "csv": return csv(Array(data)).map { ["\(name): \($0)"] } ?? []
    case "svg": return xml(data).map { ["\(name): \($0)"] } ?? []
    case "html":
      let folder = (path as NSString).deletingLastPathComponent
      return (xml(data).map { [$0] } ?? []).map { "\(name): \($0)" } +
        selfContained(String(decoding: data, as: UTF8.self), folder: folder).map { "\(name): \($0)" }
    default: return []
    }
  }

  /// Why the page `html` is not self-contained, in the folder `folder`: a script, a stylesheet or
  /// image fetched from elsewhere (`<script`, `<link`, `<img`, `<iframe`, `src=`, CSS `url(` or
  /// `@import`), or a link that leaves the folder or names a file that is not there. Links within
  /// the page (`#id`) are allowed.
  public static func selfContained(_ html: String, folder: String) -> [String] {
    var problems: [String] = []
    let lower = html.lowercased()
    for banned in ["<script", "<link", "<img", "<iframe", "<object", "<embed", " src=", "url(", "@import"]
    where lower.contains(banned) {
      problems.append("not self-contained: it holds '\(banned)'")
    }
    var rest = Substring(html)
    while let r = rest.range(of: "href=\"") {
      let after = rest[r.upperBound...]
      guard let end = after.firstIndex(of: "\"") else { problems.append("an unterminated href"); break }
      let target = String(after[..<end]).replacingOccurrences(of: "&amp;", with: "&")
      rest = after[after.index(after: end)...]
      if target.hasPrefix("#") { continue }
      if target.contains(":") || target.hasPrefix("/") || target.split(separator: "/").contains("..") {
        problems.append("link '\(target)' leaves the folder")
        continue
      }
      let file = target.removingPercentEncoding ?? target
      if !FileManager.default.fileExists(atPath: "\(folder)/\(file)") {
        problems.append("link '\(target)': no such file in the folder")
      }
    }
    return problems
  }

  /// Problems with every file under `dir` (recursively).
  public static func problems(inFolder dir: String) -> [String] {
    let files = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    return files.flatMap { f -> [String] in
      var isDir: ObjCBool = false
      let p = "\(dir)/\(f)"
      guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue else { return [] }
      return problems(at: p)
    }
  }

  // MARK: CSV (RFC 4180)

  /// The first problem of `b` as CSV, or nil.
  public static func csv(_ b: [UInt8]) -> String? {
    guard !b.isEmpty else { return "empty" }
    var i = 0, record = 1, width: Int?
    while i < b.count {
      var fields = 1
      while true {   // one field
        if i < b.count, b[i] == 0x22 {
          i += 1
          while true {
            guard i < b.count else { return "record \(record): a quoted field never closes" }
            if b[i] == 0x22 {
              if i + 1 < b.count, b[i + 1] == 0x22 { i += 2; continue }
              i += 1; break
            }
            i += 1
          }
        } else {
          while i < b.count, ![0x2C, 0x0A, 0x0D].contains(b[i]) {
            if b[i] == 0x22 { return "record \(record): a quote inside an unquoted field" }
            i += 1
          }
        }
        guard i < b.count else { return "record \(record): no line end after the last record" }
        if b[i] == 0x2C { fields += 1; i += 1; continue }
        if b[i] == 0x0D {
          guard i + 1 < b.count, b[i + 1] == 0x0A else { return "record \(record): a bare CR outside quotes" }
          i += 1
        }
        guard b[i] == 0x0A else { return "record \(record): text after a closing quote" }
        i += 1
        break
      }
      if let w = width, w != fields { return "record \(record) has \(fields) fields under \(w) columns" }
      width = width ?? fields
      record += 1
    }
    return nil
  }

  // MARK: JSON (RFC 8259, no duplicate keys)

  /// The first problem of `b` as one JSON document, or nil.
  public static func json(_ b: [UInt8]) -> String? {
    var p = JSONCheck(b: b)
    do {
      p.space()
      try p.value(depth: 0)
      p.space()
      if p.i != b.count { throw JSONCheck.Problem(at: p.i, "text after the document") }
      return nil
    } catch let e as JSONCheck.Problem {
      return "byte \(e.at): \(e.what)"
    } catch { return "\(error)" }
  }

  private struct JSONCheck {
    struct Problem: Error { let at: Int; let what: String; init(at: Int, _ what: String) { self.at = at; self.what = what } }
    let b: [UInt8]
    var i = 0

    mutating func space() { while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 } }
    func fail(_ what: String) -> Problem { Problem(at: i, what) }

    mutating func value(depth: Int) throws {
      guard depth < 512 else { throw fail("nested deeper than 512") }
      guard i < b.count else { throw fail("a value expected, the text ends") }
      switch b[i] {
      case UInt8(ascii: "{"):
        i += 1; space()
        var keys = Set<[UInt8]>()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
          space()
          guard i < b.count, b[i] == 0x22 else { throw fail("a key (string) expected") }
          let start = i
          try string()
          let key = Array(b[start..<i])
          guard keys.insert(key).inserted else {
            throw fail("key \(String(decoding: key, as: UTF8.self)) appears twice in one object")
          }
          space()
          guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("':' expected") }
          i += 1; space()
          try value(depth: depth + 1)
          space()
          guard i < b.count else { throw fail("the object never closes") }
          if b[i] == UInt8(ascii: ",") { i += 1; continue }
          guard b[i] == UInt8(ascii: "}") else { throw fail("',' or '}' expected") }
          i += 1; return
        }
      case UInt8(ascii: "["):
        i += 1; space()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
          space()
          try value(depth: depth + 1)
          space()
          guard i < b.count else { throw fail("the array never closes") }
          if b[i] == UInt8(ascii: ",") { i += 1; continue }
          guard b[i] == UInt8(ascii: "]") else { throw fail("',' or ']' expected") }
          i += 1; return
        }
      case 0x22: try string()
      case UInt8(ascii: "t"): try literal("true")
      case UInt8(ascii: "f"): try literal("false")
      case UInt8(ascii: "n"): try literal("null")
      default: try number()
      }
    }

    mutating func literal(_ word: String) throws {
      let w = Array(word.utf8)
      guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { throw fail("not a JSON value") }
      i += w.count
    }

    mutating func string() throws {
      i += 1
      while i < b.count {
        let c = b[i]
        if c == 0x22 { i += 1; return }
        if c < 0x20 { throw fail("control character \(c) unescaped in a string") }
        if c == 0x5C {
          guard i + 1 < b.count else { break }
          let e = b[i + 1]
          if e == UInt8(ascii: "u") {
            guard i + 6 <= b.count, b[(i + 2)..<(i + 6)].allSatisfy({ isHex($0) }) else { throw fail("bad \\u escape") }
            i += 6; continue
          }
          guard Array("\"\\/bfnrt".utf8).contains(e) else { throw fail("bad escape \\\(Character(UnicodeScalar(e)))") }
          i += 2; continue
        }
        i += 1
      }
      throw fail("a string never closes")
    }

    func isHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c) }
    func isDigit(_ k: Int) -> Bool { k < b.count && (0x30...0x39).contains(b[k]) }

    mutating func number() throws {
      let start = i
      if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
      guard isDigit(i) else { throw fail("not a JSON value") }
      if b[i] == 0x30 { i += 1; if isDigit(i) { throw fail("a number with a leading zero") } }
      else { while isDigit(i) { i += 1 } }
      if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        guard isDigit(i) else { throw fail("no digit after the decimal point") }
        while isDigit(i) { i += 1 }
      }
      if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw fail("no digit in the exponent") }
        while isDigit(i) { i += 1 }
      }
      guard i > start else { throw fail("not a JSON value") }
    }
  }

  // MARK: SVG (well-formed XML 1.0)

  /// The parser's complaint about `data` as XML, or nil when it is well-formed. Elements are also
  /// matched by name here, as Foundation's parser on Linux recovers from a mismatched end tag.
  public static func xml(_ data: Data) -> String? {
    #if canImport(FoundationXML) || os(macOS)
    let parser = XMLParser(data: data), check = TagBalance()
    parser.delegate = check
    let ok = parser.parse()
    if let e = check.error ?? (ok ? nil : "\(parser.parserError.map { "\($0)" } ?? "?")") {
      return "not well-formed XML (line \(parser.lineNumber), column \(parser.columnNumber)): \(e)"
    }
    return check.open.isEmpty && check.roots == 1 ? nil : "elements left open: \(check.open), roots \(check.roots)"
    #else
    return nil
    #endif
  }
}

#if canImport(FoundationXML) || os(macOS)
private final class TagBalance: NSObject, XMLParserDelegate {
  var open: [String] = [], roots = 0, error: String?
  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String] = [:]) {
    if open.isEmpty { roots += 1 }
    open.append(name)
  }
  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if open.last == name { open.removeLast() } else if error == nil { error = "</\(name)> closes <\(open.last ?? "")>" }
  }
  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
    if error == nil { error = "\(parseError)" }
  }
}
#endif
