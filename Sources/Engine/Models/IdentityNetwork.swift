// What the fit needs of a face-recognition network, whatever its file format: the input size,
// its preprocessing, the embedding and a chosen list of intermediate feature maps (the
// content loss), all as graph nodes so that gradients flow back to the input image.

public protocol IdentityNetwork {
    /// A short description for reports ("FaceNet Inception-ResNet-V1 (graph_final.pb)").
    var name: String { get }
    /// The input height and width in pixels.
    var inputSize: (height: Int, width: Int) { get }
    /// The names of the intermediate layers returned as `features`, in order.
    var featureLayers: [String] { get }
    /// Builds the network on `image` [N, 3, H, W], RGB in [0, 1] at `inputSize`, preprocessing
    /// included: the L2-normalised embedding [N, D] and the feature maps of `featureLayers`.
    func build(_ g: Graph, image: Value) throws -> IdentityOutputs
}

public struct IdentityOutputs {
    /// [N, D], each row of unit length.
    public let embedding: Value
    /// One per feature layer, [N, C, H, W] for convolutional layers.
    public let features: [Value]
}

public extension Graph {
    /// Per-image standardisation (FaceNet's prewhiten) of x [N, …]: (x − mean) / max(std, 1/√n)
    /// over each image's n values, std the population standard deviation.
    func perImageStandardization(_ x: Value) throws -> Value {
        let axes = Array(1..<x.shape.count)
        let n = x.shape.dropFirst().reduce(1, *)
        let centered = try sub(x, try mean(x, axes: axes, keepDims: true))
        let std = try sqrt(try mean(try square(centered), axes: axes, keepDims: true))
        return try div(centered, try clamp(std, 1 / Float(n).squareRoot(), .infinity))
    }
}
