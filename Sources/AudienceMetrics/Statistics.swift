/// Small statistics over table columns, for the report's sentences and its
/// exercises' answers: typed and tested here, not computed in the report.
package enum Statistics {
    /// Pearson's correlation coefficient; nil when either side is constant.
    package static func correlation(_ xs: [Double], _ ys: [Double]) -> Double? {
        let count = Double(min(xs.count, ys.count))
        guard count > 1 else { return nil }
        let meanX = xs.reduce(0, +) / count, meanY = ys.reduce(0, +) / count
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - meanX) * (y - meanY)
            varianceX += (x - meanX) * (x - meanX)
            varianceY += (y - meanY) * (y - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return nil }
        let r = covariance / (varianceX * varianceY).squareRoot()
        return r.isFinite ? r : nil
    }
}
