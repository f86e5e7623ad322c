import Foundation
import Testing
@testable import CrossbarSim

@Suite("CSV and JSON writers")
struct WriterTests {
  static let awkward = ["plain", "a,b", "say \"hi\"", "line\nbreak", "carriage\rreturn", "crlf\r\nend", "tab\there", "",
                        "ünïcödé", "\u{01}control"]

  @Test("CSV quotes a field with a comma, quote, CR or LF (RFC 4180), doubles its quotes, and reads back what it wrote")
  func csv() {
    #expect(CSV.field("a,b") == "\"a,b\"" && CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSV.field("carriage\rreturn") == "\"carriage\rreturn\"" && CSV.field("plain") == "plain")
    #expect(CSV.fields(CSV.line(Self.awkward)) == Self.awkward)
    var t = CSVTable(header: ["name", "value"])
    t.append(["a,b", "1"])
    #expect(t.text == "name,value\n\"a,b\",1\n")
  }

  @Test("JSON escapes quotes, backslashes and every control character: Foundation's parser reads back every string")
  func json() throws {
    let value = JSONValue.object(Self.awkward.enumerated().map { .init("k\($0.offset)\u{07}", .string($0.element)) } + [
      .init("n", .number(1.5)), .init("whole", .number(3)), .init("nan", .number(.nan)), .init("i", .integer(-2)),
      .init("b", .bool(true)), .init("none", .null), .init("list", .array([.string("x\ty"), .number(2)], inline: true)),
    ])
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.document.utf8)) as? [String: Any])
    for (i, s) in Self.awkward.enumerated() { #expect(parsed["k\(i)\u{07}"] as? String == s) }
    #expect(parsed["n"] as? Double == 1.5 && parsed["whole"] as? Int == 3 && parsed["nan"] is NSNull)
    #expect(parsed["i"] as? Int == -2 && parsed["b"] as? Bool == true && parsed["none"] is NSNull)
    #expect(JSONValue.quote("a\u{1F}b") == "\"a\\u001fb\"" && JSONValue.quote("plain") == "\"plain\"")
  }

  @Test("the stats tree renders leaves inline and groups indented")
  func statsLayout() {
    let tree = StatNode.group([("chip", .group([("latency", .value(2.5, unit: "ns")), ("arch", .text("x\"y"))])),
                               ("empty", .group([]))])
    #expect(tree.json() == "{\n  \"chip\": {\n    \"latency\": {\"value\": 2.5, \"unit\": \"ns\"},\n    \"arch\": \"x\\\"y\"\n  },\n  \"empty\": {}\n}")
    #expect(tree.csvTable.text == "path,stat,value,unit\nchip,latency,2.5,ns\nchip,arch,\"x\"\"y\",\n")
  }
}
