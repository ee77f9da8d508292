import Testing
@testable import RecurCore

@Test("version is semantic") func versionShape() {
    #expect(RecurCore.version.split(separator: ".").count == 3)
}
