// MARK: - Compressors built from options, and their registry entries

/// A compressor of one kind, built from its options.
///
/// Contract: as `ConfigurableMapper`: every option declared once in `options`, checked in
/// `init(options:)`.
public protocol ConfigurableCompressor: Compressor {
  /// The kind string that selects this compressor.
  static var kind: String { get }
  /// Its options, each declared once.
  static var options: [PluginOption] { get }
  /// Why a budget (`params=`, `crossbars=`, `error=`) may end off target, in words.
  static var budgetNotes: BudgetNotes { get }
  /// Builds the compressor from options.
  init(options: [String: String]) throws
}

/// Why a compressor's budgeted size can end off target: what keeps it above the target (nothing
/// can go below it), and why the nearest setting within the target lands below it (steps are discrete).
public struct BudgetNotes: Sendable, Equatable {
  /// Why no setting reaches the budget (nil: nothing to say).
  public var above: String?
  /// Why the nearest setting within the budget is below it.
  public var below: String?
  /// Creates notes.
  public init(above: String? = nil, below: String? = nil) { self.above = above; self.below = below }
}

/// A registry entry: a compressor kind, its declared options, and how to build it from options.
public struct CompressorEntry: Sendable {
  /// Kind string.
  public let kind: String
  /// Its declared options.
  public let options: [PluginOption]
  /// Why its budgets can end off target.
  public let budgetNotes: BudgetNotes
  /// Builds a configured compressor.
  public let make: @Sendable ([String: String]) throws -> any Compressor

  /// An entry for one kind of a type that serves several (the pruners' segment shapes).
  public init(kind: String, options: [PluginOption], budgetNotes: BudgetNotes = BudgetNotes(),
              make: @escaping @Sendable ([String: String]) throws -> any Compressor) {
    self.kind = kind; self.options = options; self.budgetNotes = budgetNotes; self.make = make
  }

  /// The entry of compressor type `C`.
  public init<C: ConfigurableCompressor>(_ type: C.Type) {
    self.init(kind: C.kind, options: C.options, budgetNotes: C.budgetNotes) { try C(options: $0) }
  }

  /// Help lines, one per option.
  public var optionHelp: [String] { options.map(\.helpLine) }
  /// Whether a budget option (`params=`, `crossbars=`, `error=`) can set its size.
  public func takesBudget(_ option: String) -> Bool { options.contains { $0.name == option && $0.role == .budget } }
  /// Whether `given` already sets its size (a size or budget option among them).
  public func fixesSize(_ given: some Collection<String>) -> Bool {
    options.contains { $0.role != .plain && given.contains($0.name) }
  }
}
