/// The engine's version, as `summary.json`, the store's ledger and partial
/// results record it. Apart from `Analyzer` so that the store can name it.
package enum AudienceVersion {
    package static let current = "0.1.0"
}
