import Foundation

// MARK: - Small, dependency-free SVG charts (open in any browser)

/// Stacked bars, grouped bars and scatter plots with axes, units, ticks and a legend.
enum SVGChart {
  /// Colours of the series, in order (Tableau 10 and its light variants: distinguishable in print).
  static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                        "#9c755f", "#bab0ac", "#1f77b4", "#aec7e8", "#98df8a", "#c5b0d5"]

  /// Frame of one chart: plot area and the value-to-pixel maps.
  struct Frame {
    var width = 960.0, height = 540.0, left = 90.0, right = 200.0, top = 50.0, bottom = 150.0
    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }
  }

  /// "Nice" tick values covering `0...maximum` (1, 2 or 5 times a power of ten apart).
  static func ticks(upTo maximum: Double, from minimum: Double = 0, count: Int = 6) -> [Double] {
    let span = max(maximum - minimum, 1e-12)
    let raw = span / Double(count), mag = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
    var t: [Double] = [], v = floor(minimum / step) * step
    while v <= maximum + step * 0.999 { t.append(v); v += step }
    return t
  }

  static func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 1e5, a < 1e8, v == v.rounded() { return String(format: "%.0f", v) }
    if a >= 1e5 || a < 1e-3 { return String(format: "%.2g", v) }
    return a >= 100 ? String(format: "%.0f", v) : a >= 1 ? String(format: "%.4g", v) : String(format: "%.3g", v)
  }

  /// `s` as XML 1.0 text or attribute value: markup characters as entities, and every character
  /// XML 1.0 forbids (controls other than tab, LF and CR; U+FFFE, U+FFFF) as U+FFFD.
  static func escape(_ s: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\t", "\n", "\r": out.unicodeScalars.append(c)
      case let c where c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF: out += "\u{FFFD}"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  static func header(_ f: Frame, title: String) -> [String] {
    [##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(f.width))" height="\##(Int(f.height))""## +
        ##" viewBox="0 0 \##(Int(f.width)) \##(Int(f.height))" font-family="Helvetica, Arial, sans-serif""## +
        ##" font-size="13">"##,
     ##"<rect width="100%" height="100%" fill="white"/>"##,
     // A chart wider than a screen keeps its title at the left, where it opens.
     f.width > Frame().width
       ? ##"<text x="\##(f.left)" y="24" text-anchor="start" font-size="16" font-weight="bold">"## +
         ##"\##(escape(title))</text>"##
       : ##"<text x="\##(f.left + f.plotWidth / 2)" y="28" text-anchor="middle" font-size="16" font-weight="bold">"## +
         ##"\##(escape(title))</text>"##]
  }

  /// The y axis (ticks, grid, label) for values `ticks`.
  static func yAxis(_ f: Frame, ticks: [Double], label: String) -> [String] {
    let lo = ticks.first ?? 0, hi = ticks.last ?? 1
    var s: [String] = []
    for t in ticks {
      let y = f.top + f.plotHeight * (1 - (t - lo) / max(hi - lo, 1e-12))
      s.append(##"<line x1="\##(f.left)" y1="\##(y)" x2="\##(f.left + f.plotWidth)" y2="\##(y)" stroke="#e0e0e0"/>"##)
      s.append(##"<text x="\##(f.left - 8)" y="\##(y + 4)" text-anchor="end">\##(Self.label(t))</text>"##)
    }
    s.append(##"<line x1="\##(f.left)" y1="\##(f.top)" x2="\##(f.left)" y2="\##(f.top + f.plotHeight)""## +
        ##" stroke="black"/>"##)
    s.append(##"<line x1="\##(f.left)" y1="\##(f.top + f.plotHeight)" x2="\##(f.left + f.plotWidth)""## +
        ##" y2="\##(f.top + f.plotHeight)" stroke="black"/>"##)
    let cy = f.top + f.plotHeight / 2
    s.append(##"<text x="22" y="\##(cy)" text-anchor="middle" transform="rotate(-90 22 \##(cy))">"## +
        ##"\##(escape(label))</text>"##)
    return s
  }

  static func legend(_ f: Frame, series: [String], colours: [String]? = nil) -> [String] {
    let palette = colours ?? Self.palette
    var s: [String] = []
    if f.width > Frame().width {   // a wide chart: one row under the title, at the left
      var x = f.left
      for (i, name) in series.enumerated() {
        s.append(##"<rect x="\##(x)" y="34" width="12" height="12" fill="\##(palette[i % palette.count])"/>"##)
        s.append(##"<text x="\##(x + 18)" y="44">\##(escape(name))</text>"##)
        x += 18 + 8 * Double(name.count) + 24
      }
      return s
    }
    for (i, name) in series.enumerated() {
      let y = f.top + 10 + Double(i) * 20, x = f.left + f.plotWidth + 20
      s.append(##"<rect x="\##(x)" y="\##(y - 10)" width="12" height="12" fill="\##(palette[i % palette.count])"/>"##)
      s.append(##"<text x="\##(x + 18)" y="\##(y)">\##(escape(name))</text>"##)
    }
    return s
  }

  /// One bar per entry, its values stacked bottom-up in `series` order, in `colours` (default: the
  /// palette in order); `subtitle` is a second, smaller title line (the setup).
  static func stackedBars(title: String, subtitle: String? = nil, yLabel: String, bars: [(String, [Double])],
                          series: [String], colours: [String]? = nil) -> String {
    var f = Frame()
    if subtitle != nil { f.top += 18; f.height += 18 }
    let palette = colours ?? Self.palette
    let top = bars.map { $0.1.reduce(0, +) }.max() ?? 1
    let t = ticks(upTo: top > 0 ? top : 1)
    let hi = t.last ?? 1
    var s = header(f, title: title)
    if let subtitle {
      s.append(##"<text x="20" y="48" text-anchor="start" font-size="12" fill="#444">"## +
          ##"\##(escape(subtitle))</text>"##)
    }
    s += yAxis(f, ticks: t, label: yLabel)
    let slot = f.plotWidth / Double(max(1, bars.count)), w = slot * 0.7
    for (b, (name, values)) in bars.enumerated() {
      let x = f.left + slot * Double(b) + (slot - w) / 2
      var base = 0.0
      for (i, v) in values.enumerated() where v > 0 {
        let y0 = f.top + f.plotHeight * (1 - base / hi), y1 = f.top + f.plotHeight * (1 - (base + v) / hi)
        s.append(##"<rect x="\##(x)" y="\##(y1)" width="\##(w)" height="\##(max(0, y0 - y1))""## +
            ##" fill="\##(palette[i % palette.count])"><title>"## +
            ##"\##(escape(name)): \##(escape(series[i])) \##(Self.label(v))</title></rect>"##)
        base += v
      }
      let lx = x + w / 2, ly = f.top + f.plotHeight + 12
      s.append(##"<text x="\##(lx)" y="\##(ly)" text-anchor="end" transform="rotate(-40 \##(lx) \##(ly))">"## +
          ##"\##(escape(name))</text>"##)
    }
    s += legend(f, series: series, colours: palette)
    return (s + ["</svg>"]).joined(separator: "\n") + "\n"
  }
}

extension SVGChart {
  /// An x axis (ticks, grid, label) along the bottom of the plot area for values `ticks`.
  static func xAxis(_ f: Frame, ticks: [Double], label: String) -> [String] {
    let lo = ticks.first ?? 0, hi = ticks.last ?? 1
    var s: [String] = []
    for t in ticks {
      let x = f.left + f.plotWidth * (t - lo) / max(hi - lo, 1e-12)
      s.append(##"<line x1="\##(x)" y1="\##(f.top)" x2="\##(x)" y2="\##(f.top + f.plotHeight)" stroke="#e0e0e0"/>"##)
      s.append(##"<text x="\##(x)" y="\##(f.top + f.plotHeight + 18)" text-anchor="middle">\##(Self.label(t))</text>"##)
    }
    s.append(##"<text x="\##(f.left + f.plotWidth / 2)" y="\##(f.top + f.plotHeight + 44)" text-anchor="middle">"## +
        ##"\##(escape(label))</text>"##)
    return s
  }

  /// Points of several series on linear axes; a series with `line` also joins its points in x order.
  /// `names[i][j]` (when given) names point `j` of series `i` in its tooltip; `marks[i][j]`, a short
  /// text drawn beside it (a Pareto point's number).
  static func scatter(title: String, xLabel: String, yLabel: String,
                      series: [(name: String, points: [(Double, Double)], line: Bool)],
                      names: [[String]] = [], marks: [[String]] = []) -> String {
    let f = Frame(bottom: 90)
    let all = series.flatMap(\.points)
    let xs = all.map(\.0), ys = all.map(\.1)
    let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
    let pad = { (a: Double, b: Double) -> (Double, Double) in
      a == b ? (a - max(abs(a) * 0.1, 1), b + max(abs(b) * 0.1, 1)) : (a, b)
    }
    let (ax, bx) = pad(x0, x1), (ay, by) = pad(y0, y1)
    let tx = ticks(upTo: bx, from: ax), ty = ticks(upTo: by, from: ay)
    let lx = tx.first ?? ax, hx = tx.last ?? bx, ly = ty.first ?? ay, hy = ty.last ?? by
    func px(_ v: Double) -> Double { f.left + f.plotWidth * (v - lx) / max(hx - lx, 1e-12) }
    func py(_ v: Double) -> Double { f.top + f.plotHeight * (1 - (v - ly) / max(hy - ly, 1e-12)) }
    var s = header(f, title: title) + yAxis(f, ticks: ty, label: yLabel) + xAxis(f, ticks: tx, label: xLabel)
    var placed: [(Double, Double)] = []
    for (i, serie) in series.enumerated() {
      let colour = i == 0 ? "#9e9e9e" : palette[(i - 1) % palette.count]
      if serie.line, serie.points.count > 1 {
        let path = serie.points.sorted { $0.0 < $1.0 }.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ")
        s.append(##"<polyline points="\##(path)" fill="none" stroke="\##(colour)" stroke-width="1.5"/>"##)
      }
      for (j, (x, y)) in serie.points.enumerated() {
        let name = i < names.count && j < names[i].count ? escape(names[i][j]) + ": " : ""
        s.append(##"<circle cx="\##(px(x))" cy="\##(py(y))" r="\##(i == 0 ? 3 : 4.5)" fill="\##(colour)""## +
            ##" fill-opacity="\##(i == 0 ? 0.6 : 1)"><title>\##(name)\##(Self.label(x)), "## +
            ##"\##(Self.label(y))</title></circle>"##)
        if i < marks.count, j < marks[i].count, !marks[i][j].isEmpty {
          // Marks of coinciding points stack downwards instead of printing over each other.
          var my = py(y) - 7
          while placed.contains(where: { abs($0.0 - px(x)) < 30 && abs($0.1 - my) < 11 }) { my += 12 }
          placed.append((px(x), my))
          s.append(##"<text x="\##(px(x) + 7)" y="\##(my)" font-size="11" fill="\##(colour)">"## +
              ##"\##(escape(marks[i][j]))</text>"##)
        }
      }
      let y = f.top + 10 + Double(i) * 20, x = f.left + f.plotWidth + 20
      s.append(##"<circle cx="\##(x + 6)" cy="\##(y - 4)" r="5" fill="\##(colour)"/>"##)
      s.append(##"<text x="\##(x + 18)" y="\##(y)">\##(escape(serie.name))</text>"##)
    }
    return (s + ["</svg>"]).joined(separator: "\n") + "\n"
  }
}

extension SVGChart {
  /// One group per entry, one bar per series side by side. Past about 35 groups the chart widens
  /// (at least 8 px a bar; a browser scrolls it) instead of squeezing them, and names longer than
  /// 28 characters are shortened on the axis (whole in each bar's tooltip).
  static func groupedBars(title: String, yLabel: String, groups: [(String, [Double])], series: [String]) -> String {
    var f = Frame()
    let minimumSlot = 8.0 * Double(max(1, series.count)) / 0.8
    f.width = max(f.width, f.left + f.right + minimumSlot * Double(groups.count))
    let top = groups.flatMap(\.1).max() ?? 1
    let t = ticks(upTo: top > 0 ? top : 1)
    let hi = t.last ?? 1
    var s = header(f, title: title) + yAxis(f, ticks: t, label: yLabel)
    let slot = f.plotWidth / Double(max(1, groups.count)), w = slot * 0.8 / Double(max(1, series.count))
    for (g, (name, values)) in groups.enumerated() {
      let x0 = f.left + slot * Double(g) + slot * 0.1
      for (i, v) in values.enumerated() where v > 0 {
        let y = f.top + f.plotHeight * (1 - v / hi)
        s.append(##"<rect x="\##(x0 + w * Double(i))" y="\##(y)" width="\##(w)""## +
            ##" height="\##(f.top + f.plotHeight - y)" fill="\##(palette[i % palette.count])"><title>"## +
            ##"\##(escape(name)): \##(escape(series[i])) \##(Self.label(v))</title></rect>"##)
      }
      let lx = x0 + slot * 0.4, ly = f.top + f.plotHeight + 12
      let shown = name.count > 28 ? String(name.prefix(13)) + "…" + String(name.suffix(14)) : name
      s.append(##"<text x="\##(lx)" y="\##(ly)" text-anchor="end" transform="rotate(-40 \##(lx) \##(ly))">"## +
          ##"\##(escape(shown))<title>\##(escape(name))</title></text>"##)
    }
    s += legend(f, series: series)
    return (s + ["</svg>"]).joined(separator: "\n") + "\n"
  }
}
