// libyaml (Yams' C target, which SwiftPM makes visible with Yams): its event stream, not composed nodes.
import CYaml

/// Measures a YAML document from libyaml's event stream before Yams composes it.
///
/// Composing is not safe on its own: Yams resolves an alias to the anchored node and hashes every
/// mapping key in full to find duplicates, so a key that is an alias of a "billion laughs" tree
/// (`*h: 1`) hangs the parser before any check on the composed tree can run (found by the RunFile
/// fuzzer). This pass sees each event once, counts the values every anchor expands to, and refuses
/// a document that expands past the bound or whose mapping keys are not plain scalars.
enum YAMLExpansion {
  /// Why a document is refused, or nil when it is well within the bounds: malformed YAML (with
  /// libyaml's problem, line and column, not the offending line, which may be megabytes long), too
  /// many values, too deep, or a key that is not a plain scalar.
  static func problem(in text: String, maximumValues: Int, maximumDepth: Int) -> String? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer -> String? in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var scan = Scan(maximumValues: maximumValues, maximumDepth: maximumDepth)
      while true {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { return malformed(parser) }
        defer { yaml_event_delete(&event) }
        if event.type == YAML_STREAM_END_EVENT { return nil }
        if let problem = scan.take(event) { return problem }
      }
    }
  }

  private static func malformed(_ parser: yaml_parser_t) -> String {
    let problem = parser.problem.map { String(cString: $0) } ?? "cannot parse"
    let mark = parser.problem_mark
    return "malformed YAML/JSON at line \(mark.line + 1), column \(mark.column + 1): \(problem)"
  }

  /// The open containers and the expanded size of every anchor seen so far.
  private struct Scan {
    struct Frame { var isMapping: Bool; var values: Int; var items: Int; var anchor: String? }
    let maximumValues: Int
    let maximumDepth: Int
    var frames: [Frame] = []
    var anchors: [String: Int] = [:]
    /// Values of the finished top-level nodes and of the open containers.
    var values = 0

    init(maximumValues: Int, maximumDepth: Int) {
      self.maximumValues = maximumValues
      self.maximumDepth = maximumDepth
    }

    /// True when the next node of the innermost container is a mapping key.
    var atKey: Bool { frames.last.map { $0.isMapping && $0.items % 2 == 0 } ?? false }

    mutating func take(_ event: yaml_event_t) -> String? {
      switch event.type {
      case YAML_SCALAR_EVENT:
        finish(values: 1, anchor: name(event.data.scalar.anchor))
        return count(1)
      case YAML_ALIAS_EVENT:
        if atKey { return "a mapping key must be a plain name, not an alias" }
        let size = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
        finish(values: size, anchor: nil)
        return count(size)
      case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
        if atKey { return "a mapping key must be a plain name, not a list or mapping" }
        let isMapping = event.type == YAML_MAPPING_START_EVENT
        let anchor = isMapping ? name(event.data.mapping_start.anchor) : name(event.data.sequence_start.anchor)
        guard frames.count < maximumDepth else { return "lists and mappings nest deeper than \(maximumDepth) levels" }
        frames.append(Frame(isMapping: isMapping, values: 1, items: 0, anchor: anchor))
        return count(1)
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let frame = frames.popLast() else { return nil }
        finish(values: frame.values, anchor: frame.anchor)
        return nil
      default:
        return nil
      }
    }

    /// Counts a finished node into its container and records its anchor.
    private mutating func finish(values: Int, anchor: String?) {
      if let anchor { anchors[anchor] = values }
      if !frames.isEmpty {
        frames[frames.count - 1].values += values
        frames[frames.count - 1].items += 1
      }
    }

    /// Adds the values a new node brings to the document's running size.
    private mutating func count(_ added: Int) -> String? {
      values += added
      return values > maximumValues
        ? "the document holds more than \(maximumValues) values, counting what its aliases expand to" : nil
    }

    private func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
      pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
  }
}
