import CrierCore
import Foundation

/// One image crier made for a platform: its bytes and what they are.
public struct DerivedImage: Sendable, Equatable {
    public var data: Data
    public var format: ImagePlan.Format
    public var width: Int
    public var height: Int

    public init(data: Data, format: ImagePlan.Format, width: Int, height: Int) {
        self.data = data
        self.format = format
        self.width = width
        self.height = height
    }
}
