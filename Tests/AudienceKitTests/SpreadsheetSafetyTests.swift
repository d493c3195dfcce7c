import Foundation
import Testing

@testable import AudienceMetrics

// Values that a spreadsheet would run as formulas, and control characters:
// exact in the tables by default (the contract), defused on request, and
// never raw in rejects.csv's sample text.

@Test func tablesKeepValuesExactByDefault() {
    let table = CSVTable(header: ["title_id", "n"], rows: [["=cmd|' /C calc'!A0", "1"], ["@SUM(1)", "-2"], ["a\u{0}b", "0.5"]])
    #expect(table.rendered == "title_id,n\n=cmd|' /C calc'!A0,1\n@SUM(1),-2\na\u{0}b,0.5\n")
}

@Test func spreadsheetSafeDefusesFormulasAndControls() {
    let table = CSVTable(header: ["title_id", "n"], rows: [
        ["=cmd|' /C calc'!A0", "1"], ["+1", "-2"], ["@SUM(1)", "-0.5"], ["-x", "3"], ["\t=1+1", "4"],
        ["\r=1", "5"], ["a\u{0}b\u{1B}[31m", "6"], ["plain", "7"],
    ])
    #expect(table.rendered(spreadsheetSafe: true) == """
        title_id,n
        '=cmd|' /C calc'!A0,1
        +1,-2
        '@SUM(1),-0.5
        '-x,3
        '\t=1+1,4
        \u{240D}=1,5
        a\u{2400}b\u{241B}[31m,6
        plain,7

        """)
}

@Test func rejectedSamplesShowControlCharacters() {
    let line = "{\"ts\":\"x\u{1B}[2J\",\"event\":\"start\"}\u{7F}"
    let result = read(line + "\n", name: "x.jsonl")
    let sample = result.samples.first
    #expect(sample?.text == "{\"ts\":\"x\u{241B}[2J\",\"event\":\"start\"}\u{2421}")
    #expect(sample?.detail.contains("\u{1B}") == false)
}
