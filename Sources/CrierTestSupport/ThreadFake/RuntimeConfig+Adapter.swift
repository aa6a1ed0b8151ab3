import CrierCore
import CrierDaemon

extension RuntimeConfig {
    /// This config with `channel` rendered as `platform` and delivered through `adapter`: how a test
    /// puts a fake platform (`ThreadFakeAdapter`) behind a channel parsed from ordinary YAML.
    public func routing(_ channel: String, as platform: Platform, through adapter: any PlatformAdapter) -> RuntimeConfig {
        var copy = self
        guard let index = copy.config.channels.firstIndex(where: { $0.name == channel }) else { return copy }
        copy.config.channels[index].platform = platform
        let resolved = copy.channels[channel]
        copy.channels[channel] = ResolvedChannel(config: copy.config.channels[index], secrets: resolved?.secrets ?? [:], adapter: adapter)
        return copy
    }
}
