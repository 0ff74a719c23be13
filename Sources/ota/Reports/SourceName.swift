import OTA

extension OTAConfiguration {
    /// What the commands call the releases' origin in text: `github_repo` (`octo/monitor`), or for a
    /// signed repository the product (`monitor`), as `github_repo` is optional there.
    var releasesName: String {
        source.kind == .tuf && source.githubRepo.isEmpty ? source.productName : source.githubRepo
    }
}
