// Test helpers shared with the other test targets (TemporaryDirectory, FakeHTTPServer, FakeGitHub).
@_exported import OTATestSupport
