import Testing
@testable import FilterPatterns

/// Unstructured term patterns, with the documented examples and their stated results.
@Suite struct TermPatternTests {
    @Test func singleTermIsSubstringContainment() {
        #expect(matches("ERROR", "Exiting with ERRORCODE: -1"))
        #expect(matches("\"Exception\"", "[ERROR] Caught IllegalArgumentException"))
        #expect(!matches("ERROR", "[INFO] all good"))
    }

    @Test func termsAreCaseSensitive() {
        #expect(!matches("error", "[ERROR] Caught IllegalArgumentException"))
        #expect(matches("Error", "[Error] Unhandled Exception"))
    }

    @Test func spaceSeparatedTermsMustAllAppear() {
        #expect(matches("ERROR ARGUMENTS", "[ERROR 419] MISSING ARGUMENTS"))
        #expect(!matches("ERROR ARGUMENTS", "[ERROR 400] BAD REQUEST"))
        // Order does not matter.
        #expect(matches("ARGUMENTS ERROR", "[ERROR 419] MISSING ARGUMENTS"))
    }

    @Test func quotedPhraseIsOneTerm() {
        #expect(matches("\"INTERNAL SERVER ERROR\"", "[ERROR 500] INTERNAL SERVER ERROR"))
        #expect(!matches("\"INTERNAL SERVER ERROR\"", "[ERROR 500] INTERNAL ERROR SERVER"))
        #expect(matches("\"ERROR\"", "Exiting with ERRORCODE: -1"))
    }

    @Test func escapedQuoteInsidePhraseIsLiteral() {
        #expect(matches(#""say \"hi\"""#, #"they say "hi" now"#))
        #expect(!matches(#""say \"hi\"""#, "they say hi now"))
    }

    @Test func questionMarkTermsAreAlternatives() {
        #expect(matches("?ERROR ?ARGUMENTS", "[ERROR 400] BAD REQUEST"))
        #expect(matches("?ERROR ?ARGUMENTS", "MISSING ARGUMENTS"))
        #expect(!matches("?ERROR ?ARGUMENTS", "[INFO] fine"))
        #expect(matches("?Error ?fatal", "[Error] Unhandled Exception"))
        #expect(matches("?Error ?fatal", "[ERROR] A fatal exception has occurred"))
        #expect(!matches("?Error ?fatal", "[ERROR] Caught IllegalArgumentException"))
        #expect(!matches("?Error ?fatal", "Exiting with ERRORCODE: -1"))
    }

    /// "If you combine "?" with other filter patterns, all question mark terms will be ignored."
    @Test func questionMarkTermsAreIgnoredNextToOtherTerms() {
        let p = "?ERROR ?ARGUMENTS REQUEST"
        #expect(matches(p, "[INFO] REQUEST FAILED"))
        #expect(matches(p, "[WARN] UNAUTHORIZED REQUEST"))
        #expect(matches(p, "[ERROR] 400 BAD REQUEST"))
        #expect(!matches(p, "[ERROR 419] MISSING ARGUMENTS"))
        // With only an exclusion beside them, the ? terms are ignored too.
        #expect(matches("?ERROR -WARN", "[INFO] neither"))
        #expect(!matches("?ERROR -WARN", "[WARN] ERROR"))
    }

    @Test func minusExcludes() {
        #expect(matches("ERROR -ARGUMENTS", "[ERROR 400] BAD REQUEST"))
        #expect(!matches("ERROR -ARGUMENTS", "[ERROR 419] MISSING ARGUMENTS"))
    }

    /// The archived guide's `"ERROR" - "Exiting"`: a minus standing apart from its term.
    @Test func minusMayBeFollowedBySpace() {
        #expect(!matches(#""ERROR" - "Exiting""#, "Exiting with ERRORCODE: -1"))
        #expect(matches(#""ERROR" - "Exiting""#, "[ERROR] Caught IllegalArgumentException"))
    }

    @Test func exclusionOnlyMatchesEverythingElse() {
        #expect(matches("-ERROR", "[INFO] all good"))
        #expect(!matches("-ERROR", "[ERROR] bad"))
        #expect(matches("-ERROR -WARN", "[INFO] all good"))
        #expect(!matches("-ERROR -WARN", "[WARN] careful"))
    }

    @Test(arguments: ["", " ", "   ", "\"\"", "\" \"", " \" \" "])
    func blankPatternsMatchEverything(pattern: String) throws {
        let p = try FilterPattern(pattern)
        #expect(p.kind == .matchAll)
        #expect(p.matches("anything at all"))
        #expect(p.matches(""))
    }

    @Test func unquotedTermsMayHoldPunctuation() {
        #expect(matches("ERRORCODE: -1", "Exiting with ERRORCODE: -1") == false)  // "-1" is an exclusion of "1"
        #expect(matches("ERRORCODE:", "Exiting with ERRORCODE: -1"))
        #expect(matches("\"ERRORCODE: -1\"", "Exiting with ERRORCODE: -1"))
    }

    @Test func multiByteTerms() {
        #expect(matches("café", "un café noir"))
        #expect(!matches("café", "un cafe noir"))
    }

    @Test func kinds() throws {
        #expect(try FilterPattern("ERROR").kind == .terms)
        #expect(try FilterPattern("%ERR%").kind == .regex)
        #expect(try FilterPattern("{ $.a = 1 }").kind == .json)
        #expect(try FilterPattern("[a, b]").kind == .spaceDelimited)
        #expect(try FilterPattern("  { $.a = 1 }  ").kind == .json)
    }

    @Test func equalityAndDescriptionUseTheText() throws {
        let a = try FilterPattern("ERROR")
        let b = try FilterPattern("ERROR")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.description == "ERROR")
        #expect(a != (try FilterPattern("WARN")))
    }
}
