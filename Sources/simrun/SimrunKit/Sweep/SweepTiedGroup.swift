import CrossbarSim
import Yams

// MARK: - Tied grid keys: parameters that move together, one labelled design per value

extension SweepParameter {
  /// Whether `values` describes a tied group: a list of mappings under a key that names no parameter
  /// (`array: [{label: 64x64, arch.ima.crossbar.rows: 64, arch.ima.crossbar.columns: 64}, ...]`).
  static func isTiedGroup(name: String, values: Node) -> Bool {
    guard let list = values.sequence, !list.isEmpty, list.allSatisfy({ $0.mapping != nil }) else { return false }
    let first = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
    return !["arch", "mapper", "compress"].contains(first) && RunSetup.setting(key: name) == nil
  }

  /// A tied group: each element of `values` is one design, giving a value to every member key (the
  /// same keys in each) and optionally a `label`; the CSV column `name` shows the label (default:
  /// the members' values, `rows=64 columns=64`).
  init(tiedGroup name: String, values: Node, source: String) throws {
    let at = "\(source): grid '\(name)'"
    let designs = values.sequence!.map { $0.mapping! }
    var keys: [String] = []
    for (k, _) in designs[0] where k.string != "label" { keys.append(k.string ?? "") }
    guard !keys.isEmpty else { throw InputError("\(at)[0]: a tied design needs at least one parameter besides label") }
    var labels: [String] = [], columns = [[Node]](repeating: [], count: keys.count)
    for (i, d) in designs.enumerated() {
      let given = d.compactMap { $0.key.string }.filter { $0 != "label" }
      guard Set(given) == Set(keys), given.count == keys.count else {
        throw InputError("\(at)[\(i)]: every design of a tied group sets the same keys " +
            "(\(keys.joined(separator: ", "))); this one sets \(given.joined(separator: ", "))")
      }
      for (j, k) in keys.enumerated() { columns[j].append(d[Node(k)]!) }
      if let l = d["label"] {
        guard let text = l.scalar?.string, !text.isEmpty else { throw InputError("\(at)[\(i)].label: expected text") }
        labels.append(text)
      } else {
        labels.append(keys.enumerated().map { j, k in
          "\(k.split(separator: ".").last ?? Substring(k))=\(columns[j][i].scalar?.string ?? "?")"
        }.joined(separator: " "))
      }
    }
    if let dup = Dictionary(grouping: labels.indices, by: { labels[$0] }).first(where: { $0.value.count > 1 }) {
      throw InputError("\(at): designs \(dup.value.map(String.init).joined(separator: " and ")) share the label " +
          "'\(dup.key)'; each design needs its own")
    }
    let members = try keys.enumerated().map { j, k -> SweepParameter in
      if Self.isTiedGroup(name: k, values: Node(columns[j])) || k == name {
        throw InputError("\(at): a tied group cannot hold another ('\(k)')")
      }
      return try SweepParameter(name: k, values: Node(columns[j]), source: "\(source): grid '\(name)' member")
    }
    self.init(name: name, target: .tied, domain: .list(labels.map { .scalar($0) }), members: members)
  }

  /// The index of the design `v` names.
  func design(_ v: SweepValue) throws -> Int {
    guard case .list(let labels) = domain, let k = labels.firstIndex(of: v) else {
      throw InputError("grid '\(name)': no design labelled '\(v.text)'")
    }
    return k
  }
}
