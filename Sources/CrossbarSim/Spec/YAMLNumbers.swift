import Foundation
import Yams

// MARK: - Numbers in written YAML as a person writes them

/// YAML text with every plain float scalar in Swift's shortest form that reads back to the same
/// `Double` (`1.28`, `6e-05`, `100.0`), where Yams writes `1.28e+0` or `6.0000000000000002e-05`.
/// Quoted strings (a label `1e5`) and integers are left alone; so the file means the same values.
public enum YAMLNumbers {
  /// `yaml` rewritten; the text unchanged when it is not a single document.
  public static func human(_ yaml: String) throws -> String {
    guard let node = try Yams.compose(yaml: yaml) else { return yaml }
    return try Yams.serialize(node: rewrite(node), sortKeys: false)
  }

  static func rewrite(_ n: Node) -> Node {
    switch n {
    case .scalar(var s):
      if s.style == .plain, Int(s.string) == nil, s.string.contains(where: { $0 == "." || $0 == "e" }),
         let d = Double(s.string), d.isFinite {
        s.string = "\(d)"
      }
      return .scalar(s)
    case .mapping(let m):
      return .mapping(Node.Mapping(m.map { (rewrite($0.key), rewrite($0.value)) }, m.tag, m.style))
    case .sequence(let q):
      return .sequence(Node.Sequence(q.map(rewrite), q.tag, q.style))
    case .alias:
      return n
    }
  }
}
