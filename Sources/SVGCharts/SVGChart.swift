/// A chart that draws itself as a complete SVG document: the same bytes
/// for the same chart, whatever the machine, locale or run.
protocol SVGChart: Sendable {
    func svg() -> String
}

extension LineChart: SVGChart {}
extension BarChart: SVGChart {}
extension HeatMap: SVGChart {}
extension ScatterChart: SVGChart {}
