// MARK: - What a graph must satisfy before any node is imported

extension GraphImport {
  /// Checks the graph as a whole: initializer, node and tensor names unique, one producer per
  /// tensor, no attribute given twice in a node, and every operator from the default ONNX domain.
  /// Each is an error naming the file and the name; otherwise the later definition would silently
  /// replace the earlier, or a dead node would be mapped and simulated.
  func validate() throws {
    var initializers = Set<String>()
    for t in graph.initializer where !initializers.insert(t.name).inserted {
      throw InputError("\(source): initializer '\(t.name)' is defined twice; each tensor needs one definition")
    }
    var producers: [String: String] = [:]
    for i in graph.input where initializers.contains(i.name) == false { producers[i.name] = "the graph input" }
    for t in graph.initializer { producers[t.name] = "an initializer" }
    var nodeNames = Set<String>()
    for n in graph.node {
      let here = where_(n)
      if !n.name.isEmpty, !nodeNames.insert(n.name).inserted {
        throw InputError("\(here): another node has the name '\(n.name)'; node names must be unique")
      }
      guard n.domain.isEmpty || n.domain == "ai.onnx" else {
        throw InputError("\(here): operator from domain '\(n.domain)'; only the default ONNX domain is supported")
      }
      var attributes = Set<String>()
      for a in n.attribute where !attributes.insert(a.name).inserted {
        throw InputError("\(here): attribute '\(a.name)' is given twice")
      }
      for o in n.output where !o.isEmpty {
        if let other = producers[o] {
          throw InputError("\(here): writes tensor '\(o)', which \(other) already produces; each tensor has one " +
              "producer")
        }
        producers[o] = "node '\(n.name.isEmpty ? o : n.name)'"
      }
    }
  }
}
