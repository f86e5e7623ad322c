import CrossbarSim
import Foundation
import Yams

// MARK: - One varied parameter of a sweep

/// A value of a parameter at one design point.
public enum SweepValue: Equatable, Sendable {
  case scalar(String)
  case plugin(PluginSpec)
  case plugins([PluginSpec])

  /// As the CSV shows it.
  public var text: String {
    switch self {
    case .scalar(let s): return s
    case .plugin(let p): return p.text
    case .plugins(let steps): return steps.isEmpty ? "none" : steps.map(\.text).joined(separator: " + ")
    }
  }
}

/// A grid key: what it sets on the run, and its values (a list, or a range for random sampling).
struct SweepParameter: Sendable {
  enum Target: Equatable, Sendable {
    /// An arch field, as `--set PATH=VALUE` takes it.
    case arch(String)
    /// A run setting (`RunSetup`'s key: workload, mapper, compress, images, ...).
    case setting(String)
    /// An option of the point's mapper: `mapper.search`.
    case mapperOption(String)
    /// An option of every compressor step of a kind: `compress.prune-rows.ratio`.
    case compressOption(kind: String, option: String)
    /// Several parameters that move together (`members`), one labelled design per value.
    case tied
  }

  enum Domain: Sendable {
    case list([SweepValue])
    /// Uniform in [min, max] (log-uniform with `scale: log`), whole numbers with `integer: true`.
    case range(min: Double, max: Double, log: Bool, integer: Bool)
  }

  let name: String
  let target: Target
  let domain: Domain
  /// A tied group's parameters, each with one value per design, in the group's order (empty otherwise).
  let members: [SweepParameter]

  /// A parameter of `target` with `domain` (a tied group's member, or a group with `members`).
  init(name: String, target: Target, domain: Domain, members: [SweepParameter] = []) {
    self.name = name; self.target = target; self.domain = domain; self.members = members
  }

  init(name: String, values: Node, source: String) throws {
    self.name = name
    members = []
    let at = "\(source): grid '\(name)'"
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    switch (parts.first ?? "", parts.count) {
    case ("arch", 2): target = .arch(parts[1])
    case ("mapper", 2): target = .mapperOption(parts[1])
    case ("compress", 2):
      let ko = parts[1].split(separator: ".", maxSplits: 1).map(String.init)
      guard ko.count == 2, !ko[0].isEmpty, !ko[1].isEmpty else {
        throw InputError("\(at): expected compress.KIND.OPTION, e.g. compress.prune-rows.ratio")
      }
      target = .compressOption(kind: ko[0], option: ko[1])
    case (let key, 1) where RunSetup.setting(key: key) != nil: target = .setting(key)
    default:
      throw InputError("\(at): unknown parameter (give arch.PATH as --set takes it, mapper.OPTION, " +
          "compress.KIND.OPTION, or a run setting: \(RunSetup.settings.map(\.key).joined(separator: ", ")))")
    }
    if let m = values.mapping {
      guard Self.takesNumbers(target) else { throw InputError("\(at): a range {min, max} needs a numeric parameter; " +
          "give a list of values") }
      for (k, _) in m where !["min", "max", "scale", "integer"].contains(k.string ?? "") {
        throw InputError("\(at): unknown range key '\(k.string ?? "?")' (known: min, max, scale, integer)")
      }
      guard let lo = m["min"]?.float, let hi = m["max"]?.float, lo.isFinite, hi.isFinite, lo <= hi else {
        throw InputError("\(at): a range needs finite numbers min <= max")
      }
      let scale = m["scale"]?.string ?? "linear"
      guard ["linear", "log"].contains(scale) else { throw InputError("\(at): scale \(scale): expected linear or log") }
      if scale == "log", lo <= 0 { throw InputError("\(at): scale log needs min > 0") }
      let integer = m["integer"]?.bool ?? false
      if integer {   // whole-number bounds within 2^53, so every draw converts exactly
        _ = try Int(checked: lo, "\(at): min", rounding: .up)
        _ = try Int(checked: hi, "\(at): max", rounding: .down)
      }
      if integer, lo.rounded(.up) > hi { throw InputError("\(at): no whole number lies in [\(lo), \(hi)]") }
      domain = .range(min: lo, max: hi, log: scale == "log", integer: integer)
      return
    }
    guard let list = values.sequence else { throw InputError("\(at): expected a list of values (or a range {min, " +
        "max} with random:)") }
    guard !list.isEmpty else { throw InputError("\(at): the list of values is empty (the grid would have no points)") }
    let t = target
    domain = .list(try list.enumerated().map { i, n in try Self.value(n, target: t, at: "\(at)[\(i)]") })
  }

  /// Whether a range of numbers can stand for a target's values: arch fields, plug-in options,
  /// whole-number settings.
  static func takesNumbers(_ target: Target) -> Bool {
    switch target {
    case .arch, .mapperOption, .compressOption: return true
    case .tied: return false
    case .setting(let key):
      let t = RunSetup.setting(key: key)!.valueType
      return t == Int.self || t == UInt64.self
    }
  }

  static func value(_ n: Node, target: Target, at: String) throws -> SweepValue {
    guard case .setting(let key) = target else {
      guard let s = n.scalar?.string else { throw InputError("\(at): expected a single value") }
      return .scalar(s)
    }
    switch RunSetup.setting(key: key)!.valueType {
    case is PluginSpec.Type: return .plugin(try plugin(n, at: at))
    case is [PluginSpec].Type:
      if let seq = n.sequence { return .plugins(try seq.enumerated().map { try plugin($1, at: "\(at)[\($0)]") }) }
      if let s = n.string, s == "none" || s.isEmpty { return .plugins([]) }
      return .plugins([try plugin(n, at: at)])
    default:
      guard let s = n.scalar?.string else { throw InputError("\(at): expected a single value") }
      return .scalar(s)
    }
  }

  /// `kind:key=value,...` or `{kind, options}`.
  static func plugin(_ n: Node, at: String) throws -> PluginSpec {
    if let s = n.scalar?.string { return try PluginSpec(s, what: at) }
    guard let m = n.mapping, let kind = m["kind"]?.string else { throw InputError("\(at): expected KIND:OPTIONS or " +
        "{kind, options}") }
    for (k, _) in m where !["kind", "options"].contains(k.string ?? "") {
      throw InputError("\(at): unknown key '\(k.string ?? "?")' (known: kind, options)")
    }
    var options: [String: String] = [:]
    if let o = m["options"] {
      guard let om = o.mapping else { throw InputError("\(at): 'options' must map names to values") }
      for (k, v) in om {
        guard let key = k.string, let value = v.scalar?.string else { throw InputError("\(at).options: each option " +
            "is NAME: VALUE") }
        options[key] = value
      }
    }
    return PluginSpec(kind: kind, options: options)
  }

  var isRange: Bool { if case .range = domain { return true } else { return false } }
  var isOption: Bool {
    switch target { case .mapperOption, .compressOption: return true; default: return false }
  }
  /// Whether it sets `key` (itself or as a member of a tied group).
  func sets(_ key: String) -> Bool { target == .setting(key) || members.contains { $0.sets(key) } }
  var valueCount: Int { if case .list(let v) = domain { return v.count } else { return 1 } }

  func value(at i: Int) -> SweepValue {
    if case .list(let v) = domain { return v[i] }
    preconditionFailure("a range has no grid values")
  }

  func draw(_ rng: inout SeededGenerator) -> SweepValue {
    switch domain {
    case .list(let v): return v[min(v.count - 1, Int(rng.unit() * Double(v.count)))]
    case let .range(lo, hi, log, integer):
      let u = rng.unit()
      if integer {
        let a = lo.rounded(.up), b = hi.rounded(.down)
        let x = log ? (Foundation.log(a) + u * (Foundation.log(b + 1) - Foundation.log(a))).exponential
          : a + u * (b - a + 1)
        return .scalar(String(Int(saturating: x, to: Int(a)...Int(b), nan: Int(a), rounding: .down)))
      }
      let x = log ? (Foundation.log(lo) + u * (Foundation.log(hi) - Foundation.log(lo))).exponential
        : lo + u * (hi - lo)
      return .scalar(String(format: "%.6g", Swift.min(hi, Swift.max(lo, x))))
    }
  }

  /// Sets a whole value (an arch field or a run setting) on the point's tree; a tied group sets its
  /// members' whole values of the design `v` names.
  func apply(_ v: SweepValue, to tree: inout RunTree) throws {
    let at = "grid '\(name)' = \(v.text)"
    if target == .tied {
      let k = try design(v)
      for m in members where !m.isOption { try m.apply(m.value(at: k), to: &tree) }
      return
    }
    switch (target, v) {
    case (.arch(let path), _): tree.assign("set", ((tree.value("set") as? [Any]) ?? []) + ["\(path)=\(v.text)"])
    case (.setting, .plugin(let p)): tree.assign(name, p.tree)
    case (.setting, .plugins(let steps)): tree.assign(name, steps.map(\.tree))
    case (.setting(let key), .scalar(let text)):
      let s = RunSetup.setting(key: key)!
      switch s.arity {
      case .replacingList, .appendingList: tree.assign(key, [try s.treeValue(text, flag: at)])
      default: tree.assign(key, try s.treeValue(text, flag: at))
      }
    default: break
    }
  }

  /// Sets an option of the point's mapper or compressor steps.
  func apply(_ v: SweepValue, to s: inout RunSetup) throws {
    let text = v.text, at = "grid '\(name)' = \(text)"
    if target == .tied {
      let k = try design(v)
      for m in members where m.isOption { try m.apply(m.value(at: k), to: &s) }
      return
    }
    switch target {
    case .mapperOption(let o): s.mapper.options[o] = text
    case let .compressOption(kind, option):
      let steps = s.compress.indices.filter { s.compress[$0].kind == kind }
      guard !steps.isEmpty else {
        throw InputError("\(at): this point has no \(kind) step (its " +
            "steps: \(s.compress.isEmpty ? "none" : s.compress.map(\.kind).joined(separator: ", ")))")
      }
      for i in steps { s.compress[i].options[option] = text }
    default: break
    }
  }
}

private extension Double {
  var exponential: Double { Foundation.exp(self) }
}
