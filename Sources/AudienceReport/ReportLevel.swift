/// How deep a course report goes. Each level holds everything of the one
/// before it.
public enum ReportLevel: String, CaseIterable, Sendable, Comparable {
    /// What the data is, the headline numbers, top titles, one retention
    /// curve, countries and devices, a glossary.
    case entry
    /// Adds curves compared across titles, completion against runtime,
    /// regions, the localisation mix and effect, the daily trend and when
    /// people watch.
    case intermediate
    /// Adds series carry-on and binge viewing, cohorts, hours per runtime,
    /// the rewatch curve, the data quality account, the methodology and
    /// exercises with their answers.
    case advanced

    /// The default: what an analyst hands to a producer. Entry is for a
    /// first reading; advanced is a course handout.
    public static let standard = ReportLevel.intermediate

    public static func < (a: ReportLevel, b: ReportLevel) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}
