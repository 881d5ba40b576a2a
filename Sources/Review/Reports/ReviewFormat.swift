/// `review --format`: Markdown for a pull request comment, JSON (the schema), SARIF 2.1.0 for code
/// scanning, text for a terminal.
public enum ReviewFormat: String, Sendable, CaseIterable {
    case markdown, json, sarif, text

    /// The report for `summary`, ending in a newline.
    public func render(_ summary: ReviewSummary, toolVersion: String) throws -> String {
        switch self {
        case .markdown: return MarkdownReviewReport.render(summary)
        case .json: return try JSONReviewReport.render(summary)
        case .sarif: return try SARIFReviewReport.render(summary, toolVersion: toolVersion)
        case .text: return TextReviewReport.render(summary)
        }
    }
}
