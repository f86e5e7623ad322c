// MARK: - What limits a run's throughput

extension SimulationResult {
  /// The busiest unit of the run, with the fraction of the run it was busy: a layer's crossbars
  /// (their mean busy time: activations x the read of one input vector / crossbars) or a contended
  /// resource (a buffer port, a shift-and-add or max-pool unit, a shared ADC, a router port, the
  /// off-chip links). In a pipeline streaming many images this is the stage that sets the pace;
  /// with one image every stage is mostly idle and the figure says how little each is used.
  public var limitedBy: (what: String, utilization: Double)? {
    let span = totalCycles
    guard span.count > 0 else { return nil }
    var best: (String, Double)?
    for l in layers where l.crossbars > 0 && l.computingCycles > 0 {
      let perActivation = Double(l.analyticCycles.count) / Double(l.computingCycles)
      let u = Double(l.activations) * perActivation / Double(l.crossbars) / Double(span.count)
      if best == nil || u > best!.1 { best = ("\(l.name) crossbars", u) }
    }
    for r in resources where r.units == 1 {
      let u = r.utilization(over: span)
      if best == nil || u > best!.1 { best = (r.path, u) }
    }
    return best
  }

  /// Images in flight once the pipeline is full: the first image's latency over the steady
  /// interval, rounded up (1 when the images do not overlap).
  public var pipelineDepth: Int {
    let ii = initiationIntervalNs
    guard ii > 0, images > 1 else { return 1 }
    return max(1, Int((firstImageLatencyNs / ii).rounded(.up)))
  }

  /// Whether `imagesPerSecond` is a steady-state throughput: the images counted (the second half,
  /// see `initiationIntervalNs`) all come after the pipeline's fill, i.e. the first half is at
  /// least `pipelineDepth` images. Always true for the layer schedule and for rounds (a batch).
  public var isSteadyState: Bool {
    guard images > 1 else { return false }
    guard options.schedule == .pipeline, rounds == 1 else { return true }
    return images / 2 >= pipelineDepth
  }
}
