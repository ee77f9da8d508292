import Testing
@testable import RecurCore

@Test("version is semantic") func versionShape() {
    #expect(RecurInfo.version.split(separator: ".").count == 3)
}
