// dlib's ResNet face descriptor (dlib_face_recognition_resnet_model_v1.dat, the anet_type of dlib's
// dnn_face_recognition_ex.cpp) as engine ops: a 150×150 face chip → 128 numbers whose Euclidean distance
// below 0.6 means the same person. The identity judge: the fit never optimises it.
import Foundation

public final class DlibFaceDescriptor: IdentityNetwork {
    /// The file name inside a models folder.
    public static let relativePath = "dlib/dlib_face_recognition_resnet_model_v1.dat"
    /// dlib's convention: descriptors closer than this (Euclidean) belong to the same person.
    public static let samePersonDistance: Float = 0.6

    public let path: String
    public let inputSize = (height: 150, width: 150)
    /// None: the judge reports distances only.
    public let featureLayers: [String] = []
    private let layers: [DlibLayer]
    private let mean: [Float]

    public var name: String { "dlib ResNet face descriptor (\(path))" }

    public init(path: String) throws {
        let file = try DlibNetworkFile(path: path, format: "dlib's ResNet face descriptor")
        func bad(_ problem: String) -> EngineError {
            .badFile(path: path, problem: problem + "; expected dlib_face_recognition_resnet_model_v1.dat "
                + "(bash scripts/fetch-models.sh)")
        }
        let kinds = file.layers.map(\.kind), expected = Self.definition.map(\.kind)
        let count = max(kinds.count, expected.count)
        if let k = (0..<count).first(where: { kinds[safe: $0] != expected[safe: $0] }) {
            throw bad("layer \(k) from the input is \(kinds[safe: k] ?? "missing"), the network's definition "
                + "has \(expected[safe: k] ?? "no more layers") there")
        }
        for (k, layer) in file.layers.enumerated() {
            guard case let .convolution(_, shape, _, _, _) = layer else { continue }
            guard case let .affine(scale, _) = file.layers[k + 1], scale.count == shape[0] else {
                throw bad("the affine after con \(k) does not have its \(shape[0]) channels")
            }
        }
        guard case .metric = file.loss else { throw bad("the loss is not loss_metric") }
        guard case let .input(input) = file.layers[0], input.kind == "input_rgb_image_sized",
              input.rows == inputSize.height, input.cols == inputSize.width else {
            throw bad("the input is not a 150×150 RGB image")
        }
        self.path = path
        layers = file.layers
        mean = [input.mean.red, input.mean.green, input.mean.blue]
    }

    /// The raw 128-d descriptors [N, 128] of `image` [N, 3, 150, 150], RGB in [0, 1]: dlib's own values,
    /// not normalised (their Euclidean distances are what dlib's 0.6 threshold applies to).
    public func descriptor(_ g: Graph, image: Value) throws -> Value {
        guard image.shape.count == 4, image.shape[1] == 3, image.shape[2] == inputSize.height,
              image.shape[3] == inputSize.width else {
            throw EngineError.shapeMismatch(op: "DlibFaceDescriptor", expected: "image [N, 3, 150, 150]",
                                            got: image.type.description)
        }
        // dlib's input layer: (value·255 − channel mean) / 256.
        let means = g.constant(HostTensor([1, 3, 1, 1], mean.map { $0 / 256 }))
        var x = try g.sub(try g.scale(image, 255 / 256), means)
        var tags: [Int: Value] = [:]
        var i = 1
        while i < layers.count {
            switch (Self.definition[i], layers[i]) {
            case let (.tag(id), _): tags[id] = x
            case let (.skip(id), _): x = tags[id]!
            case let (.addPrevious(id), _): x = try addPrevious(g, x, tags[id]!)
            case let (_, .convolution(weights, shape, bias, stride, padding)):
                // The definition puts an affine right after every con: fold it into the filters.
                guard case let .affine(scale, shift) = layers[i + 1] else { preconditionFailure("see init") }
                let plane = weights.count / shape[0]
                let folded = weights.indices.map { weights[$0] * scale[$0 / plane] }
                let filters = g.constant(HostTensor(shape, folded))
                let biases = shift.indices.map { (bias?[$0] ?? 0) * scale[$0] + shift[$0] }
                let window = Window(stride: stride, padding: (padding.y, padding.y, padding.x, padding.x))
                x = try g.conv2d(x, filters, bias: g.constant(HostTensor([shape[0]], biases)), window)
                i += 1
            case (_, .relu): x = try g.relu(x)
            case let (_, .maxPool(p)): x = try g.maxPool2d(x, kernel: p.window, window(p))
            case let (_, .averagePool(p)):
                let whole = p.window == (0, 0)
                x = try whole ? g.globalAvgPool2d(x) : g.avgPool2d(x, kernel: p.window, window(p))
            case let (_, .fullyConnected(weights, inputs, outputs, _)):
                let matrix = g.constant(HostTensor([inputs, outputs], weights))
                x = try g.matmul(try g.reshape(x, [x.shape[0], inputs]), matrix)
            default: preconditionFailure("layer kinds checked in init")
            }
            i += 1
        }
        return x
    }

    /// The protocol's embedding is the descriptor scaled to unit length (for cosine losses); dlib's
    /// same-person test needs `descriptor`'s raw values instead.
    public func build(_ g: Graph, image: Value) throws -> IdentityOutputs {
        IdentityOutputs(embedding: try g.l2Normalize(try descriptor(g, image: image), axis: 1), features: [])
    }

    /// The model file, in ModelFiles' search order.
    public static func locate(explicit: String? = nil, flag: String = "--model",
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              searchFolders: [String] = ModelFiles.defaultFolders()) throws -> String {
        try ModelFiles.locate(relativePath, what: "dlib's ResNet face descriptor", explicit: explicit,
                              flag: flag, environment: environment, searchFolders: searchFolders)
    }

    /// Euclidean distance between two descriptors.
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }

    private func window(_ p: DlibPooling) -> Window {
        Window(stride: p.stride, padding: (p.padding.y, p.padding.y, p.padding.x, p.padding.x))
    }

    /// dlib's add_prev: the output has the larger size on each axis, each input counting as zero beyond its
    /// own (the down-sampling blocks add a pooled input with fewer channels; one adds a 3×3 block to a 4×4
    /// pool).
    private func addPrevious(_ g: Graph, _ a: Value, _ b: Value) throws -> Value {
        let shape = zip(a.shape, b.shape).map { max($0, $1) }
        func padded(_ x: Value) throws -> Value {
            let after = zip(shape, x.shape).map { $0 - $1 }
            return x.shape == shape ? x : try g.pad(x, before: shape.map { _ in 0 }, after: after)
        }
        return try g.add(try padded(a), try padded(b))
    }

    // MARK: - The network's definition, from the input up

    private enum Step {
        case layer(String)
        /// tag<id> records the value passing through; skip<id> continues from the tagged value.
        case tag(Int), skip(Int)
        /// add_prev<id>: adds the value tagged id.
        case addPrevious(Int)

        var kind: String {
            switch self {
            case let .layer(kind): return kind
            case .tag, .skip: return "tag/skip"
            case .addPrevious: return "add_prev"
            }
        }
    }

    /// input_rgb_image_sized<150>; con 7×7/2 (32), affine, relu, max_pool 3×3/2; levels of residual blocks
    /// (ares: relu(add_prev1(block(tag1(x))))) led by a down-sampling one (ares_down: relu(add_prev2(avg_pool
    /// 2×2/2(skip1(tag2(block/2(tag1(x)))))))), block = affine(con 3×3(relu(affine(con 3×3/stride(x))))):
    /// 3 × 32; 1 + 3 × 64; 1 + 2 × 128; 1 + 2 × 256; 1 × 256; avg_pool_everything; fc_no_bias 128.
    private static let definition: [Step] = {
        let block: [Step] = ["con", "affine", "relu", "con", "affine"].map { .layer($0) }
        let residual: [Step] = [.tag(1)] + block + [.addPrevious(1), .layer("relu")]
        let down: [Step] = [.tag(1)] + block + [.tag(2), .skip(1), .layer("avg_pool"), .addPrevious(2)]
            + [.layer("relu")]
        var steps: [Step] = ["input", "con", "affine", "relu", "max_pool"].map { .layer($0) }
        for (downs, residuals) in [(0, 3), (1, 3), (1, 2), (1, 2), (1, 0)] {
            steps += Array(Array(repeating: down, count: downs).joined())
            steps += Array(Array(repeating: residual, count: residuals).joined())
        }
        return steps + [.layer("avg_pool"), .layer("fc")]
    }()
}
