import Testing
import TrailJSON
@testable import InsightsQuery

/// Every function in `FunctionCatalog` is implemented: a call with the minimum number of
/// arguments compiles and runs (in `fields` for scalars, in `stats` for aggregations).
@Suite struct FunctionsCatalogTests {
    static func arguments(for sig: FunctionSignature) -> [Expr] {
        switch sig.name {
        case "bin": return [Q.period(5, .minute)]
        case "datefloor", "dateceil": return [Q.field("@timestamp"), Q.period(1, .hour)]
        case "pct": return [Q.field("n"), Q.num(50)]
        case "count": return []
        default: return Array(repeating: Q.field("n"), count: max(sig.minArguments, 0))
        }
    }

    @Test(arguments: FunctionCatalog.all.map(\.name))
    func implemented(_ name: String) throws {
        let sig = FunctionCatalog.lookup(name)!
        let call = Expr.call(sig.name, Self.arguments(for: sig))
        let command: Command = sig.kind == .aggregate ? Q.stats([Q.proj(call, as: "x")]) : Q.fields(Q.proj(call, as: "x"))
        let r = try run(command, over: [record(["n": 3], at: 1000)])
        #expect(r.columns.contains("x"))
        #expect(r.rows.count == 1)
    }

    @Test func arityIsChecked() throws {
        #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(Q.fields(Q.proj(Q.call("abs", Q.num(1), Q.num(2)), as: "x"))), context: defaultContext)
        }
        #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(Q.fields(Q.proj(Q.call("bin", Q.str("5m")), as: "x"))), context: defaultContext)
        }
        #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(Q.stats([Q.proj(Q.call("pct", Q.field("n"), Q.num(101)), as: "x")])), context: defaultContext)
        }
    }

    @Test func invalidRegexIsASemanticError() throws {
        let e = #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(.filter(Q.bin(.like, Q.field("a"), Q.regex("(unclosed")))), context: defaultContext)
        }
        #expect(e?.kind == .semantic)
    }
}
