extension Duration {
    /// The duration in seconds, for the phase times runs report.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
