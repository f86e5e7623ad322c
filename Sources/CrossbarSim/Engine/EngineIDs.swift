// MARK: - Typed indices where plain integers were easy to mix up

/// A physical crossbar of the chip (`tile x crossbarsPerTile + ima x crossbarsPerIMA + k`), as
/// opposed to a crossbar's index within its stage's copy, which activations carry alongside it.
struct CrossbarID: Hashable, Comparable, Sendable {
  let raw: Int32
  init(_ raw: Int) { self.raw = Int32(raw) }
  init(raw: Int32) { self.raw = raw }
  var index: Int { Int(raw) }
  /// Its tile and its position within the tile.
  func tile(perTile: Int) -> Int { index / perTile }
  func slot(perTile: Int) -> Int { index % perTile }
  /// Its IMA, numbered over the chip.
  func ima(perIMA: Int) -> Int { index / perIMA }
  static func < (a: CrossbarID, b: CrossbarID) -> Bool { a.raw < b.raw }
}

/// An output port of a router (`router x portsPerRouter + direction`), as opposed to a tile.
struct PortID: Hashable, Sendable {
  let index: Int
  init(router: Int, direction: Int) { index = router * EngineCore.portsPerRouter + direction }
}

/// Every physical crossbar's state, indexed by `CrossbarID` only.
struct CrossbarStates {
  private var states: [EngineCore.CrossbarState]
  init(count: Int) { states = Array(repeating: EngineCore.CrossbarState(), count: count) }
  subscript(_ x: CrossbarID) -> EngineCore.CrossbarState {
    @inline(__always) get { states[x.index] }
    @inline(__always) _modify { yield &states[x.index] }
  }
  /// The states of the crossbars of one tile.
  func tile(_ t: Int,
            perTile: Int) -> ArraySlice<EngineCore.CrossbarState> { states[(t * perTile)..<((t + 1) * perTile)] }
}
