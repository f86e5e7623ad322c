/// A problem with user input (config, workload file, layer shape, option), naming where it is.
///
/// Thrown for anything a user's input can trigger; `precondition` is kept for internal invariants.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
  /// One line per problem, each naming its file, key path or layer and what would be valid.
  public var problems: [String]

  /// Creates an error with one problem.
  public init(_ problem: String) { problems = [problem] }
  /// Creates an error with several problems; beyond `maximumProblems` the rest are counted.
  public init(problems: [String]) {
    self.problems = problems.count > Self.maximumProblems
      ? Array(problems.prefix(Self.maximumProblems)) + ["... and \(problems.count - Self.maximumProblems) more"]
      : problems
  }

  /// Problems listed in one error.
  public static let maximumProblems = 50

  public var description: String { problems.joined(separator: "\n") }
}
