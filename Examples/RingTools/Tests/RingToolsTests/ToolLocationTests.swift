import Testing

/// The other tests run the built executables; this one says plainly when they cannot be found.
@Suite("test setup")
struct ToolLocationTests {
    @Test("the built ringcp and ringsum are found")
    func toolsAreFound() {
        #expect(ToolRunner.binDirectory != nil, "\(ToolRunner.binDirectoryProblem)")
    }
}
