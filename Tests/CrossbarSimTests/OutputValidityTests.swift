import Foundation
import Testing
import TestSupport
@testable import CrossbarSim

/// The validators the corpus runs apply to every output: each must refuse what its standard
/// refuses (else a corpus run proves nothing), and accept what the writers write.
@Suite("Output validators")
struct OutputValidityTests {
  @Test("strict JSON: accepts RFC 8259 documents; refuses bare NaN, raw controls, duplicate keys, leading zeros, trailing commas")
  func json() {
    for good in [#"{"a": [1, -0.5, 2e10, true, null], "b": "x\ty\u0001"}"#, "[]", "0", #""\/""#] {
      #expect(OutputValidity.json(Array(good.utf8)) == nil, "\(good)")
    }
    let bad = [#"{"a": NaN}"#, "{\"a\": \"x\u{01}y\"}", #"{"a": 1, "a": 2}"#, "[01]", "[1,]", #"{"a" 1}"#, "[1] [2]",
               #"{"a": inf}"#, #"["\x"]"#, "[1.]", "", #"{"a": "b"#]
    for b in bad { #expect(OutputValidity.json(Array(b.utf8)) != nil, "\(b)") }
    #expect(OutputValidity.json(Array(#"{"k": {"a": 1}, "j": {"a": 2}}"#.utf8)) == nil)   // same key, two objects
    // What JSONValue writes for awkward strings and a non-finite number is strict JSON.
    let v = JSONValue.object(WriterTests.awkward.map { .init($0, .string($0)) } + [.init("x", .number(.infinity))])
    #expect(OutputValidity.json(Array(v.document.utf8)) == nil)
  }

  @Test("RFC 4180 CSV: quoted CR, LF and quotes pass; a bare CR, a stray quote, a ragged row or an open quote fail")
  func csv() {
    var t = CSVTable(header: ["label", "value"])
    for s in WriterTests.awkward { t.append([s, "1"]) }
    #expect(OutputValidity.csv(Array(t.text.utf8)) == nil)
    #expect(OutputValidity.csv(Array("a,b\r\n1,2\r\n".utf8)) == nil)
    for bad in ["a,b\n1\n", "a,b\n1\r,2\n", "a,b\nx\"y,2\n", "a,b\n\"open,2\n", "a,b\n1,2", "a,b\n\"q\"x,2\n", ""] {
      #expect(OutputValidity.csv(Array(bad.utf8)) != nil, "\(bad.debugDescription)")
    }
  }

  @Test("SVG: well-formed XML passes; an unescaped '<' or '&', or a control character, fails")
  func svg() {
    #expect(OutputValidity.xml(Data(#"<svg><text a="1">x &amp; y</text></svg>"#.utf8)) == nil)
    for bad in ["<svg><text>a < b</text></svg>", "<svg><text>a & b</text></svg>", "<svg><text>\u{01}</text></svg>",
                "<svg><text></svg>"] {
      #expect(OutputValidity.xml(Data(bad.utf8)) != nil, "\(bad.debugDescription)")
    }
  }
}
