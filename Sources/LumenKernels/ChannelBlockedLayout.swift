/// Where the values of a C × H × W tensor live when its channels are interleaved sixteen at a
/// time (the "NCHW16c" layout): block b holds channels 16b…16b+15 as a padded image of
/// `paddedHeight × paddedWidth` pixels, each pixel 16 consecutive floats (lanes past C unused).
/// Pixel (y, x) sits at (y + padTop, x + padLeft) of the padded image; the border is zero, so
/// a depthwise convolution reads its taps in place, sixteen channels per vector.
public struct ChannelBlockedLayout: Sendable, Equatable {
    public static let lanes = 16

    public let channels, height, width: Int
    public let padTop, padLeft, paddedHeight, paddedWidth: Int

    /// The layout a depthwise convolution of geometry `g` reads without copying: padded by its
    /// top and left pads and far enough right and down for every tap of every output.
    public init(depthwiseInput g: ConvolutionGeometry) {
        (channels, height, width) = (g.channels, g.height, g.width)
        (padTop, padLeft) = (g.padTop, g.padLeft)
        paddedHeight = Swift.max(
            g.height + g.padTop,
            (g.outputHeight - 1) * g.strideY + (g.kernelHeight - 1) * g.dilationY + 1
        )
        paddedWidth = Swift.max(
            g.width + g.padLeft,
            (g.outputWidth - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX + 1
        )
    }

    /// Unpadded: block b is H × W pixels of 16 floats.
    public init(channels: Int, height: Int, width: Int) {
        (self.channels, self.height, self.width) = (channels, height, width)
        (padTop, padLeft, paddedHeight, paddedWidth) = (0, 0, height, width)
    }

    public var blocks: Int { (channels + Self.lanes - 1) / Self.lanes }
    /// Floats from one block to the next.
    public var blockStride: Int { paddedHeight * paddedWidth * Self.lanes }
    /// Floats in the whole tensor, padding included.
    public var count: Int { blocks * blockStride }

    /// Index of pixel (y, x)'s first lane within a block.
    @inline(__always)
    func pixel(_ y: Int, _ x: Int) -> Int { ((y + padTop) * paddedWidth + x + padLeft) * Self.lanes }

    /// Zeroes everything outside the pixels (the border of every block; the interior is left
    /// for a producer to write).
    public func zeroBorder(_ buffer: UnsafeMutablePointer<Float>) {
        let lanes = Self.lanes
        let rowFloats = paddedWidth * lanes
        for b in 0..<blocks {
            let image = buffer + b * blockStride
            image.initialize(repeating: 0, count: padTop * rowFloats)
            let below = padTop + height
            (image + below * rowFloats).initialize(repeating: 0, count: (paddedHeight - below) * rowFloats)
            let right = paddedWidth - padLeft - width
            for y in padTop..<below {
                let row = image + y * rowFloats
                row.initialize(repeating: 0, count: padLeft * lanes)
                (row + (padLeft + width) * lanes).initialize(repeating: 0, count: right * lanes)
            }
        }
    }
}
