import CrossbarSim
import Foundation

// MARK: - report.html: one self-contained page (inline CSS and SVG, no script, no network)

/// A report page built part by part: headings, a setup paragraph, a verdict box, tables, inline SVG
/// plots and links to the folder's files. The page is well-formed XML as well as HTML (every element
/// closed, every text escaped), so any XML parser can check it, and it names nothing outside its
/// folder: it opens the same from a laptop, a cluster's file browser or an e-mail attachment.
struct HTMLPage {
  /// The page title (the tab's and the top heading's).
  let title: String
  private var body: [String] = []

  init(title: String) { self.title = title }

  /// `s` escaped for text and attribute values (the SVG writer's rule: XML 1.0 safe).
  static func escape(_ s: String) -> String { SVGChart.escape(s) }

  /// A section heading (level 2 or 3), with an anchor id.
  mutating func heading(_ text: String, level: Int = 2, id: String? = nil) {
    let anchor = id.map { " id=\"\(Self.escape($0))\"" } ?? ""
    body.append("<h\(level)\(anchor)>\(Self.escape(text))</h\(level)>")
  }

  /// A paragraph of plain text; `code` spans are written as `\u{60}text\u{60}`.
  mutating func paragraph(_ text: String, cssClass: String? = nil) {
    let cls = cssClass.map { " class=\"\($0)\"" } ?? ""
    body.append("<p\(cls)>\(Self.inline(text))</p>")
  }

  /// The answer in a box: one line per item, the first in bold.
  mutating func verdict(_ lines: [String]) {
    guard let first = lines.first else { return }
    var s = ["<div class=\"verdict\">", "<p><strong>\(Self.inline(first))</strong></p>"]
    if lines.count > 1 {
      s.append("<ul>")
      s += lines.dropFirst().map { "<li>\(Self.inline($0))</li>" }
      s.append("</ul>")
    }
    s.append("</div>")
    body += s
  }

  /// A bulleted list of plain-text items.
  mutating func list(_ items: [String]) {
    guard !items.isEmpty else { return }
    body.append("<ul>" + items.map { "<li>\(Self.inline($0))</li>" }.joined() + "</ul>")
  }

  /// A table; cells that read as numbers are right-aligned and shown to 4 significant digits
  /// (whole numbers in full). `highlight` rows are shaded. Past `limit` rows the rest is left out
  /// and a line says so (the CSV file has them all).
  mutating func table(header: [String], rows: [[String]], highlight: Set<Int> = [], limit: Int = 400,
                      total: Int? = nil, caption: String? = nil) {
    var s = ["<div class=\"scroll\"><table>"]
    if let caption { s.append("<caption>\(Self.inline(caption))</caption>") }
    s.append("<thead><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>")
    for (i, row) in rows.prefix(limit).enumerated() {
      let cls = highlight.contains(i) ? " class=\"hl\"" : ""
      s.append("<tr\(cls)>" + row.map { cell in
        if let shown = Self.number(cell) { return "<td class=\"n\">\(shown)</td>" }
        return "<td>\(Self.escape(cell))</td>"
      }.joined() + "</tr>")
    }
    s.append("</tbody></table></div>")
    // `total`: the caller built only the first rows of that many.
    let all = max(total ?? rows.count, rows.count)
    if all > min(limit, rows.count) {
      s.append("<p class=\"note\">The first \(min(limit, rows.count)) of \(all) rows; the CSV file holds them " +
               "all.</p>")
    }
    body += s
  }

  /// A CSV file's text as a table (RFC 4180 records), the columns `columns` only when given.
  mutating func table(csv text: String, columns: [String]? = nil, limit: Int = 400, caption: String? = nil) {
    let records = CSV.records(text).records.filter { !($0.count == 1 && $0[0].isEmpty) }
    guard let header = records.first else { return }
    let keep = (columns ?? header).compactMap { header.firstIndex(of: $0) }
    let rows = records.dropFirst().map { r in keep.map { $0 < r.count ? r[$0] : "" } }
    table(header: keep.map { header[$0] }, rows: rows, limit: limit, caption: caption)
  }

  /// An SVG figure inline, in a box that scrolls sideways when the figure is wider than the page.
  mutating func svg(_ text: String) {
    var t = Substring(text)
    if t.hasPrefix("<?xml"), let end = t.range(of: "?>") { t = t[end.upperBound...] }
    body.append("<div class=\"plot\">\(t.trimmingCharacters(in: .whitespacesAndNewlines))</div>")
  }

  /// Links to files in the folder (relative paths), each with what it holds.
  mutating func links(_ files: [(name: String, about: String)]) {
    guard !files.isEmpty else { return }
    body.append("<ul class=\"files\">" + files.map {
      "<li><a href=\"\(Self.escape(Self.href($0.name)))\">\(Self.escape($0.name))</a>: \(Self.escape($0.about))</li>"
    }.joined() + "</ul>")
  }

  /// The whole page.
  var html: String {
    (["<!DOCTYPE html>", "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">", "<head>",
      "<meta charset=\"utf-8\"/>", "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
      "<title>\(Self.escape(title))</title>", "<style>\(Self.css)</style>", "</head>", "<body>",
      "<h1>\(Self.escape(title))</h1>"] + body +
     ["<p class=\"note\">Written by simrun \(SimrunVersion.text). Every figure here is in the CSV and JSON files " +
        "listed above.</p>", "</body>", "</html>"]).joined(separator: "\n") + "\n"
  }

  /// `a/b c.csv` as a relative URL: each path segment percent-encoded.
  static func href(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).map {
      let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))
      return String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0)
    }.joined(separator: "/")
  }

  /// Text with `code` spans: escaped, backquoted parts set in monospace.
  static func inline(_ text: String) -> String {
    let parts = text.split(separator: "`", omittingEmptySubsequences: false)
    guard parts.count % 2 == 1 else { return escape(text) }   // an unmatched backquote: plain text
    return parts.enumerated().map { i, p in i % 2 == 1 ? "<code>\(escape(String(p)))</code>" : escape(String(p)) }
      .joined()
  }

  /// A number for reading: whole numbers in full, others to 4 significant digits.
  static func figure(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    let a = abs(v)
    if a >= 1e15 || a < 1e-3 { return String(format: "%.3e", v) }
    return a >= 1000 ? String(format: "%.0f", v) : String(format: "%.4g", v)
  }

  /// A cell that reads as a number, formatted by `figure`; nil for text (`64x64`, `auto`, `-`).
  static func number(_ cell: String) -> String? {
    guard cell.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true, let v = Double(cell), v.isFinite
    else { return nil }
    return figure(v)
  }

  static let css = """
    body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222;\
    line-height:1.45}h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid \
    #ddd}p.setup{color:#333}.verdict{background:#f3f7fb;border-left:4px solid #4e79a7;padding:8px 14px;margin:14px \
    0}.verdict ul{margin:4px 0 4px 18px;padding:0}.scroll,.plot{overflow-x:auto;margin:10px 0}table{border-collapse:\
    collapse;font-size:13px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;white-space:nowrap}th{\
    background:#f4f4f4;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.hl td{\
    background:#fff6d8}caption{text-align:left;font-size:13px;color:#555;padding:4px 0}code{font-size:12px;\
    background:#f4f4f4;padding:0 3px}p.note{font-size:12px;color:#666}ul.files li{font-size:13px}
    """
}

/// The version the CLI reports (`simrun --version`), also printed at the foot of every report.
public enum SimrunVersion {
  /// The version text.
  public static let text = "0.25.0"
}
