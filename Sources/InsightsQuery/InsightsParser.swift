/// Text → `Query`, with semantic checks. (Being written: see issue 4.)
public enum InsightsParser {
    public static func parse(_ text: String) throws(InsightsError) -> Query {
        throw InsightsError(.syntax, "the query parser is not built yet")
    }
}
